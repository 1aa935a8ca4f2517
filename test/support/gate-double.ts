// TEST DOUBLE of the pipeline's `gate()`: returns a GateResult built from a given Evaluation, so the GitHub
// face can be tested before (and independently of) the real pipeline. Not the real report: a small Markdown
// rendering of the criteria, with `markdownWithin` trimming at a row boundary the way the contract asks.
import type { CriterionResult, Evaluation, GateOptions, GateResult, Headline, Status } from '../../src/model.js';

export interface GateDoubleOptions {
  /** Extra table rows appended to the report (to make it too long for a comment). */
  extraRows?: number;
  /** Text of each extra row's cell (e.g. multi-byte characters). */
  extraRowText?: string;
  headline?: Record<string, Headline>;
  /** Thrown instead of returning a result (anything, not only Errors). */
  throws?: unknown;
  /** GateResult.warnings to answer with. */
  warnings?: string[];
  /** GateResult.inputErrors to answer with (results files left out as unreadable). */
  inputErrors?: string[];
}

export function criterion(p: Partial<CriterionResult> & Pick<CriterionResult, 'metric' | 'expression' | 'status'>): CriterionResult {
  return {
    scenario: 'target-capacity',
    actual: 100,
    limit: 500,
    unit: 'ms',
    blocking: p.status === 'fail',
    kind: 'k6',
    pos: { file: 'thresholds.yml', line: 7, column: 22 },
    severity: 'error',
    ...p,
  };
}

/** A ready Evaluation: `pass` (all green), `marginal` (one marginal), `fail` (two failed criteria, one pass). */
export function evaluationOf(kind: 'pass' | 'marginal' | 'fail', scenario = 'target-capacity'): Evaluation {
  const c = (metric: string, expression: string, status: Status, actual: number, limit: number, line: number, unit: CriterionResult['unit'] = 'ms') =>
    criterion({ scenario, metric, expression, status, actual, limit, unit, pos: { file: 'thresholds.yml', line, column: 24 } });
  const criteria: CriterionResult[] =
    kind === 'pass'
      ? [c('http_req_duration', 'p(95)<400', 'pass', 210, 400, 7), c('http_req_failed', 'rate<0.01', 'pass', 0.001, 0.01, 8, 'ratio')]
      : kind === 'marginal'
        ? [c('http_req_duration', 'p(95)<400', 'marginal', 390, 400, 7), c('http_req_failed', 'rate<0.01', 'pass', 0.001, 0.01, 8, 'ratio')]
        : [
            c('http_req_duration', 'p(99)<500', 'fail', 612.4, 500, 7),
            c('http_req_failed', 'rate<0.01', 'fail', 0.034, 0.01, 8, 'ratio'),
            c('http_reqs', 'rate>=500', 'pass', 530, 500, 12, 'per-second'),
          ];
  const verdict = kind === 'pass' ? 'APPROVED' : kind === 'marginal' ? 'CONDITIONALLY_APPROVED' : 'NOT_APPROVED';
  return {
    verdict,
    failOn: 'fail',
    scenarios: [{ name: scenario, criteria, notes: [] }],
    rationale: kind === 'fail' ? 'Two blocking criteria failed.' : kind === 'marginal' ? 'A criterion is within the marginal band.' : 'Every criterion passed.',
  };
}

function render(evaluation: Evaluation, extraRows: number, extraRowText: string): string {
  const lines = [`# Load test report (test double)`, '', `**Verdict:** ${evaluation.verdict}`, ''];
  for (const s of evaluation.scenarios) {
    lines.push(`## ${s.name}`, '', '| Metric | Target | Actual | Status |', '| --- | --- | --- | --- |');
    for (const c of s.criteria) lines.push(`| ${c.metric} | ${c.expression} | ${c.actual ?? 'no data'} | ${c.status} |`);
    for (let i = 0; i < extraRows; i++) lines.push(`| extra_${i} | ${extraRowText} | ${i} | pass |`);
    lines.push('');
  }
  lines.push('```text', 'raw k6 output (test double)', '```', '', `Rationale: ${evaluation.rationale}`);
  return lines.join('\n');
}

/** Trims whole lines from the end, closing an open code fence, and appends `note`; never longer than `max`. */
export function trimMarkdown(markdown: string, max: number, note: string): string {
  if (markdown.length <= max) return markdown;
  const lines = markdown.split('\n');
  const tail = `\n\n${note}`;
  let kept: string[] = [];
  let length = 0;
  let fence = false;
  for (const line of lines) {
    const extra = line.length + 1;
    if (length + extra + tail.length + 4 > max) break;
    kept.push(line);
    length += extra;
    if (/^\s*```/.test(line)) fence = !fence;
  }
  if (fence) kept = [...kept, '```'];
  return `${kept.join('\n')}${tail}`.slice(0, max);
}

function headlineOf(evaluation: Evaluation): Record<string, Headline> {
  const out: Record<string, Headline> = {};
  for (const s of evaluation.scenarios) {
    const p99 = s.criteria.find((c) => c.metric === 'http_req_duration' && c.expression.startsWith('p(99)'));
    const p95 = s.criteria.find((c) => c.metric === 'http_req_duration' && c.expression.startsWith('p(95)'));
    const err = s.criteria.find((c) => c.metric === 'http_req_failed');
    const rps = s.criteria.find((c) => c.metric === 'http_reqs');
    out[s.name] = { p95: p95?.actual ?? null, p99: p99?.actual ?? null, errorRate: err?.actual ?? null, rps: rps?.actual ?? null };
  }
  return out;
}

/** A `gate` double answering every call with `evaluation`. */
export function gateDouble(evaluation: Evaluation, opts: GateDoubleOptions = {}): (o: GateOptions) => Promise<GateResult> {
  return async () => {
    if ('throws' in opts) throw opts.throws;
    const markdown = render(evaluation, opts.extraRows ?? 0, opts.extraRowText ?? 'p(95)<400');
    return {
      evaluation,
      markdown,
      markdownWithin: (max, note) => trimMarkdown(markdown, max, note),
      json: {
        verdict: evaluation.verdict,
        criteria: evaluation.scenarios.flatMap((s) => s.criteria.map((c) => ({ scenario: c.scenario, metric: c.metric, expression: c.expression, actual: c.actual, status: c.status }))),
      },
      headline: opts.headline ?? headlineOf(evaluation),
      files: { outputs: [] },
      warnings: opts.warnings ?? [],
      inputErrors: opts.inputErrors ?? [],
    };
  };
}

/** Wraps any `gate` (double or real) and records what it was asked and what it answered. */
export function recording(inner: (o: GateOptions) => Promise<GateResult>) {
  const calls: GateOptions[] = [];
  const results: GateResult[] = [];
  return {
    calls,
    results,
    get last(): GateResult {
      const r = results.at(-1);
      if (!r) throw new Error('gate was not called');
      return r;
    },
    gate: async (o: GateOptions): Promise<GateResult> => {
      calls.push(o);
      const r = await inner(o);
      results.push(r);
      return r;
    },
  };
}
