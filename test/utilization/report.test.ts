// The utilization report sections: table per scenario, slow queries, evidence lines, escaping.
import { describe, expect, it } from 'vitest';
import { evidenceFor, slowQueryMarkdown, utilizationSections } from '../../src/report/utilization.js';
import type { Aggregation, CriterionResult, Measurement, SlowQueryReport, Unit, UtilizationResults } from '../../src/model.js';
import { aggregate } from '../../src/collectors/stats.js';

function fakeUtil(series: Record<string, { preset?: string; unit: Unit; samples: number[]; value?: number }>, slowQueries?: SlowQueryReport): UtilizationResults {
  return {
    has: (m) => m in series,
    unit: (m) => series[m]?.unit ?? 'number',
    preset: (m) => series[m]?.preset,
    names: () => Object.keys(series),
    measure: (m: string, a: Aggregation): Measurement => (series[m] ? aggregate(series[m]!.samples, a, series[m]!.value) : { noData: 'not configured' }),
    slowQueries,
    notes: [],
  };
}

const pos = { file: 'thresholds.yml', line: 3, column: 5 };
function crit(scenario: string, metric: string, expression: string, actual: number | null, unit: Unit, status: CriterionResult['status'], kind: CriterionResult['kind'] = 'utilization', reason?: string): CriterionResult {
  return { scenario, metric, expression, actual, limit: Number(/-?[\d.]+$/.exec(expression)?.[0] ?? 0), unit, status, blocking: status === 'fail', kind, pos, severity: 'error', ...(reason ? { reason } : {}) };
}

const slow: SlowQueryReport = {
  available: true,
  rows: [
    { query: "SELECT * FROM trades WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT $2", meanMs: 812.4, calls: 1200, totalSeconds: 974.9, percent: 71.2 },
    { query: 'SELECT a || b FROM positions WHERE tenant_id = $1', meanMs: 3.1, calls: 900, totalSeconds: 2.8, percent: 0.2 },
  ],
};

