// Keys that name one measured value (scenario × metric × aggregation), shared by the evaluation, the
// JSON report's `measurements` and the baseline read back from it.
import type { Aggregation, MetricSelector, TagFilter } from '../model.js';

/** An aggregation as k6 writes it in a threshold: `p(99)`, `p(99.9)`, `avg`, `rate`. */
export function aggregationText(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.p})` : a.kind;
}

/** Key of one value inside a scenario: `http_req_duration{tenant:acme}|p(99)`. */
export function measurementKey(metric: string, aggregation: string): string {
  return `${metric}|${aggregation}`;
}

/**
 * Key of one value across scenarios, as used by the JSON report's `measurements`:
 * `target-capacity|http_req_duration{tenant:acme}|p(99)`. A `Baseline` stores the same value under
 * `scenarios[scenario][measurementKey(metric, aggregation)]`.
 */
export function baselineKey(scenario: string, metric: string, aggregation: string): string {
  return `${scenario}|${measurementKey(metric, aggregation)}`;
}

/** The key of a selector as k6 writes a sub-metric: `metric{k:v,k2:v2}` (tags in the given order). */
export function selectorText(metric: string, tags: readonly TagFilter[]): string {
  return tags.length === 0 ? metric : `${metric}{${tags.map((t) => `${t.key}:${t.value}`).join(',')}}`;
}

export function selector(metric: string, tags: readonly TagFilter[] = []): MetricSelector {
  return { raw: selectorText(metric, tags), metric, tags: [...tags] };
}
