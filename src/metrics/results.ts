// `Results` over merged bucket aggregates: any selector, any window (resolved to whole buckets).
import type {
  Aggregation,
  IngestDiagnostics,
  Measurement,
  MetricInfo,
  MetricSelector,
  MetricType,
  Results,
  TimeWindow,
  TimelinePoint,
} from '../model.js';
import { Aggregate } from './histogram.js';
import { BUILTIN_METRICS } from '../k6/builtin-metrics.js';
import { B_LAST, B_LAST_T, B_MAX, B_MIN, B_N, B_NZ, B_SUM } from '../k6/ndjson.js';
import { forBuckets, type MergedStore, type StoreDist, type StoreSeries } from './store.js';
import { didYouMean } from '../config/suggest.js';

const TYPES: readonly string[] = ['counter', 'gauge', 'rate', 'trend'];

/** What k6 reports for a metric without samples: 0 for a counter's count and rate, 0 for a rate's rate; else nothing. */
function emptyAnswer(type: MetricType, kind: Aggregation['kind']): Measurement | undefined {
  if (type === 'counter' && (kind === 'count' || kind === 'rate')) return { value: 0 };
  // An empty Rate has no rate (k6's summary shows NaN): no data, not 0% — 0 would pass
  // `http_req_failed rate<0.01` on a run that made no request and fail `checks rate>0.99` at "0.00%"
  // on a script that runs no check(), both without a word.
  return undefined;
}

/** What a no-data reason adds for `checks` without samples: the usual cause. */
function noChecks(metric: string): string {
  return metric === 'checks' ? ' (the script ran no check())' : '';
}

