// Utilization collection bound to a run window: direct probes sample during the run, Prometheus is
// queried over the window afterwards, pg_stat_statements is snapshotted before and after.
// Nothing here throws: a source that cannot answer turns its metrics into no-data with the reason.
import type { Aggregation, Logger, Measurement, SlowQueryReport, TimeWindow, Unit, UtilizationConfig, UtilizationMetricConfig, UtilizationResults } from '../model.js';
import { PgProbe, RedisProbe } from './direct.js';
import { maskUrl, scrub } from '../mask.js';
import { PRESETS, applySelector, counterIncrease, isPreset, noActivity, type PgReading, type PresetDef, type PromPlan, type RedisReading } from './presets.js';
import { PrometheusClient, awaitScrapePast, inWindowQuery, maxRangeMs, nonFiniteText, rateRangeFor, selectorsOf, stepFor, stepForScrapes, type ScrapeWaitOptions } from './prometheus.js';
import { hiddenBetween, hiddenStatementsReason, slowQueryReport, type StatementSnapshot } from './slow-queries.js';
import { aggregate } from './stats.js';
import { code } from '../report/units.js';

export const DIRECT_ONLY_DURING_RUN = 'direct probes only sample during a run';

export interface Collection {
  /**
   * Stops the probes, takes the closing snapshots and queries Prometheus over `window`, once it has
   * scraped past the window's end unless `waitForScrape` is false (a run that did not complete).
   */
  stop(window: TimeWindow, opts?: { waitForScrape?: boolean }): Promise<UtilizationResults>;
}

type Plan =
  | { kind: 'direct'; family: 'postgres' | 'redis'; preset: PresetDef; metric: UtilizationMetricConfig; unit: Unit }
  | {
      kind: 'prometheus';
      metric: UtilizationMetricConfig;
      unit: Unit;
      /** The query for a window; `scrapeSeconds`, when measured, widens the default rate() range to 4 scrapes. */
      build: (window: TimeWindow, scrapeSeconds?: number) => PromPlan | { error: string };
    }
  | { kind: 'none'; metric: UtilizationMetricConfig; unit: Unit; reason: string };

const UNITS: readonly Unit[] = ['ms', 'ratio', 'bytes', 'count', 'per-second', 'percent', 'number'];

function customUnit(u: string | undefined): Unit {
  if (!u) return 'number';
  if ((UNITS as readonly string[]).includes(u)) return u as Unit;
  if (u === '%') return 'percent';
  if (u === '/s' || u === 'ops/s' || u === 'rps') return 'per-second';
  return 'number';
}

const SOURCE_NAME: Record<'prometheus' | 'postgres' | 'redis', string> = { prometheus: 'Prometheus', postgres: 'PostgreSQL', redis: 'Redis' };

/**
 * Why a source cannot be used: the loader's reason (`PROMETHEUS_URL is not set`, `… is not a valid URL`)
 * when it is declared, else that it is not declared. Short, as it stands in every row it affects.
 */
export function sourceMissing(cfg: UtilizationConfig, kind: 'prometheus' | 'postgres' | 'redis'): string {
  const why = cfg.unavailable?.[kind];
  if (why) return `${SOURCE_NAME[kind]} source unavailable: ${why}`;
  return `no ${SOURCE_NAME[kind]} source configured (utilization.sources.${kind})`;
}

function planMetric(cfg: UtilizationConfig, m: UtilizationMetricConfig): Plan {
  // rate() needs two samples in its range: 4 steps, at least a minute, and at least 2 scrape intervals
  // (a 60 s scrape interval, Prometheus's default, leaves a 60 s range empty). Not Grafana's 4: the
  // series starts one range after the run does, and a short run would have none.
  const rangeFor = (w: TimeWindow, scrape?: number) => m.params.rate_window ?? rateRangeFor(Math.max(stepFor(w), Math.ceil((scrape ?? 0) / 2)));
  if (m.prometheus !== undefined) {
    const unit = customUnit(m.unit);
    if (!m.prometheus.trim()) return { kind: 'none', metric: m, unit, reason: 'the PromQL expression is empty' };
    if (!cfg.sources.prometheus?.url) return { kind: 'none', metric: m, unit, reason: sourceMissing(cfg, 'prometheus') };
    const query = m.prometheus;
    return { kind: 'prometheus', metric: m, unit, build: (w, scrape) => ({ series: query.split('$__rate_interval').join(rangeFor(w, scrape)), needs: 'the series the expression selects' }) };
  }
  const name = m.preset ?? '';
  if (!isPreset(name)) return { kind: 'none', metric: m, unit: customUnit(m.unit), reason: `unknown preset "${name}"` };
  const preset = PRESETS[name];
  const unit = preset.unit;
  const wanted = m.params.source;
  const family = preset.family;
  const directUrl = family === 'k8s' ? undefined : cfg.sources[family]?.url;
  // A declared direct source that cannot be used (its variable unset) is what the metric waits for.
  const directDeclared = family !== 'k8s' && (!!directUrl || !!cfg.unavailable?.[family]);
  const useDirect = preset.direct !== undefined && (wanted === 'direct' || (wanted !== 'prometheus' && directDeclared));
  if (useDirect) {
    if (!directUrl) return { kind: 'none', metric: m, unit, reason: sourceMissing(cfg, family as 'postgres' | 'redis') };
    return { kind: 'direct', family: family as 'postgres' | 'redis', preset, metric: m, unit };
  }
  if (wanted === 'direct') return { kind: 'none', metric: m, unit, reason: `${name} can only be read from Prometheus` };
  if (!cfg.sources.prometheus?.url) {
    if (cfg.unavailable?.prometheus || !preset.direct) return { kind: 'none', metric: m, unit, reason: sourceMissing(cfg, 'prometheus') };
    return { kind: 'none', metric: m, unit, reason: `no Prometheus or ${SOURCE_NAME[family as 'postgres' | 'redis']} source configured (utilization.sources.prometheus or utilization.sources.${family})` };
  }
  return {
    kind: 'prometheus',
    metric: m,
    unit,
    build: (w, scrape) => {
      const built = preset.prometheus(m.params, rangeFor(w, scrape));
      return 'error' in built || family === 'k8s' ? built : applySelector(built, m.params.selector);
    },
  };
}

