// A deterministic (seeded) generator of k6 `--out json` output for the load-testing report's
// scenarios, in k6's exact line format (src/k6/format.ts), with the answers k6's own definitions give
// on the generated values — so tests compare ingestion against exact numbers, not against itself.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { TimeWindow } from '../model.js';
import { k6Time, metricLine, pointLine, type MetricLineInput } from './format.js';

export interface EndpointSpec {
  endpoint: string;
  method: 'GET' | 'POST';
  path: string;
  /** Share of requests (weights are normalised). */
  weight: number;
  /** Custom trend the script adds the request duration to (e.g. `trades_latency`). */
  trend: string;
  /** Latency distribution (log-normal): median and 99th percentile, ms. */
  medianMs: number;
  p99Ms: number;
}

export interface LoadTestSpec {
  name: string;
  /** The k6 `scenario` tag. */
  scenario: string;
  /** k6 ramping-vus stages. */
  stages: { durationSeconds: number; target: number }[];
  endpoints: EndpointSpec[];
  tenants: string[];
  /** Latency multiplier per tenant (a noisy neighbour: `{ globex: 1.8 }`). */
  tenantSlowdown?: Record<string, number>;
  /** Share of requests answered 500. */
  errorRate?: number;
  /** Share of requests failing in transport (status "0"). */
  transportErrorRate?: number;
  /** Iterations (one request each) per VU per second. */
  iterationsPerVuSecond?: number;
  baseUrl?: string;
  /**
   * Each request's URL ends in an id (`/api/trades/48213`) and, with no `name` tag set by the script,
   * k6 names it by that URL: a new tag object per request, as in many real runs.
   */
  idsInUrls?: boolean;
  /** Each request's URL has a query string (`?page=3&limit=50`), which k6 writes with `\u0026` for `&`. */
  queryStrings?: boolean;
  /** Start of the run, epoch ns. */
  startNs?: bigint;
  /** The machine's UTC offset written in timestamps, minutes. */
  offsetMinutes?: number;
  seed?: number;
}

export interface TrendAnswer {
  count: number;
  sum: number;
  avg: number;
  min: number;
  max: number;
  med: number;
  p90: number;
  p95: number;
  p99: number;
}

export interface RateAnswer {
  n: number;
  nonZero: number;
  rate: number;
}

/** Exact answers on the generated values (k6 definitions). */
export interface FixtureAnswers {
  lines: number;
  points: number;
  /** Keys like `http_req_duration`, `http_req_duration{endpoint:trades}`, `trades_latency{tenant:acme}`. */
  trends: Record<string, TrendAnswer>;
  /** Keys like `http_req_failed`, `checks`, `errors`, `http_req_failed{tenant:acme}`. */
  rates: Record<string, RateAnswer>;
  /** Sums of counter values: `http_reqs`, `iterations`, `data_sent`, `data_received`, `http_reqs{endpoint:trades}`. */
  counters: Record<string, number>;
  /** Share of requests not 5xx and not status 0, overall and `availability{tenant:x}`. */
  availability: Record<string, number>;
  /** First and last sample time, epoch ms (fractional). */
  firstMs: number;
  lastMs: number;
  vusPeak: number;
  /** Seconds (1 s buckets) where the vus gauge was at its peak, as a window. */
  peakWindow: TimeWindow;
  /** Requests per 1 s bucket, by bucket start (epoch ms). */
  requestsPerSecond: Record<number, number>;
  tagValues: { endpoint: string[]; tenant: string[]; status: string[] };
}

export interface GenerateOptions {
  /** Compute answers (keeps every trend value in memory; turn off for huge files). Default true. */
  answers?: boolean;
}

const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];

