// Annotations for failed criteria, on the thresholds rule that failed. Few and grouped: the runner shows
// at most 10 of each kind per step, so criteria of the same rule (scenarios, expanded tags) share one.
import type { CriterionResult, Evaluation } from '../model.js';
import { describeCriterion, listLines } from './outcome.js';

/** Criteria listed in one annotation's message before `… and N more`. */
const MAX_LINES = 20;
const more = (n: number) => `… and ${n} more`;

export interface Annotation {
  level: 'error' | 'warning';
  title: string;
  message: string;
  file: string;
  line: number;
  column: number;
}

/** The runner shows at most this many annotations of a kind per step (a failed step's message is one error). */
export const MAX_ANNOTATIONS = 10;

function group(criteria: CriterionResult[], level: Annotation['level'], max: number, mapFile: (f: string) => string): Annotation[] {
  const byRule = new Map<string, CriterionResult[]>();
  for (const c of criteria) {
    const key = `${c.pos.file}:${c.pos.line}:${c.pos.column}`;
    byRule.set(key, [...(byRule.get(key) ?? []), c]);
  }
  const groups = [...byRule.values()];
  const shown = groups.length > max ? groups.slice(0, max - 1) : groups;
  const out: Annotation[] = shown.map((cs) => {
    const first = cs[0]!;
    const what = level === 'error' ? 'failed' : 'warning';
    return {
      level,
      title: `perf-gate: ${first.metric.replace(/\{.*\}$/, '')} ${first.expression} ${what}${cs.length > 1 ? ` (${cs.length}×)` : ''}`,
      message: listLines(cs.map(describeCriterion), MAX_LINES, more).join('\n'),
      file: mapFile(first.pos.file),
      line: first.pos.line,
      column: first.pos.column,
    };
  });
  if (groups.length > shown.length) {
    const rest = groups.slice(shown.length).flat();
    const first = rest[0]!;
    out.push({
      level,
      title: `perf-gate: ${rest.length} more ${level === 'error' ? 'failed criteria' : 'warnings'}`,
      message: listLines(rest.map(describeCriterion), MAX_LINES, more).join('\n'),
      file: mapFile(first.pos.file),
      line: first.pos.line,
      column: first.pos.column,
    });
  }
  return out;
}

/**
 * Errors for criteria that fail the gate, warnings for reported-only problems (severity warn, or a marginal
 * status that does not block); at most `max` of each. `mapFile` turns a thresholds path into a repo path.
 */
export function annotationsFor(evaluation: Evaluation, mapFile: (f: string) => string = (f) => f, max = MAX_ANNOTATIONS): Annotation[] {
  max = Math.max(1, Math.floor(max));
  const all = evaluation.scenarios.flatMap((s) => s.criteria);
  const errors = all.filter((c) => c.blocking);
  const warnings = all.filter((c) => !c.blocking && (c.status === 'fail' || c.status === 'marginal'));
  return [...group(errors, 'error', max, mapFile), ...group(warnings, 'warning', Math.min(5, max), mapFile)];
}
