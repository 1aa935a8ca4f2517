// The Markdown report: the load-testing report's structure (verdict and key findings, environment,
// per-scenario results, SLO comparison, decision, data quality) filled from an Evaluation and the
// Results it was made from. Pure: the caller supplies the time and the environment.
import { maskUrl } from '../mask.js';
import { markdownTable } from 'markdown-table';
import type { CriterionResult, DashboardConfig, Evaluation, ReportSection, Results, ScenarioEvaluation, Status, TimeWindow, Unit } from '../model.js';
import { RUN_COMPLETED, RUN_NOT_FAILED, RUN_OUTPUT, isConcern, isRunCriterion } from '../evaluate/evaluate.js';
import { headlineFor, customTrends, measureValue, requestCount, valueOf, P95, P99, RATE } from './stats.js';
import { dataQualityItems } from './quality.js';
import { parseExpression, parseSelector } from '../config/expression.js';
import {
  STATUS_BADGE,
  STATUS_ICON,
  VERDICT_BADGE,
  code,
  escapeCell,
  formatDelta,
  inlineText,
  metricCode,
  formatInstant,
  formatPair,
  formatValue,
} from './units.js';
import { clockRange, durationText, windowNote } from './window.js';
import { dashboardsLine } from './dashboards.js';

export { headlineFor } from './stats.js';

/** Where and how the run happened; every field optional (the CLI knows less than the Action). */
export interface ReportEnvironment {
  baseUrl?: string;
  commit?: string;
  ref?: string;
  trigger?: string;
  actor?: string;
  runUrl?: string;
  k6Version?: string;
  thresholdsFile?: string;
  /** ISO 8601 time the report was made (the report never reads the clock itself). */
  generatedAt?: string;
  /** Where the baseline came from, when one was used. */
  baselineSource?: string;
}

export interface ReportInput {
  evaluation: Evaluation;
  /** Results per scenario name. */
  results: Record<string, Results>;
  environment?: ReportEnvironment;
  /** Blocks other stages add (utilization, charts, tenants, evidence). */
  sections?: ReportSection[];
  /** A hidden marker written first (`<!-- marker -->`), e.g. to find a sticky comment again. */
  marker?: string;
  /** thresholds.yml's dashboards, linked under each scenario on its run's time range. */
  dashboards?: readonly DashboardConfig[];
}

/** Knobs `fitMarkdown` turns to shrink the report; the full report uses none. */
export interface RenderLimits {
  /** Section ids left out. */
  dropSections?: ReadonlySet<string>;
  /** At most this many rows per table (failing rows kept first). */
  maxRows?: number;
  /**
   * Blocking rows count toward `maxRows` too (the worst first). Only when the blocking rows alone do
   * not fit: then the notes under the tables say how many blocking rows were left out.
   */
  trimBlocking?: boolean;
}

/** Sections whose id starts with this are shown as evidence under the failed criterion `metric` they name. */
export const EVIDENCE_PREFIX = 'evidence:';

export function renderMarkdown(input: ReportInput): string {
  return renderMarkdownWith(input, {});
}

const STATUS_RANK: Record<Status, number> = { fail: 0, marginal: 1, 'no-data': 2, pass: 3 };

interface Row {
  cells: string[];
  /** Lower is kept first when a table is trimmed. */
  rank: number;
  /** Among rows of one rank, lower is kept first (a criterion: by status, then the furthest past its limit). */
  sub?: number;
  /** Never trimmed (a blocking criterion). */
  keep?: boolean;
  /** What the row is (its status), to say what a trimmed table left out. */
  kind?: string;
}

/** The rows a table shows under `limits` (the order they are shown in) and the rows it leaves out. */
function trimRows(rows: Row[], limits: RenderLimits): { shown: Row[]; omitted: Row[] } {
  if (limits.maxRows === undefined || rows.length <= limits.maxRows) return { shown: rows, omitted: [] };
  const order = rows.map((r, i) => ({ r, i })).sort((a, b) => a.r.rank - b.r.rank || (a.r.sub ?? 0) - (b.r.sub ?? 0) || a.i - b.i).map((x) => x.r);
  // Blocking rows always (unless they too are trimmed); the other rows, the worst first, up to maxRows rows in all.
  const kept = new Set(limits.trimBlocking ? [] : order.filter((r) => r.keep));
  for (const r of order) {
    if (kept.size >= limits.maxRows) break;
    kept.add(r);
  }
  return { shown: order.filter((r) => kept.has(r)), omitted: order.filter((r) => !kept.has(r)) };
}

/** `12 more rows not shown to fit the size limit: 10 ✅ PASS, 2 ⚠️ MARGINAL.` — what a trimmed table left out. */
function omittedNote(rows: Row[], omitted: Row[], after = ''): string {
  const n = omitted.length;
  const kinds = new Map<string, number>();
  for (const r of omitted) if (r.kind) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  const what = kinds.size > 0 ? `: ${[...kinds].map(([k, c]) => `${c} ${k}`).join(', ')}` : '';
  const kept = rows.some((r) => r.keep) && !omitted.some((r) => r.keep) ? ' Every blocking row is shown.' : '';
  return `_${n} more row${n === 1 ? '' : 's'} not shown to fit the size limit${what}.${kept}${after}_`;
}

function table(header: string[], rows: Row[], limits: RenderLimits, align?: string[], omittedAfter?: string): string {
  const { shown, omitted } = trimRows(rows, limits);
  const body = markdownTable(
    [header.map(escapeCell), ...shown.map((r) => r.cells.map(escapeCell))],
    align ? { align, alignDelimiters: false } : { alignDelimiters: false },
  );
  return omitted.length > 0 ? `${body}\n\n${omittedNote(rows, omitted, omittedAfter)}` : body;
}

