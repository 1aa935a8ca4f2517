// Evaluation: every rule of every scenario measured against the results (or utilization, or the
// baseline), given a status, and the verdict that follows. Pure: no I/O, no clock.
import type {
  Baseline,
  Config,
  CriterionResult,
  Evaluation,
  Measurement,
  MetricSelector,
  NoDataPolicy,
  Results,
  RunRecord,
  ScenarioEvaluation,
  SourcePos,
  Status,
  TagFilter,
  ThresholdRule,
  TimeWindow,
  Unit,
  UtilizationResults,
  Verdict,
} from '../model.js';
import { didYouMean } from '../config/suggest.js';
import { aggregationName } from '../config/expression.js';
import { allowedAggregations } from '../k6/builtin-metrics.js';
import { maskKey } from '../mask.js';
import { formatPair, formatValue } from '../report/units.js';
import { aggregationText, measurementKey, selectorText, windowKeyText } from './keys.js';
import { absoluteStatus, relativeStatus } from './status.js';
import { metricInfo, unitFor } from './units.js';

export interface ScenarioInput {
  name: string;
  /** The rules that apply to this scenario (top-level ones merged in, see `rulesFor`). */
  rules: ThresholdRule[];
  results: Results;
  utilization?: UtilizationResults;
  /** The baseline to compare with, or why there is none. */
  baseline?: Baseline | { missing: string };
  run?: RunRecord;
  notes?: string[];
}

export interface EvaluateInput {
  config: Config;
  /** Overrides `config.failOn`. */
  failOn?: 'fail' | 'marginal';
  scenarios: ScenarioInput[];
}

/** The metric name of the criterion a RunRecord with `incomplete` adds. */
export const RUN_COMPLETED = 'k6 run completed';
/** The metric name of the criterion a complete run the script marked failed (`execution.test.fail()`, exit 110) adds. */
export const RUN_NOT_FAILED = 'k6 run not marked failed';

/** The metric name of the criterion a complete run whose output cannot be judged (`RunRecord.unusableOutput`) adds. */
export const RUN_OUTPUT = 'k6 output holds samples';

/** Whether a criterion is about the k6 run itself (completed, not marked failed, its output usable), not a metric. */
export function isRunCriterion(c: CriterionResult): boolean {
  return c.kind === 'k6' && (c.metric === RUN_COMPLETED || c.metric === RUN_NOT_FAILED || c.metric === RUN_OUTPUT);
}

export function evaluate(input: EvaluateInput): Evaluation {
  const failOn = input.failOn ?? input.config.failOn;
  const scenarios = input.scenarios.map((s) => evaluateScenario(input.config, failOn, s));
  const { verdict, rationale } = decide(scenarios);
  return { verdict, failOn, scenarios, rationale };
}

// ───────────────────────────── one scenario ─────────────────────────────

