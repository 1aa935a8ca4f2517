// Which rules apply to a scenario: the top-level ones, with the scenario's own overriding them.
import type { Config, ThresholdRule } from '../model.js';
import { unreadMetrics } from '../k6/builtin-metrics.js';
import { formatAggregation } from './expression.js';

interface Explicit {
  window: boolean;
  warmup: boolean;
}

/** Whether a rule's window / warm-up were written on the expression itself (then a scenario's do not replace them). */
const explicitness = new WeakMap<ThresholdRule, Explicit>();

export function markExplicit(rule: ThresholdRule, explicit: Explicit): void {
  explicitness.set(rule, explicit);
}

/** Identity of a rule for overriding: metric key (tags as written, spaces dropped), aggregation, fixed vs relative. */
export function overrideKey(rule: ThresholdRule): string {
  const sel = rule.selector;
  const key = sel.tags.length ? `${sel.metric}{${sel.tags.map((t) => `${t.key}:${t.value}`).join(',')}}` : sel.metric;
  return `${key}|${formatAggregation(rule.expression.aggregation)}|${rule.expression.relative ? 'relative' : 'fixed'}`;
}

/**
 * The rules that apply to `scenario`: every top-level rule, then the scenario's own. A scenario rule
 * with the same metric key and aggregation (and the same kind: fixed or relative) replaces the
 * top-level ones. Top-level rules take the scenario's `window` / `warmup` unless their expression
 * set its own. An unknown or undefined scenario gets the top-level rules only.
 */
export function rulesFor(config: Config, scenario: string | undefined): ThresholdRule[] {
  const s = scenario === undefined ? undefined : config.scenarios.find((x) => x.name === scenario);
  if (!s) return [...config.rules];
  const overridden = new Set(s.rules.map(overrideKey));
  const inherited = config.rules
    .filter((r) => !overridden.has(overrideKey(r)))
    .map((r) => {
      const explicit = explicitness.get(r);
      const window = s.window !== undefined && !explicit?.window ? s.window : r.window;
      const warmupSeconds = s.warmupSeconds !== undefined && !explicit?.warmup ? s.warmupSeconds : r.warmupSeconds;
      if (window === r.window && warmupSeconds === r.warmupSeconds) return r;
      const copy: ThresholdRule = { ...r, window, warmupSeconds };
      if (explicit) explicitness.set(copy, explicit);
      return copy;
    });
  return [...inherited, ...s.rules];
}

/**
 * What ingestion needs for a scenario: the tag keys its selectors filter on (indexed), and the detail
 * metrics none of its rules names (passed over; the report does not show them).
 */
export function ingestOptionsFor(config: Config, scenario: string): { tagKeys: string[]; skipMetrics: string[] } {
  const keys = new Set<string>();
  const rules = rulesFor(config, config.scenarios.some((s) => s.name === scenario) ? scenario : undefined);
  for (const r of rules) for (const t of r.selector.tags) keys.add(t.key);
  // iteration_duration is always read: its samples give the run's start, which a counter's rate over
  // the whole run (a rule's, or the report's throughput) is divided by, as k6 does
  return { tagKeys: [...keys], skipMetrics: unreadMetrics([...rules.map((r) => r.selector.metric), 'iteration_duration']) };
}