function sectionsAt(input: ReportInput, limits: RenderLimits, place: ReportSection['place'], scenario?: string): ReportSection[] {
  return (input.sections ?? []).filter(
    (s) =>
      s.place === place &&
      !s.id.startsWith(EVIDENCE_PREFIX) &&
      !limits.dropSections?.has(s.id) &&
      (place !== 'scenario' || s.scenario === scenario),
  );
}

function renderSection(s: ReportSection, level: number): string {
  const body = s.markdown.trimEnd();
  return s.title ? `${'#'.repeat(level)} ${s.title}\n\n${body}` : body;
}

/**
 * `p(99) < 500 ms`: the expression with its limit in the value's unit; a relative rule adds the
 * baseline and the limit that follows from it (`p(99) < +10%: base 361 ms → limit 397 ms`).
 * `limitText` is the limit as already formatted (see `actualAndLimit`).
 */
export function criterionTarget(c: CriterionResult, withRelativeLimit = true, limitText?: string): string {
  if (c.metric === RUN_COMPLETED) return 'k6 run completes';
  if (c.metric === RUN_NOT_FAILED) return 'the script does not mark the test failed';
  if (c.metric === RUN_OUTPUT) return 'k6 writes samples';
  const m = /^\s*(p\([^)]*\)|[a-z]+)\s*(<=|>=|===|==|!=|<|>)\s*(.*?)\s*$/.exec(c.expression);
  if (!m) return c.expression;
  const [, agg, op, rest] = m as unknown as [string, string, string, string];
  const limit = limitText ?? formatValue(c.limit, c.unit, c.metric);
  if (c.kind === 'relative') {
    if (!withRelativeLimit || !Number.isFinite(c.limit)) return `${agg} ${op} ${rest}`;
    const base = c.baseline !== undefined && c.baseline !== null ? `base ${formatValue(c.baseline, c.unit, c.metric)} → ` : '';
    return `${agg} ${op} ${rest}: ${base}limit ${limit}`;
  }
  if (!Number.isFinite(c.limit)) return c.expression;
  return `${agg} ${op} ${limit}`;
}

/** The actual value and the limit, with decimals enough that they differ when the numbers do. */
export function actualAndLimit(c: CriterionResult): { actual: string; limit: string } {
  if (!Number.isFinite(c.limit)) return { actual: formatValue(c.actual, c.unit, c.metric), limit: formatValue(c.limit, c.unit, c.metric) };
  const [actual, limit] = formatPair(c.actual, c.limit, c.unit, c.metric);
  return { actual, limit };
}

/** Why a criterion counts the way it does: `(warn only)`, `(blocking)`, or for no data its policy. */
export function statusQualifier(c: CriterionResult): string {
  if (c.severity === 'warn' && c.status !== 'pass') return ' (warn only)';
  if (c.blocking) return ' (blocking)';
  if (c.status === 'no-data') return (c.noData ?? 'warn') === 'pass' ? ' (ignored: no-data: pass)' : ' (no-data: warn)';
  return '';
}

function statusCell(c: CriterionResult): string {
  return `${STATUS_BADGE[c.status]}${statusQualifier(c)}`;
}

function sameWindow(a: TimeWindow | undefined, b: TimeWindow | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Math.abs(a.start - b.start) < 1000 && Math.abs(a.end - b.end) < 1000;
}

/**
 * The note of a criterion measured over another interval than its scenario's headline (a rule's own
 * `window: steady` or warm-up), e.g. `measured over the steady state, 14:30:35–14:30:48 UTC (13 s)`.
 * Undefined when both cover the same seconds.
 */
export function criterionWindowNote(c: CriterionResult, scenarioWindow: TimeWindow | undefined, span: TimeWindow | undefined): string | undefined {
  if (c.kind === 'utilization' || isRunCriterion(c) || c.windowMode === undefined) return undefined;
  if (c.window === undefined) {
    // No window: either the whole run, or a window that could not be had (then the reason says so).
    if (c.windowMode !== 'all' || (c.warmupSeconds ?? 0) > 0 || scenarioWindow === undefined) return undefined;
    if (span && sameWindow(scenarioWindow, span)) return undefined;
    return `measured over the whole run${span ? `, ${clockRange(span)} (${durationText(span.end - span.start)})` : ''}`;
  }
  if (sameWindow(c.window, scenarioWindow ?? span)) return undefined;
  const why: string[] = [];
  if (c.windowMode === 'steady') why.push('the steady state');
  if ((c.warmupSeconds ?? 0) > 0) why.push(`${why.length > 0 ? 'after' : 'the run after'} the first ${durationText((c.warmupSeconds ?? 0) * 1000)} warm-up`);
  return `measured over ${why.length > 0 ? why.join(' ') : 'its own window'}, ${clockRange(c.window)} (${durationText(c.window.end - c.window.start)})`;
}

function rowRank(c: CriterionResult): number {
  return c.blocking ? -1 : STATUS_RANK[c.status];
}


/** The highest VU count of the run, or undefined when the results carry no VU series. */
function peakVus(r: Results): number | undefined {
  const pts = r.span ? r.timeline(1) : [];
  const max = Math.max(0, ...pts.map((p) => p.vus));
  return max > 0 ? max : undefined;
}

/**
 * The run's shape, as the load-testing report's scenario section gives it: duration, peak VUs, and
 * ramp-up / sustained / ramp-down from the steady state (VUs at their peak).
 */