describe('utilizationSections', () => {
  it('one column per scenario, threshold and worst status; slow-query tables; every | escaped', () => {
    const util = fakeUtil({ api_cpu: { preset: 'k8s.cpu', unit: 'percent', samples: [50, 95] } }, slow);
    const sections = utilizationSections([
      { name: 'baseline', utilization: util, criteria: [crit('baseline', 'api_cpu', 'avg<70', 41.5, 'percent', 'pass'), crit('baseline', 'pg_cache_hit', 'value>0.95', null, 'ratio', 'no-data', 'utilization', 'PostgreSQL at postgres://u:***@db/x is unreachable')] },
      { name: 'target-capacity', utilization: util, criteria: [crit('target-capacity', 'api_cpu', 'avg<70', 72.5, 'percent', 'fail'), crit('target-capacity', 'pg_cache_hit', 'value>0.95', 0.991, 'ratio', 'pass')] },
    ]);
    const table = sections.find((s) => s.id === 'utilization')!;
    expect(table.place).toBe('slo');
    const lines = table.markdown.split('\n');
    // Two groups: the preset CPU metric under API pods, the unknown one under Other.
    expect(lines[0]).toBe('**API pods**:');
    expect(lines[2]).toBe('| Metric | baseline | target-capacity | Threshold | Status |');
    expect(lines[4]).toContain('API pods CPU (% of limit)');
    expect(lines[4]).toMatch(/\| 41\.5% \| 72\.5% \| `avg<70` \| ❌ FAIL \|$/);
    expect(lines[6]).toBe('**Other**:');
    // the limit also as the cells show values: a ratio as a percentage
    expect(lines[10]).toMatch(/\| no data \| 99\.1\d*% \| `value>0\.95` \(95(\.0+)?%\) \| ❔ NO DATA \|$/);
    expect(table.markdown).toContain('- `pg_cache_hit` in baseline: PostgreSQL at postgres://u:***@db/x is unreachable');
    const sq = sections.filter((s) => s.id.startsWith('utilization:slow-queries:'));
    expect(sq.map((s) => [s.place, s.scenario])).toEqual([['scenario', 'baseline'], ['scenario', 'target-capacity']]);
    expect(sq[0]!.markdown).toContain('| Query | Mean time | Calls | Total time | % Impact |');
    expect(sq[0]!.markdown).toContain('`SELECT a \\|\\| b FROM positions WHERE tenant_id = $1`');
    expect(sq[0]!.markdown).not.toMatch(/[^\\]\|\|/);
    expect(sq[0]!.markdown).toContain('| 1,200 |');
    expect(sq[0]!.markdown).toContain('71.2%');
  });

  it('a value just inside its limit keeps the decimals that tell it apart, as the criteria tables show it', () => {
    const util = fakeUtil({ api_cpu: { preset: 'k8s.cpu', unit: 'percent', samples: [69.96] } });
    const [table] = utilizationSections([{ name: 'target-capacity', utilization: util, criteria: [crit('target-capacity', 'api_cpu', 'avg<70', 69.96, 'percent', 'marginal')] }]);
    expect(table!.markdown).toMatch(/\| 69\.96% \| `avg<70` \| ⚠️ MARGINAL \|$/m);
  });

  it('the limit in the unit the cells show: bytes, ratios and long times; not for plain numbers or when the limits differ', () => {
    const util = fakeUtil({}, undefined);
    const rows = (criteria: CriterionResult[]) => utilizationSections([{ name: 's', utilization: util, criteria }]).find((x) => x.id === 'utilization')!.markdown.split('\n').filter((l) => l.startsWith('| `'));
    const got = rows([
      crit('s', 'rss', 'max<2147483648', 1.5e9, 'bytes', 'pass'),
      crit('s', 'lat', 'value<1500', 1210, 'ms', 'pass'),
      crit('s', 'fast', 'value<100', 12.5, 'ms', 'pass'),
      crit('s', 'depth', 'max<5000', 12, 'count', 'pass'),
    ]);
    expect(got).toEqual([
      '| `rss` (max) | 1.5 GB | `max<2147483648` (2.15 GB) | ✅ PASS |',
      '| `lat` (value) | 1.21 s | `value<1500` (1.5 s) | ✅ PASS |',
      '| `fast` (value) | 12.5 ms | `value<100` | ✅ PASS |',
      '| `depth` (max) | 12 | `max<5000` | ✅ PASS |',
    ]);
    const two = utilizationSections([
      { name: 'a', utilization: util, criteria: [{ ...crit('a', 'hit', 'value>0.9', 0.95, 'ratio', 'pass'), limit: 0.9 }] },
      { name: 'b', utilization: util, criteria: [{ ...crit('b', 'hit', 'value>0.9', 0.97, 'ratio', 'pass'), limit: 0.8 }] },
    ]).find((x) => x.id === 'utilization')!.markdown;
    expect(two).toContain('| `value>0.9` | ✅ PASS |');
  });

  it('a missing source is one line under the table, not one per row and scenario', () => {
    const why = 'PostgreSQL source unavailable: DATABASE_URL is not set';
    const names = ['s1', 's2', 's3'];
    const metrics = ['pg_conn', 'pg_lat', 'pg_hit'];
    const util: UtilizationResults = { ...fakeUtil({}), notes: [`${metrics.join(', ')}: no data: ${why}`, 'Redis probe: some readings failed'] };
    const sections = utilizationSections(
      names.map((name) => ({
        name,
        utilization: util,
        criteria: [...metrics.map((m) => crit(name, m, 'max<80', null, 'count', 'no-data', 'utilization', why)), crit(name, 'api_cpu', 'avg<70', name === 's1' ? null : 40, 'percent', name === 's1' ? 'no-data' : 'pass', 'utilization', name === 's1' ? 'the query returned no series' : undefined)],
      })),
    );
    const md = sections.find((s) => s.id === 'utilization')!.markdown;
    expect(md.split(why).length - 1).toBe(1);
    expect(md).toContain(`- \`pg_conn\`, \`pg_lat\`, \`pg_hit\` in every scenario: ${why}`);
    expect(md).toContain('- `api_cpu` in s1: the query returned no series');
    // The collection note says the same: left out; other notes stay.
    expect(md).toContain('- Redis probe: some readings failed');
  });

  it('never shows a utility statement, a comment or a literal, whatever the rows hold', () => {
    const rows = [
      { query: "CREATE ROLE x PASSWORD 'hunter2'", meanMs: 9, calls: 1, totalSeconds: 0.009, percent: 60 },
      { query: "/* dave@example.com */ SELECT * FROM trades WHERE note = 'ssn 123-45-6789' LIMIT 10", meanMs: 5, calls: 1, totalSeconds: 0.005, percent: 40 },
    ];
    const md = slowQueryMarkdown(true, rows);
    expect(md).toContain('`SELECT * FROM trades WHERE note = ? LIMIT ?`');
    expect(md).not.toMatch(/hunter2|CREATE ROLE|dave@|123-45-6789/);
    const lines = evidenceFor(crit('t', 'http_req_duration{endpoint:signals}', 'p(95)<300', 900, 'ms', 'fail', 'k6'), fakeUtil({}, { available: true, rows }));
    expect(lines.join('\n')).not.toMatch(/hunter2|dave@/);
  });

  it('says plainly when the extension is missing', () => {
    const util = fakeUtil({}, { available: false, reason: 'pg_stat_statements is not installed: add it to shared_preload_libraries and CREATE EXTENSION pg_stat_statements', rows: [] });
    const [s] = utilizationSections([{ name: 'baseline', utilization: util, criteria: [] }]);
    expect(s!.markdown).toBe('_No slow-query table: pg_stat_statements is not installed: add it to shared_preload_libraries and CREATE EXTENSION pg_stat_statements._');
  });
});