export function aggregationText(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.p})` : a.kind;
}

export function selectorText(sel: MetricSelector): string {
  return sel.tags.length === 0 ? sel.metric : `${sel.metric}{${sel.tags.map((t) => `${t.key}:${t.value}`).join(',')}}`;
}

/** Values (histogram entries count 4) kept in gathered distributions for repeated queries: ≤ 4 MB. */
const GATHERED_LIMIT = 500_000;

/** Results read from k6 `--out json` files. */
export class NdjsonResults implements Results {
  readonly source = 'ndjson' as const;
  readonly metrics: ReadonlyMap<string, MetricInfo>;
  readonly span: TimeWindow | undefined;
  readonly scenarios: string[];
  // Results do not change after ingestion: the steady window and timelines are computed once (the
  // evaluation asks for the window per rule, the charts for the same timeline several times).
  private steady: { window: TimeWindow | undefined } | undefined;
  private readonly timelines = new Map<number, TimelinePoint[]>();
  // The value distributions gathered for percentile queries, by selector and window: a report asks
  // for med, p(90), p(95) and p(99) of the same selection, and each needs the same sorted values.
  // Bounded by the values held (oldest dropped first).
  private readonly gathered = new Map<string, { acc: Aggregate; weight: number }>();
  private gatheredWeight = 0;

  constructor(
    private readonly store: MergedStore,
    readonly diagnostics: IngestDiagnostics,
    private readonly indexKeys: readonly string[],
    /** Metrics whose points were passed over at ingestion (IngestOptions.skipMetrics). */
    private readonly skipped: readonly string[] = [],
  ) {
    const metrics = new Map<string, MetricInfo>();
    for (const m of store.metricInfo.values()) {
      if (!TYPES.includes(m.type)) continue;
      metrics.set(m.name, { name: m.name, type: m.type as MetricType, contains: m.contains === 'time' || m.contains === 'data' ? m.contains : 'default' });
    }
    // Points of a metric whose Metric line was never seen (output filtered to its Points): a k6
    // built-in has its known type; any other is kept as a trend of plain numbers, its type unknown.
    for (const name of store.byMetric.keys()) {
      if (!metrics.has(name)) metrics.set(name, BUILTIN_METRICS.get(name) ?? { name, type: 'trend', contains: 'default', typeUnknown: true });
    }
    this.metrics = metrics;
    this.span = Number.isFinite(store.minT) ? { start: Math.floor(store.minT), end: Math.floor(store.maxT) + 1 } : undefined;
    const sc = new Set<string>();
    for (const s of store.series) if (s.tags.scenario !== undefined) sc.add(s.tags.scenario);
    this.scenarios = [...sc].sort();
  }

  private select(metric: string, sel: MetricSelector): StoreSeries[] | string {
    for (const t of sel.tags) {
      if (!this.indexKeys.includes(t.key)) {
        return `tag "${t.key}" is not indexed at ingestion (indexed: ${this.indexKeys.join(', ')}); add it to the ingestion tag keys`;
      }
    }
    const all = this.store.byMetric.get(metric) ?? [];
    return all.filter((s) => sel.tags.every((t) => (t.value === '*' ? s.tags[t.key] !== undefined : s.tags[t.key] === t.value)));
  }

  private bucketRange(window: TimeWindow | undefined): [number, number] {
    if (window === undefined) return [-Infinity, Infinity];
    const w = this.alignWindow(window);
    const B = this.store.bucketMs;
    // The buckets inside the aligned window (its edges are bucket edges, or lie outside the samples).
    return [Math.floor(w.start / B), Math.ceil(w.end / B) - 1];
  }

  private widthMs: number | undefined;

  /** The widest time bucket of any series, ms (1 s unless a series outgrew MAX_BUCKETS). */
  private bucketWidth(): number {
    if (this.widthMs !== undefined) return this.widthMs;
    let shift = 0;
    for (const s of this.store.series) if (s.buckets.shift > shift) shift = s.buckets.shift;
    return (this.widthMs = this.store.bucketMs * 2 ** shift);
  }

  /**
   * The interval measured for `window`: the samples are kept per time bucket, so a window is snapped
   * to bucket edges — its start up to the next bucket start (a bucket the start cuts holds samples
   * from before it, as a warm-up's last second does), its end out to the end of the bucket holding
   * it. A start at or before the first sample, or an end after the last, stays as given: nothing lies
   * beyond them. Counter rates divide by the aligned length, so the count and the time agree.
   */
  alignWindow(window: TimeWindow): TimeWindow {
    const W = this.bucketWidth();
    const start = window.start <= this.store.minT ? window.start : Math.ceil(window.start / W) * W;
    const end = window.end > this.store.maxT ? window.end : Math.ceil(window.end / W) * W;
    return { start, end: Math.max(start, end) };
  }

  /** The aggregate of `series` over base buckets [lo, hi] (bucketRange), with their values when asked. */
  private gather(series: StoreSeries[], [lo, hi]: [number, number], values: boolean): Aggregate {
    const acc = new Aggregate();
    const blocks: StoreDist[] = [];
    for (const s of series) {
      forBuckets(s, lo, hi, (d, o) => acc.addScalars(d[o + B_N]!, d[o + B_SUM]!, d[o + B_MIN]!, d[o + B_MAX]!, d[o + B_NZ]!, d[o + B_LAST_T]!, d[o + B_LAST]!));
      if (!values) continue;
      // Distributions are kept per block of 2^shift buckets: the blocks that overlap the window.
      const L = 2 ** s.shift;
      for (const d of s.blocks.values()) if ((d.k + 1) * L - 1 >= lo && d.k * L <= hi) blocks.push(d);
    }
    // All exact (the usual case): one array sized once; else merged block by block (histogram).
    const exact = blocks.every((d) => d.vals !== null && d.hist === null && d.zeros === 0);
    if (!exact || !acc.setExact(blocks.map((d) => d.vals!))) for (const d of blocks) acc.addValues(d.vals, d.hist, d.zeros);
    return acc;
  }

  /** gather() with values, kept for the next query of the same selection and window. */
  private gatherValues(label: string, series: StoreSeries[], window: TimeWindow | undefined): Aggregate {
    const range = this.bucketRange(window);
    const key = `${label}\u0000${range[0]}\u0000${range[1]}`;
    const hit = this.gathered.get(key);
    if (hit !== undefined) return hit.acc;
    const acc = this.gather(series, range, true);
    const weight = acc.vals !== null ? acc.vals.length : 4 * (acc.hist?.size ?? 0);
    if (weight <= GATHERED_LIMIT) {
      for (const [k, v] of this.gathered) {
        if (this.gatheredWeight + weight <= GATHERED_LIMIT) break;
        this.gathered.delete(k);
        this.gatheredWeight -= v.weight;
      }
      this.gathered.set(key, { acc, weight });
      this.gatheredWeight += weight;
    }
    return acc;
  }

  private seconds(window: TimeWindow | undefined): number {
    if (window === undefined) return this.runSeconds();
    const w = this.alignWindow(window);
    return (w.end - w.start) / 1000;
  }

  /**
   * When the test run started, from the output alone (k6 writes no start time): the earliest of the
   * first sample's time and the earliest iteration start the parser saw (an `iteration_duration`
   * sample's time minus its value; an iteration starts no earlier than the run). Without
   * `iteration_duration` points (skipped at ingestion, or a script without iterations) it is the
   * first sample's time.
   */
  runStart(): number {
    return Math.min(this.store.minT, this.store.iterationStart ?? Infinity);
  }

  /**
   * The test run's duration as k6 divides a counter's `rate` by it: from the run's start (runStart)
   * to the last sample (k6's own end of the run is not in the output; the last sample is at most the
   * final flush before it).
   */
  private runSeconds(): number {
    if (!Number.isFinite(this.store.maxT)) return 0;
    return (this.store.maxT - this.runStart()) / 1000;
  }

  measure(selector: MetricSelector, aggregation: Aggregation, window?: TimeWindow): Measurement {
    const label = selectorText(selector);
    const agg = aggregationText(aggregation);
    if (selector.metric === 'availability' && !this.metrics.has('availability')) return this.availability(selector, aggregation, window);
    const kind = aggregation.kind;
    if (this.skipped.includes(selector.metric)) return { noData: `${selector.metric} was not read: ingestion skipped it (no rule names it)` };
    const info = this.metrics.get(selector.metric);
    // An empty Counter is at count 0 / rate 0, as k6 ends a test with it: "no 500s"
    // (`http_reqs{status:500}: count<1`) passes when no sample matches. That needs the metric's type
    // (its Metric line, or a k6 built-in) and a run that wrote samples at all.
    const known = info ?? (selector.metric === 'availability' ? undefined : BUILTIN_METRICS.get(selector.metric));
    const zero = known !== undefined && Number.isFinite(this.store.minT) ? emptyAnswer(known.type, kind) : undefined;
    if (info === undefined) return zero ?? { noData: `no samples of ${selector.metric} in the k6 output${noChecks(selector.metric)}` };
    const series = this.select(selector.metric, selector);
    if (typeof series === 'string') return { noData: series };
    if (series.length === 0) return zero ?? { noData: `no samples of ${label} in the k6 output${unmatchedTagText(this, selector, this.indexKeys)}${noChecks(label)}` };
    const needValues = info.type === 'trend' && (kind === 'p' || kind === 'med');
    const acc = needValues ? this.gatherValues(label, series, window) : this.gather(series, this.bucketRange(window), false);
    if (acc.n === 0) return zero ?? { noData: `no samples of ${label} in the evaluated window` };
    const notFor = (): Measurement => ({ noData: `${agg} is not an aggregation of ${info.type} metric ${selector.metric}` });
    switch (info.type) {
      case 'trend':
        switch (kind) {
          case 'avg':
            return { value: acc.sum / acc.n };
          case 'min':
            return { value: acc.min };
          case 'max':
            return { value: acc.max };
          case 'count':
            return { value: acc.n };
          case 'med':
            return { value: acc.percentile(0.5) };
          case 'p':
            return { value: acc.percentile(aggregation.p / 100) };
          default:
            return notFor();
        }
      case 'counter': {
        if (kind === 'count') return { value: acc.sum };
        if (kind === 'rate') {
          const secs = this.seconds(window);
          if (!(secs > 0)) return { noData: `the window is too short to compute a rate for ${label}` };
          return { value: acc.sum / secs };
        }
        return notFor();
      }
      case 'rate':
        if (kind === 'rate') return { value: acc.nz / acc.n };
        if (kind === 'count') return { value: acc.n };
        return notFor();
      case 'gauge':
        if (kind === 'value') return { value: acc.last };
        if (kind === 'min') return { value: acc.min };
        if (kind === 'max') return { value: acc.max };
        return notFor();
    }
  }

  private availability(selector: MetricSelector, aggregation: Aggregation, window?: TimeWindow): Measurement {
    if (aggregation.kind !== 'rate' && aggregation.kind !== 'value') {
      return { noData: `${aggregationText(aggregation)} is not an aggregation of availability (use rate)` };
    }
    if (!this.store.byMetric.has('http_reqs')) return { noData: 'availability needs http_reqs samples, and the k6 output has none' };
    const series = this.select('http_reqs', selector);
    if (typeof series === 'string') return { noData: series };
    const [lo, hi] = this.bucketRange(window);
    let total = 0;
    let bad = 0;
    for (const s of series) {
      const st = s.tags.status;
      const failed = st !== undefined && (st === '0' || st.startsWith('5'));
      forBuckets(s, lo, hi, (d, o) => {
        total += d[o + B_N]!;
        if (failed) bad += d[o + B_N]!;
      });
    }
    if (total === 0) return { noData: `no http_reqs samples for ${selectorText(selector)} in the evaluated window` };
    return { value: (total - bad) / total };
  }

  tagValues(metric: string, key: string): string[] {
    const m = metric === 'availability' && !this.store.byMetric.has('availability') ? 'http_reqs' : metric;
    const out = new Set<string>();
    for (const s of this.store.byMetric.get(m) ?? []) {
      const v = s.tags[key];
      if (v !== undefined) out.add(v);
    }
    return [...out].sort();
  }

  steadyWindow(): TimeWindow | undefined {
    return (this.steady ??= { window: this.findSteadyWindow() }).window;
  }

  private findSteadyWindow(): TimeWindow | undefined {
    const series = this.store.byMetric.get('vus');
    if (series === undefined) return undefined;
    // the highest VUs per bucket: base bucket span [first, last] → max
    const perBucket = new Map<number, { last: number; max: number }>();
    for (const s of series) {
      forBuckets(s, -Infinity, Infinity, (d, o, first, last) => {
        const prev = perBucket.get(first);
        if (prev === undefined) perBucket.set(first, { last, max: d[o + B_MAX]! });
        else if (d[o + B_MAX]! > prev.max) prev.max = d[o + B_MAX]!;
      });
    }
    let peak = -Infinity;
    for (const v of perBucket.values()) if (v.max > peak) peak = v.max;
    if (!(peak > 0)) return undefined;
    let first = Infinity;
    let last = -Infinity;
    for (const [b, v] of perBucket) {
      if (v.max >= peak) {
        if (b < first) first = b;
        if (v.last > last) last = v.last;
      }
    }
    const B = this.store.bucketMs;
    return { start: first * B, end: (last + 1) * B };
  }

  timeline(bucketSeconds: number): readonly TimelinePoint[] {
    let points = this.timelines.get(bucketSeconds);
    if (points === undefined) this.timelines.set(bucketSeconds, (points = this.buildTimeline(bucketSeconds)));
    return points;
  }

  private buildTimeline(bucketSeconds: number): TimelinePoint[] {
    if (this.span === undefined) return [];
    const B = this.store.bucketMs;
    const G = Math.max(B, Math.round(bucketSeconds * 1000 / B) * B);
    const g0 = Math.floor(this.store.minT / G);
    const g1 = Math.floor(this.store.maxT / G);
    const n = g1 - g0 + 1;
    const vus = new Array<number>(n).fill(0);
    const requests = new Array<number>(n).fill(0);
    const failed = new Array<number>(n).fill(0);
    const lat: Aggregate[] = Array.from({ length: n }, () => new Aggregate());
    // A bucket wider than one second (a series past MAX_BUCKETS buckets) can start before the first
    // sample (a 2 s bucket from an even second when the run starts on an odd one): its samples all lie
    // at or after the first sample, so it belongs to the first point. Likewise nothing lies past the last.
    const idx = (b: number) => Math.min(n - 1, Math.max(0, Math.floor((b * B) / G) - g0));
    const all = (metric: string, fn: (d: Float64Array, o: number, i: number) => void) => {
      for (const s of this.store.byMetric.get(metric) ?? []) forBuckets(s, -Infinity, Infinity, (d, o, first) => fn(d, o, idx(first)));
    };
    all('vus', (d, o, i) => (vus[i] = Math.max(vus[i]!, d[o + B_MAX]!)));
    all('http_reqs', (d, o, i) => (requests[i]! += d[o + B_SUM]!));
    all('http_req_failed', (d, o, i) => (failed[i]! += d[o + B_NZ]!));
    for (const s of this.store.byMetric.get('http_req_duration') ?? []) {
      forBuckets(s, -Infinity, Infinity, (d, o, first) =>
        lat[idx(first)]!.addScalars(d[o + B_N]!, d[o + B_SUM]!, d[o + B_MIN]!, d[o + B_MAX]!, d[o + B_NZ]!, d[o + B_LAST_T]!, d[o + B_LAST]!),
      );
      // Percentiles per chart point from the distribution blocks that overlap it.
      const L = 2 ** s.shift;
      for (const d of s.blocks.values()) {
        const i0 = Math.max(0, idx(d.k * L));
        const i1 = Math.min(n - 1, idx((d.k + 1) * L - 1));
        for (let i = i0; i <= i1; i++) lat[i]!.addValues(d.vals, d.hist, d.zeros);
      }
    }
    const out: TimelinePoint[] = [];
    for (let i = 0; i < n; i++) {
      const a = lat[i]!;
      const has = a.n > 0;
      out.push({
        t: (g0 + i) * G,
        vus: vus[i]!,
        requests: requests[i]!,
        failed: failed[i]!,
        p50: has ? a.percentile(0.5) : null,
        p95: has ? a.percentile(0.95) : null,
        p99: has ? a.percentile(0.99) : null,
      });
    }
    return out;
  }
}

/**
 * Why a tag filter matches no sample of a metric that has samples: the first tag key no sample of it
 * carries (with the keys that do, and a likely typo), or the first value none has (with the values
 * seen). Starts with `: `, or is empty when every tag key and value is seen (only their combination is not).
 */
export function unmatchedTagText(r: Pick<Results, 'tagValues'>, selector: MetricSelector, candidateKeys: readonly string[]): string {
  for (const t of selector.tags) {
    const values = r.tagValues(selector.metric, t.key);
    if (values.length === 0) {
      const keys = [...new Set(candidateKeys)].filter((k) => k !== t.key && r.tagValues(selector.metric, k).length > 0);
      if (keys.length === 0) continue;
      return `: no sample of ${selector.metric} has the tag \`${t.key}\` (its tags: ${keys.join(', ')}).${didYouMean(t.key, keys)}`;
    }
    if (t.value !== '*' && !values.includes(t.value)) {
      const shown = values.length > 8 ? `${values.slice(0, 8).join(', ')}, …` : values.join(', ');
      return `: no sample of ${selector.metric} has ${t.key}=${t.value} (values seen: ${shown}).${didYouMean(t.value, values)}`;
    }
  }
  return '';
}
