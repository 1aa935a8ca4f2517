import { describe, expect, it } from 'vitest';
import { evaluate, type ScenarioInput } from '../../src/evaluate/evaluate.js';
import { relativeStatus } from '../../src/evaluate/status.js';
import type { Baseline, Config, CriterionResult } from '../../src/model.js';
import { simpleRun } from '../support/fake-results.js';
import { config, rule } from './rules.js';

const T0 = 1_700_000_000_000;

function one(cfg: Config, s: ScenarioInput) {
  return evaluate({ config: cfg, scenarios: [s] });
}

function criteria(ev: ReturnType<typeof evaluate>): CriterionResult[] {
  return ev.scenarios.flatMap((s) => s.criteria);
}

describe('relative limits against a baseline of 0', () => {
  // 100 requests, none failed: http_req_failed rate = 0
  const clean = () => simpleRun({ n: 100, seconds: 100, t0: T0, duration: (i) => i + 1 });
  const zero: Baseline = { source: 'base.json', scenarios: { s: { 'http_req_failed|rate': 0 } } };

  it('no change passes: rate<+10% and rate>-5% from 0 at 0', () => {
    const ev = one(config(), { name: 's', results: clean(), baseline: zero, rules: [rule('http_req_failed', 'rate<+10%'), rule('http_req_failed', 'rate>-5%')] });
    const cs = criteria(ev);
    expect(cs.map((c) => [c.actual, c.baseline, c.limit, c.status])).toEqual([
      [0, 0, 0, 'pass'],
      [0, 0, 0, 'pass'],
    ]);
    expect(ev.verdict).toBe('APPROVED');
  });

  it('any increase from 0 fails a % upper limit (a % of 0 allows nothing)', () => {
    const failing = simpleRun({ n: 100, seconds: 100, t0: T0, duration: (i) => i + 1, status: (i) => (i === 0 ? 500 : 200) });
    const ev = one(config(), { name: 's', results: failing, baseline: zero, rules: [rule('http_req_failed', 'rate<+10%')] });
    expect(criteria(ev)[0]).toMatchObject({ actual: 0.01, status: 'fail', blocking: true });
  });

  it('relativeStatus: a zero allowed change compares inclusively, in the right direction only', () => {
    expect(relativeStatus(0, '<', 0, 0, 0.1)).toBe('pass');
    expect(relativeStatus(0, '>', 0, -0, 0.1)).toBe('pass');
    expect(relativeStatus(0.001, '<', 0, 0, 0.1)).toBe('fail');
    expect(relativeStatus(-0.001, '>', 0, -0, 0.1)).toBe('fail');
    expect(relativeStatus(5, '<', 5, 0, 0.1)).toBe('pass');
    expect(relativeStatus(4, '<', 5, 0, 0.1)).toBe('pass');
    // a non-zero allowed change keeps the strict comparison
    expect(relativeStatus(5.5, '<', 5, 0.5, 0.1)).toBe('fail');
  });
});

describe('wildcard expansion of a relative rule includes the baseline\'s values', () => {
  const tenants = ['acme', 'globex'];
  const run = () => simpleRun({ n: 100, seconds: 100, t0: T0, duration: (i) => 10 + (i % 7), tags: (i) => ({ tenant: tenants[i % 2] as string, endpoint: 'list' }) });
  const baseline: Baseline = {
    source: 'base.json',
    scenarios: {
      s: {
        'http_req_duration{tenant:acme}|p(99)': 100,
        'http_req_duration{tenant:globex}|p(99)': 100,
        'http_req_duration{tenant:gone}|p(99)': 100,
        'http_req_duration{tenant:steadyonly}|p(99)|steady': 100,
        'http_req_duration{tenant:other,endpoint:list}|p(99)': 100,
      },
    },
  };

  it('a tenant only the baseline has is a no-data criterion saying it is gone', () => {
    const ev = one(config(), { name: 's', results: run(), baseline, rules: [rule('http_req_duration{tenant:*}', 'p(99)<+10%')] });
    const cs = criteria(ev);
    expect(cs.map((c) => [c.metric, c.status])).toEqual([
      ['http_req_duration{tenant:acme}', 'pass'],
      ['http_req_duration{tenant:globex}', 'pass'],
      ['http_req_duration{tenant:gone}', 'no-data'],
    ]);
    expect(cs[2]).toMatchObject({ baseline: 100, actual: null });
    expect(cs[2]!.reason).toMatch(/^no samples of tenant gone in this run/);
    expect(ev.verdict).toBe('CONDITIONALLY_APPROVED');
  });

  it('fixed limits expand over this run only; the baseline values must match the rule\'s tags and window', () => {
    const abs = one(config(), { name: 's', results: run(), baseline, rules: [rule('http_req_duration{tenant:*}', 'p(99)<500')] });
    expect(criteria(abs).map((c) => c.metric)).toEqual(['http_req_duration{tenant:acme}', 'http_req_duration{tenant:globex}']);
    const pinned = one(config(), { name: 's', results: run(), baseline, rules: [rule('http_req_duration{tenant:*,endpoint:list}', 'p(99)<+10%')] });
    expect(criteria(pinned).map((c) => c.metric)).toEqual([
      'http_req_duration{tenant:acme,endpoint:list}',
      'http_req_duration{tenant:globex,endpoint:list}',
      'http_req_duration{tenant:other,endpoint:list}',
    ]);
  });
});

describe("k6's abortOnFail", () => {
  it('is not acted on, and the scenario notes say so once', () => {
    const results = simpleRun({ n: 10, seconds: 10, t0: T0, duration: (i) => i + 1 });
    const ev = one(config(), {
      name: 's',
      results,
      rules: [rule('http_req_failed', 'rate<0.01', { abortOnFail: true, pos: { file: 'perf/thresholds.yml', line: 4, column: 7 } }), rule('http_req_duration', 'p(99)<500', { abortOnFail: false })],
    });
    const notes = ev.scenarios[0]!.notes.filter((n) => n.includes('abortOnFail'));
    expect(notes).toEqual([
      "abortOnFail is ignored on http_req_failed rate<0.01 (perf/thresholds.yml:4): perf-gate judges the results after the run and does not stop it; set it in the k6 script's options to abort early.",
    ]);
    expect(ev.verdict).toBe('APPROVED');
  });
});