function evaluateScenario(config: Config, failOn: 'fail' | 'marginal', s: ScenarioInput): ScenarioEvaluation {
  const notes = [...(s.notes ?? [])];
  const criteria: CriterionResult[] = [];
  const baseline = s.baseline && 'scenarios' in s.baseline ? s.baseline : undefined;
  const baselineMissing = s.baseline && 'missing' in s.baseline ? s.baseline.missing : undefined;
  const utilizationNames = new Set((config.utilization?.metrics ?? []).map((m) => m.name));

  for (const rule of s.rules) {
    const isUtilization = s.utilization?.has(rule.selector.metric) === true || utilizationNames.has(rule.selector.metric);
    // A relative rule also expands over the values its baseline has: a tenant gone from this run is said.
    const fromBaseline = rule.expression.relative && baseline ? baselineTagValues(rule, baseline.scenarios[s.name]) : undefined;
    const selectors = isUtilization ? [{ sel: rule.selector, gone: [] }] : expand(rule.selector, s.results, fromBaseline);
    for (const { sel, gone } of selectors) {
      const c = isUtilization
        ? utilizationCriterion(s.name, rule, sel, s.utilization, s.results)
        : k6Criterion(s.name, rule, sel, s.results);
      if (gone.length > 0 && c.actual === null) {
        c.reason = `no samples of ${gone.map((t) => `${t.key} ${t.value === '' ? '(empty)' : t.value}`).join(', ')} in this run (the baseline has ${gone.length === 1 ? 'it' : 'them'})`;
      }
      attachBaseline(c, rule, sel.raw, baseline, baselineMissing);
      c.blocking = isBlocking(c, failOn);
      criteria.push(c);
    }
  }

  // k6 stops a test when an `abortOnFail` threshold fails; perf-gate judges afterwards and cannot.
  const aborting = s.rules.filter((r) => r.abortOnFail === true);
  if (aborting.length > 0) {
    const where = aborting.map((r) => `${r.selector.raw} ${r.expression.text} (${r.pos.file}:${r.pos.line})`);
    notes.push(
      `abortOnFail is ignored on ${where.slice(0, 3).join(', ')}${where.length > 3 ? ` and ${where.length - 3} more` : ''}: perf-gate judges the results after the run and does not stop it; set it in the k6 script's options to abort early.`,
    );
  }

  if (s.run?.incomplete) {
    const pos: SourcePos = { file: config.file, line: 0, column: 0 };
    criteria.push({
      scenario: s.name,
      metric: RUN_COMPLETED,
      expression: 'completed',
      actual: null,
      limit: Number.NaN,
      unit: 'count',
      status: 'fail',
      blocking: true,
      // k6's exit meaning, unless the reason already says it (`k6 ended early: <meaning>`)
      reason: `the k6 run did not complete (${s.run.incomplete}${s.run.exitMeaning && !s.run.incomplete.includes(s.run.exitMeaning) ? `; k6: ${s.run.exitMeaning}` : ''}): the results are partial`,
      kind: 'k6',
      pos,
      severity: 'error',
    });
  } else if (s.run?.unusableOutput) {
    // k6 ended normally, but what it wrote cannot be judged: every rule reads no data, and that is a
    // broken run (a script that sends nothing, an output option that went elsewhere), not a pass.
    criteria.push({
      scenario: s.name,
      metric: RUN_OUTPUT,
      expression: 'samples written',
      actual: null,
      limit: Number.NaN,
      unit: 'count',
      status: 'fail',
      blocking: true,
      reason: `the k6 run completed (${s.run.exitCode === 0 ? 'exit code 0' : `k6: ${s.run.exitMeaning}`}), but ${s.run.unusableOutput}: nothing in it can be judged`,
      kind: 'k6',
      pos: { file: config.file, line: 0, column: 0 },
      severity: 'error',
    });
  }
  if (!s.run?.incomplete && s.run?.exitCode === 110) {
    // The run went to its end (its samples are whole and judged as usual); the script said it failed.
    criteria.push({
      scenario: s.name,
      metric: RUN_NOT_FAILED,
      expression: 'not marked failed',
      actual: null,
      limit: Number.NaN,
      unit: 'count',
      status: 'fail',
      blocking: true,
      reason: `the script marked the test failed (execution.test.fail(), exit code 110); the run is complete`,
      kind: 'k6',
      pos: { file: config.file, line: 0, column: 0 },
      severity: 'error',
    });
  }

  // The scenario's own `window:` / `warm-up:` when it sets them, else the top-level ones: the same
  // interval its rules default to, so the headline and the criteria speak of the same seconds.
  const own = config.scenarios.find((x) => x.name === s.name);
  const mode = own?.window ?? config.window;
  const warmup = own?.warmupSeconds ?? config.warmupSeconds;
  const window = resolveWindow(s.results, mode, warmup);
  const evaluation: ScenarioEvaluation = { name: s.name, criteria, notes, windowMode: mode, warmupSeconds: warmup };
  if ('window' in window && window.window) evaluation.window = window.window;
  if (s.run) evaluation.run = s.run;
  if (baselineMissing !== undefined && s.rules.some((r) => r.expression.relative)) notes.push(/^no baseline/i.test(baselineMissing) ? `${baselineMissing.charAt(0).toUpperCase()}${baselineMissing.slice(1)}.` : `No baseline: ${baselineMissing}.`);
  if (s.utilization) for (const n of s.utilization.notes) notes.push(n);
  return evaluation;
}

