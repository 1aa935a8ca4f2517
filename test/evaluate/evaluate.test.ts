import { describe, expect, it } from 'vitest';
import { describeCriterion, evaluate, RUN_COMPLETED, RUN_NOT_FAILED, type ScenarioInput } from '../../src/evaluate/evaluate.js';
import { baselineKey } from '../../src/evaluate/keys.js';
import type { Baseline, Config, CriterionResult, RunRecord } from '../../src/model.js';
import { FakeResults, FakeUtilization, HTTP_METRICS, httpSamples, simpleRun, type Request } from '../support/fake-results.js';
import { config, rule } from './rules.js';
import { criterion } from '../support/gate-double.js';

const T0 = 1_700_000_000_000;

/** 100 requests over 100 s with durations 1..100 ms (p(99) = 99.01 ms), 1 in 50 answered 500. */
function run100(opts: { slow?: number } = {}) {
  return simpleRun({ n: 100, seconds: 100, t0: T0, duration: (i) => (i + 1) * (opts.slow ?? 1), status: (i) => (i % 50 === 0 ? 500 : 200) });
}

function one(cfg: Config, s: ScenarioInput, failOn?: 'fail' | 'marginal') {
  return evaluate(failOn ? { config: cfg, scenarios: [s], failOn } : { config: cfg, scenarios: [s] });
}

function only(ev: ReturnType<typeof evaluate>): CriterionResult {
  const cs = ev.scenarios.flatMap((s) => s.criteria);
  expect(cs).toHaveLength(1);
  return cs[0] as CriterionResult;
}

describe('evaluate: criteria from k6 results', () => {
  it('measures actual, limit, unit and status; a failing error-severity criterion blocks', () => {
    const ev = one(config(), { name: 'baseline', results: run100(), rules: [rule('http_req_duration', 'p(99)<90')] });
    const c = only(ev);
    expect(c.actual).toBeCloseTo(99.01, 6);
    expect(c).toMatchObject({ scenario: 'baseline', metric: 'http_req_duration', expression: 'p(99)<90', limit: 90, unit: 'ms', status: 'fail', blocking: true, kind: 'k6' });
    expect(ev.verdict).toBe('NOT_APPROVED');
    expect(ev.rationale).toContain('http_req_duration p(99)<90');
  });

  it('units: ratio for a rate, per-second for a counter rate, count, bytes for data', () => {
    const results = new FakeResults({
      metrics: HTTP_METRICS,
      samples: [
        ...httpSamples([
          { t: T0, duration: 10, status: 200 },
          { t: T0 + 1000, duration: 20, status: 503 },
        ]),
        { metric: 'data_received', t: T0, value: 1500 },
      ],
    });
    const ev = one(config(), {
      name: 's',
      results,
      rules: [rule('http_req_failed', 'rate<0.6'), rule('http_reqs', 'rate>1'), rule('http_reqs', 'count>1'), rule('data_received', 'count<2000'), rule('availability', 'rate>=0.4')],
    });
    const cs = ev.scenarios[0]!.criteria;
    expect(cs.map((c) => c.unit)).toEqual(['ratio', 'per-second', 'count', 'bytes', 'ratio']);
    expect(cs.map((c) => c.actual)).toEqual([0.5, 2 / ((1001) / 1000), 2, 1500, 0.5]);
  });

  it('passes → APPROVED, a marginal → CONDITIONALLY_APPROVED, naming the criterion', () => {
    expect(one(config(), { name: 's', results: run100(), rules: [rule('http_req_duration', 'p(99)<200')] }).verdict).toBe('APPROVED');
    const ev = one(config(), { name: 's', results: run100(), rules: [rule('http_req_duration', 'p(99)<105')] });
    expect(only(ev).status).toBe('marginal');
    expect(only(ev).blocking).toBe(false);
    expect(ev.verdict).toBe('CONDITIONALLY_APPROVED');
    expect(ev.rationale).toMatch(/http_req_duration p\(99\)<105 is marginal/);
  });

  it('fail-on: marginal makes a marginal criterion blocking', () => {
    const ev = one(config(), { name: 's', results: run100(), rules: [rule('http_req_duration', 'p(99)<105')] }, 'marginal');
    expect(ev.failOn).toBe('marginal');
    expect(only(ev).blocking).toBe(true);
    expect(ev.verdict).toBe('NOT_APPROVED');
    // the config's own fail-on applies when the input does not override it
    expect(one(config({ failOn: 'marginal' }), { name: 's', results: run100(), rules: [rule('http_req_duration', 'p(99)<105')] }).verdict).toBe('NOT_APPROVED');
  });

  it('severity warn never blocks: a failing warn criterion makes the verdict conditional', () => {
    const ev = one(config(), { name: 's', results: run100(), rules: [rule('http_req_duration', 'p(99)<50', { severity: 'warn' })] });
    expect(only(ev)).toMatchObject({ status: 'fail', blocking: false, severity: 'warn' });
    expect(ev.verdict).toBe('CONDITIONALLY_APPROVED');
    const marg = one(config(), { name: 's', results: run100(), rules: [rule('http_req_duration', 'p(99)<105', { severity: 'warn' })] }, 'marginal');
    expect(only(marg).blocking).toBe(false);
  });
});