interface Entry {
  unit: Unit;
  samples: number[];
  value?: number;
  noData?: string;
  /** Why the whole-window `value` is missing while the series itself has samples. */
  valueNoData?: string;
  /** Why the series (avg, max, p(N)…) is missing while the whole-window `value` is there. */
  seriesNoData?: string;
  /** Points of the series left out (NaN, ±Inf), said in a note. */
  dropped?: string;
  /** Prometheus's warnings with its answers (a partial response): said in a note. */
  warnings?: string[];
  /** The window the entry was collected over. */
  collected?: TimeWindow;
  /** Prometheus: the time of each sample, and how far back each point reaches (its range, ms). */
  times?: number[];
  back?: number;
  /** Prometheus counter presets: the counters' raw samples, to compute `value` over a part of the window. */
  counters?: { numerator: [number, number][][]; denominator: [number, number][][] | 'seconds'; scale: number; idle?: string };
  /** Direct: the preset and all readings, to measure a part of the window. */
  direct?: { def: DirectDef; readings: readonly Reading[]; lastError?: string };
  preset?: string;
}

class Results implements UtilizationResults {
  notes: string[] = [];
  slowQueries?: SlowQueryReport;
  constructor(private readonly entries: Map<string, Entry>) {}
  has(metric: string): boolean {
    return this.entries.has(metric);
  }
  unit(metric: string): Unit {
    return this.entries.get(metric)?.unit ?? 'number';
  }
  names(): string[] {
    return [...this.entries.keys()];
  }
  preset(metric: string): string | undefined {
    return this.entries.get(metric)?.preset;
  }
  measure(metric: string, aggregation: Aggregation, window?: TimeWindow): Measurement {
    const e = this.entries.get(metric);
    if (!e) return { noData: `${metric} is not a configured utilization metric` };
    if (e.noData) return { noData: e.noData };
    const c = e.collected;
    if (window && c && (window.start > c.start || window.end < c.end)) return measurePart(e, aggregation, { start: Math.max(window.start, c.start), end: Math.min(window.end, c.end) });
    if (aggregation.kind === 'value' && e.valueNoData) return { noData: e.valueNoData };
    if (aggregation.kind !== 'value' && e.seriesNoData) return { noData: e.seriesNoData };
    return aggregate(e.samples, aggregation, e.value);
  }
}

/** A part of the collected window (a rule's warmup or steady window). */
function measurePart(e: Entry, aggregation: Aggregation, w: TimeWindow): Measurement {
  if (w.end <= w.start) return { noData: 'the rule’s window lies outside the run' };
  if (e.direct) {
    const part = directEntry(e.unit, e.direct.def, e.direct.readings, w, e.direct.lastError);
    return part.noData ? { noData: part.noData } : aggregate(part.samples, aggregation, part.value);
  }
  if (aggregation.kind === 'value' && e.value !== undefined) {
    const k = e.counters;
    if (!k) return { noData: 'the counters’ samples could not be read: value is only known over the whole run; use avg, min, max or p(N) for a part of it' };
    const num = increaseIn(k.numerator, w);
    const den = k.denominator === 'seconds' ? (w.end - w.start) / 1000 : increaseIn(k.denominator, w);
    return den > 0 ? { value: (k.scale * num) / den } : { noData: noActivity(k.idle, 'rule’s window') };
  }
  if (aggregation.kind !== 'value' && e.seriesNoData) return { noData: e.seriesNoData };
  const times = e.times ?? [];
  const from = w.start + (e.back ?? 0);
  const samples = e.samples.filter((_, i) => times[i]! >= from && times[i]! <= w.end);
  if (samples.length === 0) return { noData: `no point of the series inside the rule’s window (${secondsText(w)}${e.back ? `, each point reaching back ${e.back / 1000} s` : ''})` };
  return aggregate(samples, aggregation);
}

/**
 * A counter's increase over `w` from its raw samples, per series: from the last sample at or before
 * the start (or the first one inside) to the last one inside; a decrease is a reset, counted from zero.
 */
export function increaseIn(series: readonly (readonly [number, number])[][], w: TimeWindow): number {
  let total = 0;
  for (const points of series) {
    let prev: number | undefined;
    for (const [t, v] of points) {
      if (t > w.end) break;
      if (t > w.start && prev !== undefined) total += counterIncrease(prev, v);
      prev = v;
    }
  }
  return total;
}