interface Expanded {
  sel: MetricSelector;
  /** The wildcard values of `sel` that only the baseline has (not seen in this run). */
  gone: TagFilter[];
}

/**
 * Expands wildcard tag filters (`{tenant:*}`) into one selector per value seen (all combinations).
 * `fromBaseline` adds, per wildcard tag, the values the baseline measured for the same rule.
 */
function expand(sel: MetricSelector, results: Results, fromBaseline?: Map<string, Set<string>>): Expanded[] {
  const wild = sel.tags.filter((t) => t.value === '*');
  if (wild.length === 0) return [{ sel, gone: [] }];
  let combos: TagFilter[][] = [sel.tags.map((t) => ({ ...t }))];
  const seen = new Map<string, Set<string>>();
  for (const w of wild) {
    let values = results.tagValues(sel.metric, w.key);
    if (values.length === 0 && sel.metric === 'availability') values = results.tagValues('http_reqs', w.key);
    seen.set(w.key, new Set(values));
    values = [...new Set([...values, ...(fromBaseline?.get(w.key) ?? [])])].sort((a, b) => a.localeCompare(b));
    if (values.length === 0) return [{ sel, gone: [] }];
    const next: TagFilter[][] = [];
    for (const c of combos) for (const v of values) next.push(c.map((t) => (t.key === w.key && t.value === '*' ? { key: t.key, value: v } : t)));
    combos = next;
  }
  return combos.map((tags) => ({
    sel: { raw: selectorText(sel.metric, tags), metric: sel.metric, tags },
    gone: tags.filter((t, i) => sel.tags[i]?.value === '*' && !seen.get(t.key)?.has(t.value)),
  }));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The values of each wildcard tag of a rule's selector that the baseline has a value for (same metric,
 * same fixed tags, same aggregation and window), read from its keys (`metric{tenant:acme}|p(99)`).
 */
function baselineTagValues(rule: ThresholdRule, values: Record<string, number> | undefined): Map<string, Set<string>> | undefined {
  const sel = rule.selector;
  if (!values || !sel.tags.some((t) => t.value === '*')) return undefined;
  const tail = measurementKey('', aggregationText(rule.expression.aggregation), windowKeyText(rule.window, rule.warmupSeconds));
  const pattern = new RegExp(
    `^${escapeRegExp(sel.metric)}\\{${sel.tags.map((t) => `${escapeRegExp(t.key)}:${t.value === '*' ? '([^,]*)' : escapeRegExp(t.value)}`).join(',')}\\}${escapeRegExp(tail)}$`,
  );
  const wild = sel.tags.filter((t) => t.value === '*');
  const out = new Map<string, Set<string>>(wild.map((t) => [t.key, new Set<string>()]));
  for (const key of Object.keys(values)) {
    const m = pattern.exec(key);
    if (!m) continue;
    wild.forEach((t, i) => out.get(t.key)?.add(m[i + 1] as string));
  }
  return out;
}

type WindowChoice = { window: TimeWindow | undefined } | { noData: string };

