// Results from k6's end-of-test summary: `handleSummary(data)` JSON or `--summary-export` JSON.
// They hold only the statistics k6 computed over the whole run, so anything else is no-data with the reason.
import type {
  Aggregation,
  Contains,
  IngestDiagnostics,
  Measurement,
  MetricInfo,
  MetricSelector,
  MetricType,
  Results,
  TimeWindow,
  TimelinePoint,
} from '../model.js';
import { aggregationText, selectorText } from '../metrics/results.js';
import { jsonPathOffset, lineColumn } from '../json-syntax.js';

interface Entry {
  metric: string;
  tags: Record<string, string>;
  type: MetricType;
  contains: Contains;
  values: Record<string, number>;
}

/** `name{k:v,k2:v2}` → name and tags. */
export function parseSubmetricKey(key: string): { metric: string; tags: Record<string, string> } {
  const i = key.indexOf('{');
  if (i < 0 || !key.endsWith('}')) return { metric: key, tags: {} };
  const tags: Record<string, string> = {};
  for (const part of key.slice(i + 1, -1).split(',')) {
    const c = part.indexOf(':');
    if (c < 0) continue;
    tags[part.slice(0, c).trim()] = part.slice(c + 1).trim();
  }
  return { metric: key.slice(0, i), tags };
}

const TIME_TRENDS = /(^http_req_|^iteration_duration$|^group_duration$|^grpc_req_duration$|^ws_|_duration$|_latency$|_time$|_ms$)/;

function inferType(v: Record<string, unknown>): MetricType | undefined {
  if ('passes' in v || 'fails' in v) return 'rate';
  if ('count' in v) return 'counter';
  if ('avg' in v || 'med' in v || Object.keys(v).some((k) => k.startsWith('p('))) return 'trend';
  if ('value' in v) return 'gauge';
  return undefined;
}

function inferContains(name: string, type: MetricType): Contains {
  if (name === 'data_sent' || name === 'data_received') return 'data';
  if (type === 'trend' && TIME_TRENDS.test(name)) return 'time';
  return 'default';
}

function numbers(o: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number') out[k] = v;
  return out;
}

/** Whether parsed JSON looks like a k6 end-of-test summary (either format). */
export function isSummaryJson(o: unknown): boolean {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return false;
  const m = (o as Record<string, unknown>).metrics;
  return m !== null && typeof m === 'object' && !Array.isArray(m);
}

export class SummaryResults implements Results {
  readonly source = 'summary' as const;
  readonly metrics: ReadonlyMap<string, MetricInfo>;
  readonly span: TimeWindow | undefined = undefined;
  readonly scenarios: string[];
  readonly diagnostics: IngestDiagnostics;
  /** `handleSummary` data or `--summary-export`. */
  readonly format: 'handleSummary' | 'summary-export';
  readonly durationMs: number | undefined;
  private readonly entries: Entry[] = [];

  constructor(file: string, json: unknown) {
    const root = json as Record<string, unknown>;
    const metricsObj = root.metrics as Record<string, unknown>;
    let handle = false;
    for (const v of Object.values(metricsObj)) {
      if (v !== null && typeof v === 'object' && 'values' in v && 'type' in v) handle = true;
    }
    this.format = handle ? 'handleSummary' : 'summary-export';
    const metrics = new Map<string, MetricInfo>();
    const byName = new Map<string, { type: MetricType; contains: Contains }>();
    for (const [key, raw] of Object.entries(metricsObj)) {
      if (raw === null || typeof raw !== 'object') continue;
      const r = raw as Record<string, unknown>;
      const { metric, tags } = parseSubmetricKey(key);
      let type: MetricType | undefined;
      let contains: Contains | undefined;
      let values: Record<string, number>;
      if (handle) {
        const t = r.type;
        if (t === 'counter' || t === 'gauge' || t === 'rate' || t === 'trend') type = t;
        const c = r.contains;
        contains = c === 'time' || c === 'data' ? c : 'default';
        values = numbers((r.values ?? {}) as Record<string, unknown>);
      } else {
        const { thresholds: _t, ...rest } = r;
        values = numbers(rest);
        type = inferType(values);
        if (type === 'rate' && values.value !== undefined && values.rate === undefined) values.rate = values.value;
      }
      if (type === undefined) continue;
      const known = byName.get(metric);
      const info = known ?? { type, contains: contains ?? inferContains(metric, type) };
      if (!known) byName.set(metric, info);
      this.entries.push({ metric, tags, type: info.type, contains: info.contains, values });
      if (Object.keys(tags).length === 0 || !metrics.has(metric)) metrics.set(metric, { name: metric, ...info });
    }
    this.metrics = metrics;
    const sc = new Set<string>();
    for (const e of this.entries) if (e.tags.scenario !== undefined) sc.add(e.tags.scenario);
    this.scenarios = [...sc].sort();
    const state = root.state as Record<string, unknown> | undefined;
    this.durationMs = typeof state?.testRunDurationMs === 'number' ? state.testRunDurationMs : undefined;
    this.diagnostics = { files: [file], lines: 0, points: 0, badLines: 0, badLineExamples: [], truncatedFiles: [] };
  }