type Reading = PgReading | RedisReading;
type DirectDef = NonNullable<PresetDef['direct']>;

/**
 * The readings that describe `w`: for a gauge those inside it; for counters the ones that bracket it
 * (from the last reading at or before its start to the first at or after its end), so that the
 * increases cover the whole window and nothing long before or after it.
 */
export function clipReadings<R extends { t: number }>(rs: readonly R[], w: TimeWindow, counters: boolean): R[] {
  if (!counters) return rs.filter((r) => r.t >= w.start && r.t <= w.end);
  let from = 0;
  let to = rs.length - 1;
  for (let i = 0; i < rs.length; i++) if (rs[i]!.t <= w.start) from = i;
  for (let i = rs.length - 1; i >= 0; i--) if (rs[i]!.t >= w.end) to = i;
  return rs.slice(from, to + 1);
}

function directEntry(unit: Unit, def: DirectDef, all: readonly Reading[], w: TimeWindow, lastError: string | undefined): Entry {
  if (all.length === 0) return { unit, samples: [], noData: lastError ?? 'the probe took no readings' };
  const readings = clipReadings(all, w, def.counters === true);
  const value = def.value?.(readings);
  const samples = def.series(readings);
  if (value !== undefined && typeof value === 'object') return { unit, samples, noData: value.noData };
  if (samples.length === 0 && value === undefined) {
    return { unit, samples, noData: readings.length === 0 ? `no probe reading inside the window (${secondsText(w)}): the sampling interval is longer than the run` : (lastError ?? 'no samples in the window') };
  }
  return { unit, samples, value };
}

/** The no-data reason when Prometheus scraped nothing the expression reads inside the window. */
export function noScrapeReason(window: TimeWindow): string {
  return `no scrape inside the run window (${secondsText(window)}): the scrape interval is longer than the run`;
}

/** Prometheus's default lookback (how far back an instant query finds a series' latest sample). */
const LOOKBACK_MS = 5 * 60_000;

/**
 * Whether `selectors` have no sample in the window nor in the 5 minutes before it: `then` when they
 * have some now (Prometheus holds no data of that time: an old run beyond its retention), `never`
 * when they have none now either; undefined when they have samples then, or Prometheus did not say.
 */
async function missingThen(client: PrometheusClient, selectors: readonly string[], window: TimeWindow): Promise<'then' | 'never' | undefined> {
  if (selectors.length === 0) return undefined;
  const some = (r: Awaited<ReturnType<PrometheusClient['instant']>>) => (r.ok ? r.value.length > 0 && r.value[0]!.value > 0 : undefined);
  const then = some(await client.instant(inWindowQuery(selectors, { start: window.start - LOOKBACK_MS, end: window.end }), window.end));
  if (then !== false) return undefined;
  const now = Date.now();
  const recent = some(await client.instant(inWindowQuery(selectors, { start: now - LOOKBACK_MS, end: now }), now));
  return recent === undefined ? undefined : recent ? 'then' : 'never';
}

/** The no-data reason when Prometheus has no sample of the series in the window nor in the 5 minutes before it. */
export function noDataAtAllReason(window: TimeWindow, selectors: readonly string[]): string {
  const shown = selectors.slice(0, 3).map((s) => `\`${s}\``).join(', ') + (selectors.length > 3 ? ', …' : '');
  return `Prometheus holds no sample of ${shown} in the run window (${new Date(window.start).toISOString()}, ${secondsText(window)}) nor in the 5 minutes before it: that time is beyond its retention, or nothing was scraped then`;
}

function secondsText(window: TimeWindow): string {
  const s = (window.end - window.start) / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(1))} s`;
}

/**
 * The no-data reason when Prometheus refuses a metric's query (it does not parse, or cannot be
 * evaluated): where the metric is in thresholds.yml, Prometheus's own words, and what to change.
 */
export function refusedReason(metric: UtilizationMetricConfig, why: string): string {
  // a custom expression: where the expression is written (a block-style map has it below the name)
  const pos = (metric.prometheus !== undefined ? metric.exprPos : undefined) ?? metric.pos;
  const at = `${pos.file}:${pos.line}:${pos.column}`;
  const execution = why.startsWith('execution:');
  let fix: string;
  if (metric.prometheus !== undefined) {
    fix = execution
      ? `rewrite the expression so that Prometheus can evaluate it`
      : `correct the expression (the position Prometheus gives is within the expression${metric.prometheus.includes('$__rate_interval') ? `, with $__rate_interval replaced by the rate range` : ''}; try it in Prometheus's Graph page first)`;
    return `\`${metric.name}\` (${at}): Prometheus refused the PromQL expression — ${why}; ${fix}`;
  }
  // The parameters that go into the query as written, each with a well-formed example.
  const examples: Record<string, string> = { selector: '`selector: instance="db:9187"` (label values quoted)', rate_window: '`rate_window: 2m`', pod_regex: '`pod_regex: "api-.*"` (an RE2 regex)' };
  const params = Object.keys(examples).filter((p) => metric.params[p] !== undefined);
  fix = params.length > 0 ? `check the metric's ${params.map((p) => `\`${p}\``).join(' and ')}, e.g. ${params.map((p) => examples[p]).join(', ')}` : 'this is a bug of the preset: please report it with the message';
  return `\`${metric.name}\` (${at}): Prometheus refused the ${metric.preset} query — ${why}; ${fix}`;
}

