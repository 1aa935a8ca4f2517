// The JSON report (what `--json` writes): verdict, criteria, and the measured values a later run
// reads back as its baseline.
import { z } from 'zod';
import { InputError } from '../errors.js';
import { maskUrl } from '../mask.js';
import type { Baseline, CriterionResult, DashboardConfig, Evaluation, Headline, Results, SourcePos, Status, TimeWindow, Unit, Verdict } from '../model.js';
import { baselineKey, measurementKey, WINDOW_KEY_SUFFIX, windowKeyText } from '../evaluate/keys.js';
import { isRunCriterion } from '../evaluate/evaluate.js';
import type { ReportEnvironment } from './markdown.js';
import { HEADLINE_MEASURES, headlineFor } from './stats.js';
import { dataQualityItems } from './quality.js';
import { dashboardLinks, type DashboardLink } from './dashboards.js';
import { aggregationText } from '../evaluate/keys.js';

export const JSON_REPORT_SCHEMA = 1;

export interface JsonCriterion {
  scenario: string;
  metric: string;
  expression: string;
  actual: number | null;
  limit: number | null;
  unit: Unit;
  status: Status;
  blocking: boolean;
  severity: 'error' | 'warn';
  kind: CriterionResult['kind'];
  reason: string | null;
  baseline: number | null;
  delta: number | null;
  /** The interval this criterion was measured over (epoch ms), null for the whole run (or no data). */
  window: TimeWindow | null;
  /**
   * Where its rule is written in thresholds.yml (an expanded `{tenant:*}` row points to the wildcard
   * rule); null for the criteria perf-gate adds itself (the k6 run completes, is not marked failed).
   */
  pos: SourcePos | null;
}

export interface JsonScenario {
  name: string;
  window: TimeWindow | null;
  notes: string[];
  /** What the report's data-quality section says of this scenario (lines skipped, files cut short or empty, …). */
  dataQuality: string[];
  headline: Headline;
  /** k6's last error lines of this scenario's run (`RunRecord.errors`): present only when there are some. */
  k6Errors?: string[];
  /** thresholds.yml's dashboards opened on this scenario's run (`from`/`to` set): present only when it has some. */
  dashboards?: DashboardLink[];
}

export interface JsonReport {
  schema: 1;
  verdict: Verdict;
  failOn: 'fail' | 'marginal';
  rationale: string;
  generatedAt?: string;
  environment?: ReportEnvironment;
  scenarios: JsonScenario[];
  criteria: JsonCriterion[];
  /**
   * `scenario|metric|aggregation` → value, with `|steady` / `|warmup=30s` appended for a value measured
   * over a narrower window than the whole run (see `baselineKey`): what a later run compares with.
   */
  measurements: Record<string, number>;
  /** What the faces print as warnings (GateResult.warnings). */
  warnings: string[];
}

const ENVIRONMENT_ORDER: readonly (keyof ReportEnvironment)[] = ['baseUrl', 'commit', 'ref', 'trigger', 'actor', 'runUrl', 'k6Version', 'thresholdsFile', 'generatedAt', 'baselineSource'];

/** The environment's fields in one order (ReportEnvironment's, then any others as given), unset ones left out. */
function orderedEnvironment(env: ReportEnvironment): ReportEnvironment {
  const out: Record<string, unknown> = {};
  for (const k of [...ENVIRONMENT_ORDER, ...Object.keys(env)]) {
    const v = (env as Record<string, unknown>)[k];
    if (v !== undefined && !(k in out)) out[k] = v;
  }
  return out as ReportEnvironment;
}

function num(n: number | null | undefined): number | null {
  return n === null || n === undefined || !Number.isFinite(n) ? null : n;
}

/**
 * The aggregation of a threshold expression in its canonical form (`p(99)`, `avg`), or undefined.
 * `p(99.0)` reads as `p(99)`, as `aggregationText` writes it.
 */