  private find(sel: MetricSelector): Entry | undefined {
    const want = sel.tags;
    return this.entries.find((e) => {
      if (e.metric !== sel.metric) return false;
      const keys = Object.keys(e.tags);
      return keys.length === want.length && want.every((t) => e.tags[t.key] === t.value);
    });
  }

  measure(selector: MetricSelector, aggregation: Aggregation, window?: TimeWindow): Measurement {
    const label = selectorText(selector);
    const agg = aggregationText(aggregation);
    if (window !== undefined) {
      return { noData: `the k6 summary has only whole-run statistics, not the window asked for; use --out json` };
    }
    if (selector.metric === 'availability' && !this.metrics.has('availability')) {
      return { noData: 'availability needs http_reqs by status, which the k6 summary does not have; use --out json' };
    }
    const e = this.find(selector);
    if (e === undefined) {
      if (!this.metrics.has(selector.metric)) return { noData: `the k6 summary has no metric ${selector.metric}` };
      return { noData: `the k6 summary has no sub-metric ${label}; add a threshold on it in the script or use --out json` };
    }
    const v = e.values;
    const get = (key: string): Measurement =>
      v[key] !== undefined
        ? { value: v[key] }
        : { noData: `the k6 summary has no ${key} for ${label}; use --out json or summaryTrendStats` };
    const notFor = (): Measurement => ({ noData: `${agg} is not an aggregation of ${e.type} metric ${selector.metric}` });
    switch (e.type) {
      case 'trend':
        if (aggregation.kind === 'p') return get(`p(${aggregation.p})`);
        if (aggregation.kind === 'avg' || aggregation.kind === 'min' || aggregation.kind === 'max' || aggregation.kind === 'med') return get(aggregation.kind);
        if (aggregation.kind === 'count') return { noData: `the k6 summary has no sample count for ${label}; use --out json` };
        return notFor();
      case 'counter':
        if (aggregation.kind === 'count' || aggregation.kind === 'rate') return get(aggregation.kind);
        return notFor();
      case 'rate':
        if (aggregation.kind === 'rate') return get('rate');
        if (aggregation.kind === 'count') {
          if (v.passes !== undefined && v.fails !== undefined) return { value: v.passes + v.fails };
          return get('count');
        }
        return notFor();
      case 'gauge':
        if (aggregation.kind === 'value' || aggregation.kind === 'min' || aggregation.kind === 'max') return get(aggregation.kind);
        return notFor();
    }
  }

  tagValues(metric: string, key: string): string[] {
    const out = new Set<string>();
    for (const e of this.entries) if (e.metric === metric && e.tags[key] !== undefined) out.add(e.tags[key]);
    return [...out].sort();
  }

  steadyWindow(): TimeWindow | undefined {
    return undefined;
  }

  timeline(_bucketSeconds: number): TimelinePoint[] {
    return [];
  }
}

// ── validation ──

// Plain predicates, not zod: ingestion (the CLI's start-up included) stays free of the schema
// library, which cost ~80 ms of start-up when this module pulled it in.
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** What a summary's values may be; `allowed` is said in the message of a value that is not. */
type Rule = { ok: (v: unknown) => boolean; allowed: string };
const NUMBER: Rule = { ok: isNumber, allowed: 'a finite number' };
const NON_NEGATIVE: Rule = { ok: (v: unknown) => isNumber(v) && v >= 0, allowed: 'a number ≥ 0' };
const SHARE: Rule = { ok: (v: unknown) => isNumber(v) && v >= 0 && v <= 1, allowed: 'a number from 0 to 1' };
const TALLY: Rule = { ok: (v: unknown) => isNumber(v) && v >= 0 && Number.isInteger(v), allowed: 'a whole number ≥ 0' };