/**
 * The labels that tell several series apart, with a few values of the first: ` that differ in pod
 * (api-7d9f8b6c5-b2c4d, api-7d9f8b6c5-d6f8g, …)` — what a sum(…) or max(…) would fold.
 */
export function differing(labelSets: readonly Record<string, string>[]): string {
  const keys = [...new Set(labelSets.flatMap((l) => Object.keys(l)))].filter((k) => new Set(labelSets.map((l) => l[k] ?? '')).size > 1).sort();
  if (keys.length === 0) return '';
  const first = keys.find((k) => k !== '__name__') ?? keys[0]!;
  const values = [...new Set(labelSets.map((l) => l[first] ?? '(none)'))];
  const shown = values.slice(0, 3).join(', ') + (values.length > 3 ? ', …' : '');
  return ` that differ in ${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', …' : ''} (${keys.length > 1 ? `${first}: ` : ''}${shown})`;
}

/**
 * Why a custom expression returned nothing: which of its selectors select no series in the window,
 * and for each whether its metric name has series at all (labels wrong) or not (name wrong, or its
 * exporter not scraped); or, when every selector has series, that the expression filtered them out.
 */
async function whyEmpty(client: PrometheusClient, expr: string, window: TimeWindow): Promise<string | undefined> {
  const selectors = selectorsOf(expr).slice(0, 6);
  if (selectors.length === 0) return undefined;
  const ms = Math.max(1, Math.round(window.end - window.start));
  const has = async (sel: string): Promise<boolean | undefined> => {
    const r = await client.instant(`count(count_over_time(${sel}[${ms}ms]))`, window.end);
    return r.ok ? r.value.length > 0 && r.value[0]!.value > 0 : undefined;
  };
  const missing: string[] = [];
  for (const sel of selectors) {
    if ((await has(sel)) !== false) continue;
    const name = /^[a-zA-Z_:][\w:]*/.exec(sel)?.[0];
    if (name && name !== sel) {
      missing.push((await has(name)) ? `${code(name)} has series, but none matching ${code(sel.slice(name.length))}: check the labels` : `${code(name)} has no series: check the metric name, and that its exporter is scraped`);
    } else missing.push(`${code(sel)} selects no series${name ? ': check the metric name, and that its exporter is scraped' : ''}`);
  }
  if (missing.length > 0) return missing.join('; ');
  return 'every series it reads has samples in the window, but the expression kept none: a comparison (`> 0`), `and`/`unless`/`on(…)` matching nothing, or too few samples for a range (rate() needs two)';
}

/** Why a query returned no series: for a custom expression what {@link whyEmpty} finds, for a preset what it needs. */
async function noSeriesReason(client: PrometheusClient, plan: PromPlan, window: TimeWindow, metric: UtilizationMetricConfig): Promise<string> {
  const why = metric.prometheus !== undefined ? await whyEmpty(client, plan.series, window) : undefined;
  return `the query returned no series over the window (${why ?? `needs ${plan.needs}`})`;
}

/**
 * The scrape interval (seconds) of the first series an expression reads: the window divided by the
 * most samples a series of it has in the window; undefined when that cannot be told. The query_range
 * step is shortened to it (stepForScrapes) — over a long run a 43 s step would evaluate only one
 * scrape in three of a 15 s interval, and a max could miss a spike — and the default rate() range
 * covers two of them.
 */
async function scrapeSeconds(client: PrometheusClient, expr: string, window: TimeWindow): Promise<number | undefined> {
  const first = selectorsOf(expr)[0];
  if (first === undefined) return undefined;
  const ms = Math.max(1, Math.round(window.end - window.start));
  const r = await client.instant(`max(count_over_time(${first}[${ms}ms]))`, window.end);
  const samples = r.ok ? r.value[0]?.value : undefined;
  return samples !== undefined && samples > 1 ? ms / 1000 / samples : undefined;
}

/** What to change when every point of a metric's series would reach back before a short run. */
function shortRunFix(metric: UtilizationMetricConfig, hasValue: boolean): string {
  const range = 'a shorter `rate_window` (at least two scrape intervals, e.g. `rate_window: 30s` with a 15 s scrape interval)';
  if (metric.prometheus !== undefined && !metric.prometheus.includes('$__rate_interval')) {
    return 'use a shorter range in the expression (or `$__rate_interval`, which follows `rate_window`)';
  }
  return hasValue ? `set ${range} or judge \`value\` (the whole run's figure)` : `set ${range}`;
}