function loadProfile(r: Results): string[] {
  const span = r.span;
  if (!span) return [];
  const out = [`**Duration**: ${durationText(span.end - span.start)} (${clockRange(span)})`];
  const peak = peakVus(r);
  if (peak === undefined) return out;
  out.push(`**Peak VUs**: ${Math.round(peak)}`);
  const found = r.steadyWindow();
  // the steady state is found in whole buckets; within the run's span, the three parts add up to its duration
  const steady = found && { start: Math.max(found.start, span.start), end: Math.min(found.end, span.end) };
  if (steady && steady.end > steady.start) {
    const up = steady.start - span.start;
    const down = span.end - steady.end;
    out.push(
      `**Ramp-up**: ${durationText(up)} (0 → ${Math.round(peak)} VUs) · **Sustained**: ${durationText(steady.end - steady.start)} (${Math.round(peak)} VUs) · **Ramp-down**: ${durationText(down)} (${Math.round(peak)} → 0 VUs)`,
    );
  }
  return out;
}

function metricLabel(c: CriterionResult): string {
  return isRunCriterion(c) ? c.metric : metricCode(c.metric);
}

// ───────────────────────────── the report ─────────────────────────────

export function renderMarkdownWith(input: ReportInput, limits: RenderLimits): string {
  const ev = input.evaluation;
  const env = input.environment ?? {};
  const out: string[] = [];
  if (input.marker) out.push(`<!-- ${input.marker.replace(/--/g, '- -')} -->`);
  out.push(`# ${VERDICT_BADGE[ev.verdict]} — Load test report`);
  const meta: string[] = [];
  const ran = runSpan(input);
  if (ran) meta.push(`**Test run**: ${ran}`);
  else if (env.generatedAt) meta.push(`**Report generated**: ${env.generatedAt}`);
  if (env.commit) meta.push(`**Commit**: ${code(env.commit.slice(0, 12))}`);
  if (env.ref) meta.push(`**Ref**: ${code(env.ref)}`);
  meta.push(`**Scenarios**: ${ev.scenarios.map((s) => inlineText(s.name)).join(', ') || 'none'}`);
  out.push(meta.join(' · '));
  out.push('---');

  out.push(...executiveSummary(input, limits));
  out.push('---');
  out.push(...environmentSection(input));
  out.push('---');
  out.push('## 2. Test results');
  ev.scenarios.forEach((s, i) => out.push(...scenarioSection(input, limits, s, i + 1)));
  out.push('---');
  out.push(...sloSection(input, limits));
  out.push('---');
  out.push(...decisionSection(input, limits));
  out.push('---');
  out.push(...dataQualitySection(input));
  return `${out.join('\n\n')}\n`;
}

/**
 * When the tests ran, from the results' own sample times (first to last sample over every scenario):
 * `2026-11-02 14:00:00–14:30:59 UTC`. Undefined when no results carry sample times.
 */
export function runSpan(input: ReportInput): string | undefined {
  const spans = input.evaluation.scenarios.map((s) => input.results[s.name]?.span).filter((w): w is TimeWindow => w !== undefined);
  if (spans.length === 0) return undefined;
  const start = Math.min(...spans.map((w) => w.start));
  const end = Math.max(...spans.map((w) => w.end));
  const [d0, t0] = formatInstant(start).replace(/Z$/, '').split('T') as [string, string];
  const [d1, t1] = formatInstant(end).replace(/Z$/, '').split('T') as [string, string];
  return d0 === d1 ? `${d0} ${t0}–${t1} UTC` : `${d0} ${t0} – ${d1} ${t1} UTC`;
}

function executiveSummary(input: ReportInput, limits: RenderLimits): string[] {
  const ev = input.evaluation;
  const out = ['## Executive summary', `**Verdict**: ${VERDICT_BADGE[ev.verdict]}`];
  const all = ev.scenarios.flatMap((s) => s.criteria);
  const findings: string[] = [];
  const notable = all
    .filter((c) => c.status === 'fail' || c.status === 'marginal' || (c.status === 'no-data' && (c.noData ?? 'warn') !== 'pass'))
    // the worst first: blocking, then by status, then the furthest past its limit
    .sort((a, b) => rowRank(a) - rowRank(b) || statusOrder(a) - statusOrder(b) || overshoot(b) - overshoot(a));
  const maxFindings = limits.maxRows !== undefined ? Math.min(10, limits.maxRows) : 10;
  const groups = sameValueGroups(notable);
  for (const g of groups.slice(0, maxFindings)) {
    const c = g[0]!;
    const v = actualAndLimit(c);
    const actual = c.actual === null ? inlineText(c.reason ?? 'no data') : v.actual;
    const lim = Number.isFinite(c.limit) && !isRunCriterion(c) ? ` (limit ${v.limit})` : '';
    const what = isRunCriterion(c) ? `${c.metric}: ${inlineText(c.reason ?? '')}` : `${groupNames(g)} ${code(c.expression)}: ${actual}${lim}`;
    findings.push(`- ${STATUS_ICON[c.status]} **${inlineText(c.scenario)}** ${what}${c.blocking ? ' — blocking' : c.severity === 'warn' ? ' — warn only' : ''}`);
  }
  if (groups.length > maxFindings) findings.push(`- … and ${moreText(ev, groups.slice(maxFindings).flat(), limits, 'below')}`);
  for (const s of ev.scenarios) {
    const r = input.results[s.name];
    if (!r) continue;
    const h = headlineFor(r, s.window);
    if (requestCount(r, s.window) === 0) {
      // k6 reads a rate or counter without samples as 0: "error rate 0.00%" of no request would read as good
      findings.push(`- **${inlineText(s.name)}**${headlineWindowLabel(s, r)}: no HTTP requests were made, so there is no latency, error rate or throughput to show`);
    } else findings.push(
      `- **${inlineText(s.name)}**${headlineWindowLabel(s, r)}: p95 = ${headlineValue(s, h.p95, 'ms', 'http_req_duration')}, p99 = ${headlineValue(s, h.p99, 'ms', 'http_req_duration')}, error rate ${headlineValue(s, h.errorRate, 'ratio', 'http_req_failed')}, throughput ${headlineValue(s, h.rps, 'per-second', 'http_reqs')}`,
    );
    const util = s.criteria.filter((c) => c.kind === 'utilization' && c.actual !== null);
    if (util.length > 0) {
      findings.push(
        `  - utilization: ${util
          .slice(0, 6)
          .map((c) => `${inlineText(c.metric)} ${c.expression.replace(/[<>=!].*$/, '')} ${formatPair(c.actual, c.limit, c.unit, c.metric)[0]} ${STATUS_ICON[c.status]}`)
          .join(', ')}`,
      );
    }
  }
  if (findings.length > 0) out.push(`**Key findings**:\n\n${findings.join('\n')}`);
  out.push(`**Recommendation**: ${recommendation(ev)}`);
  for (const s of sectionsAt(input, limits, 'summary')) out.push(renderSection(s, 3));
  return out;
}

