import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { InputError } from '../../src/errors.js';
import { baselineFromJsonReport, expressionAggregation, toJsonReport } from '../../src/report/json.js';
import { headlineFor } from '../../src/report/markdown.js';
import { config, rule } from '../evaluate/rules.js';
import { capacityResults, twoScenarios } from './fixtures.js';

describe('toJsonReport', () => {
  const { evaluation, results } = twoScenarios();
  const report = toJsonReport(evaluation, { results, generatedAt: '2026-11-27T03:00:00Z', environment: { commit: 'abc123' } });

  it('has the contract shape', () => {
    expect(Object.keys(report).sort()).toEqual(['criteria', 'environment', 'failOn', 'generatedAt', 'measurements', 'rationale', 'scenarios', 'schema', 'verdict', 'warnings'].sort());
    expect(report).toMatchObject({ schema: 1, verdict: 'NOT_APPROVED', failOn: 'fail', rationale: evaluation.rationale });
    expect(report.scenarios.map((s) => s.name)).toEqual(['baseline', 'target-capacity']);
    expect(report.scenarios[1]!.headline).toEqual(headlineFor(results['target-capacity']!));
    const c = report.criteria.find((x) => x.metric === 'http_req_duration{tenant:umbrella}')!;
    expect(Object.keys(c).sort()).toEqual(['actual', 'baseline', 'blocking', 'delta', 'expression', 'kind', 'limit', 'metric', 'reason', 'scenario', 'severity', 'status', 'unit', 'window', 'pos'].sort());
    expect(c).toMatchObject({ scenario: 'target-capacity', expression: 'p(99)<500', status: 'fail', blocking: true, unit: 'ms', limit: 500, kind: 'k6', baseline: null, delta: null, reason: null });
    // an expanded {tenant:*} row points to its wildcard rule in thresholds.yml
    expect(c.pos).toEqual({ file: 'thresholds.yml', line: 1, column: 1 });
    expect(report.criteria).toHaveLength(evaluation.scenarios.reduce((n, s) => n + s.criteria.length, 0));
  });

  it('survives JSON.stringify: no NaN, no undefined', () => {
    const text = JSON.stringify(report);
    expect(JSON.parse(text)).toEqual(report);
    const relative = evaluate({ config: config(), scenarios: [{ name: 's', results: capacityResults(), baseline: { missing: 'none' }, rules: [rule('http_req_duration', 'p(99)<+10%')] }] });
    const j = toJsonReport(relative, { results: {} });
    expect(j.criteria[0]!.limit).toBeNull();
    expect(j.criteria[0]!.status).toBe('no-data');
    expect(j.scenarios[0]!.headline).toEqual({ p95: null, p99: null, errorRate: null, rps: null });
  });

  it('measurements hold every measured criterion and the headline numbers', () => {
    const m = report.measurements;
    const tc = evaluation.scenarios[1]!;
    for (const c of tc.criteria) {
      if (c.actual === null) continue;
      expect(m[`target-capacity|${c.metric}|${expressionAggregation(c.expression)}`]).toBe(c.actual);
    }
    const h = headlineFor(results.baseline!);
    expect(m['baseline|http_req_duration|p(95)']).toBe(h.p95);
    expect(m['baseline|http_req_duration|p(99)']).toBe(h.p99);
    expect(m['baseline|http_req_failed|rate']).toBe(h.errorRate);
    expect(m['baseline|http_reqs|rate']).toBe(h.rps);
    expect(m['target-capacity|http_req_duration{tenant:acme}|p(99)']).toBeTypeOf('number');
  });

  it('expressionAggregation reads the canonical aggregation', () => {
    expect(expressionAggregation('p(99.0)<500')).toBe('p(99)');
    expect(expressionAggregation('p(99.9) < 500')).toBe('p(99.9)');
    expect(expressionAggregation('rate<+0.005')).toBe('rate');
    expect(expressionAggregation('avg<70')).toBe('avg');
    expect(expressionAggregation('bogus')).toBeUndefined();
  });
});

