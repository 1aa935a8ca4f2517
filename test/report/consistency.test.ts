// The report never contradicts itself: windows labelled, values told apart from their limits, the
// scenario result, SLO table and rationale saying what the rows say.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { toJsonReport } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Baseline } from '../../src/model.js';
import { formatDelta, formatPair, formatValue } from '../../src/report/units.js';
import { FakeResults, HTTP_METRICS, httpSamples, simpleRun, type Request } from '../support/fake-results.js';
import { config, rule } from '../evaluate/rules.js';
import { T0, capacityResults } from './fixtures.js';
import { durationText } from '../../src/report/window.js';

/** Data rows of the first GFM table after `heading`. */
function tableAfter(md: string, heading: string): string[][] {
  const lines = md.slice(md.indexOf(heading)).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[] = [];
  for (let i = start; i < lines.length && (lines[i] as string).startsWith('|'); i++) rows.push(lines[i] as string);
  return rows.slice(2).map((r) => r.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

function line(md: string, prefix: string): string {
  return md.split('\n').find((l) => l.startsWith(prefix)) ?? '';
}

describe('windows are labelled', () => {
  // steady state 10 s – 60 s; the 100 ramp requests (first 10 s) fail, none after
  const results = { tc: simpleRun({ n: 600, seconds: 60, t0: T0, duration: () => 50, status: (i) => (i < 100 ? 500 : 200), steady: { start: T0 + 10_000, end: T0 + 60_000 } }) };

  it("a rule's own steady window is named in its row's notes; the summary headline is over the scenario's window", () => {
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 'tc', results: results.tc, rules: [rule('http_req_failed', 'rate<0.01', { window: 'steady' }), rule('http_req_duration', 'p(99)<500')] }] });
    const md = renderMarkdown({ evaluation, results });
    const rows = tableAfter(md, '**Pass/fail assessment**');
    const failed = rows.find((r) => r[0] === '`http_req_failed`')!;
    expect(failed[2]).toBe('0.00%');
    expect(failed.at(-1)).toBe('measured over the steady state, 22:13:30–22:14:20 UTC (50 s)');
    expect(rows.find((r) => r[0] === '`http_req_duration`')!.at(-1)).toBe('');
    // the SLO comparison says it too, beside a value the key findings give for the whole run
    const slo = tableAfter(md, '## 3. Comparison to SLOs');
    expect(slo.find((r) => r[0] === '**Error rate**')![2]).toBe('0.00% ✅ (over the steady state)');
    expect(slo.find((r) => r[0] === '**Latency (p99)**')![2]).toMatch(/^[\d.]+ ms ✅$/);
    // the whole run's error rate in the summary: 100 of 600
    expect(line(md, '- **tc**')).toContain('error rate 16.67%');
    const json = toJsonReport(evaluation, { results });
    expect(json.criteria[0]!.window).toEqual({ start: T0 + 10_000, end: T0 + 60_000 });
    expect(json.criteria[1]!.window).toBeNull();
  });

  it("with the scenario's window steady, the headline says so and a whole-run row is labelled", () => {
    const pos = { file: 'thresholds.yml', line: 1, column: 1 };
    const cfg = config({ scenarios: [{ name: 'tc', rules: [], env: {}, window: 'steady', pos }] });
    const evaluation = evaluate({ config: cfg, scenarios: [{ name: 'tc', results: results.tc, rules: [rule('http_req_failed', 'rate<0.5', { window: 'steady' }), rule('http_reqs', 'count>1')] }] });
    const md = renderMarkdown({ evaluation, results });
    expect(line(md, '- **tc**')).toMatch(/^- \*\*tc\*\* \(steady state, 22:13:30–22:14:20 UTC\): .*error rate 0\.00%/);
    const rows = tableAfter(md, '**Pass/fail assessment**');
    expect(rows[0]!.at(-1)).toBe('');
    expect(rows[1]!.at(-1)).toMatch(/^measured over the whole run, 22:13:20–22:14:19 UTC/);
    expect(toJsonReport(evaluation, { results }).scenarios[0]!.headline.errorRate).toBe(0);
  });
});