export function expressionAggregation(expression: string): string | undefined {
  const m = /^\s*(?:p\(\s*([0-9]*\.?[0-9]+)\s*\)|(avg|min|max|med|count|rate|value)\b)/.exec(expression);
  if (!m) return undefined;
  if (m[1] !== undefined) return aggregationText({ kind: 'p', p: Number(m[1]) });
  return m[2];
}

export function toJsonReport(
  ev: Evaluation,
  extra: { results: Record<string, Results>; generatedAt?: string; environment?: ReportEnvironment; warnings?: string[]; dashboards?: readonly DashboardConfig[] },
): JsonReport {
  const measurements: Record<string, number> = {};
  const criteria: JsonCriterion[] = [];
  for (const s of ev.scenarios) {
    for (const c of s.criteria) {
      criteria.push({
        scenario: c.scenario,
        metric: c.metric,
        expression: c.expression,
        actual: num(c.actual),
        limit: num(c.limit),
        unit: c.unit,
        status: c.status,
        blocking: c.blocking,
        severity: c.severity,
        kind: c.kind,
        reason: c.reason ?? null,
        baseline: num(c.baseline),
        delta: num(c.delta),
        window: c.window ?? null,
        pos: c.pos.line > 0 ? { file: c.pos.file, line: c.pos.line, column: c.pos.column } : null,
      });
      const agg = isRunCriterion(c) ? undefined : expressionAggregation(c.expression);
      const actual = num(c.actual);
      if (agg !== undefined && actual !== null) {
        const key = baselineKey(s.name, c.metric, agg, windowKeyText(c.windowMode, c.warmupSeconds));
        if (!(key in measurements)) measurements[key] = actual;
      }
    }
  }
  const scenarios: JsonScenario[] = ev.scenarios.map((s) => {
    const r = extra.results[s.name];
    const headline: Headline = r ? headlineFor(r, s.window) : { p95: null, p99: null, errorRate: null, rps: null };
    for (const h of HEADLINE_MEASURES) {
      const v = num(headline[h.field]);
      // The headline is measured over the scenario's window: keyed with it.
      const key = baselineKey(s.name, h.metric, aggregationText(h.aggregation), windowKeyText(s.windowMode, s.warmupSeconds));
      if (v !== null && !(key in measurements)) measurements[key] = v;
    }
    const scenario: JsonScenario = { name: s.name, window: s.window ?? null, notes: s.notes, dataQuality: dataQualityItems(s, r).map((i) => i.text), headline };
    if (s.run?.errors && s.run.errors.length > 0) scenario.k6Errors = s.run.errors.map(maskUrl);
    const links = extra.dashboards ? dashboardLinks(extra.dashboards, r?.span).links : [];
    if (links.length > 0) scenario.dashboards = links;
    return scenario;
  });
  // Fields in the documented order (docs/report.md), whatever the caller's environment object holds.
  return {
    schema: JSON_REPORT_SCHEMA,
    verdict: ev.verdict,
    failOn: ev.failOn,
    rationale: ev.rationale,
    ...(extra.generatedAt ? { generatedAt: extra.generatedAt } : {}),
    ...(extra.environment ? { environment: orderedEnvironment(extra.environment) } : {}),
    scenarios,
    criteria,
    measurements,
    warnings: extra.warnings ?? [],
  };
}

const BaselineReport = z.object({
  schema: z.literal(JSON_REPORT_SCHEMA),
  scenarios: z.array(z.object({ name: z.string().min(1) })),
  measurements: z.record(z.string(), z.number().refine(Number.isFinite, 'must be a finite number')),
  environment: z.object({ commit: z.string().optional() }).optional(),
});

/**
 * Reads a JSON report written earlier (by `toJsonReport`) as the baseline of this run.
 * Anything else → InputError naming `source`, what is wrong in plain words, and the fix.
 */