async function queryPrometheus(client: PrometheusClient, plan: PromPlan, window: TimeWindow, metric: UtilizationMetricConfig, scrape?: number): Promise<Entry | { noData: string }> {
  const refused = (why: string) => refusedReason(metric, why);
  const entry: Entry = { unit: 'number', samples: [] };
  const failed = (r: { reason: string; refused?: string }) => (r.refused !== undefined ? refused(r.refused) : r.reason);
  // A point of a rate(x[R]) series at time t covers (t − R, t]: the series starts R after the run
  // started, so that no point reaches back into the idle time before it.
  const back = maxRangeMs(plan.series);
  const from = window.start + back;
  if (from <= window.end) {
    const r = await client.range(plan.series, { start: from, end: window.end }, stepForScrapes(window, scrape ?? Number.NaN));
    if (!r.ok) return { noData: failed(r) };
    if (r.warnings) entry.warnings = r.warnings;
    if (r.value.length === 0) {
      if (plan.ifEmpty) {
        const probe = await client.range(plan.ifEmpty.query, { start: window.start, end: window.end }, stepFor(window));
        if (probe.ok && probe.value.length === 0) return { noData: plan.ifEmpty.reason };
      }
      if ((await missingThen(client, selectorsOf(plan.series), window)) === 'then') return { noData: noDataAtAllReason(window, selectorsOf(plan.series)) };
      return { noData: await noSeriesReason(client, plan, window, metric) };
    }
    if (r.value.length > 1) {
      return { noData: `the query returned ${r.value.length} series${differing(r.value.map((x) => x.labels))}; aggregate it to one (sum(…), max(…) or avg(…))` };
    }
    const all = r.value[0]!.points;
    const points = all.filter(([, v]) => Number.isFinite(v));
    entry.samples = points.map(([, v]) => v);
    entry.times = points.map(([t]) => t);
    entry.back = back;
    // NaN and ±Inf points come from a division by zero (a ratio without traffic): they are never
    // judged, and never left out without saying so.
    const odd = nonFiniteText(all.map(([, v]) => v));
    if (all.length === 0) return { noData: `the query returned no numeric samples over the window (needs ${plan.needs})` };
    if (entry.samples.length === 0) {
      const why = `every point of the series is ${odd === `${all.length} NaN (0/0)` ? 'NaN (0/0)' : `NaN or ±Inf (${odd})`}: a division by zero throughout the window`;
      if (!plan.value) return { noData: `${why}; guard the denominator (\`… / (x > 0)\` leaves such points out) or judge another figure` };
      entry.seriesNoData = `${why} (the counters did not move within any rate range)`;
    } else if (odd) {
      entry.dropped = `${odd} of the series' ${all.length} points (divisions by zero) are left out of avg, min, max, med and p(N)`;
    }
  }
  if (from > window.end) {
    // No series is queried: the expression must still be one Prometheus accepts (said before anything
    // about the data, which cannot help a query that does not parse).
    const check = await client.instant(plan.series, window.end);
    if (!check.ok && check.refused !== undefined) return { noData: refused(check.refused) };
  }
  // Instant and range queries look back up to 5 minutes: a run shorter than the scrape interval would
  // be judged on the last scrape before it. At least one sample must lie inside the window.
  const selectors = selectorsOf(plan.series);
  if (selectors.length > 0) {
    const inside = await client.instant(inWindowQuery(selectors, window), window.end);
    if (inside.ok && (inside.value.length === 0 || !(inside.value[0]!.value > 0))) {
      // Nothing in the 5 minutes before either: not a scrape interval longer than the run, but no data
      // of that time at all, or none ever.
      const missing = await missingThen(client, selectors, window);
      if (missing === 'then') return { noData: noDataAtAllReason(window, selectors) };
      if (missing === 'never') return { noData: await noSeriesReason(client, plan, window, metric) };
      return { noData: noScrapeReason(window) };
    }
  }
  if (from > window.end) {
    entry.seriesNoData = `the run (${secondsText(window)}) is shorter than the expression's range (${back / 1000} s): every point would reach back before the run; ${shortRunFix(metric, plan.value !== undefined)}`;
    if (!plan.value) return { noData: entry.seriesNoData };
  }
  if (plan.value) {
    // increase() over exactly the window, per series: a counter reset (restart) counts from zero, and a
    // series that appears or vanishes during the run only adds what it counted inside it.
    const windowMs = Math.max(1, Math.round(window.end - window.start));
    const sumOf = async (counters: string[]): Promise<number | string> => {
      let total = 0;
      for (const c of counters) {
        const q = `sum(increase(${c}[${windowMs}ms]))`;
        const v = await client.instant(q, window.end);
        if (!v.ok) return failed(v);
        if (v.warnings) entry.warnings = [...new Set([...(entry.warnings ?? []), ...v.warnings])];
        if (v.value.length === 0 || !Number.isFinite(v.value[0]!.value)) return `${c} has no samples inside the window`;
        total += v.value[0]!.value;
      }
      return total;
    };
    const dn = await sumOf(plan.value.numerator);
    const dd = plan.value.denominator === 'seconds' ? windowMs / 1000 : await sumOf(plan.value.denominator);
    // The series is still usable for avg/max…; only `value` lacks data.
    if (typeof dn === 'string') entry.valueNoData = `whole-window value: ${dn}`;
    else if (typeof dd === 'string') entry.valueNoData = `whole-window value: ${dd}`;
    else if (dd > 0) entry.value = (plan.value.scale * dn) / dd;
    else entry.valueNoData = noActivity(plan.value.idle);
    if (entry.seriesNoData && entry.valueNoData) return { noData: entry.valueNoData };
    // Raw samples from 5 minutes before the window (a baseline for any part of it) to its end.
    if (entry.value !== undefined) {
      const raw = async (counters: string[]) => {
        const out: [number, number][][] = [];
        for (const c of counters) {
          const r = await client.samples(c, windowMs + 300_000, window.end);
          if (!r.ok) return undefined;
          out.push(...r.value);
        }
        return out;
      };
      const numerator = await raw(plan.value.numerator);
      const denominator = plan.value.denominator === 'seconds' ? 'seconds' : await raw(plan.value.denominator);
      if (numerator && denominator) entry.counters = { numerator, denominator, scale: plan.value.scale, ...(plan.value.idle ? { idle: plan.value.idle } : {}) };
    }
  }
  return entry;
}

