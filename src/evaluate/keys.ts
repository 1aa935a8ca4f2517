// Keys that name one measured value (scenario × metric × aggregation), shared by the evaluation, the
// JSON report's `measurements` and the baseline read back from it.
import type { Aggregation, MetricSelector, TagFilter } from '../model.js';

/** An aggregation as k6 writes it in a threshold: `p(99)`, `p(99.9)`, `avg`, `rate`. */
export function aggregationText(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.p})` : a.kind;
}

/**
 * The window part of a key: empty for the whole run, else `steady`, `warmup=30s` or
 * `steady,warmup=30s` — a value measured over the steady state is not the whole run's value.
 */
export function windowKeyText(mode: 'all' | 'steady' | undefined, warmupSeconds: number | undefined): string {
  const parts: string[] = [];
  if (mode === 'steady') parts.push('steady');
  if (warmupSeconds !== undefined && warmupSeconds > 0) parts.push(`warmup=${warmupSeconds}s`);
  return parts.join(',');
}

/** Matches the window part at the end of a key (`|steady`, `|warmup=30s`, `|steady,warmup=2.5s`). */
export const WINDOW_KEY_SUFFIX = /\|((?:steady(?:,warmup=[0-9]*\.?[0-9]+s)?)|(?:warmup=[0-9]*\.?[0-9]+s))$/;

/**
 * Key of one value inside a scenario: `http_req_duration{tenant:acme}|p(99)` for the whole run,
 * `http_reqs|rate|steady` or `http_req_duration|p(99)|warmup=30s` for a narrower window
 * (see `windowKeyText`).
 */
export function measurementKey(metric: string, aggregation: string, window = ''): string {
  return window === '' ? `${metric}|${aggregation}` : `${metric}|${aggregation}|${window}`;
}

/**
 * Key of one value across scenarios, as used by the JSON report's `measurements`:
 * `target-capacity|http_req_duration{tenant:acme}|p(99)` (and `…|p(99)|steady` for a window other than
 * the whole run). A `Baseline` stores the same value under
 * `scenarios[scenario][measurementKey(metric, aggregation, window)]`.
 */
export function baselineKey(scenario: string, metric: string, aggregation: string, window = ''): string {
  return `${scenario}|${measurementKey(metric, aggregation, window)}`;
}

/** The key of a selector as k6 writes a sub-metric: `metric{k:v,k2:v2}` (tags in the given order). */
export function selectorText(metric: string, tags: readonly TagFilter[]): string {
  return tags.length === 0 ? metric : `${metric}{${tags.map((t) => `${t.key}:${t.value}`).join(',')}}`;
}

export function selector(metric: string, tags: readonly TagFilter[] = []): MetricSelector {
  return { raw: selectorText(metric, tags), metric, tags: [...tags] };
}