export function baselineFromJsonReport(value: unknown, source: string): Baseline {
  const hint = `pass the --json report of an earlier perf-gate run (\`perf-gate evaluate … --json FILE\` writes one; schema ${JSON_REPORT_SCHEMA})`;
  const parsed = BaselineReport.safeParse(value);
  if (!parsed.success) {
    const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
    const shown = (v: unknown): string => {
      if (v === null) return 'null';
      if (Array.isArray(v)) return 'a list';
      if (typeof v === 'string') return v === '' ? 'empty text' : `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
      if (typeof v === 'number') return `the number ${v}`;
      if (typeof v === 'boolean') return String(v);
      return 'an object';
    };
    const at = (path: PropertyKey[]): unknown => path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
    const name = (path: PropertyKey[]): string => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`)).join('');
    const expected = (path: PropertyKey[]): string => {
      const [head] = path;
      if (head === 'scenarios') return path.length === 1 ? 'a list of the report’s scenarios' : path.length === 2 ? 'an object with the scenario’s name' : 'the scenario’s name (non-empty text)';
      if (head === 'measurements') return path.length === 1 ? 'an object of measured values keyed "scenario|metric|aggregation"' : 'a finite number';
      if (head === 'environment') return path.length === 1 ? 'an object' : 'text';
      return 'another value';
    };
    const issues = parsed.error.issues;
    const first = issues[0]!;
    let what: string;
    let fix = hint;
    if (!isObject(value)) {
      what = `not a perf-gate JSON report: (top level): the file holds ${shown(value)}, not an object with schema, scenarios and measurements`;
    } else if (value.schema === undefined && isObject(value.metrics)) {
      what = 'not a perf-gate JSON report but a k6 summary (it has `metrics` and no `schema`)';
      fix = `k6 output goes to --results; --baseline takes the --json report of an earlier perf-gate run`;
    } else if (typeof value.schema === 'number' && value.schema !== JSON_REPORT_SCHEMA) {
      what = `a perf-gate JSON report of another version: \`schema\` is ${value.schema}, and this version of perf-gate reads schema ${JSON_REPORT_SCHEMA}`;
      fix = 'write the baseline again with this version of perf-gate (`perf-gate evaluate … --json FILE` on the base branch)';
    } else {
      const missing = issues.filter((i) => i.path.length > 0 && at(i.path) === undefined).map((i) => `\`${name(i.path)}\``);
      if (missing.length > 0) {
        const list = missing.length === 1 ? `the field ${missing[0]} is` : `the fields ${missing.slice(0, -1).join(', ')} and ${missing.at(-1)} are`;
        what = `not a perf-gate JSON report: ${list} missing: the file is another kind of JSON, or was written by another version of perf-gate`;
      } else {
        const actual = at(first.path);
        const wanted = first.path[0] === 'schema' ? `the number ${JSON_REPORT_SCHEMA}` : expected(first.path);
        what = `not a perf-gate JSON report: \`${name(first.path)}\` is ${shown(actual)}, expected ${wanted}`;
      }
    }
    throw new InputError(what, source, fix);
  }
  const report = parsed.data;
  const scenarios: Baseline['scenarios'] = {};
  const names = report.scenarios.map((s) => s.name).sort((a, b) => b.length - a.length);
  for (const n of names) scenarios[n] = {};
  for (const [key, value] of Object.entries(report.measurements)) {
    const name = names.find((n) => key.startsWith(`${n}|`));
    let rest = name === undefined ? undefined : key.slice(name.length + 1);
    // An optional window part (`|steady`, `|warmup=30s`): reports written before it existed have none.
    const win = rest === undefined ? undefined : WINDOW_KEY_SUFFIX.exec(rest);
    if (rest !== undefined && win) rest = rest.slice(0, win.index);
    const bar = rest?.lastIndexOf('|') ?? -1;
    if (name === undefined || rest === undefined || bar <= 0 || bar === rest.length - 1) {
      throw new InputError(`not a perf-gate JSON report: measurements key "${key}" is not "scenario|metric|aggregation" (optionally "|window") for a scenario of the report`, source, hint);
    }
    (scenarios[name] as Record<string, number>)[measurementKey(rest.slice(0, bar), rest.slice(bar + 1), win?.[1] ?? '')] = value;
  }
  const baseline: Baseline = { source, scenarios };
  if (report.environment?.commit) baseline.commit = report.environment.commit;
  return baseline;
}