describe('the legend', () => {
  it('states the marginal band, and the rules with a band of their own', () => {
    const results = { tc: simpleRun({ n: 600, seconds: 60, t0: T0, duration: () => 50 }) };
    const evaluation = evaluate({
      config: config(),
      scenarios: [{ name: 'tc', results: results.tc, rules: [rule('http_req_duration', 'p(95)<400'), rule('http_req_duration', 'p(99)<500', { marginal: 0.05 }), rule('http_req_failed', 'rate<0.01')] }],
    });
    const md = renderMarkdown({ evaluation, results });
    expect(line(md, '**Legend**')).toContain('⚠️ MARGINAL passes within 10% (5% for `http_req_duration` `p(99)<500` in tc) of the limit');
  });
});

describe('the SLO comparison', () => {
  it("shows a scenario's value for an SLO judged only in another scenario, marked as not a target there", () => {
    const results = { base: simpleRun({ n: 100, seconds: 10, t0: T0, duration: () => 50 }), tc: simpleRun({ n: 600, seconds: 60, t0: T0, duration: () => 80 }) };
    const evaluation = evaluate({
      config: config(),
      scenarios: [
        { name: 'base', results: results.base, rules: [rule('http_req_duration', 'p(95)<400')] },
        { name: 'tc', results: results.tc, rules: [rule('http_req_duration', 'p(95)<400'), rule('http_reqs', 'rate>=5')] },
      ],
    });
    const slo = tableAfter(renderMarkdown({ evaluation, results }), '## 3. Comparison to SLOs');
    const throughput = slo.find((r) => r[0] === '**Throughput**')!;
    expect(throughput[2]).toMatch(/^[\d.]+ req\/s \(no target here\)$/);
    expect(throughput[3]).toMatch(/^[\d.]+ req\/s ✅$/);
  });
});