/** The interval a rule is measured over: the whole run, the steady state, minus the warm-up. */
function resolveWindow(results: Results, mode: 'all' | 'steady', warmupSeconds: number): WindowChoice {
  let window: TimeWindow | undefined;
  if (mode === 'steady') {
    window = results.steadyWindow();
    if (!window) return { noData: 'window: steady, but the steady state (VUs at their peak) cannot be told from these results' };
  }
  if (warmupSeconds > 0) {
    const span = results.span;
    if (!span) return { noData: `a ${warmupSeconds}s warm-up cannot be excluded: the results have no sample times (summary export)` };
    const base = window ?? span;
    const start = Math.max(base.start, span.start + warmupSeconds * 1000);
    if (start >= base.end) return { noData: `the ${warmupSeconds}s warm-up covers the whole evaluated window` };
    window = { start, end: base.end };
  }
  // Snapped to the results' bucket edges: the interval the values are actually measured over.
  return { window: window && results.alignWindow ? results.alignWindow(window) : window };
}

function baseCriterion(scenario: string, rule: ThresholdRule, metric: string, unit: Unit, kind: CriterionResult['kind']): CriterionResult {
  return {
    scenario,
    metric,
    expression: rule.expression.text,
    actual: null,
    limit: rule.expression.relative ? Number.NaN : rule.expression.value,
    unit,
    status: 'no-data',
    blocking: false,
    kind: rule.expression.relative ? 'relative' : kind,
    pos: rule.pos,
    severity: rule.severity,
    noData: rule.noData,
    marginal: rule.marginal,
    windowMode: rule.window,
    warmupSeconds: rule.warmupSeconds,
  };
}

function k6Criterion(scenario: string, rule: ThresholdRule, sel: MetricSelector, results: Results): CriterionResult {
  const unit = unitFor(metricInfo(results.metrics, sel.metric), rule.expression.aggregation);
  const c = baseCriterion(scenario, rule, sel.raw, unit, 'k6');
  if (sel.tags.some((t) => t.value === '*')) {
    const keys = sel.tags.filter((t) => t.value === '*').map((t) => t.key);
    c.reason = `no samples of ${sel.metric} carry the tag${keys.length > 1 ? 's' : ''} ${keys.join(', ')}: nothing to expand`;
    return c;
  }
  const w = resolveWindow(results, rule.window, rule.warmupSeconds);
  if ('noData' in w) {
    c.reason = w.noData;
    return c;
  }
  if (w.window) c.window = w.window;
  // The loader checks built-in metrics against k6's table; a custom metric's type is known only now.
  const info = sel.metric === 'availability' ? undefined : metricInfo(results.metrics, sel.metric);
  if (info && !allowedAggregations(info.type).includes(aggregationName(rule.expression.aggregation))) {
    c.reason = info.typeUnknown
      ? `the k6 output has no Metric line for ${sel.metric}, so its type is unknown: its samples are read as a trend, which has no \`${aggregationText(rule.expression.aggregation)}\` (pass the whole output, Metric lines included)`
      : `\`${aggregationText(rule.expression.aggregation)}\` is not an aggregation of a ${info.type} metric (k6 rejects it)`;
    return c;
  }
  const m = results.measure(sel, rule.expression.aggregation, w.window);
  // A metric the run never wrote is most often a typo: name the closest one it did write.
  if ('noData' in m && sel.metric !== 'availability' && results.metrics.size > 0 && !results.metrics.has(sel.metric)) {
    const hint = didYouMean(sel.metric, [...results.metrics.keys()]);
    return applyMeasurement(c, { noData: hint ? `${m.noData}.${hint}` : m.noData });
  }
  return applyMeasurement(c, m);
}

function utilizationCriterion(scenario: string, rule: ThresholdRule, sel: MetricSelector, util: UtilizationResults | undefined, results: Results): CriterionResult {
  if (!util || !util.has(sel.metric)) {
    const c = baseCriterion(scenario, rule, sel.raw, 'number', 'utilization');
    c.reason = `no utilization source configured/reachable for ${sel.metric}`;
    return c;
  }
  const c = baseCriterion(scenario, rule, sel.raw, util.unit(sel.metric), 'utilization');
  // The rule's `window: steady` / `warmup` narrow utilization too: a ramp's idle CPU is not averaged in.
  const w = resolveWindow(results, rule.window, rule.warmupSeconds);
  if ('noData' in w) {
    c.reason = w.noData;
    return c;
  }
  if (w.window) c.window = w.window;
  return applyMeasurement(c, util.measure(sel.metric, rule.expression.aggregation, w.window));
}

