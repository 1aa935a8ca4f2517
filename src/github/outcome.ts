// The gate's outcome for the check: passed or not, and a failure message that lists exactly the criteria
// that failed it.
import type { CriterionResult, Evaluation } from '../model.js';
import { RUN_COMPLETED, isRunCriterion } from '../evaluate/evaluate.js';
import { maskKey, maskUrl } from '../mask.js';
import { formatPair } from '../report/units.js';

export function blockingCriteria(evaluation: Evaluation): CriterionResult[] {
  return evaluation.scenarios.flatMap((s) => s.criteria.filter((c) => c.blocking));
}

/** True when the gate lets the change through. */
export function gatePassed(evaluation: Evaluation): boolean {
  return evaluation.verdict !== 'NOT_APPROVED' && blockingCriteria(evaluation).length === 0;
}

/** One line for a criterion: `target-capacity: http_req_duration p(99)<500 — 612 ms (limit 500 ms, fail)`. */
export function describeCriterion(c: CriterionResult): string {
  // The run-completed criterion has no value and no limit: its reason says what happened.
  if (isRunCriterion(c)) return `${c.scenario}: ${maskUrl(c.reason ?? (c.metric === RUN_COMPLETED ? 'the k6 run did not complete: the results are partial' : c.metric))}`;
  // as the report writes them, with the decimals that keep a failing value from reading like its limit
  const [shown, limitShown] = formatPair(c.actual, c.limit, c.unit, c.metric);
  // an expanded {url:*} rule puts request URLs (and their tokens) into keys and reasons: masked, as in the report
  const actual = c.status === 'no-data' ? `no data${c.reason ? ` (${maskUrl(c.reason)})` : ''}` : shown;
  const limit = c.status === 'no-data' ? '' : `, limit ${limitShown}`;
  return `${c.scenario}: ${maskKey(c.metric)} ${c.expression} — ${actual}${limit}${c.status === 'fail' ? '' : `, ${c.status}`}`;
}

/** Lines of a message listing criteria: all of them up to `max`, then how many more. */
export function listLines(lines: string[], max: number, more: (n: number) => string): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max - 1), more(lines.length - max + 1)];
}

/**
 * The failed check's message: the verdict and every criterion that failed the gate (up to `maxLines`;
 * a wildcard over hundreds of tenants ends with how many more); undefined when the gate passed.
 */
export function failureMessage(evaluation: Evaluation, mapFile: (file: string) => string = (f) => f, maxLines = 100): string | undefined {
  if (gatePassed(evaluation)) return undefined;
  const failed = blockingCriteria(evaluation);
  if (failed.length === 0) return `perf-gate: ${evaluation.verdict}. ${evaluation.rationale}`;
  const lines = listLines(
    failed.map((c) => `- ${describeCriterion(c)} [${mapFile(c.pos.file)}:${c.pos.line}]`),
    maxLines,
    (n) => `- … and ${n} more failed criteria: see the report in the job summary`,
  );
  return `perf-gate: ${evaluation.verdict} — ${failed.length} ${failed.length === 1 ? 'criterion' : 'criteria'} failed:\n${lines.join('\n')}`;
}