/** The rule of a value field of a metric of `type` (fields k6 does not write are numbers all the same). */
function ruleOf(type: MetricType, field: string, exported: boolean): Rule {
  if (field === 'count') return NON_NEGATIVE;
  if (type === 'rate') {
    if (field === 'passes' || field === 'fails') return TALLY;
    if (field === 'rate' || (exported && field === 'value')) return SHARE;
  }
  if (type === 'counter' && field === 'rate') return NON_NEGATIVE;
  return NUMBER;
}

const METRIC_TYPES: readonly string[] = ['counter', 'gauge', 'rate', 'trend'];
const CONTAINS: readonly string[] = ['default', 'time', 'data'];

/** A value of a k6 summary that is not what k6 writes: which metric, which field, what it holds and may hold. */
export interface SummaryProblem {
  metric?: string;
  /** The field of the metric (inside `values` for handleSummary data). */
  field?: string;
  message: string;
  hint: string;
}

const REWRITE = 'write the summary again with handleSummary (JSON.stringify(data)) or --summary-export: k6 writes every statistic as a number';

/**
 * The first problem of a parsed k6 summary (`isSummaryJson` true), or undefined: no metrics at all
 * (k6 recorded nothing, as an empty `--out json` file), a metric of an unknown type, or a value that
 * is not a number of its range (a rate from 0 to 1, counts ≥ 0).
 */
export function summaryProblem(json: unknown): SummaryProblem | undefined {
  const metrics = (json as { metrics: Record<string, unknown> }).metrics;
  const entries = Object.entries(metrics);
  if (entries.length === 0) {
    return {
      message: 'the k6 summary holds no metrics: k6 recorded nothing (no request, no iteration)',
      hint: "check k6's log: the run must start and record samples; pass the summary of a run that did",
    };
  }
  const handle = entries.some(([, v]) => v !== null && typeof v === 'object' && 'values' in v && 'type' in v);
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
  for (const [metric, raw] of entries) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return { metric, message: `the k6 summary's metric "${metric}" is ${show(raw)}, not an object of statistics`, hint: REWRITE };
    }
    const r = raw as Record<string, unknown>;
    let type: MetricType | undefined;
    let values: Record<string, unknown>;
    if (handle) {
      if (typeof r.type !== 'string' || !METRIC_TYPES.includes(r.type)) {
        return { metric, field: 'type', message: `the k6 summary's metric "${metric}" has "type": ${show(r.type)}; allowed: "counter", "gauge", "rate" or "trend"`, hint: REWRITE };
      }
      type = r.type as MetricType;
      if (r.contains !== undefined && !(typeof r.contains === 'string' && CONTAINS.includes(r.contains))) {
        return { metric, field: 'contains', message: `the k6 summary's metric "${metric}" has "contains": ${show(r.contains)}; allowed: "default", "time" or "data"`, hint: REWRITE };
      }
      if (r.values === null || typeof r.values !== 'object' || Array.isArray(r.values)) {
        return { metric, field: 'values', message: `the k6 summary's metric "${metric}" has "values": ${show(r.values)}; allowed: an object of statistics`, hint: REWRITE };
      }
      values = r.values as Record<string, unknown>;
    } else {
      const { thresholds: _t, ...rest } = r;
      values = rest;
      type = inferType(values);
      if (type === undefined) {
        return {
          metric,
          message: `the k6 summary's metric "${metric}" has none of the statistics of a k6 metric (count, rate, passes, fails, avg, med, p(N), value)`,
          hint: REWRITE,
        };
      }
    }
    for (const [field, v] of Object.entries(values)) {
      const rule = ruleOf(type, field, !handle);
      if (!rule.ok(v)) {
        return { metric, field, message: `the k6 summary's ${type} metric "${metric}" has "${field}": ${show(v)}; allowed: ${rule.allowed}`, hint: REWRITE };
      }
    }
  }
  return undefined;
}

/**
 * Line and column (1-based) of a metric's field in a summary's JSON text: the field among the metric's
 * `values` (handleSummary data) or beside them (--summary-export); the metric when the field is not
 * there, `metrics` when no metric is named; undefined when not found. Found by the JSON's structure,
 * so a custom metric named like a field (`count`) is not confused with another metric's field.
 */
export function locateInSummary(text: string, metric: string | undefined, field: string | undefined): { line: number; column: number } | undefined {
  const at =
    metric === undefined
      ? jsonPathOffset(text, ['metrics'])
      : ((field === undefined ? undefined : (jsonPathOffset(text, ['metrics', metric, 'values', field]) ?? jsonPathOffset(text, ['metrics', metric, field]))) ??
        jsonPathOffset(text, ['metrics', metric]));
  return at === undefined ? undefined : lineColumn(text, at);
}