/** The report's scenarios; `scale` multiplies stage durations (0.1 → a 1-minute run). */
export function loadTestSpec(name: 'smoke' | 'baseline' | 'target-capacity', scale = 1): LoadTestSpec {
  const d = (s: number) => Math.max(1, Math.round(s * scale));
  const ep = (endpoint: string, method: 'GET' | 'POST', path: string, weight: number, trend: string, medianMs: number, p99Ms: number): EndpointSpec => ({
    endpoint,
    method,
    path,
    weight,
    trend,
    medianMs,
    p99Ms,
  });
  switch (name) {
    case 'smoke':
      return {
        name,
        scenario: 'smoke',
        stages: [
          { durationSeconds: d(10), target: 5 },
          { durationSeconds: d(20), target: 5 },
        ],
        endpoints: [
          ep('portfolio', 'GET', '/api/portfolio', 25, 'portfolio_latency', 70, 250),
          ep('trades', 'GET', '/api/trades', 25, 'trades_latency', 100, 380),
          ep('positions', 'GET', '/api/positions', 20, 'positions_latency', 60, 220),
          ep('create_trade', 'POST', '/api/trades', 20, 'create_trade_latency', 130, 420),
          ep('signals', 'GET', '/api/signals', 10, 'signal_latency', 80, 300),
        ],
        tenants: TENANTS,
        errorRate: 0.002,
        transportErrorRate: 0.0005,
        iterationsPerVuSecond: 1,
        seed: 1,
      };
    case 'baseline':
      return {
        name,
        scenario: 'baseline',
        stages: [
          { durationSeconds: d(120), target: 100 },
          { durationSeconds: d(360), target: 100 },
          { durationSeconds: d(120), target: 0 },
        ],
        endpoints: [
          ep('portfolio', 'GET', '/api/portfolio', 35, 'portfolio_latency', 70, 260),
          ep('trades', 'GET', '/api/trades', 35, 'trades_latency', 95, 360),
          ep('create_trade', 'POST', '/api/trades', 30, 'create_trade_latency', 120, 400),
        ],
        tenants: TENANTS,
        errorRate: 0.002,
        transportErrorRate: 0.0005,
        iterationsPerVuSecond: 1,
        seed: 2,
      };
    case 'target-capacity':
      return {
        name,
        scenario: 'target-capacity',
        stages: [
          { durationSeconds: d(120), target: 100 },
          { durationSeconds: d(120), target: 300 },
          { durationSeconds: d(120), target: 500 },
          { durationSeconds: d(120), target: 500 },
          { durationSeconds: d(120), target: 0 },
        ],
        endpoints: [
          ep('portfolio', 'GET', '/api/portfolio', 25, 'portfolio_latency', 90, 320),
          ep('trades', 'GET', '/api/trades', 25, 'trades_latency', 130, 470),
          ep('positions', 'GET', '/api/positions', 20, 'positions_latency', 70, 260),
          ep('create_trade', 'POST', '/api/trades', 20, 'create_trade_latency', 150, 480),
          ep('signals', 'GET', '/api/signals', 10, 'signal_latency', 100, 360),
        ],
        tenants: TENANTS,
        tenantSlowdown: { globex: 1.15 },
        errorRate: 0.003,
        transportErrorRate: 0.0005,
        iterationsPerVuSecond: 1.25,
        seed: 3,
      };
  }
}

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** k6's percentile (sorted values, linear interpolation at i = p·(n−1)). */
export function k6PercentileOf(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return sorted[0]!;
  const i = p * (n - 1);
  const lo = Math.floor(i);
  const j = sorted[lo]!;
  const k = sorted[Math.ceil(i)]!;
  return j + (k - j) * (i - lo);
}

function trendAnswer(values: number[]): TrendAnswer {
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of values) sum += v;
  return {
    count: values.length,
    sum,
    avg: sum / values.length,
    min: s[0]!,
    max: s[s.length - 1]!,
    med: k6PercentileOf(s, 0.5),
    p90: k6PercentileOf(s, 0.9),
    p95: k6PercentileOf(s, 0.95),
    p99: k6PercentileOf(s, 0.99),
  };
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

const METRICS: Record<string, MetricLineInput> = {};
function def(name: string, type: MetricLineInput['type'], contains: MetricLineInput['contains'], extra: Partial<MetricLineInput> = {}): void {
  METRICS[name] = { name, type, contains, thresholds: [], submetrics: null, ...extra };
}
def('vus', 'gauge', 'default');
def('vus_max', 'gauge', 'default');
def('http_reqs', 'counter', 'default');
def('http_req_duration', 'trend', 'time', {
  thresholds: ['p(95)<400', 'p(99)<500'],
  submetrics: [{ name: 'http_req_duration{expected_response:true}', suffix: 'expected_response:true', tags: { expected_response: 'true' } }],
});
for (const m of ['http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving']) def(m, 'trend', 'time');
def('http_req_failed', 'rate', 'default', { thresholds: ['rate<0.01'] });
def('checks', 'rate', 'default');
def('errors', 'rate', 'default');
def('data_sent', 'counter', 'data');
def('data_received', 'counter', 'data');
def('iteration_duration', 'trend', 'time');
def('iterations', 'counter', 'default');