describe('values are told apart from their limits', () => {
  it('adds decimals until actual and limit differ; never rounds to 100% or 0%', () => {
    expect(formatPair(0.00027, 0.0003, 'ratio')).toEqual(['0.027%', '0.03%']);
    expect(formatPair(499.6, 500, 'ms')).toEqual(['499.6 ms', '500 ms']);
    expect(formatPair(500, 500, 'ms')).toEqual(['500 ms', '500 ms']);
    expect(formatValue(0.9999999, 'ratio')).toBe('99.99999%');
    expect(formatValue(1e-9, 'ratio')).not.toMatch(/^0(\.0+)?%$/);
    expect(formatValue(99.9999, 'percent')).not.toBe('100%');
  });

  it("the summary's headline shows a value as its criterion does: a failing 0.1004% never reads 0.10% beside it", () => {
    // 5 failures in 4,980 requests: 0.1004%, against rate<0.001
    const reqs: Request[] = [];
    for (let i = 0; i < 4980; i++) reqs.push({ t: T0 + i * 20, duration: 10, status: i < 5 ? 500 : 200 });
    const results = { s: new FakeResults({ metrics: HTTP_METRICS, samples: httpSamples(reqs) }) };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: results.s, rules: [rule('http_req_failed', 'rate<0.001')] }] });
    expect(evaluation.scenarios[0]!.criteria[0]!.status).toBe('fail');
    const md = renderMarkdown({ evaluation, results });
    expect(line(md, '- ❌ **s**')).toContain('0.1004% (limit 0.10%)');
    // with its status, as the template's "p99 = …ms (PASS/FAIL)"
    expect(line(md, '- **s**')).toContain('error rate 0.1004% ❌,');
    // without a criterion on it, the headline keeps its usual two decimals
    const plain = evaluate({ config: config(), scenarios: [{ name: 's', results: results.s, rules: [rule('http_req_duration', 'p(99)<500')] }] });
    const plainLine = line(renderMarkdown({ evaluation: plain, results }), '- **s**');
    expect(plainLine).toContain('error rate 0.10%,');
    expect(plainLine).toMatch(/p99 = [\d.]+ ms ✅,/);
  });

  it("the headline borrows decimals only from a criterion on its own metric: an equal iterations rate does not make throughput it/s", () => {
    // one request per iteration: iterations and http_reqs have the same rate
    const reqs: Request[] = [];
    for (let i = 0; i < 100; i++) reqs.push({ t: T0 + i * 99, duration: 10 });
    const iterations = reqs.map((r) => ({ metric: 'iterations', t: r.t, value: 1 }));
    const results = { s: new FakeResults({ metrics: [...HTTP_METRICS, { name: 'iterations', type: 'counter', contains: 'default' }], samples: [...httpSamples(reqs), ...iterations] }) };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: results.s, rules: [rule('iterations', 'rate>10.2019'), rule('http_reqs', 'count>0')] }] });
    const its = evaluation.scenarios[0]!.criteria.find((c) => c.metric === 'iterations')!;
    const md = renderMarkdown({ evaluation, results });
    expect(md).toContain(`${formatPair(its.actual, its.limit, its.unit, 'iterations')[0]}`);
    expect(line(md, '- **s**')).toMatch(/throughput [\d.]+ req\/s$/);
  });

  it('a run without a single HTTP request does not read "error rate 0.00%" in the summary', () => {
    const iterations = [0, 1, 2].map((i) => ({ metric: 'iterations', t: T0 + i * 1000, value: 1 }));
    const none = { s: new FakeResults({ metrics: [{ name: 'iterations', type: 'counter', contains: 'default' }], samples: iterations }) };
    // k6 writes a metric's Metric line just before its first sample: without requests, no http_* metric at all
    const withRequests = { s: new FakeResults({ metrics: HTTP_METRICS, samples: [...iterations, ...httpSamples([{ t: T0, duration: 10 }])] }) };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: none.s, rules: [rule('http_req_failed', 'rate<0.01')] }] });
    expect(line(renderMarkdown({ evaluation, results: none }), '- **s**')).toBe('- **s**: no HTTP requests were made, so there is no latency, error rate or throughput to show');
    const other = evaluate({ config: config(), scenarios: [{ name: 's', results: withRequests.s, rules: [] }] });
    expect(line(renderMarkdown({ evaluation: other, results: withRequests }), '- **s**')).toMatch(/^- \*\*s\*\*: p95 = 10 ms, p99 = 10 ms, error rate 0\.00%/);
  });

  it('a ratio delta is in percentage points', () => {
    expect(formatDelta(0.0002, 0.0001, 'ratio')).toBe('+0.02 pp');
    expect(formatDelta(-0.0005, 0.001, 'ratio')).toBe('−0.05 pp');
  });

  it('the criteria table, summary and decision show 0.027% against 0.03%', () => {
    // 1 failure in 3,690 requests → 0.027%
    const reqs: Request[] = [];
    for (let i = 0; i < 3690; i++) reqs.push({ t: T0 + i * 10, duration: 10, status: i === 5 ? 500 : 200 });
    const results = { s: new FakeResults({ metrics: HTTP_METRICS, samples: httpSamples(reqs) }) };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: results.s, rules: [rule('http_req_failed', 'rate<0.0003')] }] });
    expect(evaluation.scenarios[0]!.criteria[0]!.status).toBe('marginal');
    const md = renderMarkdown({ evaluation, results });
    const row = tableAfter(md, '**Pass/fail assessment**')[0]!;
    expect(row.slice(1, 3)).toEqual(['rate < 0.03%', '0.027%']);
    expect(md).toContain('actual 0.027%, limit 0.03%');
  });
});

