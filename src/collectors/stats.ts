// Aggregations over a utilization series, with the same definitions as the k6 side (avg, min, max, med, p(N)).
import type { Aggregation, Measurement } from '../model.js';

/** p-th percentile (0–100) with linear interpolation between closest ranks, as k6 computes trends. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  if (sorted.length === 1) return sorted[0]!;
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

export function aggregationText(agg: Aggregation): string {
  return agg.kind === 'p' ? `p(${agg.p})` : agg.kind;
}

/**
 * Aggregates `samples`; `value` (a whole-window figure such as a ratio of counter deltas) answers the
 * `value` aggregation and falls back to the average of the samples.
 */
export function aggregate(samples: readonly number[], agg: Aggregation, value?: number): Measurement {
  const finite = samples.filter((v) => Number.isFinite(v));
  if (agg.kind === 'value') {
    if (value !== undefined && Number.isFinite(value)) return { value };
    if (finite.length === 0) return { noData: 'no samples in the window' };
    return { value: finite.reduce((a, b) => a + b, 0) / finite.length };
  }
  if (agg.kind === 'count') return { value: finite.length };
  if (agg.kind === 'rate') return { noData: 'rate is not defined for a utilization series: use value, avg, min, max, med or p(N)' };
  if (finite.length === 0) return { noData: 'no samples in the window' };
  const sorted = [...finite].sort((a, b) => a - b);
  switch (agg.kind) {
    case 'avg':
      return { value: finite.reduce((a, b) => a + b, 0) / finite.length };
    case 'min':
      return { value: sorted[0]! };
    case 'max':
      return { value: sorted[sorted.length - 1]! };
    case 'med':
      return { value: percentile(sorted, 50) };
    case 'p':
      return { value: percentile(sorted, agg.p) };
  }
}