describe('evaluate: no data', () => {
  const missing = (noData: 'pass' | 'warn' | 'fail', severity: 'error' | 'warn' = 'error') =>
    one(config(), { name: 's', results: run100(), rules: [rule('http_req_duration', 'p(99)<500'), rule('portfolio_latency', 'p(99)<500', { noData, severity })] });

  it('policy pass: reported, not counted', () => {
    const ev = missing('pass');
    const c = ev.scenarios[0]!.criteria[1]!;
    expect(c).toMatchObject({ status: 'no-data', actual: null, blocking: false, noData: 'pass' });
    expect(c.reason).toContain('portfolio_latency');
    expect(ev.verdict).toBe('APPROVED');
  });
  it('policy warn: conditional', () => {
    const ev = missing('warn');
    expect(ev.verdict).toBe('CONDITIONALLY_APPROVED');
    expect(ev.rationale).toContain('portfolio_latency p(99)<500 has no data');
  });
  it('policy fail: blocking, unless severity warn', () => {
    const ev = missing('fail');
    expect(ev.scenarios[0]!.criteria[1]!.blocking).toBe(true);
    expect(ev.verdict).toBe('NOT_APPROVED');
    expect(missing('fail', 'warn').verdict).toBe('CONDITIONALLY_APPROVED');
  });
  it('a tag filter that matches no sample is no-data', () => {
    const ev = one(config(), { name: 's', results: run100(), rules: [rule('http_req_duration{endpoint:nope}', 'p(99)<500')] });
    expect(only(ev).status).toBe('no-data');
  });
});