describe('relative rules are regressions', () => {
  it('named "… regression vs base", with base → limit', () => {
    const baseline: Baseline = { source: 'base.json', scenarios: { s: { 'http_req_duration|p(99)': 100 } } };
    const results = { s: simpleRun({ n: 100, seconds: 100, t0: T0, duration: (i) => i + 1 }) };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: results.s, baseline, rules: [rule('http_req_duration', 'p(99)<500'), rule('http_req_duration', 'p(99)<+10%')] }] });
    const md = renderMarkdown({ evaluation, results });
    const slo = tableAfter(md, '## 3. Comparison to SLOs');
    expect(slo.map((r) => r[0])).toEqual(['**Latency (p99)**', '**Latency p99 regression vs base**']);
    expect(slo[1]![2]).toMatch(/^99 ms ✅ \(base 100 ms → limit 110 ms\)$/);
  });
});

describe('status text agrees with the rows', () => {
  const results = { s: simpleRun({ n: 100, seconds: 100, t0: T0, duration: (i) => i + 1 }) };

  it('a warn-only failure: (warn only) in the row, the scenario result and the SLO table; the rationale says why it does not fail', () => {
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: results.s, rules: [rule('http_req_duration', 'p(99)<50', { severity: 'warn' })] }] });
    expect(evaluation.verdict).toBe('CONDITIONALLY_APPROVED');
    const md = renderMarkdown({ evaluation, results });
    expect(tableAfter(md, '**Pass/fail assessment**')[0]!.at(-1)).toBe('❌ FAIL (warn only)');
    expect(line(md, '**Scenario result**')).toBe('**Scenario result**: ❌ FAIL (warn only) — does not fail the gate; 1 criterion needs attention');
    expect(tableAfter(md, '## 3. Comparison to SLOs')[0]!.at(-1)).toBe('❌ FAIL (warn only)');
    expect(evaluation.rationale).not.toMatch(/No criterion fails the gate, but/);
    expect(evaluation.rationale).toContain('fails at 99 ms (warn only: does not fail the gate)');
  });

  it('fail-on: marginal: the marginal rows are (blocking), and nothing calls a passing value missed', () => {
    const evaluation = evaluate({ config: config(), failOn: 'marginal', scenarios: [{ name: 's', results: results.s, rules: [rule('http_req_duration', 'p(99)<105')] }] });
    expect(evaluation.verdict).toBe('NOT_APPROVED');
    const md = renderMarkdown({ evaluation, results });
    expect(tableAfter(md, '**Pass/fail assessment**')[0]!.at(-1)).toBe('⚠️ MARGINAL (blocking)');
    expect(line(md, '**Scenario result**')).toBe('**Scenario result**: ⚠️ MARGINAL (blocking) — 1 criterion fails the gate');
    expect(tableAfter(md, '## 3. Comparison to SLOs')[0]!.at(-1)).toBe('⚠️ MARGINAL (blocking)');
    expect(evaluation.rationale).not.toContain('missed');
    expect(evaluation.rationale).toMatch(/^1 criterion fails the gate: s: http_req_duration p\(99\)<105 is marginal at 99 ms \(within the marginal band, and fail-on: marginal fails the gate on it\)\.$/);
    expect(line(md, '**Legend**')).toContain('with fail-on: marginal, ⚠️ fail the gate');
  });

  it('no data under a warn-only rule reads NO DATA (warn only), once', () => {
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: results.s, rules: [rule('nope', 'p(99)<5', { severity: 'warn' })] }] });
    const md = renderMarkdown({ evaluation, results });
    expect(tableAfter(md, '**Pass/fail assessment**')[0]).toContain('❔ NO DATA (warn only)');
  });
});

describe('dates', () => {
  it("the first line gives when the test ran (the results' span); the environment table keeps the generation time", () => {
    const results = { tc: capacityResults() };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 'tc', results: results.tc, rules: [] }] });
    const md = renderMarkdown({ evaluation, results, environment: { generatedAt: '2026-11-27T03:00:00Z' } });
    const meta = md.split('\n')[2]!;
    expect(meta).toMatch(/^\*\*Test run\*\*: 2023-11-14 22:13:20–22:14:19 UTC/);
    expect(meta).not.toContain('2026-11-27');
    expect(tableAfter(md, '## 1. Test environment').find((r) => r[0] === 'Generated')![1]).toBe('2026-11-27T03:00:00Z');
  });
});

