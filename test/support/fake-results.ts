// In-memory implementations of our own `Results` and `UtilizationResults` interfaces, computed from
// plain sample lists with k6's definitions (percentiles interpolated at i = p·(n−1)), for unit tests.
import type {
  Aggregation,
  IngestDiagnostics,
  Measurement,
  MetricInfo,
  MetricSelector,
  Results,
  TimeWindow,
  TimelinePoint,
  Unit,
  UtilizationResults,
} from '../../src/model.js';

export interface Sample {
  metric: string;
  /** Epoch ms. */
  t: number;
  value: number;
  tags?: Record<string, string>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 1) return sorted[0] as number;
  const i = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (i - lo);
}

export function aggregate(values: number[], aggregation: Aggregation, type: MetricInfo['type'], seconds: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  switch (aggregation.kind) {
    case 'count':
      // a k6 counter's count is the sum of what was added; other types count samples
      return type === 'counter' ? values.reduce((s, v) => s + v, 0) : values.length;
    case 'rate':
      if (type === 'counter') return values.reduce((s, v) => s + v, 0) / seconds;
      return values.filter((v) => v !== 0).length / values.length;
    case 'avg':
      return values.reduce((s, v) => s + v, 0) / values.length;
    case 'min':
      return sorted[0] as number;
    case 'max':
      return sorted[sorted.length - 1] as number;
    case 'med':
      return percentile(sorted, 50);
    case 'value':
      return values[values.length - 1] as number;
    case 'p':
      return percentile(sorted, aggregation.p);
  }
}

export interface FakeResultsOptions {
  metrics: MetricInfo[];
  samples: Sample[];
  steady?: TimeWindow;
  source?: 'ndjson' | 'summary';
  diagnostics?: Partial<IngestDiagnostics>;
}

export class FakeResults implements Results {
  readonly source: 'ndjson' | 'summary';
  readonly metrics: ReadonlyMap<string, MetricInfo>;
  readonly span: TimeWindow | undefined;
  readonly diagnostics: IngestDiagnostics;
  readonly scenarios: string[];
  /** Every call to `measure`, for assertions about windows. */
  readonly calls: { selector: string; aggregation: Aggregation; window?: TimeWindow }[] = [];

  private readonly byMetric = new Map<string, Sample[]>();

  constructor(private readonly opts: FakeResultsOptions) {
    for (const s of opts.samples) {
      const list = this.byMetric.get(s.metric);
      if (list) list.push(s);
      else this.byMetric.set(s.metric, [s]);
    }
    this.source = opts.source ?? 'ndjson';
    this.metrics = new Map(opts.metrics.map((m) => [m.name, m]));
    const times = opts.samples.map((s) => s.t);
    this.span = times.length > 0 ? { start: Math.min(...times), end: Math.max(...times) + 1 } : undefined;
    this.diagnostics = { files: ['fake.ndjson'], lines: opts.samples.length, points: opts.samples.length, badLines: 0, badLineExamples: [], truncatedFiles: [], ...opts.diagnostics };
    this.scenarios = [...new Set(opts.samples.map((s) => s.tags?.scenario).filter((x): x is string => x !== undefined))];
  }

  private select(metric: string, tags: { key: string; value: string }[], window?: TimeWindow): Sample[] {
    return (this.byMetric.get(metric) ?? []).filter(
      (s) =>
        tags.every((t) => s.tags?.[t.key] === t.value) &&
        (!window || (s.t >= window.start && s.t < window.end)),
    );
  }

  measure(selector: MetricSelector, aggregation: Aggregation, window?: TimeWindow): Measurement {
    this.calls.push(window ? { selector: selector.raw, aggregation, window } : { selector: selector.raw, aggregation });
    if (selector.metric === 'availability') {
      const reqs = this.select('http_reqs', selector.tags, window);
      if (reqs.length === 0) return { noData: 'no http_reqs samples' };
      if (aggregation.kind === 'count') return { value: reqs.length };
      const ok = reqs.filter((s) => {
        const st = s.tags?.status ?? '0';
        return st !== '0' && !st.startsWith('5');
      }).length;
      return { value: ok / reqs.length };
    }
    const info = this.metrics.get(selector.metric);
    if (!info) return { noData: `no metric ${selector.metric} in the results` };
    const samples = this.select(selector.metric, selector.tags, window);
    if (samples.length === 0) return { noData: `no samples of ${selector.raw}` };
    const w = window ?? this.span;
    const seconds = w ? (w.end - w.start) / 1000 : 1;
    return { value: aggregate(samples.map((s) => s.value), aggregation, info.type, seconds) };
  }