describe('evaluate: wildcard expansion', () => {
  const tenants = ['acme', 'globex', 'initech', 'hooli', 'umbrella'];
  const results = simpleRun({
    n: 500,
    seconds: 50,
    t0: T0,
    tags: (i) => ({ tenant: tenants[i % 5] as string }),
    // umbrella is the noisy neighbour: 800 ms + noise, everyone else under 300
    duration: (i) => (i % 5 === 4 ? 800 + (i % 7) : 100 + (i % 200)),
  });

  it('one criterion per tenant seen, naming the value; only the slow tenant fails', () => {
    const ev = one(config(), { name: 'target-capacity', results, rules: [rule('http_req_duration{tenant:*}', 'p(99)<500')] });
    const cs = ev.scenarios[0]!.criteria;
    expect(cs.map((c) => c.metric)).toEqual([...tenants].sort().map((t) => `http_req_duration{tenant:${t}}`));
    expect(cs.filter((c) => c.status === 'fail').map((c) => c.metric)).toEqual(['http_req_duration{tenant:umbrella}']);
    expect(cs.filter((c) => c.status === 'pass')).toHaveLength(4);
    expect(ev.verdict).toBe('NOT_APPROVED');
    expect(ev.rationale).toContain('http_req_duration{tenant:umbrella}');
  });

  it('keeps fixed filters beside the wildcard', () => {
    const r = simpleRun({ n: 40, seconds: 10, t0: T0, tags: (i) => ({ endpoint: i % 2 ? 'trades' : 'portfolio', tenant: `t${i % 4}` }), duration: () => 10 });
    const ev = one(config(), { name: 's', results: r, rules: [rule('http_req_duration{endpoint:trades,tenant:*}', 'p(95)<500')] });
    const metrics = ev.scenarios[0]!.criteria.map((c) => c.metric);
    // odd i → trades → tenants t1 and t3 only; t0/t2 have no trades samples
    expect(metrics).toEqual(['http_req_duration{endpoint:trades,tenant:t0}', 'http_req_duration{endpoint:trades,tenant:t1}', 'http_req_duration{endpoint:trades,tenant:t2}', 'http_req_duration{endpoint:trades,tenant:t3}']);
    expect(ev.scenarios[0]!.criteria.map((c) => c.status)).toEqual(['no-data', 'pass', 'no-data', 'pass']);
  });

  it('no values seen → one no-data row', () => {
    const ev = one(config(), { name: 's', results: run100(), rules: [rule('http_req_duration{tenant:*}', 'p(99)<500')] });
    const c = only(ev);
    expect(c).toMatchObject({ status: 'no-data', metric: 'http_req_duration{tenant:*}' });
    expect(c.reason).toContain('tenant');
  });
});

describe('evaluate: windows', () => {
  // 0–20 s ramp with slow requests (1000 ms), then 80 s steady at 10 ms
  const results = simpleRun({
    n: 100,
    seconds: 100,
    t0: T0,
    duration: (i) => (i < 20 ? 1000 : 10),
    steady: { start: T0 + 20_000, end: T0 + 100_000 },
  });

  it('window: steady measures only the steady state and records it', () => {
    const all = one(config(), { name: 's', results, rules: [rule('http_req_duration', 'max<500')] });
    expect(only(all).status).toBe('fail');
    const steady = one(config({ window: 'steady' }), { name: 's', results, rules: [rule('http_req_duration', 'max<500', { window: 'steady' })] });
    expect(only(steady)).toMatchObject({ status: 'pass', actual: 10, window: { start: T0 + 20_000, end: T0 + 100_000 } });
    expect(steady.scenarios[0]!.window).toEqual({ start: T0 + 20_000, end: T0 + 100_000 });
  });

  it("a scenario's own window: steady (and warm-up) is the scenario's window, not the top-level one", () => {
    const pos = { file: 'thresholds.yml', line: 1, column: 1 };
    const cfg = config({ scenarios: [{ name: 's', rules: [], env: {}, window: 'steady', pos }] });
    const ev = one(cfg, { name: 's', results, rules: [rule('http_req_duration', 'max<500', { window: 'steady' })] });
    expect(ev.scenarios[0]!.window).toEqual({ start: T0 + 20_000, end: T0 + 100_000 });
    const warm = config({ scenarios: [{ name: 's', rules: [], env: {}, warmupSeconds: 30, pos }] });
    expect(one(warm, { name: 's', results, rules: [] }).scenarios[0]!.window!.start).toBe(T0 + 30_000);
    // another scenario's setting does not leak
    const other = config({ scenarios: [{ name: 'x', rules: [], env: {}, window: 'steady', pos }] });
    expect(one(other, { name: 's', results, rules: [] }).scenarios[0]!.window).toBeUndefined();
  });

  it('window: steady without a steady state is no-data with the reason', () => {
    const ev = one(config(), { name: 's', results: run100(), rules: [rule('http_req_duration', 'max<500', { window: 'steady' })] });
    expect(only(ev).status).toBe('no-data');
    expect(only(ev).reason).toMatch(/steady/);
  });

  it('warm-up trims the start of the run', () => {
    const ev = one(config({ warmupSeconds: 30 }), { name: 's', results, rules: [rule('http_req_duration', 'max<500', { warmupSeconds: 30 })] });
    expect(only(ev)).toMatchObject({ status: 'pass', actual: 10 });
    expect(only(ev).window!.start).toBe(T0 + 30_000);
    expect(ev.scenarios[0]!.window!.start).toBe(T0 + 30_000);
    // counter rate is over the trimmed window: 70 requests in [30 s, 99 s + 1 ms)
    const rate = one(config(), { name: 's', results, rules: [rule('http_reqs', 'rate>0', { warmupSeconds: 30 })] });
    expect(only(rate).actual).toBeCloseTo(70 / 69.001, 9);
  });

  it('warm-up longer than the run → no-data', () => {
    const ev = one(config(), { name: 's', results, rules: [rule('http_req_duration', 'max<500', { warmupSeconds: 1000 })] });
    expect(only(ev).status).toBe('no-data');
  });
});