describe('the scenario section fills the template', () => {
  it('duration, peak VUs and the ramp-up / sustained / ramp-down shape, from the VU series and the steady state', () => {
    // 0–20 s ramp to 50 VUs, 20–80 s at 50, 80–100 s down
    const vus = Array.from({ length: 100 }, (_, s) => ({ metric: 'vus', t: T0 + s * 1000, value: s < 20 ? Math.round((s * 50) / 20) : s < 80 ? 50 : Math.round(((99 - s) * 50) / 20) }));
    const r = simpleRun({ n: 500, seconds: 100, t0: T0, duration: () => 30, extra: vus, extraMetrics: [{ name: 'vus', type: 'gauge', contains: 'default' }], steady: { start: T0 + 20_000, end: T0 + 80_000 } });
    const results = { s: r };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: r, rules: [] }] });
    const md = renderMarkdown({ evaluation, results });
    expect(md).toContain('**Duration**: 1 min 40 s (22:13:20–22:14:59 UTC)');
    expect(md).toContain('**Peak VUs**: 50');
    expect(md).toContain('**Ramp-up**: 20 s (0 → 50 VUs) · **Sustained**: 1 min (50 VUs) · **Ramp-down**: 20 s (50 → 0 VUs)');
  });

  it('a run shorter than a second reads its length, and its steady state (found in whole buckets) is no longer than the run', () => {
    const reqs: Request[] = [{ t: T0 + 150, duration: 12 }, { t: T0 + 350, duration: 14 }];
    const vus = [100, 400].map((ms) => ({ metric: 'vus', t: T0 + ms, value: 5 }));
    const r = new FakeResults({ metrics: [...HTTP_METRICS, { name: 'vus', type: 'gauge', contains: 'default' }], samples: [...httpSamples(reqs), ...vus], steady: { start: T0, end: T0 + 1000 } });
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: r, rules: [] }] });
    const md = renderMarkdown({ evaluation, results: { s: r } });
    expect(md).toMatch(/\*\*Duration\*\*: 0\.3 s \(/);
    expect(md).toContain('**Ramp-up**: 0 s (0 → 5 VUs) · **Sustained**: 0.3 s (5 VUs) · **Ramp-down**: 0 s (5 → 0 VUs)');
    expect(durationText(40)).toBe('0.1 s');
    expect(durationText(949)).toBe('0.9 s');
    expect(durationText(950)).toBe('1 s');
    expect(durationText(0)).toBe('0 s');
  });
});

describe('one measurement, one condition', () => {
  it('two criteria with the same expression, value and status are listed once, naming both metrics', () => {
    const reqs: Request[] = Array.from({ length: 100 }, (_, i) => ({ t: T0 + i * 100, duration: i + 400, tags: { endpoint: 'create_trade' } }));
    const trend = reqs.map((r) => ({ metric: 'create_trade_latency', t: r.t, value: r.duration }));
    const results = { s: new FakeResults({ metrics: [...HTTP_METRICS, { name: 'create_trade_latency', type: 'trend', contains: 'time' }], samples: [...httpSamples(reqs), ...trend] }) };
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results: results.s, rules: [rule('http_req_duration{endpoint:create_trade}', 'p(99)<510'), rule('create_trade_latency', 'p(99)<510')] }] });
    expect(evaluation.scenarios[0]!.criteria.map((c) => c.status)).toEqual(['marginal', 'marginal']);
    const md = renderMarkdown({ evaluation, results });
    const conditions = md.slice(md.indexOf('**Conditions**')).split('\n').filter((l) => /^\d+\. /.test(l));
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatch(/`http_req_duration\{endpoint:create_trade\}` and `create_trade_latency` `p\(99\)<510` — actual .* \(the same value\)$/);
    expect(md.split('\n').filter((l) => l.startsWith('- ⚠️'))).toHaveLength(1);
  });
});
