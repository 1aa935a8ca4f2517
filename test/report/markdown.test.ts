import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { headlineFor, renderMarkdown } from '../../src/report/markdown.js';
import type { RunRecord } from '../../src/model.js';
import { FakeResults, HTTP_METRICS, httpSamples } from '../support/fake-results.js';
import { config, rule } from '../evaluate/rules.js';
import { T0, baselineResults, capacityResults, twoScenarios } from './fixtures.js';

/** Data rows of the first GFM table after `heading` (header and delimiter excluded). */
function tableAfter(md: string, heading: string): string[][] {
  const lines = md.slice(md.indexOf(heading)).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[] = [];
  for (let i = start; i < lines.length && (lines[i] as string).startsWith('|'); i++) rows.push(lines[i] as string);
  return rows.slice(2).map((r) => r.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

describe('renderMarkdown', () => {
  const { evaluation, results } = twoScenarios();
  const md = renderMarkdown({
    evaluation,
    results,
    environment: { baseUrl: 'https://preview-42.example.com', commit: '0123456789abcdef', ref: 'refs/pull/42/merge', trigger: 'pull_request', actor: 'octocat', runUrl: 'https://github.com/o/r/actions/runs/1', k6Version: 'v1.4.0', thresholdsFile: 'thresholds.yml', generatedAt: '2026-11-27T03:00:00Z' },
    marker: 'perf-gate:main',
  });

  it('follows the load-testing report: verdict, summary, environment, results, SLOs, decision, data quality', () => {
    expect(md.split('\n')[0]).toBe('<!-- perf-gate:main -->');
    expect(evaluation.verdict).toBe('NOT_APPROVED');
    expect(md).toMatch(/^# ❌ NOT APPROVED/m);
    const order = ['## Executive summary', '## 1. Test environment', '## 2. Test results', '### 2.1 baseline', '### 2.2 target-capacity', '## 3. Comparison to SLOs', '## 4. Decision', '## 5. Data quality'].map((h) => md.indexOf(h));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('key findings list the failing criteria first, then the headline per scenario', () => {
    const summary = md.slice(md.indexOf('**Key findings**'), md.indexOf('**Recommendation**'));
    const bullets = summary.split('\n').filter((l) => l.startsWith('- '));
    expect(bullets[0]).toMatch(/^- ❌ \*\*target-capacity\*\*/);
    expect(summary).toContain('`http_req_duration{tenant:umbrella}`');
    const h = headlineFor(results['target-capacity']!);
    expect(summary).toContain(`**target-capacity**: p95 = ${Math.round(h.p95!)} ms`);
    expect(md).toContain('**Recommendation**: Do not merge yet');
  });

  it('the environment table names the target, commit, run and k6 version', () => {
    const rows = tableAfter(md, '## 1. Test environment');
    const map = Object.fromEntries(rows.map((r) => [r[0], r[1]]));
    expect(map.Target).toBe('`https://preview-42.example.com`');
    expect(map['Load testing tool']).toBe('k6 v1.4.0');
    expect(map['Workflow run']).toBe('https://github.com/o/r/actions/runs/1');
    expect(map.Actor).toBe('octocat');
  });

  it('per scenario: HTTP metrics block, per-endpoint table and the Target / Actual / Status table', () => {
    const tc = md.slice(md.indexOf('### 2.2 target-capacity'), md.indexOf('## 3. Comparison'));
    expect(tc).toMatch(/```text\nchecks\.+: 99\.00% {2}✓ 594 {2}✗ 6\nhttp_req_duration\.+: avg=\S+ min=\S+ med=\S+ max=\S+ p\(90\)=\S+ p\(95\)=\S+ p\(99\)=\S+\nhttp_req_failed\.+: \S+ {2}\d+ failed of 600\nhttp_reqs\.+: 600 {2}\S+ req\/s\n```/);
    const endpoints = tableAfter(tc, '**Per endpoint**');
    expect(endpoints.map((r) => r[0])).toEqual(['`portfolio_latency`', '`endpoint:create_trade`', '`endpoint:portfolio`', '`endpoint:trades`']);
    expect(endpoints.find((r) => r[0] === '`endpoint:trades`')![1]).toBe('200');
    // the test mix: 200 of 600 requests
    expect(endpoints.find((r) => r[0] === '`endpoint:trades`')![2]).toBe('33.3%');
    expect(endpoints.find((r) => r[0] === '`portfolio_latency`')![2]).toBe('—');
    expect(endpoints.find((r) => r[0] === '`endpoint:trades`')![5]).toBe('5.00%');
    const criteria = tableAfter(tc, '**Pass/fail assessment**');
    expect(criteria[0]).toEqual(['`http_req_duration`', 'p(95) < 400 ms', expect.stringMatching(/ ms$/), expect.stringMatching(/FAIL|PASS|MARGINAL/)]);
    const umbrella = criteria.find((r) => r[0] === '`http_req_duration{tenant:umbrella}`')!;
    expect(umbrella[3]).toBe('❌ FAIL (blocking)');
    expect(criteria.filter((r) => r[0]!.startsWith('`http_req_duration{tenant:'))).toHaveLength(5);
    expect(tc).not.toContain('| Baseline |');
  });

  it('the SLO comparison has one column per scenario and the worst status', () => {
    const rows = tableAfter(md, '## 3. Comparison to SLOs');
    const p99 = rows.find((r) => r[0] === '**Latency (p99)**')!;
    expect(p99).toHaveLength(5);
    expect(p99[1]).toBe('p(99) < 500 ms');
    expect(p99[2]).toMatch(/ms ✅$/);
    expect(p99[3]).toMatch(/ms ❌$/);
    expect(p99[4]).toBe('❌ FAIL (blocking)');
    // a scenario without the throughput rule shows its value, not judged
    const tput = rows.find((r) => r[0] === '**Throughput**')!;
    expect(tput[2]).toMatch(/^[\d.]+ req\/s \(no target here\)$/);
  });

  it('the decision repeats the verdict and rationale and lists the blocking criteria', () => {
    const decision = md.slice(md.indexOf('## 4. Decision'), md.indexOf('## 5. Data quality'));
    expect(decision).toContain('**❌ NOT APPROVED**');
    expect(decision).toContain(`**Rationale**: ${evaluation.rationale}`);
    const blocking = evaluation.scenarios.flatMap((s) => s.criteria).filter((c) => c.blocking);
    expect(blocking.length).toBeGreaterThan(0);
    for (const c of blocking) expect(decision).toContain(`\`${c.metric}\` \`${c.expression}\``);
  });
});

describe('renderMarkdown: baselines, sections, evidence, data quality', () => {
  it('adds Baseline and Δ columns when any criterion has a baseline', () => {
    const { evaluation, results } = twoScenarios({ source: 'main.json', scenarios: { baseline: { 'http_req_duration|p(99)': 100 } } });
    const md = renderMarkdown({ evaluation, results });
    const rows = tableAfter(md, '### 2.1 baseline');
    const header = md.slice(md.indexOf('**Pass/fail assessment**')).split('\n').find((l) => l.startsWith('|'))!;
    expect(header).toBe('| Metric | Target | Actual | Baseline | Δ | Status |');
    const crit = tableAfter(md.slice(md.indexOf('**Pass/fail assessment**')), '|');
    const p99 = crit.find((r) => r[1] === 'p(99) < 500 ms')!;
    expect(p99[3]).toBe('100 ms');
    expect(p99[4]).toMatch(/^[+−]\d+(\.\d+)? ms \([+−]\d+(\.\d+)?%\)$/);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('a relative criterion shows the limit the baseline gave, its baseline and delta', () => {
    const results = { s: baselineResults() };
    const evaluation = evaluate({
      config: config(),
      scenarios: [{ name: 's', results: results.s, baseline: { source: 'b.json', scenarios: { s: { 'http_req_duration|p(99)': 100 } } }, rules: [rule('http_req_duration', 'p(99)<+10%')] }],
    });
    const md = renderMarkdown({ evaluation, results });
    const rows = tableAfter(md.slice(md.indexOf('**Pass/fail assessment**')), '|');
    expect(rows[0]!.slice(1, 5)).toEqual(['p(99) < +10%: base 100 ms → limit 110 ms', expect.stringMatching(/ ms$/), '100 ms', expect.stringMatching(/^\+\d+(\.\d+)? ms \(\+\d+(\.\d+)?%\)$/)]);
    const slo = tableAfter(md, '## 3. Comparison to SLOs');
    expect(slo[0]![1]).toBe('p(99) < +10%');
  });

  it('places sections where they belong and evidence under the failed criterion', () => {
    const { evaluation, results } = twoScenarios();
    const md = renderMarkdown({
      evaluation,
      results,
      sections: [
        { id: 'util', place: 'scenario', scenario: 'target-capacity', title: 'Resource utilization', markdown: 'UTIL-TC', dropOrder: 1 },
        { id: 'util-b', place: 'scenario', scenario: 'baseline', markdown: 'UTIL-B', dropOrder: 1 },
        { id: 'charts', place: 'summary', markdown: 'CHARTS', dropOrder: 5 },
        { id: 'tenants', place: 'slo', title: 'Per tenant', markdown: 'TENANTS', dropOrder: 2 },
        { id: 'slow', place: 'decision', title: 'Slow queries', markdown: 'SLOW', dropOrder: 3 },
        { id: 'evidence:http_req_duration{tenant:umbrella}', place: 'scenario', scenario: 'target-capacity', markdown: '- top query: `SELECT * FROM trades`', dropOrder: 4 },
      ],
    });
    const at = (s: string) => md.indexOf(s);
    expect(at('CHARTS')).toBeGreaterThan(at('## Executive summary'));
    expect(at('CHARTS')).toBeLessThan(at('## 1. Test environment'));
    expect(at('UTIL-B')).toBeGreaterThan(at('### 2.1 baseline'));
    expect(at('UTIL-B')).toBeLessThan(at('### 2.2 target-capacity'));
    expect(at('#### Resource utilization\n\nUTIL-TC')).toBeGreaterThan(at('### 2.2 target-capacity'));
    expect(at('### Per tenant\n\nTENANTS')).toBeGreaterThan(at('## 3. Comparison to SLOs'));
    expect(at('SLOW')).toBeGreaterThan(at('## 4. Decision'));
    expect(at('SLOW')).toBeLessThan(at('**❌ NOT APPROVED**'));
    const ev = at('**Evidence for `http_req_duration{tenant:umbrella}` `p(99)<500`**');
    expect(ev).toBeGreaterThan(at('### 2.2 target-capacity'));
    expect(md.slice(ev)).toMatch(/^\*\*Evidence[^\n]*:\n\n- top query: `SELECT \* FROM trades`/);
    expect(md.match(/SELECT \* FROM trades/g)).toHaveLength(1);
  });

  it('shows an evidence section once, under the worst criterion of its metric', () => {
    const { evaluation, results } = twoScenarios();
    const tc = evaluation.scenarios[1]!.criteria.filter((c) => c.metric === 'http_req_duration' && (c.status === 'fail' || c.status === 'marginal'));
    expect(tc.length).toBeGreaterThanOrEqual(2);
    const md = renderMarkdown({ evaluation, results, sections: [{ id: 'evidence:http_req_duration', place: 'scenario', scenario: 'target-capacity', markdown: '- CPU at 97% of its limit', dropOrder: 1 }] });
    expect(md.match(/CPU at 97%/g)).toHaveLength(1);
    expect(md.match(/\*\*Evidence for `http_req_duration` `p\(9[59]\)<[45]00`\*\*/g)).toHaveLength(1);
  });

  it('reports bad lines, truncated files, incomplete runs and notes', () => {
    const results = new FakeResults({
      metrics: HTTP_METRICS,
      samples: httpSamples([{ t: T0, duration: 10 }]),
      diagnostics: { badLines: 3, badLineExamples: ['out.json:17', 'out.json:18'], truncatedFiles: ['out.json'] },
    });
    const run: RunRecord = { scenario: 's', outputs: ['out.json'], window: { start: T0, end: T0 + 1 }, exitCode: 105, exitMeaning: 'external abort (105)', incomplete: 'stopped after the timeout', attempt: 1 };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results, run, rules: [rule('http_req_duration', 'p(99)<500')], notes: ['no scenario named s in thresholds.yml: only the top-level thresholds apply'] }] });
    const md = renderMarkdown({ evaluation, results: { s: results } });
    const dq = md.slice(md.indexOf('## 5. Data quality'));
    expect(dq).toContain('3 lines were not valid k6 JSON');
    expect(dq).toContain('`out.json:17`');
    expect(dq).toContain('`out.json` ends in a partial line');
    expect(dq).toContain('did not complete (stopped after the timeout)');
    expect(dq).toContain('only the top-level thresholds apply');
    expect(md).toContain('**k6 run**: incomplete — stopped after the timeout (k6: external abort (105))');
    expect(evaluation.verdict).toBe('NOT_APPROVED');
  });

  it("states a complete run's k6 ending once", () => {
    const results = new FakeResults({ metrics: HTTP_METRICS, samples: httpSamples([{ t: T0, duration: 10 }]) });
    const line = (exitCode: number, exitMeaning: string) => {
      const run: RunRecord = { scenario: 's', outputs: ['out.json'], window: { start: T0, end: T0 + 1 }, exitCode, exitMeaning, attempt: 1 };
      const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results, run, rules: [rule('http_req_duration', 'p(99)<500')] }] });
      return renderMarkdown({ evaluation, results: { s: results } }).split('\n').find((l) => l.startsWith('**k6 run**'));
    };
    expect(line(0, 'ok (0)')).toBe('**k6 run**: completed (exit code 0)');
    expect(line(99, "the script's own thresholds failed (99)")).toBe("**k6 run**: completed — k6: the script's own thresholds failed (99)");
  });

  it('escapes every | in table cells (tag values, reasons)', () => {
    const results = new FakeResults({ metrics: HTTP_METRICS, samples: httpSamples([{ t: T0, duration: 10, tags: { tenant: 'a|b||c' } }]) });
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results, rules: [rule('http_req_duration{tenant:*}', 'p(99)<5'), rule('nope', 'p(99)<5')] }] });
    const md = renderMarkdown({ evaluation, results: { s: results } });
    const header = md.slice(md.indexOf('**Pass/fail assessment**')).split('\n').find((l) => l.startsWith('|'))!;
    const columns = header.slice(1, -1).split(/(?<!\\)\|/).length;
    const rows = tableAfter(md.slice(md.indexOf('**Pass/fail assessment**')), '|');
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r).toHaveLength(columns);
    expect(rows[0]![0]).toBe('`http_req_duration{tenant:a\\|b\\|\\|c}`');
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) expect(line.slice(1, -1).split(/(?<!\\)\|/).length).toBeGreaterThan(1);
  });

  it('an approved run says so', () => {
    const results = { baseline: baselineResults() };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 'baseline', results: results.baseline, rules: [rule('http_req_duration', 'p(99)<500')] }] });
    const md = renderMarkdown({ evaluation, results });
    expect(md).toMatch(/^# ✅ APPROVED/);
    expect(md).toContain('No data-quality problems were found');
    expect(md).not.toContain('**Blocking criteria**');
  });

  it('a steady window is shown as the evaluated interval', () => {
    const results = { tc: capacityResults() };
    const evaluation = evaluate({ config: config({ window: 'steady' }), scenarios: [{ name: 'tc', results: results.tc, rules: [rule('http_req_duration', 'p(99)<5000', { window: 'steady' })] }] });
    const md = renderMarkdown({ evaluation, results });
    expect(md).toContain('**Evaluated window**: 22:13:30–22:14:20 UTC (50 s, 0:10–1:00 into the run; steady state) of a 1 min run.');
  });
});