describe('evaluate: utilization criteria', () => {
  const util = new FakeUtilization({ api_cpu: { unit: 'percent', values: [40, 60, 80, 95] }, pg_cache_hit: { unit: 'ratio', values: [0.97] }, empty: { unit: 'count', values: [] } });
  const cfg = config({
    utilization: { sources: {}, metrics: ['api_cpu', 'pg_cache_hit', 'empty', 'redis_mem'].map((name) => ({ name, params: {}, pos: { file: 't', line: 1, column: 1 } })), intervalSeconds: 5, slowQueries: false },
  });

  it('measures from UtilizationResults with its unit', () => {
    const ev = one(cfg, { name: 's', results: run100(), utilization: util, rules: [rule('api_cpu', 'avg<70'), rule('api_cpu', 'max<90'), rule('pg_cache_hit', 'value>0.95')] });
    const cs = ev.scenarios[0]!.criteria;
    expect(cs.map((c) => [c.kind, c.unit, c.actual, c.status])).toEqual([
      ['utilization', 'percent', 68.75, 'marginal'],
      ['utilization', 'percent', 95, 'fail'],
      ['utilization', 'ratio', 0.97, 'pass'],
    ]);
    expect(ev.verdict).toBe('NOT_APPROVED');
  });

  it('an empty series or an unconfigured source is no-data with the reason', () => {
    const ev = one(cfg, { name: 's', results: run100(), utilization: util, rules: [rule('empty', 'max<5'), rule('redis_mem', 'max<80', { noData: 'fail' })] });
    const [empty, redis] = ev.scenarios[0]!.criteria;
    expect(empty).toMatchObject({ status: 'no-data', kind: 'utilization' });
    expect(empty!.reason).toContain('no samples');
    expect(redis).toMatchObject({ status: 'no-data', blocking: true });
    expect(redis!.reason).toContain('no utilization source configured/reachable');
  });

  it('without any UtilizationResults the configured metrics are no-data', () => {
    const ev = one(cfg, { name: 's', results: run100(), rules: [rule('api_cpu', 'avg<70')] });
    expect(only(ev)).toMatchObject({ status: 'no-data', kind: 'utilization' });
    expect(only(ev).reason).toContain('no utilization source configured/reachable');
  });
});