interface State {
  cfg: UtilizationConfig;
  log: Logger;
  plans: Plan[];
  pg?: PgProbe;
  redis?: RedisProbe;
  pgError?: string;
  redisError?: string;
  before?: StatementSnapshot;
  start: number;
  /** How long to wait for Prometheus to scrape past the window's end (tests shorten it; the gate's signal stops it). */
  scrapeWait?: ScrapeWaitOptions;
  /** false: query Prometheus at once (a run that did not complete). */
  waitForScrape?: boolean;
}

/** Every series selector the Prometheus plans read (their series and whole-window counters). */
function promSelectors(plans: Plan[], window: TimeWindow): string[] {
  const out = new Set<string>();
  for (const plan of plans) {
    if (plan.kind !== 'prometheus') continue;
    const built = plan.build(window);
    if ('error' in built) continue;
    for (const sel of selectorsOf(built.series)) out.add(sel);
    for (const c of [...(built.value?.numerator ?? []), ...(Array.isArray(built.value?.denominator) ? built.value.denominator : [])]) {
      for (const sel of selectorsOf(c)) out.add(sel);
    }
  }
  return [...out];
}

/**
 * PostgreSQL/Redis presets read from Prometheus without a `selector` sum every server Prometheus
 * scrapes: a preview database and a shared staging one alike. Where their series come from more than
 * one `instance` live at the window's end, one note per family names the servers and the metrics.
 */
async function severalServers(prom: PrometheusClient, plans: Plan[], entries: Map<string, Entry>, window: TimeWindow): Promise<string[]> {
  const byFamily = new Map<'postgres' | 'redis', { names: string[]; selector: string }>();
  for (const plan of plans) {
    if (plan.kind !== 'prometheus' || !plan.metric.preset || !isPreset(plan.metric.preset) || plan.metric.params.selector) continue;
    const family = PRESETS[plan.metric.preset].family;
    if (family === 'k8s' || entries.get(plan.metric.name)?.noData) continue;
    const built = plan.build(window);
    const selector = 'error' in built ? undefined : selectorsOf(built.series)[0];
    if (selector === undefined) continue;
    const have = byFamily.get(family);
    if (have) have.names.push(plan.metric.name);
    else byFamily.set(family, { names: [plan.metric.name], selector });
  }
  const notes: string[] = [];
  for (const [family, { names, selector }] of byFamily) {
    // live at the window's end (a series whose target went away is marked stale): an exporter pod
    // restarted during the run is one server, not two
    const r = await prom.instant(`count by (instance) (${selector})`, window.end);
    if (!r.ok || r.value.length < 2) continue;
    const instances = r.value.map((v) => v.labels.instance ?? '(no instance label)').sort();
    const shown = instances.slice(0, 5).map((i) => `\`${i}\``).join(', ') + (instances.length > 5 ? `, … (${instances.length} in all)` : '');
    notes.push(
      `${names.map((n) => `\`${n}\``).join(', ')}: Prometheus scrapes ${instances.length} ${SOURCE_NAME[family]} servers (${shown}) and the figures are over all of them; to judge one, set \`selector: instance="…"\` on ${names.length === 1 ? 'it' : 'them'}`,
    );
  }
  return notes;
}

/** Prometheus queries in flight at once while the utilization figures are read after a run. */
export const PROMETHEUS_CONCURRENCY = 4;

/** fn over items, at most `limit` (at least 1) at a time; results in the items' order. The first error stops taking new items. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        next = items.length;
        throw err;
      }
    }
  };
  const n = Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : 1;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** The Prometheus client of a configuration whose Prometheus source is available. */
function promClient(cfg: UtilizationConfig): PrometheusClient {
  const src = cfg.sources.prometheus!;
  return new PrometheusClient(src.url, cfg.prometheusTimeoutSeconds === undefined ? undefined : cfg.prometheusTimeoutSeconds * 1000, src.headers);
}