/**
 * A headline number as the criteria that measured the very same value show it: a limit of
 * `rate<0.001` shows the error rate as `0.1004%`, so the headline beside it does not read `0.10%`.
 * Only criteria on the headline's own metric, without a tag filter, count: `iterations` at one
 * request per iteration has the same rate as `http_reqs`, in it/s.
 */
function headlineValue(s: ScenarioEvaluation, value: number | null, unit: Unit, metric: string): string {
  let text = formatValue(value, unit, metric);
  if (value === null) return text;
  // the criteria that judged this very value (same metric, same window): its status beside it, as the
  // template's "p99 = 348ms (PASS)"
  const judged = s.criteria.filter((c) => c.actual === value && c.unit === unit && c.metric === metric && !isRunCriterion(c));
  for (const c of judged) {
    const shown = actualAndLimit(c).actual;
    if (shown.length > text.length) text = shown;
  }
  // (a relative rule without a baseline has the value but no verdict on it: not counted)
  const worst = judged.filter((c) => c.status !== 'no-data').reduce<CriterionResult | undefined>((w, c) => (!w || STATUS_RANK[c.status] < STATUS_RANK[w.status] ? c : w), undefined);
  return worst ? `${text} ${STATUS_ICON[worst.status]}` : text;
}

/** Among blocking rows too: fail before marginal before no data. */
function statusOrder(c: CriterionResult): number {
  return STATUS_RANK[c.status];
}

/**
 * How far a value lies past its limit, relative to the limit (0.5: 50% over an upper limit or under a
 * lower one); 0 without a value or a limit.
 */
function overshoot(c: CriterionResult): number {
  if (c.actual === null || !Number.isFinite(c.limit) || !Number.isFinite(c.actual)) return 0;
  const op = /(<=|>=|<|>)/.exec(c.expression)?.[1];
  if (op === undefined) return 0;
  const past = op.startsWith('<') ? c.actual - c.limit : c.limit - c.actual;
  return past / (Math.abs(c.limit) || 1);
}

/** ` (steady state, 14:30:35–14:30:48 UTC)` when the scenario's numbers cover less than the whole run. */
function headlineWindowLabel(s: ScenarioEvaluation, r: Results): string {
  if (!s.window || (r.span && sameWindow(s.window, r.span))) return '';
  const why: string[] = [];
  if (s.windowMode === 'steady') why.push('steady state');
  if ((s.warmupSeconds ?? 0) > 0) why.push(`after a ${durationText((s.warmupSeconds ?? 0) * 1000)} warm-up`);
  return ` (${why.length > 0 ? `${why.join(', ')}, ` : ''}${clockRange(s.window)})`;
}

/**
 * `16 more (2 blocking): 10 in the criteria tables below, 6 cut to fit the size limit` — exactly
 * where the criteria a list leaves out can be found (blocking rows are never cut from the tables).
 */
function moreText(ev: Evaluation, rest: CriterionResult[], limits: RenderLimits, where: 'below' | 'above'): string {
  const shown = new Set(ev.scenarios.flatMap((s) => [...criteriaShown(s, limits)]));
  const inTables = rest.filter((c) => shown.has(c)).length;
  const cut = rest.length - inTables;
  const blocking = rest.filter((c) => c.blocking).length;
  const head = `${rest.length} more${blocking > 0 ? ` (${blocking} blocking)` : ''}`;
  if (cut === 0) return `${head}, in the criteria tables ${where}`;
  if (inTables === 0) return `${head}, cut from this report to fit the size limit`;
  return `${head}: ${inTables} in the criteria tables ${where}, ${cut} cut from this report to fit the size limit`;
}

/** Metric keys a list line names at most (all of them when there is only one more). */
export const GROUP_NAMES_SHOWN = 3;

/**
 * The metrics of a same-value group as a list line names them: `` `a` and `b` ``, or the first ones
 * and how many more (`` `a`, `b`, `c` and 147 more metrics ``) — a wildcard rule failing the same way
 * on 150 endpoints is one readable line, not 150 keys; the criteria tables name every one.
 */
function groupNames(g: CriterionResult[]): string {
  const names = g.map((x) => metricCode(x.metric));
  if (names.length <= GROUP_NAMES_SHOWN + 1) return names.join(' and ');
  const rest = names.length - GROUP_NAMES_SHOWN;
  return `${names.slice(0, GROUP_NAMES_SHOWN).join(', ')} and ${rest} more metric${rest === 1 ? '' : 's'}`;
}

/**
 * Criteria of one scenario that say the same thing — the same expression, value, limit and status,
 * e.g. `http_req_duration{endpoint:create_trade}` and the script's `create_trade_latency` trend over
 * the same requests — grouped, so a list names the measurement once. Order kept (by first member).
 */