describe('evaluate: relative limits against a baseline', () => {
  const base = (p99: number, extra: Record<string, number> = {}): Baseline => ({ source: 'base.json', scenarios: { s: { 'http_req_duration|p(99)': p99, ...extra } } });

  it('a regression within the allowed change passes; beyond it fails; near it is marginal', () => {
    // actual p(99) = 99.01 ms
    const within = one(config(), { name: 's', results: run100(), baseline: base(95), rules: [rule('http_req_duration', 'p(99)<+10%')] });
    expect(only(within)).toMatchObject({ status: 'pass', kind: 'relative', baseline: 95 });
    expect(only(within).limit).toBeCloseTo(104.5, 9);
    expect(only(within).delta).toBeCloseTo(4.01, 9);
    const beyond = one(config(), { name: 's', results: run100(), baseline: base(80), rules: [rule('http_req_duration', 'p(99)<+10%')] });
    expect(only(beyond)).toMatchObject({ status: 'fail', blocking: true, limit: 88 });
    // allowed change 9.1 ms (+10% of 91): 99.01 is +8.01 (< 9.1 → pass, > 8.19 → marginal)
    const near = one(config(), { name: 's', results: run100(), baseline: base(91), rules: [rule('http_req_duration', 'p(99)<+10%')] });
    expect(only(near).status).toBe('pass');
    const nearer = one(config(), { name: 's', results: run100(), baseline: base(90.5), rules: [rule('http_req_duration', 'p(99)<+10%')] });
    expect(only(nearer).status).toBe('marginal');
  });

  it('an improvement passes', () => {
    const ev = one(config(), { name: 's', results: run100(), baseline: base(150), rules: [rule('http_req_duration', 'p(99)<+10%')] });
    expect(only(ev).status).toBe('pass');
    expect(only(ev).delta).toBeCloseTo(-50.99, 9);
  });

  it('absolute allowed change (rate<+0.005)', () => {
    // actual error rate 0.02
    const ok = one(config(), { name: 's', results: run100(), baseline: base(1, { 'http_req_failed|rate': 0.018 }), rules: [rule('http_req_failed', 'rate<+0.005')] });
    expect(only(ok)).toMatchObject({ status: 'pass', baseline: 0.018, unit: 'ratio' });
    const bad = one(config(), { name: 's', results: run100(), baseline: base(1, { 'http_req_failed|rate': 0.01 }), rules: [rule('http_req_failed', 'rate<+0.005')] });
    expect(only(bad).status).toBe('fail');
    expect(only(bad).limit).toBeCloseTo(0.015, 12);
  });

  it('the minimum-change floor: a change smaller than it never fails', () => {
    // baseline 80 → actual 99.01 is +23.8%, beyond +10%, but only 19 ms
    const floored = one(config(), { name: 's', results: run100(), baseline: base(80), rules: [rule('http_req_duration', 'p(99)<+10%', { minChange: 25 })] });
    expect(only(floored).status).toBe('pass');
    expect(only(floored).reason).toMatch(/below the minimum change/);
    const notFloored = one(config(), { name: 's', results: run100(), baseline: base(80), rules: [rule('http_req_duration', 'p(99)<+10%', { minChange: 5 })] });
    expect(only(notFloored).status).toBe('fail');
  });

  it('a lower relative limit (throughput may not drop more than 5%)', () => {
    const results = run100(); // 100 requests over 99.001 s
    const rps = 100 / 99.001;
    const ok = one(config(), { name: 's', results, baseline: base(1, { 'http_reqs|rate': rps }), rules: [rule('http_reqs', 'rate>-5%')] });
    expect(only(ok).status).toBe('pass');
    const drop = one(config(), { name: 's', results, baseline: base(1, { 'http_reqs|rate': rps * 1.1 }), rules: [rule('http_reqs', 'rate>-5%')] });
    expect(only(drop).status).toBe('fail');
  });

  it('a missing baseline → no-data with the reason, under the no-data policy', () => {
    const ev = one(config(), { name: 's', results: run100(), baseline: { missing: 'no successful run on main has a perf-gate report' }, rules: [rule('http_req_duration', 'p(99)<+10%', { noData: 'fail' })] });
    expect(only(ev)).toMatchObject({ status: 'no-data', blocking: true, kind: 'relative' });
    expect(only(ev).actual).toBeCloseTo(99.01, 6);
    expect(only(ev).reason).toContain('no successful run on main');
    expect(ev.scenarios[0]!.notes.join(' ')).toContain('No baseline');
    const noKey = one(config(), { name: 's', results: run100(), baseline: { source: 'b.json', scenarios: { other: {} } }, rules: [rule('http_req_duration', 'p(99)<+10%')] });
    expect(only(noKey).reason).toContain('b.json');
    expect(noKey.verdict).toBe('CONDITIONALLY_APPROVED');
  });

  it('a missing baseline whose reason already says "no baseline" is not said twice', () => {
    const missing = 'no baseline given: pass --baseline FILE';
    const ev = one(config(), { name: 's', results: run100(), baseline: { missing }, rules: [rule('http_req_duration', 'p(99)<+10%')] });
    expect(ev.scenarios[0]!.notes).toEqual(['No baseline given: pass --baseline FILE.']);
    expect(only(ev).reason).toBe(missing);
  });

  it('absolute criteria carry baseline and delta too when the baseline has their key', () => {
    const ev = one(config(), { name: 's', results: run100(), baseline: base(120), rules: [rule('http_req_duration', 'p(99)<500'), rule('http_req_duration', 'p(95)<500')] });
    const [p99, p95] = ev.scenarios[0]!.criteria;
    expect(p99!.baseline).toBe(120);
    expect(p99!.delta).toBeCloseTo(99.01 - 120, 9);
    expect(p99!.kind).toBe('k6');
    expect(p95!.baseline).toBeUndefined();
  });

  it('baselineKey is scenario|metric|aggregation', () => {
    expect(baselineKey('target-capacity', 'http_req_duration{tenant:acme}', 'p(99.9)')).toBe('target-capacity|http_req_duration{tenant:acme}|p(99.9)');
  });
});