function applyMeasurement(c: CriterionResult, m: Measurement): CriterionResult {
  if ('noData' in m) c.reason = m.noData;
  else if (!Number.isFinite(m.value)) c.reason = `the measured value is not a finite number (${m.value})`;
  else c.actual = m.value;
  return c;
}

/** Looks up the baseline value, sets `baseline` and `delta`, and judges the criterion. */
function attachBaseline(
  c: CriterionResult,
  rule: ThresholdRule,
  metric: string,
  baseline: Baseline | undefined,
  missing: string | undefined,
): void {
  // The baseline value measured over the same window as this rule (whole run, steady, warm-up).
  const key = measurementKey(metric, aggregationText(rule.expression.aggregation), windowKeyText(rule.window, rule.warmupSeconds));
  const base = baseline?.scenarios[c.scenario]?.[key];
  if (base !== undefined && Number.isFinite(base)) {
    c.baseline = base;
    c.delta = c.actual === null ? null : c.actual - base;
  }
  const e = rule.expression;
  if (!e.relative) {
    if (c.actual !== null) c.status = absoluteStatus(c.actual, e.operator, e.value, rule.marginal, c.unit);
    return;
  }
  if (base === undefined || !Number.isFinite(base)) {
    c.status = 'no-data';
    if (c.actual !== null || c.reason === undefined) {
      c.reason =
        missing !== undefined
          ? /^no baseline/i.test(missing)
            ? missing
            : `no baseline to compare with: ${missing}`
          : baseline
            ? `the baseline (${baseline.source}) has no value for ${key} in scenario ${c.scenario}`
            : 'no baseline to compare with';
    }
    return;
  }
  const allowed = e.relative === 'percent' ? (base * e.value) / 100 : e.value;
  c.limit = base + allowed;
  if (c.actual === null) return;
  const change = c.actual - base;
  if (rule.minChange !== undefined && Math.abs(change) < rule.minChange) {
    c.status = 'pass';
    c.reason = `change ${formatValue(change, c.unit, c.metric)} is below the minimum change ${formatValue(rule.minChange, c.unit, c.metric)}`;
    return;
  }
  c.status = relativeStatus(c.actual, e.operator, base, allowed, rule.marginal);
}

function isBlocking(c: CriterionResult, failOn: 'fail' | 'marginal'): boolean {
  if (c.severity !== 'error') return false;
  if (c.status === 'fail') return true;
  if (c.status === 'marginal') return failOn === 'marginal';
  if (c.status === 'no-data') return (c.noData ?? 'warn') === 'fail';
  return false;
}

// ───────────────────────────── verdict ─────────────────────────────

/** Whether a criterion makes the verdict conditional (when nothing blocks). */
export function isConcern(c: CriterionResult): boolean {
  if (c.blocking) return false;
  if (c.status === 'marginal' || c.status === 'fail') return true;
  if (c.status === 'no-data') return policyOf(c) !== 'pass';
  return false;
}

function policyOf(c: CriterionResult): NoDataPolicy {
  return c.noData ?? 'warn';
}

/**
 * `target-capacity: http_req_duration p(99)<500 fails at 612 ms` — one criterion in a sentence, saying
 * why it counts the way it does: `(warn only: does not fail the gate)`, or how a marginal value or a
 * missing one fails the gate (fail-on: marginal, no-data: fail).
 */
