// Report sections from utilization: the resource table (one column per scenario, as in the
// load-testing report's section 3.3), the slow-query table per scenario (4.2), and evidence lines
// under failed latency criteria when utilization points to a cause.
import { markdownTable } from 'markdown-table';
import type { CriterionResult, ReportSection, SlowQuery, Status, UtilizationResults } from '../model.js';
import { STATUS_BADGE, code, escapeCell, formatPair, formatValue } from './units.js';
import { isDmlStatement, shortenQuery } from '../collectors/slow-queries.js';

export interface UtilizationScenario {
  name: string;
  utilization?: UtilizationResults;
  criteria: CriterionResult[];
}

const EVIDENCE_PREFIX = 'evidence:';
const RANK: Record<Status, number> = { fail: 0, marginal: 1, 'no-data': 2, pass: 3 };

const PRESET_LABEL: Record<string, string> = {
  'k8s.cpu': 'API pods CPU (% of limit)',
  'k8s.memory': 'API pods memory (% of limit)',
  'k8s.pods': 'API pod count',
  'postgres.connections': 'PostgreSQL active connections',
  'postgres.connections_pct': 'PostgreSQL connections (% of max_connections)',
  'postgres.query_latency': 'PostgreSQL query latency',
  'postgres.cache_hit': 'PostgreSQL cache hit rate',
  'redis.memory': 'Redis memory (% of maxmemory)',
  'redis.ops': 'Redis commands/s',
  'redis.hit_rate': 'Redis hit rate',
};

function table(rows: string[][], align?: ('l' | 'r' | 'c')[]): string {
  return markdownTable(rows.map((r) => r.map(escapeCell)), align ? { align, alignDelimiters: false } : { alignDelimiters: false });
}

const GROUPS = ['API pods', 'Database (PostgreSQL)', 'Redis', 'Other'] as const;

function group(metric: string, scenarios: UtilizationScenario[]): string {
  for (const s of scenarios) {
    const p = s.utilization?.preset?.(metric);
    if (p?.startsWith('k8s.')) return 'API pods';
    if (p?.startsWith('postgres.')) return 'Database (PostgreSQL)';
    if (p?.startsWith('redis.')) return 'Redis';
  }
  return 'Other';
}

function label(metric: string, scenarios: UtilizationScenario[]): string {
  for (const s of scenarios) {
    const p = s.utilization?.preset?.(metric);
    if (p && PRESET_LABEL[p]) return `${PRESET_LABEL[p]} — ${code(metric)}`;
  }
  return code(metric);
}

/**
 * The limit as the cells show their values, where the expression's number reads differently: a ratio
 * (`value>0.95` beside 97.3% → 95%), bytes (`max<2147483648` beside 1.5 GB → 2.15 GB), a time of a
 * second or more (`value<1500` → 1.5 s). '' when the limits differ between scenarios.
 */
function limitInUnit(cells: CriterionResult[]): string {
  const c = cells[0];
  if (!c || !Number.isFinite(c.limit) || cells.some((x) => x.limit !== c.limit || x.unit !== c.unit)) return '';
  const converted = c.unit === 'ratio' || c.unit === 'bytes' || (c.unit === 'ms' && Math.abs(c.limit) >= 1000);
  return converted ? ` (${formatValue(c.limit, c.unit, c.metric)})` : '';
}