  tagValues(metric: string, key: string): string[] {
    const values = new Set<string>();
    for (const s of this.byMetric.get(metric) ?? []) if (s.tags?.[key] !== undefined) values.add(s.tags[key] as string);
    return [...values].sort();
  }

  steadyWindow(): TimeWindow | undefined {
    return this.opts.steady;
  }

  timeline(bucketSeconds: number): TimelinePoint[] {
    if (!this.span) return [];
    const out: TimelinePoint[] = [];
    for (let t = this.span.start; t < this.span.end; t += bucketSeconds * 1000) {
      const w = { start: t, end: t + bucketSeconds * 1000 };
      const durations = this.select('http_req_duration', [], w).map((s) => s.value).sort((a, b) => a - b);
      const failed = this.select('http_req_failed', [], w).filter((s) => s.value !== 0).length;
      const vus = this.select('vus', [], w).map((s) => s.value);
      out.push({
        t,
        vus: vus.length > 0 ? Math.max(...vus) : 0,
        requests: this.select('http_reqs', [], w).length,
        failed,
        p50: durations.length ? percentile(durations, 50) : null,
        p95: durations.length ? percentile(durations, 95) : null,
        p99: durations.length ? percentile(durations, 99) : null,
      });
    }
    return out;
  }
}

export const HTTP_METRICS: MetricInfo[] = [
  { name: 'http_req_duration', type: 'trend', contains: 'time' },
  { name: 'http_req_failed', type: 'rate', contains: 'default' },
  { name: 'http_reqs', type: 'counter', contains: 'default' },
  { name: 'checks', type: 'rate', contains: 'default' },
  { name: 'vus', type: 'gauge', contains: 'default' },
  { name: 'data_received', type: 'counter', contains: 'data' },
];

export interface Request {
  t: number;
  duration: number;
  status?: number;
  tags?: Record<string, string>;
}

/** Samples for HTTP requests as k6 writes them: one duration, one failed flag, one count each. */
export function httpSamples(requests: Request[]): Sample[] {
  const out: Sample[] = [];
  for (const r of requests) {
    const status = r.status ?? 200;
    const tags = { ...r.tags, status: String(status) };
    out.push({ metric: 'http_req_duration', t: r.t, value: r.duration, tags });
    out.push({ metric: 'http_req_failed', t: r.t, value: status >= 400 || status === 0 ? 1 : 0, tags });
    out.push({ metric: 'http_reqs', t: r.t, value: 1, tags });
  }
  return out;
}

/** Results of `n` requests spread over `seconds` from t0, durations from `duration(i)`. */
export function simpleRun(opts: {
  n: number;
  seconds: number;
  t0?: number;
  duration: (i: number) => number;
  status?: (i: number) => number;
  tags?: (i: number) => Record<string, string>;
  extra?: Sample[];
  extraMetrics?: MetricInfo[];
  steady?: TimeWindow;
}): FakeResults {
  const t0 = opts.t0 ?? 1_700_000_000_000;
  const reqs: Request[] = [];
  for (let i = 0; i < opts.n; i++) {
    const r: Request = { t: t0 + Math.floor((i * opts.seconds * 1000) / opts.n), duration: opts.duration(i) };
    if (opts.status) r.status = opts.status(i);
    if (opts.tags) r.tags = opts.tags(i);
    reqs.push(r);
  }
  const o: FakeResultsOptions = { metrics: [...HTTP_METRICS, ...(opts.extraMetrics ?? [])], samples: [...httpSamples(reqs), ...(opts.extra ?? [])] };
  if (opts.steady) o.steady = opts.steady;
  return new FakeResults(o);
}

export class FakeUtilization implements UtilizationResults {
  notes: string[] = [];
  constructor(private readonly series: Record<string, { unit: Unit; values: number[] }>) {}
  has(metric: string): boolean {
    return metric in this.series;
  }
  measure(metric: string, aggregation: Aggregation): Measurement {
    const s = this.series[metric];
    if (!s) return { noData: `${metric} is not a utilization metric` };
    if (s.values.length === 0) return { noData: `the query for ${metric} returned no samples` };
    return { value: aggregate(s.values, aggregation, 'gauge', 1) };
  }
  unit(metric: string): Unit {
    return this.series[metric]?.unit ?? 'number';
  }
}