function sameValueGroups(cs: CriterionResult[]): CriterionResult[][] {
  const groups: CriterionResult[][] = [];
  const byKey = new Map<string, CriterionResult[]>();
  for (const c of cs) {
    if (c.actual === null || isRunCriterion(c)) {
      groups.push([c]);
      continue;
    }
    const key = JSON.stringify([c.scenario, c.expression, c.actual, c.limit, c.unit, c.status, c.blocking, c.severity]);
    const g = byKey.get(key);
    if (g) g.push(c);
    else {
      const fresh = [c];
      byKey.set(key, fresh);
      groups.push(fresh);
    }
  }
  return groups;
}

function recommendation(ev: Evaluation): string {
  switch (ev.verdict) {
    case 'NOT_APPROVED':
      return 'Do not merge yet: fix the blocking criteria below and run the load test again.';
    case 'CONDITIONALLY_APPROVED':
      return 'Mergeable, with conditions: look at the criteria marked ⚠️ or ❔ and keep monitoring them.';
    case 'APPROVED':
      return ev.scenarios.every((s) => s.criteria.length === 0)
        ? 'Nothing was judged: thresholds.yml sets no criteria for these scenarios, so this approval says nothing about performance. Add thresholds.'
        : 'Ready to merge: every criterion that counts passes.';
  }
}

function environmentSection(input: ReportInput): string[] {
  const env = input.environment ?? {};
  const rows: Row[] = [];
  const add = (k: string, v: string | undefined) => {
    if (v) rows.push({ cells: [k, v], rank: 0 });
  };
  add('Target', env.baseUrl ? code(maskUrl(env.baseUrl)) : undefined);
  add('Commit', env.commit ? code(env.commit) : undefined);
  add('Ref', env.ref ? code(env.ref) : undefined);
  add('Trigger', env.trigger && inlineText(env.trigger));
  add('Actor', env.actor && inlineText(env.actor));
  add('Workflow run', env.runUrl);
  add('Load testing tool', env.k6Version ? `k6 ${env.k6Version}` : 'k6');
  add('Thresholds', env.thresholdsFile ? code(env.thresholdsFile) : undefined);
  add('Baseline', env.baselineSource && inlineText(env.baselineSource));
  add('Fails the gate on', input.evaluation.failOn === 'marginal' ? '⚠️ MARGINAL or ❌ FAIL' : '❌ FAIL');
  for (const s of input.evaluation.scenarios) {
    const r = input.results[s.name];
    if (!r) continue;
    const files = r.diagnostics.files.length;
    add(`Results (${inlineText(s.name)})`, `${r.source === 'ndjson' ? 'k6 JSON output' : 'k6 end-of-test summary'}, ${files} file${files === 1 ? '' : 's'}`);
  }
  add('Generated', env.generatedAt);
  // A few rows that say where the numbers come from: never trimmed.
  return ['## 1. Test environment', table(['Item', 'Value'], rows, {})];
}

function httpBlock(r: Results, w: TimeWindow | undefined): string | undefined {
  const lines: string[] = [];
  const pad = (name: string) => `${name}${'.'.repeat(Math.max(3, 31 - name.length))}:`;
  const count = (metric: string) => measureValue(r, metric, { kind: 'count' }, w);
  const rate = (metric: string) => measureValue(r, metric, RATE, w);
  const checks = r.metrics.has('checks') ? count('checks') : null;
  if (checks !== null) {
    const n = checks;
    const p = rate('checks');
    const passes = n !== null && p !== null ? Math.round(n * p) : null;
    lines.push(`${pad('checks')} ${formatValue(p, 'ratio')}  ✓ ${formatValue(passes, 'count')}  ✗ ${formatValue(n !== null && passes !== null ? n - passes : null, 'count')}`);
  }
  if (r.metrics.has('http_req_duration')) {
    const v = (kind: 'avg' | 'min' | 'med' | 'max') => formatValue(measureValue(r, 'http_req_duration', { kind }, w), 'ms').replace(' ', '');
    const p = (n: number) => formatValue(measureValue(r, 'http_req_duration', { kind: 'p', p: n }, w), 'ms').replace(' ', '');
    lines.push(`${pad('http_req_duration')} avg=${v('avg')} min=${v('min')} med=${v('med')} max=${v('max')} p(90)=${p(90)} p(95)=${p(95)} p(99)=${p(99)}`);
  }
  if (r.metrics.has('http_req_failed')) {
    const n = count('http_req_failed');
    const p = rate('http_req_failed');
    const failed = n !== null && p !== null ? Math.round(n * p) : null;
    lines.push(`${pad('http_req_failed')} ${formatValue(p, 'ratio')}  ${formatValue(failed, 'count')} failed of ${formatValue(n, 'count')}`);
  }
  if (r.metrics.has('http_reqs')) {
    lines.push(`${pad('http_reqs')} ${formatValue(count('http_reqs'), 'count')}  ${formatValue(rate('http_reqs'), 'per-second', 'http_reqs')}`);
  }
  if (lines.length === 0) return undefined;
  return `\`\`\`text\n${lines.join('\n')}\n\`\`\``;
}