export function describeCriterion(c: CriterionResult): string {
  if (c.metric === RUN_NOT_FAILED) return `${c.scenario}: the k6 run was marked failed by its script (execution.test.fail(), exit code 110)`;
  // masked as in the report: an expanded {url:*} rule puts request URLs, tokens included, into keys
  const what = c.metric === RUN_COMPLETED || c.metric === RUN_OUTPUT ? c.metric : `${maskKey(c.metric)} ${c.expression}`;
  let detail: string;
  if (c.status === 'no-data') detail = 'has no data';
  else if (c.actual === null) detail = STATUS_WORD[c.status];
  else detail = `${STATUS_WORD[c.status]} at ${formatPair(c.actual, c.limit, c.unit, c.metric)[0]}`;
  if (c.metric === RUN_COMPLETED) detail = 'failed: the results are partial';
  else if (c.metric === RUN_OUTPUT) detail = 'failed: nothing in the output can be judged';
  else if (c.severity === 'warn' && c.status !== 'pass') detail += ' (warn only: does not fail the gate)';
  else if (c.blocking && c.status === 'marginal') detail += ' (within the marginal band, and fail-on: marginal fails the gate on it)';
  else if (c.blocking && c.status === 'no-data') detail += ' (no-data: fail)';
  return `${c.scenario}: ${what} ${detail}`;
}

const STATUS_WORD: Record<Status, string> = { pass: 'passes', marginal: 'is marginal', fail: 'fails', 'no-data': 'has no data' };

function listNames(cs: CriterionResult[], max = 3): string {
  const named = cs.slice(0, max).map(describeCriterion);
  const rest = cs.length - named.length;
  if (rest > 0) named.push(`${rest} more`);
  if (named.length <= 1) return named.join('');
  return `${named.slice(0, -1).join('; ')} and ${named[named.length - 1]}`;
}

function decide(scenarios: ScenarioEvaluation[]): { verdict: Verdict; rationale: string } {
  const all = scenarios.flatMap((s) => s.criteria);
  const blocking = all.filter((c) => c.blocking);
  const concerns = all.filter(isConcern);
  if (blocking.length > 0) {
    const more = concerns.length > 0 ? ` ${concerns.length} more criteri${concerns.length === 1 ? 'on needs' : 'a need'} attention.` : '';
    const n = blocking.length;
    // "missed" only when every one of them misses its limit: a marginal value passes it.
    const head = blocking.every((c) => c.status === 'fail')
      ? `${n} blocking criteri${n === 1 ? 'on' : 'a'} missed`
      : `${n} criteri${n === 1 ? 'on fails' : 'a fail'} the gate`;
    return { verdict: 'NOT_APPROVED', rationale: `${head}: ${listNames(blocking)}.${more}` };
  }
  if (concerns.length > 0) {
    const n = concerns.length;
    const warnFails = concerns.filter((c) => c.status === 'fail').length;
    const head =
      warnFails > 0
        ? `Nothing fails the gate (${warnFails === n ? (n === 1 ? 'the failing criterion is' : 'the failing criteria are') : `${warnFails} failing criteri${warnFails === 1 ? 'on is' : 'a are'}`} severity: warn), but ${n} need${n === 1 ? 's' : ''} attention`
        : `No criterion fails the gate, but ${n} need${n === 1 ? 's' : ''} attention`;
    return { verdict: 'CONDITIONALLY_APPROVED', rationale: `${head}: ${listNames(concerns)}.` };
  }
  const judged = all.filter((c) => c.status !== 'no-data').length;
  const ignored = all.length - judged;
  if (all.length === 0) return { verdict: 'APPROVED', rationale: 'No criteria were configured for these scenarios, so nothing fails the gate.' };
  return {
    verdict: 'APPROVED',
    rationale: `All ${judged} criteri${judged === 1 ? 'on' : 'a'} pass in ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'}${
      ignored > 0 ? ` (${ignored} without data, ignored by the no-data: pass policy)` : ''
    }.`,
  };
}
