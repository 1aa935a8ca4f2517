// The unit of a measured value, from the metric's k6 type and `contains` and the aggregation.
import { BUILTIN_METRICS } from '../k6/builtin-metrics.js';
import type { Aggregation, MetricInfo, Unit } from '../model.js';

/** Metrics perf-gate answers itself (not written by k6): their type, for units. */
export const DERIVED_METRICS: Record<string, MetricInfo> = {
  availability: { name: 'availability', type: 'rate', contains: 'default' },
};

/**
 * The metric's type and `contains`: from the results' Metric lines, else perf-gate's own, else k6's
 * built-in table (a run without a single HTTP request has no http_reqs line, and its `rate>1` is still
 * per second, its `p(99)<500` still ms).
 */
export function metricInfo(metrics: ReadonlyMap<string, MetricInfo>, name: string): MetricInfo | undefined {
  return metrics.get(name) ?? DERIVED_METRICS[name] ?? BUILTIN_METRICS.get(name);
}

/**
 * ms for time trends and gauges, 0–1 ratio for a rate metric's `rate`, per-second for a counter's
 * `rate`, count for `count` (bytes when the counter counts data), bytes for data trends.
 */
export function unitFor(info: MetricInfo | undefined, aggregation: Aggregation): Unit {
  const contains = info?.contains ?? 'default';
  if (aggregation.kind === 'count') return info?.type === 'counter' && contains === 'data' ? 'bytes' : 'count';
  if (info === undefined) return aggregation.kind === 'rate' ? 'ratio' : 'number';
  switch (info.type) {
    case 'rate':
      // a share only for `rate`: another aggregation (refused, no data) keeps its limit as written
      return aggregation.kind === 'rate' ? 'ratio' : 'number';
    case 'counter':
      return aggregation.kind === 'rate' ? 'per-second' : contains === 'data' ? 'bytes' : 'count';
    case 'trend':
    case 'gauge':
      return contains === 'time' ? 'ms' : contains === 'data' ? 'bytes' : 'number';
  }
}