describe('baselineFromJsonReport', () => {
  it('round trip: a report written now is the baseline of the next run', () => {
    const { evaluation, results } = twoScenarios();
    const text = JSON.stringify(toJsonReport(evaluation, { results, environment: { commit: 'abc123' } }));
    const baseline = baselineFromJsonReport(JSON.parse(text), 'main/report.json');
    expect(baseline.source).toBe('main/report.json');
    expect(baseline.commit).toBe('abc123');
    expect(Object.keys(baseline.scenarios).sort()).toEqual(['baseline', 'target-capacity']);
    const p99 = headlineFor(results['target-capacity']!).p99!;
    expect(baseline.scenarios['target-capacity']!['http_req_duration|p(99)']).toBe(p99);

    // the same run against itself: every relative criterion has a zero delta and passes
    const next = evaluate({
      config: config(),
      scenarios: [{ name: 'target-capacity', results: results['target-capacity']!, baseline, rules: [rule('http_req_duration', 'p(99)<+10%'), rule('http_req_duration{tenant:*}', 'p(99)<+5%'), rule('http_reqs', 'rate>-5%')] }],
    });
    const cs = next.scenarios[0]!.criteria;
    expect(cs).toHaveLength(7);
    for (const c of cs) {
      expect(c.status).toBe('pass');
      expect(c.delta).toBe(0);
      expect(c.kind).toBe('relative');
    }
    expect(cs[0]!.baseline).toBe(p99);
    expect(cs[0]!.limit).toBeCloseTo(p99 * 1.1, 9);
  });

  it('a scenario name containing | still maps back', () => {
    const ev = evaluate({ config: config(), scenarios: [{ name: 'a|b', results: capacityResults(), rules: [rule('http_req_duration', 'p(95)<9000')] }] });
    const b = baselineFromJsonReport(JSON.parse(JSON.stringify(toJsonReport(ev, { results: {} }))), 'r.json');
    expect(Object.keys(b.scenarios['a|b']!)).toEqual(['http_req_duration|p(95)']);
  });

  it.each([
    [null, /r\.json: not a perf-gate JSON report: \(top level\)/],
    [{ schema: 2, scenarios: [], measurements: {} }, /schema/],
    [{ schema: 1, scenarios: [{ name: 's' }], measurements: { 's|http_reqs|rate': 'fast' } }, /measurements\.s\|http_reqs\|rate/],
    [{ schema: 1, scenarios: [{ name: 's' }] }, /measurements/],
    [{ schema: 1, scenarios: [{ name: 's' }], measurements: { 'other|http_reqs|rate': 1 } }, /measurements key "other\|http_reqs\|rate"/],
    [{ schema: 1, scenarios: [{ name: 's' }], measurements: { 's|http_reqs': 1 } }, /measurements key/],
  ])('rejects %j naming the file and what is wrong', (value, message) => {
    let thrown: unknown;
    try {
      baselineFromJsonReport(value, 'r.json');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).where).toBe('r.json');
    expect((thrown as Error).message).toMatch(message);
  });
});

describe('toJsonReport: field order', () => {
  it('the documented order, whatever order the environment was given in', () => {
    const { evaluation, results } = twoScenarios();
    const a = toJsonReport(evaluation, { results, generatedAt: 'T', environment: { thresholdsFile: 't.yml', generatedAt: 'T', commit: 'c', baseUrl: 'https://x' } });
    const b = toJsonReport(evaluation, { results, generatedAt: 'T', environment: { baseUrl: 'https://x', commit: 'c', generatedAt: 'T', thresholdsFile: 't.yml' } });
    expect(Object.keys(a)).toEqual(['schema', 'verdict', 'failOn', 'rationale', 'generatedAt', 'environment', 'scenarios', 'criteria', 'measurements', 'warnings']);
    expect(Object.keys(a.environment!)).toEqual(['baseUrl', 'commit', 'thresholdsFile', 'generatedAt']);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(Object.keys(a.criteria[0]!)).toEqual(['scenario', 'metric', 'expression', 'actual', 'limit', 'unit', 'status', 'blocking', 'severity', 'kind', 'reason', 'baseline', 'delta', 'window', 'pos']);
  });
});

describe('toJsonReport: where each criterion comes from', () => {
  it("every expanded row carries its wildcard rule's position; the run's own criteria have none", () => {
    const results = capacityResults();
    const pos = { file: 'perf/thresholds.yml', line: 12, column: 7 };
    const run = { scenario: 'tc', outputs: [], window: { start: 0, end: 1 }, exitCode: 105, exitMeaning: 'external abort (105)', incomplete: 'cancelled', attempt: 1 };
    const ev = evaluate({ config: config(), scenarios: [{ name: 'tc', results, run, rules: [rule('http_req_duration{tenant:*}', 'p(99)<500', { pos })] }] });
    const j = JSON.parse(JSON.stringify(toJsonReport(ev, { results: { tc: results } })));
    const tenants = j.criteria.filter((c: { metric: string }) => c.metric.startsWith('http_req_duration{tenant:'));
    expect(tenants).toHaveLength(5);
    for (const c of tenants) expect(c.pos).toEqual(pos);
    const runRow = j.criteria.find((c: { metric: string }) => !c.metric.startsWith('http_req_duration'));
    expect(runRow).toMatchObject({ status: 'fail', blocking: true, pos: null });
  });
});