describe('evaluate: run records', () => {
  it('an incomplete run adds a blocking "k6 run completed" criterion explaining it', () => {
    const run: RunRecord = { scenario: 's', outputs: ['a.json'], window: { start: T0, end: T0 + 1000 }, exitCode: 105, exitMeaning: 'external abort (105)', incomplete: 'k6 was stopped after the 10m timeout', attempt: 1 };
    const ev = one(config(), { name: 's', results: run100(), run, rules: [rule('http_req_duration', 'p(99)<500')] });
    const c = ev.scenarios[0]!.criteria.find((x) => x.metric === RUN_COMPLETED)!;
    expect(c).toMatchObject({ status: 'fail', blocking: true });
    expect(c.reason).toContain('10m timeout');
    expect(ev.verdict).toBe('NOT_APPROVED');
    expect(ev.scenarios[0]!.run).toBe(run);
    expect(ev.rationale).toContain(RUN_COMPLETED);
  });

  it("names k6's exit meaning once: after the reason unless the reason already says it", () => {
    const reason = (incomplete: string, exitMeaning: string) => {
      const run: RunRecord = { scenario: 's', outputs: [], window: { start: T0, end: T0 + 1000 }, exitCode: 107, exitMeaning, incomplete, attempt: 1 };
      return one(config(), { name: 's', results: run100(), run, rules: [] }).scenarios[0]!.criteria.find((x) => x.metric === RUN_COMPLETED)!.reason;
    };
    expect(reason('k6 ended early: the script threw an exception (107)', 'the script threw an exception (107)')).toBe(
      'the k6 run did not complete (k6 ended early: the script threw an exception (107)): the results are partial',
    );
    expect(reason('cancelled', 'interrupted from outside (SIGINT/SIGTERM) (105)')).toBe(
      'the k6 run did not complete (cancelled; k6: interrupted from outside (SIGINT/SIGTERM) (105)): the results are partial',
    );
  });

  it('a complete run the script marked failed (exit 110) fails the gate on that, its metrics judged as usual', () => {
    const run: RunRecord = { scenario: 's', outputs: ['a.json'], window: { start: T0, end: T0 + 1000 }, exitCode: 110, exitMeaning: 'the script marked the test failed (execution.test.fail()) (110)', attempt: 1 };
    const ev = one(config(), { name: 's', results: run100(), run, rules: [rule('http_req_duration', 'p(99)<500')] });
    const cs = ev.scenarios[0]!.criteria;
    expect(cs.find((x) => x.metric === 'http_req_duration')!.status).toBe('pass');
    const c = cs.find((x) => x.metric === RUN_NOT_FAILED)!;
    expect(c).toMatchObject({ status: 'fail', blocking: true, reason: 'the script marked the test failed (execution.test.fail(), exit code 110); the run is complete' });
    expect(cs.some((x) => x.metric === RUN_COMPLETED)).toBe(false);
    expect(ev.verdict).toBe('NOT_APPROVED');
    expect(describeCriterion(c)).toBe('s: the k6 run was marked failed by its script (execution.test.fail(), exit code 110)');
  });

  it('a complete run adds nothing', () => {
    const run: RunRecord = { scenario: 's', outputs: [], window: { start: T0, end: T0 + 1 }, exitCode: 0, exitMeaning: 'ok', attempt: 1 };
    expect(only(one(config(), { name: 's', results: run100(), run, rules: [rule('http_req_duration', 'p(99)<500')] })).metric).toBe('http_req_duration');
  });
});

