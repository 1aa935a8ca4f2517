import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { cutAtLine, fitMarkdown } from '../../src/report/fit.js';
import { renderMarkdown, type ReportInput } from '../../src/report/markdown.js';
import type { ReportSection } from '../../src/model.js';
import { config, rule } from '../evaluate/rules.js';
import { capacityResults, twoScenarios } from './fixtures.js';

const LIMIT = 65_536;
const NOTE = 'Shortened to fit a comment: the full report is in the job summary.';

function fencesBalanced(md: string): boolean {
  return md.split('\n').filter((l) => /^\s{0,3}```/.test(l)).length % 2 === 0;
}

/** Every table line is a whole row: starts and ends with an unescaped pipe. */
function rowsWhole(md: string): boolean {
  return md
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .every((l) => l.endsWith('|') && !l.endsWith('\\|'));
}

let huge: ReportInput | undefined;

/** Built once: 800 tenants, two expanded rules, big sections. */
function hugeInput(): ReportInput {
  huge ??= buildHugeInput();
  return huge;
}

function buildHugeInput(): ReportInput {
  const tenants = Array.from({ length: 800 }, (_, i) => `tenant-${String(i).padStart(4, '0')}`);
  const results = capacityResults({ tenants, slowTenant: 'tenant-0042', n: 3200 });
  const evaluation = evaluate({
    config: config(),
    scenarios: [{ name: 'target-capacity', results, rules: [rule('http_req_duration', 'p(99)<500'), rule('http_req_duration{tenant:*}', 'p(99)<500'), rule('http_req_failed{tenant:*}', 'rate<0.5')] }],
  });
  const big = (n: number, c: string) => `\`\`\`text\n${Array.from({ length: n }, (_, i) => `${c} line ${i}`).join('\n')}\n\`\`\``;
  const sections: ReportSection[] = [
    { id: 'charts', place: 'summary', title: 'Charts', markdown: `\`\`\`mermaid\n${'xychart-beta\n'.repeat(2000)}\`\`\``, dropOrder: 10 },
    { id: 'tenants', place: 'slo', title: 'Per tenant', markdown: big(3000, 'tenant'), dropOrder: 5 },
    { id: 'util', place: 'scenario', scenario: 'target-capacity', title: 'Utilization', markdown: 'UTILIZATION-KEPT', dropOrder: 1 },
  ];
  return { evaluation, results: { 'target-capacity': results }, sections };
}

describe('fitMarkdown', () => {
  it('returns the full report unchanged when it fits', () => {
    const { evaluation, results } = twoScenarios();
    const input = { evaluation, results };
    expect(fitMarkdown(input, LIMIT, NOTE)).toBe(renderMarkdown(input));
  });

  it('fits a huge report under 65,536 characters: sections dropped by dropOrder, rows trimmed, failing rows kept, fences closed', () => {
    const input = hugeInput();
    const full = renderMarkdown(input);
    expect(full.length).toBeGreaterThan(4 * LIMIT);
    const out = fitMarkdown(input, LIMIT, NOTE);
    expect(out.length).toBeLessThanOrEqual(LIMIT);
    expect(out.trimEnd().endsWith(NOTE)).toBe(true);
    expect(fencesBalanced(out)).toBe(true);
    expect(rowsWhole(out)).toBe(true);
    expect(out).not.toContain('xychart-beta');
    // the failing tenant survives the trimming
    expect(out).toContain('`http_req_duration{tenant:tenant-0042}`');
    expect(out).toMatch(/more rows? not shown to fit the size limit/);
    expect(out).toContain('## 4. Decision');
  });

  it('drops the highest dropOrder first and keeps what fits', () => {
    const { evaluation, results } = twoScenarios();
    const sections: ReportSection[] = [
      { id: 'low', place: 'slo', markdown: `LOW ${'x'.repeat(3000)}`, dropOrder: 1 },
      { id: 'high', place: 'slo', markdown: `HIGH ${'y'.repeat(3000)}`, dropOrder: 9 },
    ];
    const input = { evaluation, results, sections };
    const full = renderMarkdown(input);
    const out = fitMarkdown(input, full.length - 1000, NOTE);
    expect(out).toContain('LOW ');
    expect(out).not.toContain('HIGH ');
    expect(out.length).toBeLessThanOrEqual(full.length - 1000);
    expect(out).toContain(NOTE);
  });

  it('stays within any limit, down to tiny ones', () => {
    const input = hugeInput();
    for (const max of [30_000, 5_000, 800, 100, 10]) {
      const out = fitMarkdown(input, max, NOTE);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(fencesBalanced(out)).toBe(true);
      expect(rowsWhole(out)).toBe(true);
    }
  });
});

describe('fitMarkdown: what a trimmed report keeps and says', () => {
  // 60 tenants: every tenant's p99 misses 150 ms (60 blocking rows), every error rate passes (60 rows)
  const tenants = Array.from({ length: 60 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  const results = capacityResults({ tenants, slowTenant: 't07', n: 1200 });
  const evaluation = evaluate({ config: config(), scenarios: [{ name: 'tc', results, rules: [rule('http_req_duration{tenant:*}', 'p(99)<150'), rule('http_req_failed{tenant:*}', 'rate<0.5')] }] });
  const input: ReportInput = { evaluation, results: { tc: results }, environment: { generatedAt: '2026-11-27T03:00:00Z', thresholdsFile: 'thresholds.yml', commit: 'abc', ref: 'main', actor: 'a', trigger: 'push' } };
  const blocking = evaluation.scenarios[0]!.criteria.filter((c) => c.blocking);
  const out = fitMarkdown(input, 9000, NOTE);

  it('keeps every blocking row in the criteria table, and says what it cut', () => {
    expect(blocking.length).toBeGreaterThan(20);
    expect(renderMarkdown(input).length).toBeGreaterThan(9000);
    expect(out.length).toBeLessThanOrEqual(9000);
    const table = out.slice(out.indexOf('**Pass/fail assessment**'), out.indexOf('**Scenario result**'));
    for (const c of blocking) expect(table).toContain(`| \`${c.metric}\` |`);
    const passing = evaluation.scenarios[0]!.criteria.length - blocking.length;
    expect(table).toContain(`_${passing} more rows not shown to fit the size limit: ${passing} ✅ PASS. Every blocking row is shown._`);
    expect(out).not.toContain('failing rows are kept first');
  });

  it('the summary and decision say exactly where the criteria they leave out are', () => {
    const more = out.split('\n').filter((l) => l.includes('… and '));
    expect(more.length).toBeGreaterThan(0);
    for (const l of more) expect(l).toMatch(/\d+ more \(\d+ blocking\), in the criteria tables (below|above)$/);
    expect(out).not.toContain('more in the tables below');
  });

  it('keeps the whole environment table', () => {
    const env = out.slice(out.indexOf('## 1. Test environment'), out.indexOf('## 2. Test results'));
    expect(env).toContain('| Results (tc) | k6 JSON output, 1 file |');
    expect(env).toContain('| Generated | 2026-11-27T03:00:00Z |');
    expect(env).not.toContain('not shown');
  });

  it('a report cut at a line says how many blocking criteria the full report lists', () => {
    const cut = fitMarkdown(input, 3000, NOTE);
    expect(cut.length).toBeLessThanOrEqual(3000);
    expect(cut).toContain(`the full report lists all ${blocking.length} blocking criteria`);
  });
});

describe('cutAtLine', () => {
  it('cuts at a line boundary and closes an open fence', () => {
    const text = 'a\n```text\nline 1\nline 2\nline 3\n```\nafter\n';
    const cut = cutAtLine(text, 25);
    expect(cut).toBe('a\n```text\nline 1\nline 2\n```\n');
    expect(cutAtLine(text, text.length)).toBe(text);
    expect(cutAtLine('| a | b |\n| - | - |\n| 1 | 2 |\n', 22)).toBe('| a | b |\n| - | - |\n');
  });
});

describe('fitMarkdown: more blocking rows than fit', () => {
  // 300 tenants, each with its own p99 over 150 ms: 300 blocking rows, more than the limit holds
  const tenants = Array.from({ length: 300 }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
  const results = capacityResults({ tenants, slowTenant: 'tenant-299', n: 3000 });
  const evaluation = evaluate({ config: config(), scenarios: [{ name: 'tc', results, rules: [rule('http_req_duration{tenant:*}', 'p(99)<150')] }] });
  const input: ReportInput = { evaluation, results: { tc: results } };
  const blocking = evaluation.scenarios[0]!.criteria.filter((c) => c.blocking);
  const out = fitMarkdown(input, 20_000, NOTE);

  it('trims blocking rows too rather than cutting the decision and the data-quality section off', () => {
    expect(blocking).toHaveLength(300);
    expect(out.length).toBeLessThanOrEqual(20_000);
    expect(out).toContain('## 3. Comparison to SLOs');
    expect(out).toContain('## 4. Decision');
    expect(out).toContain('## 5. Data quality');
    expect(out).not.toContain('Cut short here');
    expect(rowsWhole(out)).toBe(true);
  });

  it('says how many blocking rows each table left out, and claims nothing it does not show', () => {
    const table = out.slice(out.indexOf('**Pass/fail assessment**'), out.indexOf('**Scenario result**'));
    const shown = blocking.filter((c) => table.includes(`| \`${c.metric}\` |`)).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(300);
    expect(table).toContain(`_${300 - shown} more rows not shown to fit the size limit: ${300 - shown} ❌ FAIL (blocking)._`);
    // the rows kept are the worst: the slowest tenant (last by name) leads the table
    expect(table.split('\n').filter((l) => l.startsWith('| `'))[0]).toMatch(/^\| `http_req_duration\{tenant:tenant-299\}` \|/);
    expect(out).not.toContain('Every blocking row is shown');
    expect(out).not.toContain("Every blocking criterion is in its scenario's criteria table above");
    for (const l of out.split('\n').filter((x) => x.includes('… and '))) expect(l).not.toMatch(/in the criteria tables (below|above)$/);
  });
});