/** The utilization table (place `slo`), one slow-query table per scenario, and evidence sections. */
export function utilizationSections(scenarios: UtilizationScenario[]): ReportSection[] {
  const sections: ReportSection[] = [];
  // Rows: one per metric × expression, in the order first seen.
  const rows = new Map<string, { metric: string; expression: string; cells: Map<string, CriterionResult> }>();
  for (const s of scenarios) {
    for (const c of s.criteria) {
      if (c.kind !== 'utilization') continue;
      const key = `${c.metric}\u0000${c.expression}`;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { metric: c.metric, expression: c.expression, cells: new Map() }));
      row.cells.set(s.name, c);
    }
  }
  if (rows.size > 0) {
    const header = ['Metric', ...scenarios.map((s) => s.name), 'Threshold', 'Status'];
    // Grouped like the load-testing report: API pods, database, Redis, then custom expressions.
    const groups = new Map<string, string[][]>(GROUPS.map((g) => [g, []]));
    // Reason → the metrics and scenarios without data for it: a missing source is one line, not one per row.
    const reasons = new Map<string, { metrics: Set<string>; scenarios: Set<string> }>();
    for (const row of rows.values()) {
      const agg = row.expression.match(/^\s*([a-z]+(?:\([\d.]+\))?)/)?.[1] ?? '';
      const cells = scenarios.map((s) => {
        const c = row.cells.get(s.name);
        if (!c) return '—';
        if (c.actual === null) {
          const key = c.reason ?? 'no data';
          let g = reasons.get(key);
          if (!g) reasons.set(key, (g = { metrics: new Set(), scenarios: new Set() }));
          g.metrics.add(row.metric);
          g.scenarios.add(s.name);
          return 'no data';
        }
        // as the criteria tables show it: with the decimals that keep it apart from its limit (69.96%, not 70%)
        return formatPair(c.actual, c.limit, c.unit, c.metric)[0];
      });
      const worst = [...row.cells.values()].reduce<CriterionResult | undefined>((w, c) => (!w || RANK[c.status] < RANK[w.status] ? c : w), undefined);
      let status = worst ? STATUS_BADGE[worst.status] : '—';
      if (worst && worst.severity === 'warn' && worst.status !== 'pass') status += ' (warn only)';
      groups.get(group(row.metric, scenarios))!.push([`${label(row.metric, scenarios)}${agg ? ` (${agg})` : ''}`, ...cells, `${code(row.expression)}${limitInUnit([...row.cells.values()])}`, status]);
    }
    const parts: string[] = [];
    const used = [...groups].filter(([, body]) => body.length > 0);
    for (const [name, body] of used) {
      const t = table([header, ...body], ['l', ...scenarios.map(() => 'r' as const), 'l', 'l']);
      parts.push(used.length > 1 ? `**${name}**:\n\n${t}` : t);
    }
    let md = parts.join('\n\n');
    if (reasons.size > 0) {
      const withRows = scenarios.filter((s) => s.criteria.some((c) => c.kind === 'utilization'));
      const lines = [...reasons].map(([reason, g]) => {
        const where = withRows.length > 1 && g.scenarios.size === withRows.length ? 'every scenario' : [...g.scenarios].join(', ');
        return `- ${[...g.metrics].map(code).join(', ')} in ${where}: ${reason}`;
      });
      md += `\n\nNo data:\n\n${lines.join('\n')}`;
    }
    const notes = [...new Set(scenarios.flatMap((s) => s.utilization?.notes ?? []))].filter((n) => !reasons.has(n.replace(/^.*?no data: /, '')));
    if (notes.length > 0) md += `\n\nCollection notes:\n\n${notes.map((n) => `- ${n}`).join('\n')}`;
    sections.push({ id: 'utilization', place: 'slo', title: 'Resource utilization', markdown: md, dropOrder: 20 });
  }
  for (const s of scenarios) {
    const sq = s.utilization?.slowQueries;
    if (sq) sections.push({ id: `utilization:slow-queries:${s.name}`, place: 'scenario', scenario: s.name, title: 'Slow queries (pg_stat_statements, during the run)', markdown: slowQueryMarkdown(sq.available, sq.rows, sq.reason), dropOrder: 30 });
    // One evidence block per metric: the report shows it under each failed criterion of that metric.
    const done = new Set<string>();
    for (const c of s.criteria) {
      if ((c.status !== 'fail' && c.status !== 'marginal') || done.has(c.metric)) continue;
      const lines = evidenceFor(c, s.utilization);
      if (lines.length === 0) continue;
      done.add(c.metric);
      sections.push({ id: `${EVIDENCE_PREFIX}${c.metric}`, place: 'scenario', scenario: s.name, markdown: lines.map((l) => `- ${l}`).join('\n'), dropOrder: 10 });
    }
  }
  return sections;
}

/**
 * The rows that may be shown: queries and DML only, with comments and literals replaced by `?`
 * (whatever produced the rows, a PR comment never carries a password, a string or a number from SQL).
 */
export function safeSlowQueries(rows: readonly SlowQuery[]): SlowQuery[] {
  return rows.filter((r) => isDmlStatement(r.query)).map((r) => ({ ...r, query: shortenQuery(r.query) }));
}

export function slowQueryMarkdown(available: boolean, unsafeRows: SlowQuery[], reason?: string): string {
  if (!available) return `_No slow-query table: ${reason ?? 'pg_stat_statements is not available'}._`;
  const rows = safeSlowQueries(unsafeRows);
  if (rows.length === 0) return '_No statements ran on PostgreSQL during the run._';
  return table(
    [
      ['Query', 'Mean time', 'Calls', 'Total time', '% Impact'],
      ...rows.map((r) => [code(r.query), formatValue(r.meanMs, 'ms'), formatValue(r.calls, 'count'), `${fixed(r.totalSeconds)} s`, `${fixed(r.percent)}%`]),
    ],
    ['l', 'r', 'r', 'r', 'r'],
  );
}