describe('evidenceFor', () => {
  const util = fakeUtil(
    {
      api_cpu: { preset: 'k8s.cpu', unit: 'percent', samples: [60, 94] },
      pg_conn: { preset: 'postgres.connections_pct', unit: 'percent', samples: [20, 30] },
    },
    slow,
  );
  it('points a failing trades latency at the top slow query touching trades, and at CPU saturation', () => {
    const c = crit('target', 'http_req_duration{endpoint:trades}', 'p(99)<500', 1210, 'ms', 'fail', 'k6');
    const lines = evidenceFor(c, util);
    expect(lines[0]).toMatch(/^Top slow query touching `trades`: `SELECT \* FROM trades/);
    expect(lines[0]).toContain('71.2% of database time');
    expect(lines).toContainEqual(expect.stringMatching(/^CPU saturation: `api_cpu` reached 94% of the CPU limit/));
    expect(lines.some((l) => l.includes('Connection exhaustion'))).toBe(false);
    // The evidence becomes a section the Markdown report places under the criterion.
    const sections = utilizationSections([{ name: 'target', utilization: util, criteria: [c] }]);
    expect(sections.find((s) => s.id === 'evidence:http_req_duration{endpoint:trades}')?.markdown).toContain('Top slow query touching `trades`');
  });
  it('one evidence block per metric, even with two failed expressions on it', () => {
    const a = crit('target', 'http_req_duration{endpoint:trades}', 'p(99)<500', 1210, 'ms', 'fail', 'k6');
    const b = crit('target', 'http_req_duration{endpoint:trades}', 'p(95)<300', 800, 'ms', 'marginal', 'k6');
    const ids = utilizationSections([{ name: 'target', utilization: util, criteria: [a, b] }]).map((s) => s.id);
    expect(ids.filter((id) => id.startsWith('evidence:'))).toEqual(['evidence:http_req_duration{endpoint:trades}']);
  });
  it('nothing for a passing criterion, or without utilization', () => {
    expect(evidenceFor(crit('t', 'http_req_duration{endpoint:trades}', 'p(99)<500', 100, 'ms', 'pass', 'k6'), util)).toEqual([]);
    expect(evidenceFor(crit('t', 'http_req_duration{endpoint:trades}', 'p(99)<500', 900, 'ms', 'fail', 'k6'), undefined)).toEqual([]);
  });
  it('a different endpoint gets the dominant statement only when it dominates', () => {
    const lines = evidenceFor(crit('t', 'http_req_duration{endpoint:signals}', 'p(95)<300', 900, 'ms', 'fail', 'k6'), util);
    expect(lines[0]).toMatch(/^One statement dominates database time/);
  });
});