async function finish(state: State, window: TimeWindow, during: boolean): Promise<UtilizationResults> {
  const entries = new Map<string, Entry>();
  const notes: string[] = [];
  let prom: PrometheusClient | undefined;
  // One note per reason (a missing source affects many metrics), with the metrics it concerns.
  const noDataNames = new Map<string, string[]>();
  const selectors = state.waitForScrape === false || state.cfg.scrapeWaitSeconds === 0 ? [] : promSelectors(state.plans, window);
  if (selectors.length > 0) {
    prom = promClient(state.cfg);
    const wait = await awaitScrapePast(prom, selectors, window.end, {
      ...(state.cfg.scrapeWaitSeconds !== undefined ? { maxWaitMs: state.cfg.scrapeWaitSeconds * 1000 } : {}),
      ...state.scrapeWait,
    });
    if (wait.waitedMs >= 1000) state.log.info(`utilization: waited ${Math.round(wait.waitedMs / 1000)} s for Prometheus to scrape past the run's end`);
    if (!wait.caughtUp) {
      notes.push(
        `Prometheus had not scraped ${wait.behind.map((b) => `\`${b}\``).join(', ')} since the run ended (waited ${Math.round(wait.waitedMs / 1000)} s): figures from them may miss the run's last seconds (a scrape interval longer than that wants a longer \`sources.prometheus.scrape-wait\`; or the clocks of this runner and Prometheus differ)`,
      );
    }
  }
  // Each metric's entry, and its notes; the Prometheus ones are queried a few at a time (each is one
  // to three requests), then everything is gathered in the order of thresholds.yml.
  const entryFor = async (plan: Plan): Promise<{ entry: Entry; notes: string[] }> => {
    const name = plan.metric.name;
    const own: string[] = [];
    let entry: Entry;
    if (plan.kind === 'none') entry = { unit: plan.unit, samples: [], noData: plan.reason };
    else if (plan.kind === 'direct') {
      const probe = plan.family === 'postgres' ? state.pg : state.redis;
      const err = plan.family === 'postgres' ? state.pgError : state.redisError;
      if (!during) entry = { unit: plan.unit, samples: [], noData: DIRECT_ONLY_DURING_RUN };
      else if (!probe) entry = { unit: plan.unit, samples: [], noData: err ?? `${plan.family} probe did not start` };
      else {
        const readings = probe.readings as readonly Reading[];
        const def = plan.preset.direct!;
        entry = { ...directEntry(plan.unit, def, readings, window, probe.lastError), collected: window, direct: { def, readings, ...(probe.lastError ? { lastError: probe.lastError } : {}) } };
        // what exactly is missing of pg_stat_statements (not loaded, not created here, neither)
        if (probe instanceof PgProbe && !probe.statements.ok && plan.preset.name === 'postgres.query_latency') entry.noData = probe.statements.reason;
      }
    } else {
      let built = plan.build(window);
      if ('error' in built) entry = { unit: plan.unit, samples: [], noData: built.error };
      else {
        prom ??= promClient(state.cfg);
        // the scrape interval of what it reads: the query_range step and the default rate() range follow it
        const scrape = await scrapeSeconds(prom, built.series, window);
        if (scrape !== undefined) {
          const again = plan.build(window, scrape);
          if (!('error' in again)) built = again;
        }
        const r = await queryPrometheus(prom, built, window, plan.metric, scrape);
        entry = 'samples' in r ? { ...r, unit: plan.unit, collected: window } : { unit: plan.unit, samples: [], noData: r.noData };
        const valueNoData = 'samples' in r ? r.valueNoData : undefined;
        if (valueNoData) own.push(`${name}: value (whole window) has no data: ${valueNoData}`);
        const warnings = 'samples' in r ? r.warnings : undefined;
        if (warnings) own.push(`${name}: Prometheus answered with a warning, so the figures may rest on part of the data: ${warnings.join('; ')}`);
        const dropped = 'samples' in r ? r.dropped : undefined;
        if (dropped) own.push(`${name}: ${dropped}`);
        const seriesNoData = 'samples' in r ? r.seriesNoData : undefined;
        if (seriesNoData) own.push(`${name}: only value (whole window) has data: ${seriesNoData}`);
      }
    }
    if (plan.metric.preset) entry.preset = plan.metric.preset;
    return { entry, notes: own };
  };
  const got = await mapLimit(state.plans, PROMETHEUS_CONCURRENCY, entryFor);
  state.plans.forEach((plan, i) => {
    const { entry, notes: own } = got[i]!;
    notes.push(...own);
    if (entry.noData) noDataNames.set(entry.noData, [...(noDataNames.get(entry.noData) ?? []), plan.metric.name]);
    entries.set(plan.metric.name, entry);
  });
  for (const [reason, names] of noDataNames) notes.push(`${names.join(', ')}: no data: ${reason}`);
  if (prom) notes.push(...(await severalServers(prom, state.plans, entries, window)));
  if (during && state.redis?.replicaOf && state.cfg.sources.redis?.url) {
    const names = state.plans.filter((p) => p.kind === 'direct' && p.family === 'redis').map((p) => p.metric.name);
    notes.push(
      `${names.join(', ')}: Redis at ${maskUrl(state.cfg.sources.redis.url)} is a replica (of ${state.redis.replicaOf}): the figures are the replica's own — the reads it served, commands including the writes replicated from its master; point utilization.sources.redis.url at the master to judge the load the API puts on it`,
    );
  }
  if (during && state.pg && state.pg.hiddenSessions > 0) {
    const conn = state.plans.filter((p) => p.kind === 'direct' && p.family === 'postgres' && /^postgres\.connections/.test(p.preset.name)).map((p) => p.metric.name);
    const role = state.pg.role.replace(/[^A-Za-z0-9_.-]/g, '?');
    if (conn.length > 0) {
      notes.push(
        `${conn.join(', ')}: the role \`${role}\` may not read other roles' sessions (${state.pg.hiddenSessions} seen without details): they are counted as client connections from their database and user, which also counts their parallel workers; GRANT pg_read_all_stats TO ${role} (or pg_monitor) for the exact count`,
      );
    }
  }
  if (during) {
    for (const [family, probe] of [['PostgreSQL', state.pg], ['Redis', state.redis]] as const) {
      if (probe?.lastError && probe.readings.length > 0) notes.push(`${family} probe: some readings failed, the figures use the others (last error: ${probe.lastError})`);
    }
  }
  const results = new Results(entries);
  if (state.cfg.slowQueries) {
    if (!during) results.slowQueries = { available: false, reason: 'pg_stat_statements snapshots are only taken during a run', rows: [] };
    else if (!state.cfg.sources.postgres?.url) results.slowQueries = { available: false, reason: sourceMissing(state.cfg, 'postgres'), rows: [] };
    else if (!state.pg) results.slowQueries = { available: false, reason: state.pgError ?? 'the PostgreSQL probe did not start', rows: [] };
    else {
      const after = await state.pg.snapshot();
      const reason = state.pg.statements.ok ? undefined : state.pg.statements.reason;
      results.slowQueries = slowQueryReport(state.before, after, reason, state.pg.role);
      const hidden = hiddenBetween(state.before, after);
      if (results.slowQueries.available && hidden.calls > 0) notes.push(`slow queries: only the role's own statements are listed: ${hiddenStatementsReason(state.pg.role, hidden)}`);
    }
    if (!results.slowQueries.available) notes.push(`slow queries: ${results.slowQueries.reason}`);
  }
  results.notes = notes;
  // said as they come; the faces warn of them once, with the scenario's other data-quality problems
  for (const n of notes) state.log.info(`utilization: ${n}`);
  return results;
}

