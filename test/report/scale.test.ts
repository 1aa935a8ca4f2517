// Reports over many criteria stay readable: one measurement named once, a list line of bounded length.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { fitMarkdown } from '../../src/report/fit.js';
import { GROUP_NAMES_SHOWN, renderMarkdown } from '../../src/report/markdown.js';
import { simpleRun } from '../support/fake-results.js';
import { config, rule } from '../evaluate/rules.js';
import { T0, capacityResults } from './fixtures.js';

describe('a wildcard rule failing the same way on 150 endpoints', () => {
  const endpoints = Array.from({ length: 150 }, (_, i) => `https://api.example.com/v1/items/${String(i).padStart(3, '0')}?${'q=x&'.repeat(40)}`);
  // every endpoint gets the same 10 durations: the same p99 everywhere
  const results = { s: simpleRun({ n: 1500, seconds: 60, t0: T0, duration: (i) => 600 + (Math.floor(i / 150) % 10), tags: (i) => ({ name: endpoints[i % 150] as string }) }) };
  const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: results.s, rules: [rule('http_req_duration{name:*}', 'p(99)<500')] }] });
  const md = renderMarkdown({ evaluation, results });

  it('is one line in the key findings and in the decision, naming the first metrics and counting the rest', () => {
    const failed = evaluation.scenarios[0]!.criteria.filter((c) => c.blocking);
    expect(failed).toHaveLength(150);
    expect(new Set(failed.map((c) => c.actual)).size).toBe(1);
    const finding = md.split('\n').filter((l) => l.startsWith('- ❌'));
    expect(finding).toHaveLength(1);
    expect(finding[0]).toContain(`and ${150 - GROUP_NAMES_SHOWN} more metrics \`p(99)<500\``);
    expect(finding[0]!.match(/`http_req_duration\{name:/g)).toHaveLength(GROUP_NAMES_SHOWN);
    const decision = md.slice(md.indexOf('**Blocking criteria**')).split('\n').filter((l) => /^\d+\. /.test(l));
    expect(decision).toHaveLength(1);
    expect(decision[0]).toMatch(new RegExp(`and ${150 - GROUP_NAMES_SHOWN} more metrics \`p\\(99\\)<500\` — actual .* \\(the same value\\)$`));
    for (const l of [...finding, ...decision]) expect(l.length).toBeLessThan(1000);
    // the criteria table still names every one
    for (const e of endpoints) expect(md).toContain(`| \`http_req_duration{name:${e}}\` |`);
  });

  it('a group of four is named in full', () => {
    const few = { s: simpleRun({ n: 40, seconds: 10, t0: T0, duration: () => 600, tags: (i) => ({ tenant: `t${i % 4}` }) }) };
    const ev = evaluate({ config: config(), scenarios: [{ name: 's', results: few.s, rules: [rule('http_req_duration{tenant:*}', 'p(99)<500')] }] });
    const line = renderMarkdown({ evaluation: ev, results: few }).split('\n').find((l) => l.startsWith('- ❌'))!;
    expect(line).toContain('`http_req_duration{tenant:t0}` and `http_req_duration{tenant:t1}` and `http_req_duration{tenant:t2}` and `http_req_duration{tenant:t3}` `p(99)<500`');
  });

  it('fitted to a comment, the findings keep their room', () => {
    const out = fitMarkdown({ evaluation, results }, 65_536, 'Shortened.');
    expect(out.length).toBeLessThanOrEqual(65_536);
    const longest = Math.max(...out.split('\n').filter((l) => l.startsWith('- ') || /^\d+\. /.test(l)).map((l) => l.length));
    expect(longest).toBeLessThan(1000);
  });
});

describe('large counts', () => {
  it("the HTTP metrics block groups thousands, like the report's other counts", () => {
    const results = { tc: capacityResults({ n: 3000 }) };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 'tc', results: results.tc, rules: [] }] });
    const block = renderMarkdown({ evaluation, results }).split('```text\n')[1]!.split('\n```')[0]!;
    expect(block).toMatch(/^checks\.+: 99\.00% {2}✓ 2,970 {2}✗ 30$/m);
    expect(block).toMatch(/^http_req_failed\.+: \S+ {2}50 failed of 3,000$/m);
    expect(block).toMatch(/^http_reqs\.+: 3,000 {2}/m);
  });
});

describe('key findings over many failing criteria', () => {
  it('the worst first: the furthest past its limit leads, and the ten shown are the ten worst', () => {
    // 12 tenants, each over 500 ms; the later the name, the slower
    const tenants = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const results = { s: simpleRun({ n: 1200, seconds: 60, t0: T0, duration: (i) => 520 + (i % 12) * 40, tags: (i) => ({ tenant: tenants[i % 12] as string }) }) };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: results.s, rules: [rule('http_req_duration{tenant:*}', 'p(99)<500'), rule('http_req_duration', 'p(50)<5000')] }] });
    const findings = renderMarkdown({ evaluation, results })
      .split('\n')
      .filter((l) => l.startsWith('- ❌'))
      .map((l) => /\{tenant:(t\d\d)\}/.exec(l)?.[1]);
    expect(findings).toEqual(['t11', 't10', 't09', 't08', 't07', 't06', 't05', 't04', 't03', 't02']);
  });
});