describe('evaluate: several scenarios', () => {
  it('the verdict is the worst over all scenarios; notes pass through', () => {
    const reqs: Request[] = [{ t: T0, duration: 5 }];
    const fast = new FakeResults({ metrics: HTTP_METRICS, samples: httpSamples(reqs) });
    const ev = evaluate({
      config: config(),
      scenarios: [
        { name: 'a', results: fast, rules: [rule('http_req_duration', 'p(99)<500')], notes: ['no scenario named a in thresholds.yml: only the top-level thresholds apply'] },
        { name: 'b', results: run100({ slow: 10 }), rules: [rule('http_req_duration', 'p(99)<500')] },
      ],
    });
    expect(ev.scenarios.map((s) => s.criteria[0]!.status)).toEqual(['pass', 'fail']);
    expect(ev.scenarios[0]!.notes).toEqual(['no scenario named a in thresholds.yml: only the top-level thresholds apply']);
    expect(ev.verdict).toBe('NOT_APPROVED');
    expect(ev.rationale).toMatch(/^1 blocking criterion missed: b: http_req_duration p\(99\)<500 fails at 990 ms\.$/);
  });
});

describe('describeCriterion (the rationale)', () => {
  it('shows a failing value with the decimals that keep it from reading like its limit', () => {
    const failed = criterion({ metric: 'http_req_failed', expression: 'rate<0.001', status: 'fail', blocking: true, actual: 0.001004, limit: 0.001, unit: 'ratio' });
    expect(describeCriterion(failed)).toBe('target-capacity: http_req_failed rate<0.001 fails at 0.1004%');
    const slow = criterion({ metric: 'http_req_duration', expression: 'p(99)<500', status: 'fail', blocking: true, actual: 612, limit: 500, unit: 'ms' });
    expect(describeCriterion(slow)).toBe('target-capacity: http_req_duration p(99)<500 fails at 612 ms');
    const secret = criterion({ metric: 'http_req_duration{url:https://api.example.com/a?access_token=s3cr3t}', expression: 'p(99)<500', status: 'fail', blocking: true, actual: 612, limit: 500, unit: 'ms' });
    expect(describeCriterion(secret)).toBe('target-capacity: http_req_duration{url:https://api.example.com/a?access_token=***} p(99)<500 fails at 612 ms');
  });
});

describe('units without a Metric line', () => {
  it("takes a built-in metric's unit from k6's table when the run never wrote the metric", () => {
    const none = new FakeResults({ metrics: [], samples: [] });
    const ev = one(config(), {
      name: 's',
      results: none,
      rules: [rule('http_reqs', 'rate>1'), rule('http_req_duration', 'p(99)<500'), rule('data_received', 'count<1000000'), rule('http_req_failed', 'rate<0.01')],
    });
    expect(ev.scenarios[0]!.criteria.map((c) => [c.metric, c.unit])).toEqual([
      ['http_reqs', 'per-second'],
      ['http_req_duration', 'ms'],
      ['data_received', 'bytes'],
      ['http_req_failed', 'ratio'],
    ]);
  });
});