function fixed(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** What a k6 criterion is about: the endpoint/table words in its tags (`endpoint:trades`, `name:GET /api/trades`). */
function subjects(metric: string): string[] {
  const tags = metric.match(/\{(.*)\}$/)?.[1];
  if (!tags) return [];
  const words = new Set<string>();
  for (const part of tags.split(',')) {
    const [k, ...rest] = part.split(':');
    const v = rest.join(':').trim();
    if (!v || v === '*' || /^(tenant|status|method|scenario|expected_response)$/.test(k!.trim())) continue;
    for (const w of v.split(/[^A-Za-z0-9_]+/)) {
      if (w.length >= 3 && !/^(api|get|post|put|delete|patch|http|https|v\d+)$/i.test(w)) words.add(w.toLowerCase());
    }
  }
  return [...words];
}

function measured(util: UtilizationResults, metric: string, kind: 'max' | 'avg' | 'value'): number | undefined {
  const m = util.measure(metric, { kind });
  return 'value' in m ? m.value : undefined;
}

/**
 * Lines that point at a cause for a failed or marginal criterion: the top slow query touching the
 * endpoint's table, CPU or memory saturation, connection-pool exhaustion, slow statements.
 */
export function evidenceFor(criterion: CriterionResult, util: UtilizationResults | undefined): string[] {
  if (!util || (criterion.status !== 'fail' && criterion.status !== 'marginal')) return [];
  const base = criterion.metric.replace(/\{.*$/, '');
  const latencyLike = /^(http_req_duration|http_req_waiting|http_req_failed|iteration_duration|availability)$/.test(base) || criterion.unit === 'ms';
  if (!latencyLike && criterion.kind === 'utilization') return [];
  const lines: string[] = [];
  const sq = util.slowQueries && { ...util.slowQueries, rows: safeSlowQueries(util.slowQueries.rows) };
  if (sq?.available && sq.rows.length > 0) {
    const words = subjects(criterion.metric);
    const touching = words.length > 0 ? sq.rows.find((r) => words.some((w) => new RegExp(`\\b${w}\\b`, 'i').test(r.query))) : undefined;
    const describe = (r: SlowQuery) =>
      `${code(r.query)} — mean ${formatValue(r.meanMs, 'ms')} over ${formatValue(r.calls, 'count')} calls, ${fixed(r.percent)}% of database time during the run`;
    if (touching) {
      const w = words.find((x) => new RegExp(`\\b${x}\\b`, 'i').test(touching.query))!;
      lines.push(`Top slow query touching ${code(w)}: ${describe(touching)}`);
    } else if (sq.rows[0]!.percent >= 50) {
      lines.push(`One statement dominates database time: ${describe(sq.rows[0]!)}`);
    }
  }
  const names = probeNames(util);
  for (const [metric, preset] of names) {
    if (preset === 'k8s.cpu') {
      const max = measured(util, metric, 'max');
      const avg = measured(util, metric, 'avg');
      if (max !== undefined && max >= 90) lines.push(`CPU saturation: ${code(metric)} reached ${formatValue(max, 'percent')} of the CPU limit (average ${formatValue(avg ?? null, 'percent')})`);
    } else if (preset === 'k8s.memory') {
      const max = measured(util, metric, 'max');
      if (max !== undefined && max >= 90) lines.push(`Memory pressure: ${code(metric)} reached ${formatValue(max, 'percent')} of the memory limit`);
    } else if (preset === 'postgres.connections_pct') {
      const max = measured(util, metric, 'max');
      if (max !== undefined && max >= 90) lines.push(`Connection exhaustion: PostgreSQL connections reached ${formatValue(max, 'percent')} of max_connections`);
    } else if (preset === 'postgres.query_latency') {
      const v = measured(util, metric, 'value');
      if (v !== undefined && v >= 50) lines.push(`Slow database: mean statement time ${formatValue(v, 'ms')} during the run`);
    } else if (preset === 'redis.memory') {
      const max = measured(util, metric, 'max');
      if (max !== undefined && max >= 90) lines.push(`Redis near maxmemory: ${formatValue(max, 'percent')} (evictions likely)`);
    }
  }
  return lines;
}

/** Configured metric names with their presets, when the results can tell. */
function probeNames(util: UtilizationResults): [string, string][] {
  const out: [string, string][] = [];
  for (const n of util.names?.() ?? []) {
    const p = util.preset?.(n);
    if (p) out.push([n, p]);
  }
  return out;
}