function endpointTable(r: Results, w: TimeWindow | undefined, limits: RenderLimits): string | undefined {
  const rows: Row[] = [];
  for (const name of customTrends(r)) {
    const info = r.metrics.get(name);
    const unit = info?.contains === 'time' ? 'ms' : info?.contains === 'data' ? 'bytes' : 'number';
    rows.push({
      cells: [
        code(name),
        formatValue(measureValue(r, name, { kind: 'count' }, w), 'count'),
        '—',
        formatValue(measureValue(r, name, P95, w), unit),
        formatValue(measureValue(r, name, P99, w), unit),
        '—',
      ],
      rank: 0,
    });
  }
  // The test mix: each endpoint's share of all requests in the window.
  const total = measureValue(r, 'http_reqs', { kind: 'count' }, w) ?? measureValue(r, 'http_req_duration', { kind: 'count' }, w);
  for (const endpoint of [...r.tagValues('http_req_duration', 'endpoint')].sort((a, b) => a.localeCompare(b))) {
    const tags = { endpoint };
    const requests = measureValue(r, 'http_reqs', { kind: 'count' }, w, tags) ?? measureValue(r, 'http_req_duration', { kind: 'count' }, w, tags);
    rows.push({
      cells: [
        metricCode(`endpoint:${endpoint}`),
        formatValue(requests, 'count'),
        requests !== null && total !== null && total > 0 ? formatValue((100 * requests) / total, 'percent') : '—',
        formatValue(measureValue(r, 'http_req_duration', P95, w, tags), 'ms'),
        formatValue(measureValue(r, 'http_req_duration', P99, w, tags), 'ms'),
        formatValue(measureValue(r, 'http_req_failed', RATE, w, tags), 'ratio'),
      ],
      rank: 0,
    });
  }
  if (rows.length === 0) return undefined;
  return table(['Endpoint / metric', 'Requests', 'Mix', 'p95', 'p99', 'Error rate'], rows, limits, ['l', 'r', 'r', 'r', 'r', 'r']);
}

function criterionRow(c: CriterionResult, cells: string[]): Row {
  const past = Math.max(-1e6, Math.min(1e6, overshoot(c)));
  return { cells, rank: rowRank(c), sub: statusOrder(c) * 1e7 - past, keep: c.blocking, kind: statusCell(c) };
}

/** The criteria a scenario's table shows under `limits` (all of them when nothing is trimmed). */
function criteriaShown(s: ScenarioEvaluation, limits: RenderLimits): Set<CriterionResult> {
  const rows = s.criteria.map((c) => ({ ...criterionRow(c, []), c }));
  return new Set(trimRows(rows, limits).shown.map((r) => (r as (typeof rows)[number]).c));
}

function criteriaTable(s: ScenarioEvaluation, r: Results | undefined, limits: RenderLimits): string {
  const withBaseline = s.criteria.some((c) => c.baseline !== undefined && c.baseline !== null);
  const notes = s.criteria.map((c) => [criterionWindowNote(c, s.window, r?.span), c.reason && inlineText(c.reason)].filter((x): x is string => !!x).join('; '));
  const withNotes = notes.some((n) => n !== '');
  const header = ['Metric', 'Target', 'Actual'];
  if (withBaseline) header.push('Baseline', 'Δ');
  header.push('Status');
  if (withNotes) header.push('Notes');
  const rows: Row[] = s.criteria.map((c, i) => {
    const v = actualAndLimit(c);
    const cells = [metricLabel(c), criterionTarget(c, true, v.limit), v.actual];
    if (withBaseline) cells.push(formatValue(c.baseline, c.unit, c.metric), formatDelta(c.delta, c.baseline, c.unit, c.metric));
    cells.push(statusCell(c));
    if (withNotes) cells.push(notes[i] ?? '');
    return criterionRow(c, cells);
  });
  if (rows.length === 0) return '_No criteria apply to this scenario._';
  return table(header, rows, limits);
}

function worstOf(cs: CriterionResult[]): CriterionResult | undefined {
  return cs.reduce<CriterionResult | undefined>((w, c) => (w === undefined || rowRank(c) < rowRank(w) ? c : w), undefined);
}

/**
 * The scenario's result as its rows say it: the worst row's status with the same qualifier
 * (`❌ FAIL (warn only)`, `⚠️ MARGINAL (blocking)`), and whether the scenario fails the gate.
 */
export function scenarioVerdict(s: ScenarioEvaluation): string {
  const blocking = s.criteria.filter((c) => c.blocking);
  if (blocking.length > 0) {
    const w = worstOf(blocking)!;
    const n = blocking.length;
    return `${STATUS_BADGE[w.status]} (blocking) — ${n} criteri${n === 1 ? 'on fails' : 'a fail'} the gate`;
  }
  const concerns = s.criteria.filter(isConcern);
  if (concerns.length > 0) {
    const w = worstOf(concerns)!;
    const n = concerns.length;
    return `${STATUS_BADGE[w.status]}${statusQualifier(w)} — does not fail the gate; ${n} criteri${n === 1 ? 'on needs' : 'a need'} attention`;
  }
  return STATUS_BADGE.pass;
}

/**
 * Lines as a fenced `text` code block whose fence is longer than any run of backticks in them (at least
 * three), so no line can close it early; line breaks inside a line become spaces.
 */