/**
 * Starts collecting for one scenario: opens the direct probes (one PostgreSQL and one Redis connection),
 * takes the first readings and the pg_stat_statements snapshot, then samples every `intervalSeconds`.
 */
export async function startCollection(cfg: UtilizationConfig, log: Logger, opts: { scrapeWait?: ScrapeWaitOptions } = {}): Promise<Collection> {
  const plans = cfg.metrics.map((m) => planMetric(cfg, m));
  const state: State = { cfg, log, plans, start: Date.now(), ...(opts.scrapeWait ? { scrapeWait: opts.scrapeWait } : {}) };
  const wantPg = plans.some((p) => p.kind === 'direct' && p.family === 'postgres') || (cfg.slowQueries && !!cfg.sources.postgres?.url);
  const wantRedis = plans.some((p) => p.kind === 'direct' && p.family === 'redis');
  // open() turns every failure into { error }; the catch is a last guard so a probe never takes the report down.
  const opened = <T>(p: Promise<T | { error: string }>, name: string, url: string) =>
    p.catch((err: unknown) => ({ error: scrub(`${name} at ${maskUrl(url)} could not be opened (${(err as Error)?.message ?? String(err)})`, [url]) }));
  const [pgProbe, redisProbe] = await Promise.all([
    wantPg ? opened(PgProbe.open(cfg.sources.postgres!.url), 'PostgreSQL', cfg.sources.postgres!.url) : undefined,
    wantRedis ? opened(RedisProbe.open(cfg.sources.redis!.url), 'Redis', cfg.sources.redis!.url) : undefined,
  ]);
  if (pgProbe && 'error' in pgProbe) {
    state.pgError = pgProbe.error;
    log.warning(`utilization: ${pgProbe.error}`);
  } else if (pgProbe) {
    state.pg = pgProbe;
    log.info(`utilization: sampling PostgreSQL at ${maskUrl(cfg.sources.postgres!.url)} every ${cfg.intervalSeconds}s`);
  }
  if (redisProbe && 'error' in redisProbe) {
    state.redisError = redisProbe.error;
    log.warning(`utilization: ${redisProbe.error}`);
  } else if (redisProbe) {
    state.redis = redisProbe;
    log.info(`utilization: sampling Redis at ${maskUrl(cfg.sources.redis!.url)} every ${cfg.intervalSeconds}s`);
  }
  if (state.pg && cfg.slowQueries) state.before = await state.pg.snapshot();
  const sampleAll = async () => {
    await Promise.all([state.pg?.sample(), state.redis?.sample()]);
  };
  await sampleAll();
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(
    () => {
      if (stopped) return;
      // Never overlap: one query at a time per connection.
      inFlight = inFlight.then(sampleAll);
    },
    Math.max(0.05, cfg.intervalSeconds) * 1000,
  );
  timer.unref?.();
  let result: Promise<UtilizationResults> | undefined;
  return {
    stop(window: TimeWindow, opts: { waitForScrape?: boolean } = {}): Promise<UtilizationResults> {
      if (opts.waitForScrape === false) state.waitForScrape = false;
      result ??= (async () => {
        stopped = true;
        clearInterval(timer);
        await inFlight;
        await sampleAll();
        try {
          return await finish(state, window, true);
        } finally {
          await Promise.all([state.pg?.close(), state.redis?.close()]);
        }
      })();
      return result;
    },
  };
}

/** Evaluate-only mode: Prometheus is asked about a past window; direct probes cannot look back. */
export async function collectWindow(cfg: UtilizationConfig, window: TimeWindow, log: Logger, opts: { scrapeWait?: ScrapeWaitOptions } = {}): Promise<UtilizationResults> {
  const plans = cfg.metrics.map((m) => planMetric(cfg, m));
  return finish({ cfg, log, plans, start: window.start, ...(opts.scrapeWait ? { scrapeWait: opts.scrapeWait } : {}) }, window, false);
}
