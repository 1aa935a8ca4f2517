// Headline numbers and the HTTP/endpoint statistics the report shows, read from `Results`.
import { BUILTIN_METRICS } from '../k6/builtin-metrics.js';
import type { Aggregation, Headline, Measurement, Results, TimeWindow } from '../model.js';
import { selector } from '../evaluate/keys.js';

export function valueOf(m: Measurement): number | null {
  return 'value' in m && Number.isFinite(m.value) ? m.value : null;
}

export function measureValue(results: Results, metric: string, aggregation: Aggregation, window?: TimeWindow, tags: Record<string, string> = {}): number | null {
  const sel = selector(
    metric,
    Object.entries(tags).map(([key, value]) => ({ key, value })),
  );
  return valueOf(results.measure(sel, aggregation, window));
}

export const P95: Aggregation = { kind: 'p', p: 95 };
export const P99: Aggregation = { kind: 'p', p: 99 };
export const RATE: Aggregation = { kind: 'rate' };

/**
 * p95/p99 of `http_req_duration` (ms), `http_req_failed` rate (0–1), `http_reqs` per second. Without
 * a single request the error rate is null, not k6's 0 for a rate without samples: nothing failed
 * because nothing was asked, and a 0 would read (and be kept as a baseline) as a clean run.
 */
export function headlineFor(results: Results, window?: TimeWindow): Headline {
  return {
    p95: measureValue(results, 'http_req_duration', P95, window),
    p99: measureValue(results, 'http_req_duration', P99, window),
    errorRate: requestCount(results, window) === 0 ? null : measureValue(results, 'http_req_failed', RATE, window),
    rps: measureValue(results, 'http_reqs', RATE, window),
  };
}

/** The HTTP requests in the window (`http_reqs`, else `http_req_duration` samples); null when unknown. */
export function requestCount(r: Results, w?: TimeWindow): number | null {
  if (r.metrics.has('http_reqs')) return measureValue(r, 'http_reqs', { kind: 'count' }, w);
  if (r.metrics.has('http_req_duration')) return measureValue(r, 'http_req_duration', { kind: 'count' }, w);
  // neither metric in k6's output: k6 writes both for every request, so there was none
  return r.source === 'ndjson' ? 0 : null;
}

/** The headline metrics as (metric, aggregation) pairs, for the JSON report's measurements. */
export const HEADLINE_MEASURES: { field: keyof Headline; metric: string; aggregation: Aggregation }[] = [
  { field: 'p95', metric: 'http_req_duration', aggregation: P95 },
  { field: 'p99', metric: 'http_req_duration', aggregation: P99 },
  { field: 'errorRate', metric: 'http_req_failed', aggregation: RATE },
  { field: 'rps', metric: 'http_reqs', aggregation: RATE },
];


/** Trends that k6 does not write itself: the scripts' custom (per-endpoint) trends. */
export function customTrends(results: Results): string[] {
  return [...results.metrics.values()]
    .filter((m) => m.type === 'trend' && !BUILTIN_METRICS.has(m.name))
    .map((m) => m.name)
    .sort((a, b) => a.localeCompare(b));
}