export function fencedBlock(lines: readonly string[]): string {
  const body = lines.map((l) => l.replace(/\r\n|\r|\n/g, ' '));
  const longest = body.reduce((m, l) => Math.max(m, ...(l.match(/`+/g) ?? []).map((r) => r.length)), 0);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}text`, ...body, fence].join('\n');
}

function scenarioSection(input: ReportInput, limits: RenderLimits, s: ScenarioEvaluation, index: number): string[] {
  const out = [`### 2.${index} ${inlineText(s.name)}`];
  const r = input.results[s.name];
  const facts: string[] = [];
  if (r) facts.push(...loadProfile(r));
  if (s.window || r?.span) {
    const peak = r ? peakVus(r) : undefined;
    facts.push(
      `**Evaluated window**: ${windowNote(s.window, r?.span, { mode: s.windowMode ?? 'all', warmupSeconds: s.warmupSeconds ?? 0, ...(peak !== undefined ? { peakVus: peak } : {}) }).replace(/^Evaluated /, '')}`,
    );
  }
  const dashboards = dashboardsLine(input.dashboards, r?.span);
  if (dashboards) facts.push(dashboards);
  if (s.run) {
    // k6's exit meaning carries the code (`the script threw an exception (107)`); an incomplete run's
    // reason often carries the meaning (`k6 ended early: …`): each is said once.
    const meaning = s.run.exitMeaning || `exit code ${s.run.exitCode ?? 'none'}`;
    const incomplete = s.run.incomplete;
    const how = incomplete ? `incomplete — ${incomplete.includes(meaning) ? incomplete : `${incomplete} (k6: ${meaning})`}` : s.run.exitCode === 0 ? 'completed (exit code 0)' : `completed — k6: ${meaning}`;
    facts.push(`**k6 run**: ${inlineText(how)}${s.run.attempt > 1 ? `, attempt ${s.run.attempt}` : ''}`);
  }
  if (facts.length > 0) out.push(facts.join('  \n'));
  if (s.run?.errors && s.run.errors.length > 0) out.push("**k6's last error lines**:", fencedBlock(s.run.errors.map(maskUrl)));
  if (r) {
    const block = httpBlock(r, s.window);
    if (block) out.push('**HTTP metrics**:', block);
    const endpoints = endpointTable(r, s.window, limits);
    if (endpoints) out.push('**Per endpoint**:', endpoints);
  } else {
    out.push('_No results were read for this scenario._');
  }
  out.push('**Pass/fail assessment**:', criteriaTable(s, r, limits));
  const evidence = (input.sections ?? []).filter(
    (x) => x.id.startsWith(EVIDENCE_PREFIX) && (x.scenario === undefined || x.scenario === s.name) && !limits.dropSections?.has(x.id),
  );
  const shownEvidence = new Set<ReportSection>();
  for (const c of [...s.criteria].filter((c) => c.status === 'fail' || c.status === 'marginal').sort((a, b) => rowRank(a) - rowRank(b))) {
    const ev = evidence.filter((x) => x.id === `${EVIDENCE_PREFIX}${c.metric}` && !shownEvidence.has(x));
    for (const e of ev) shownEvidence.add(e);
    for (const e of ev) out.push(`${STATUS_ICON[c.status]} **Evidence for ${metricCode(c.metric)} ${code(c.expression)}**${e.title ? ` — ${e.title}` : ''}:\n\n${e.markdown.trimEnd()}`);
  }
  out.push(`**Scenario result**: ${scenarioVerdict(s)}`);
  for (const x of sectionsAt(input, limits, 'scenario', s.name)) out.push(renderSection(x, 4));
  return out;
}

/** A readable name for the usual SLOs of the load-testing report; a relative rule is a regression guard. */
function sloName(metric: string, expression: string, relative = false): string {
  const agg = expression.match(/^\s*([a-z]+(?:\([\d.]+\))?)/)?.[1] ?? '';
  if (relative) {
    const what = agg.startsWith('p(') ? `p${agg.slice(2, -1)}` : agg;
    const base = metric === 'http_req_duration' ? 'Latency' : sloName(metric, expression);
    return `${base}${base.startsWith('`') ? ` ${what}` : ` ${what}`} regression vs base`;
  }
  if (metric === 'http_req_duration' && agg.startsWith('p(')) return `Latency (p${agg.slice(2, -1)})`;
  if (metric === 'http_req_duration') return `Latency (${agg})`;
  if (metric === 'http_req_failed' && agg === 'rate') return 'Error rate';
  if (metric === 'http_reqs' && agg === 'rate') return 'Throughput';
  if (metric === 'availability') return 'Availability';
  if (metric === 'checks') return 'Checks';
  return metricCode(metric);
}

function sloSection(input: ReportInput, limits: RenderLimits): string[] {
  const ev = input.evaluation;
  const keys: { metric: string; expression: string }[] = [];
  const seen = new Set<string>();
  for (const s of ev.scenarios)
    for (const c of s.criteria) {
      if (isRunCriterion(c)) continue;
      const k = `${c.metric}\u0000${c.expression}`;
      if (!seen.has(k)) {
        seen.add(k);
        keys.push({ metric: c.metric, expression: c.expression });
      }
    }
  const out = ['## 3. Comparison to SLOs'];
  if (keys.length === 0) {
    out.push('_No criteria were evaluated._');
  } else {
    const rows: Row[] = keys.map(({ metric, expression }) => {
      const found = ev.scenarios.map((s) => s.criteria.find((c) => c.metric === metric && c.expression === expression));
      const present = found.filter((c): c is CriterionResult => c !== undefined);
      const worst = worstOf(present);
      const relative = present.some((c) => c.kind === 'relative');
      const name = sloName(metric, expression, relative);
      const label = name.startsWith('`') ? name : `**${name}**`;
      // One target for the row: decimals enough that no scenario's actual reads as the limit.
      const first = present[0];
      let target = expression;
      if (first) {
        let limitText = formatValue(first.limit, first.unit, first.metric);
        for (const c of present) {
          if (c.limit !== first.limit) continue;
          const v = actualAndLimit(c).limit;
          if (v.length > limitText.length) limitText = v;
        }
        target = criterionTarget(first, false, limitText);
      }
      const cell = (c: CriterionResult, i: number): string => {
        const v = actualAndLimit(c);
        // measured over other seconds than the scenario's headline (a rule's `window: steady`): said,
        // or 624 req/s here would contradict the 344 req/s of the whole run in the key findings
        const s = ev.scenarios[i]!;
        const over = criterionWindowNote(c, s.window, input.results[s.name]?.span)?.replace(/^measured (over [^,]*),.*$/s, ' ($1)') ?? '';
        if (c.kind !== 'relative') return `${v.actual} ${STATUS_ICON[c.status]}${over}`;
        const base = c.baseline !== undefined && c.baseline !== null ? `base ${formatValue(c.baseline, c.unit, c.metric)} → ` : '';
        return `${v.actual} ${STATUS_ICON[c.status]}${Number.isFinite(c.limit) ? ` (${base}limit ${v.limit})` : ''}${over}`;
      };
      // A scenario without this rule: its value all the same when the results answer it (the template
      // compares both scenarios on every SLO), marked as not judged there.
      const unjudged = (i: number): string => {
        const s = ev.scenarios[i]!;
        const r = input.results[s.name];
        if (!first || first.kind !== 'k6' || !r) return '—';
        let value: number | null = null;
        try {
          const sel = parseSelector(first.metric);
          if (!sel.tags.some((t) => t.value === '*')) value = valueOf(r.measure(sel, parseExpression(first.expression).aggregation, s.window));
        } catch {
          value = null;
        }
        return value === null ? '—' : `${formatValue(value, first.unit, first.metric)} (no target here)`;
      };
      return {
        cells: [label, target, ...found.map((c, i) => (c ? cell(c, i) : unjudged(i))), worst ? statusCell(worst) : '—'],
        rank: worst ? rowRank(worst) : 3,
        kind: worst ? statusCell(worst) : '—',
      };
    });
    out.push(
      table(['SLO', 'Target', ...ev.scenarios.map((s) => inlineText(s.name)), 'Status'], rows, limits, undefined, limits.trimBlocking ? '' : " Every blocking criterion is in its scenario's criteria table above."),
    );
    out.push(
      `**Legend**: ✅ PASS meets the target · ⚠️ MARGINAL passes within ${marginalBands(ev)} of the limit (watch it) · ❌ FAIL misses the target · ❔ NO DATA nothing to measure. ${
        ev.failOn === 'marginal' ? '❌ and, with fail-on: marginal, ⚠️ fail the gate' : '❌ fails the gate'
      } unless marked (warn only); a row marked (blocking) fails it.`,
    );
  }
  for (const s of sectionsAt(input, limits, 'slo')) out.push(renderSection(s, 3));
  return out;
}

/**
 * The marginal band in words: `10%`, or the usual band and the rules with their own
 * (`10%; 5% for \`portfolio_latency\` p(99)<500 in target-capacity`).
 */
function marginalBands(ev: Evaluation): string {
  const all = ev.scenarios.flatMap((s) => s.criteria).filter((c) => c.marginal !== undefined && !isRunCriterion(c));
  if (all.length === 0) return 'the marginal band';
  const count = new Map<number, number>();
  for (const c of all) count.set(c.marginal!, (count.get(c.marginal!) ?? 0) + 1);
  const usual = [...count].sort((a, b) => b[1] - a[1])[0]![0];
  const pct = (m: number) => formatValue(m * 100, 'percent');
  const others = all.filter((c) => c.marginal !== usual);
  const named = [...new Set(others.map((c) => `${pct(c.marginal!)} for ${code(c.metric)} ${code(c.expression)} in ${inlineText(c.scenario)}`))];
  const shown = named.slice(0, 3).join(', ');
  return `${pct(usual)}${named.length > 0 ? ` (${shown}${named.length > 3 ? ` and ${named.length - 3} more` : ''})` : ''}`;
}

function decisionSection(input: ReportInput, limits: RenderLimits): string[] {
  const ev = input.evaluation;
  const out = ['## 4. Decision'];
  for (const s of sectionsAt(input, limits, 'decision')) out.push(renderSection(s, 3));
  out.push(`**${VERDICT_BADGE[ev.verdict]}**`);
  out.push(`**Rationale**: ${inlineText(ev.rationale)}`);
  const all = ev.scenarios.flatMap((s) => s.criteria);
  const blocking = all.filter((c) => c.blocking);
  const concerns = all.filter(isConcern);
  const line = (g: CriterionResult[]) => {
    const c = g[0]!;
    if (isRunCriterion(c)) return `${STATUS_ICON[c.status]} **${inlineText(c.scenario)}**: ${c.metric} — ${inlineText(c.reason ?? '')}`;
    return `${STATUS_ICON[c.status]} **${inlineText(c.scenario)}**: ${groupNames(g)} ${code(c.expression)} — ${
      c.actual === null ? inlineText(c.reason ?? 'no data') : `actual ${actualAndLimit(c).actual}`
    }${Number.isFinite(c.limit) ? `, limit ${actualAndLimit(c).limit}` : ''}${statusQualifier(c)}${g.length > 1 ? ' (the same value)' : ''}`;
  };
  const cap = limits.maxRows ?? Infinity;
  const list = (cs: CriterionResult[], max: number) => {
    const groups = sameValueGroups(cs);
    const shownGroups = groups.slice(0, max);
    const shown = shownGroups.map((g, i) => `${i + 1}. ${line(g)}`);
    const rest = groups.slice(shownGroups.length).flat();
    if (rest.length > 0) shown.push(`${shown.length + 1}. … and ${moreText(ev, rest, limits, 'above')}`);
    return shown.join('\n');
  };
  // A capped list points to where the rest are: the criteria tables keep every blocking row unless even they do not fit (see moreText).
  if (blocking.length > 0) out.push(`**Blocking criteria**:\n\n${list(blocking, cap)}`);
  if (concerns.length > 0) out.push(`**${blocking.length > 0 ? 'Also needs attention' : 'Conditions'}**:\n\n${list(concerns, cap)}`);
  return out;
}

function dataQualitySection(input: ReportInput): string[] {
  const out = ['## 5. Data quality'];
  const items: string[] = [];
  for (const s of input.evaluation.scenarios) {
    for (const item of dataQualityItems(s, input.results[s.name])) items.push(`- **${inlineText(s.name)}**: ${inlineText(item.text)}`);
  }
  out.push(items.length > 0 ? items.join('\n') : 'No data-quality problems were found: every line was read and every run completed.');
  return out;
}