/**
 * Generates the k6 NDJSON of one run of `spec`, in chunks of text (about 1 MB each), and the answers.
 * Requests of one second are written in time order; each request's samples share its end time.
 */
export function* generateK6Chunks(spec: LoadTestSpec, opts: GenerateOptions = {}): Generator<string, FixtureAnswers | undefined> {
  const keepAnswers = opts.answers ?? true;
  const rand = rng(spec.seed ?? 1);
  const gauss = () => {
    let u = 0;
    while (u === 0) u = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const startNs = spec.startNs ?? 1_767_258_000_000_000_000n; // 2026-01-01T09:00:00Z
  const offset = spec.offsetMinutes ?? 60;
  const baseUrl = spec.baseUrl ?? 'https://staging.alphapulse.ai';
  const ipv = spec.iterationsPerVuSecond ?? 1;
  const totalW = spec.endpoints.reduce((a, e) => a + e.weight, 0);
  const errorRate = spec.errorRate ?? 0;
  const transportRate = spec.transportErrorRate ?? 0;
  const seen = new Set<string>();
  let buf: string[] = [];
  let bufLen = 0;
  let lines = 0;
  let points = 0;
  const trends = new Map<string, number[]>();
  const rates = new Map<string, RateAnswer>();
  const counters = new Map<string, number>();
  const avail = new Map<string, [number, number]>();
  const rps: Record<number, number> = {};
  const tagSets = { endpoint: new Set<string>(), tenant: new Set<string>(), status: new Set<string>() };
  let firstMs = Infinity;
  let lastMs = -Infinity;
  const vusPerBucket = new Map<number, number>();

  const emit = (metric: string, time: string, value: number, tags: Record<string, string> | null): void => {
    if (!seen.has(metric)) {
      seen.add(metric);
      const m = METRICS[metric] ?? { name: metric, type: 'trend', contains: 'time', thresholds: [], submetrics: null };
      const l = metricLine(m);
      buf.push(l);
      bufLen += l.length + 1;
      lines++;
    }
    const l = pointLine(metric, time, value, tags);
    buf.push(l);
    bufLen += l.length + 1;
    lines++;
    points++;
  };
  const addTrend = (key: string, v: number) => {
    if (!keepAnswers) return;
    let a = trends.get(key);
    if (!a) trends.set(key, (a = []));
    a.push(v);
  };
  const addRate = (key: string, v: number) => {
    if (!keepAnswers) return;
    let a = rates.get(key);
    if (!a) rates.set(key, (a = { n: 0, nonZero: 0, rate: 0 }));
    a.n++;
    if (v !== 0) a.nonZero++;
  };
  const addCounter = (key: string, v: number) => {
    if (keepAnswers) counters.set(key, (counters.get(key) ?? 0) + v);
  };

  // VUs at second s (ramping-vus: linear within a stage).
  const totalSeconds = spec.stages.reduce((a, s) => a + s.durationSeconds, 0);
  const vusAt = (t: number): number => {
    let from = 0;
    let at = 0;
    for (const st of spec.stages) {
      if (t < at + st.durationSeconds) return from + ((st.target - from) * (t - at)) / st.durationSeconds;
      from = st.target;
      at += st.durationSeconds;
    }
    return from;
  };

  let carry = 0;
  let iterationNo = 0;
  for (let sec = 0; sec < totalSeconds; sec++) {
    const secNs = startNs + BigInt(sec) * 1_000_000_000n;
    // vus / vus_max gauges, once a second
    const vus = Math.round(vusAt(sec + 1));
    const gaugeNs = secNs + 1_000_000_000n - 700_000_000n + BigInt(Math.floor(rand() * 1_000_000));
    const gaugeTime = k6Time(gaugeNs, offset);
    emit('vus', gaugeTime, vus, {});
    emit('vus_max', gaugeTime, Math.max(...spec.stages.map((s) => s.target)), {});
    const gMs = Number(gaugeNs / 1000n) / 1000;
    if (keepAnswers) {
      firstMs = Math.min(firstMs, gMs);
      lastMs = Math.max(lastMs, gMs);
      const b = Math.floor(gMs / 1000);
      vusPerBucket.set(b, Math.max(vusPerBucket.get(b) ?? -Infinity, vus));
    }
    // this second's requests
    const want = vusAt(sec + 0.5) * ipv + carry;
    const count = Math.floor(want);
    carry = want - count;
    const reqs: { endNs: bigint; i: number }[] = [];
    for (let i = 0; i < count; i++) reqs.push({ endNs: secNs + BigInt(Math.floor(rand() * 999_999_999)), i });
    reqs.sort((a, b) => (a.endNs < b.endNs ? -1 : a.endNs > b.endNs ? 1 : 0));
    for (const r of reqs) {
      iterationNo++;
      const tenant = spec.tenants[iterationNo % spec.tenants.length]!;
      let pick = rand() * totalW;
      let e = spec.endpoints[spec.endpoints.length - 1]!;
      for (const c of spec.endpoints) {
        if (pick < c.weight) {
          e = c;
          break;
        }
        pick -= c.weight;
      }
      const roll = rand();
      const status = roll < transportRate ? '0' : roll < transportRate + errorRate ? '500' : e.method === 'POST' ? '201' : '200';
      const sigma = Math.log(e.p99Ms / e.medianMs) / 2.3263478740408408;
      const slow = spec.tenantSlowdown?.[tenant] ?? 1;
      let duration = round6(e.medianMs * slow * Math.exp(sigma * gauss()));
      if (status === '0') duration = 0;
      const blocked = round6(rand() < 0.02 ? 5 + rand() * 40 : rand() * 0.01);
      const connecting = blocked > 1 ? round6(blocked * 0.4) : 0;
      const tls = blocked > 1 ? round6(blocked * 0.5) : 0;
      const sending = status === '0' ? 0 : round6(0.01 + rand() * 0.2);
      const receiving = status === '0' ? 0 : round6(0.02 + rand() * 0.5);
      const waiting = status === '0' ? 0 : Math.max(0, round6(duration - sending - receiving));
      const time = k6Time(r.endNs, offset);
      const ms = Number(r.endNs / 1000n) / 1000;
      let url = spec.idsInUrls ? `${baseUrl}${e.path}/${Math.floor(rand() * 1e6)}` : `${baseUrl}${e.path}`;
      if (spec.queryStrings) url += `?page=${1 + Math.floor(rand() * 20)}&limit=50`;
      const httpTags: Record<string, string> = {
        endpoint: e.endpoint,
        expected_response: status === '200' || status === '201' ? 'true' : 'false',
        group: '',
        method: e.method,
        name: url,
        proto: 'HTTP/2.0',
        scenario: spec.scenario,
        status,
        tenant,
        tls_version: 'tls1.3',
        url,
      };
      if (status === '0') {
        delete httpTags.proto;
        delete httpTags.tls_version;
        httpTags.error = 'request timeout';
        httpTags.error_code = '1050';
      }
      const failed = status === '0' || status === '500' ? 1 : 0;
      emit('http_reqs', time, 1, httpTags);
      emit('http_req_duration', time, duration, httpTags);
      emit('http_req_blocked', time, blocked, httpTags);
      emit('http_req_connecting', time, connecting, httpTags);
      emit('http_req_tls_handshaking', time, tls, httpTags);
      emit('http_req_sending', time, sending, httpTags);
      emit('http_req_waiting', time, waiting, httpTags);
      emit('http_req_receiving', time, receiving, httpTags);
      emit('http_req_failed', time, failed, httpTags);
      const scriptTags = { endpoint: e.endpoint, group: '', scenario: spec.scenario, tenant };
      emit(e.trend, time, duration, scriptTags);
      const ok = failed === 0 ? 1 : 0;
      emit('checks', time, ok, { check: 'status is 2xx', endpoint: e.endpoint, group: '', scenario: spec.scenario, tenant });
      emit('errors', time, failed, scriptTags);
      const iterTags = { group: '', scenario: spec.scenario, tenant };
      const sent = 120 + Math.floor(rand() * 400);
      const received = status === '0' ? 0 : 800 + Math.floor(rand() * 20000);
      const iterDur = round6(duration + 1000 + rand() * 5);
      emit('data_sent', time, sent, iterTags);
      emit('data_received', time, received, iterTags);
      emit('iteration_duration', time, iterDur, iterTags);
      emit('iterations', time, 1, iterTags);
      if (keepAnswers) {
        firstMs = Math.min(firstMs, ms);
        lastMs = Math.max(lastMs, ms);
        const b = Math.floor(ms / 1000) * 1000;
        rps[b] = (rps[b] ?? 0) + 1;
        tagSets.endpoint.add(e.endpoint);
        tagSets.tenant.add(tenant);
        tagSets.status.add(status);
        for (const k of ['', `{endpoint:${e.endpoint}}`, `{tenant:${tenant}}`, `{endpoint:${e.endpoint},tenant:${tenant}}`]) {
          addTrend(`http_req_duration${k}`, duration);
          addTrend(`${e.trend}${k}`, duration);
          addRate(`http_req_failed${k}`, failed);
          addRate(`checks${k}`, ok);
          addRate(`errors${k}`, failed);
          addCounter(`http_reqs${k}`, 1);
          const a = avail.get(k) ?? [0, 0];
          a[0]++;
          if (failed) a[1]++;
          avail.set(k, a);
        }
        addTrend('iteration_duration', iterDur);
        addTrend('http_req_waiting', waiting);
        addCounter('iterations', 1);
        addCounter('data_sent', sent);
        addCounter('data_received', received);
      }
    }
    if (bufLen >= 1 << 20) {
      yield `${buf.join('\n')}\n`;
      buf = [];
      bufLen = 0;
    }
  }
  if (buf.length > 0) yield `${buf.join('\n')}\n`;
  if (!keepAnswers) return undefined;

  const trendOut: Record<string, TrendAnswer> = {};
  for (const [k, v] of trends) trendOut[k] = trendAnswer(v);
  const rateOut: Record<string, RateAnswer> = {};
  for (const [k, v] of rates) rateOut[k] = { ...v, rate: v.nonZero / v.n };
  const availOut: Record<string, number> = {};
  for (const [k, [n, bad]] of avail) availOut[`availability${k}`] = (n - bad) / n;
  let peak = -Infinity;
  for (const v of vusPerBucket.values()) peak = Math.max(peak, v);
  const atPeak = [...vusPerBucket].filter(([, v]) => v >= peak).map(([b]) => b);
  return {
    lines,
    points,
    trends: trendOut,
    rates: rateOut,
    counters: Object.fromEntries(counters),
    availability: availOut,
    firstMs,
    lastMs,
    vusPeak: peak,
    peakWindow: { start: Math.min(...atPeak) * 1000, end: (Math.max(...atPeak) + 1) * 1000 },
    requestsPerSecond: rps,
    tagValues: { endpoint: [...tagSets.endpoint].sort(), tenant: [...tagSets.tenant].sort(), status: [...tagSets.status].sort() },
  };
}

/** The whole generated run as text (small runs, for tests). */
export function generateK6Text(spec: LoadTestSpec, opts: GenerateOptions = {}): { text: string; answers: FixtureAnswers | undefined } {
  const parts: string[] = [];
  const it = generateK6Chunks(spec, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return { text: parts.join(''), answers: r.value };
    parts.push(r.value);
  }
}

/** Writes the generated run to `path` (gzip when it ends in `.gz`), streaming; returns the answers and bytes written (uncompressed). */
export async function writeK6Fixture(spec: LoadTestSpec, path: string, opts: GenerateOptions = {}): Promise<{ answers: FixtureAnswers | undefined; bytes: number }> {
  const file = createWriteStream(path);
  const gz = path.endsWith('.gz') ? createGzip({ level: 6 }) : null;
  const out = gz ?? file;
  if (gz) gz.pipe(file);
  let bytes = 0;
  const it = generateK6Chunks(spec, opts);
  let answers: FixtureAnswers | undefined;
  for (;;) {
    const r = it.next();
    if (r.done) {
      answers = r.value;
      break;
    }
    bytes += Buffer.byteLength(r.value);
    if (!out.write(r.value)) await once(out, 'drain');
  }
  out.end();
  await once(file, 'close');
  return { answers, bytes };
}
