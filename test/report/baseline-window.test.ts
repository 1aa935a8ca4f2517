import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { baselineKey, windowKeyText } from '../../src/evaluate/keys.js';
import { baselineFromJsonReport, toJsonReport } from '../../src/report/json.js';
import type { Config, ThresholdRule } from '../../src/model.js';
import { simpleRun } from '../support/fake-results.js';
import { config, rule } from '../evaluate/rules.js';

const T0 = 1_700_000_000_000;

/** 200 requests over 100 s: 10 ms for the first half, 200 ms for the second; steady = second half. */
function run() {
  return simpleRun({ n: 200, seconds: 100, t0: T0, duration: (i) => (i < 100 ? 10 : 200), steady: { start: T0 + 50_000, end: T0 + 100_000 } });
}

const rules: ThresholdRule[] = [
  rule('http_req_duration', 'avg<+10%', { window: 'steady' }),
  rule('http_req_duration', 'avg<+10%'),
  rule('http_req_duration', 'avg<+10%', { warmupSeconds: 30 }),
  rule('http_req_duration', 'avg<+10%', { window: 'steady', warmupSeconds: 60 }),
  rule('http_reqs', 'rate>-5%', { window: 'steady' }),
  rule('http_reqs', 'count>-5%'),
  rule('http_req_duration', 'avg<1000', { window: 'steady' }),
];

function evaluateAgainst(cfg: Config, baseline?: ReturnType<typeof baselineFromJsonReport>) {
  return evaluate({ config: cfg, scenarios: [{ name: 's', results: run(), rules, baseline: baseline ?? { missing: 'none' } }] });
}

describe('baseline values carry the window they were measured over', () => {
  it('windowKeyText: empty for the whole run, else steady / warm-up', () => {
    expect(windowKeyText('all', 0)).toBe('');
    expect(windowKeyText(undefined, undefined)).toBe('');
    expect(windowKeyText('steady', 0)).toBe('steady');
    expect(windowKeyText('all', 30)).toBe('warmup=30s');
    expect(windowKeyText('steady', 2.5)).toBe('steady,warmup=2.5s');
    expect(baselineKey('s', 'http_reqs', 'rate', 'steady')).toBe('s|http_reqs|rate|steady');
  });

  it('one value per window in measurements', () => {
    const report = toJsonReport(evaluateAgainst(config()), { results: { s: run() } });
    const m = report.measurements;
    expect(m['s|http_req_duration|avg']).toBeCloseTo(105, 9);
    expect(m['s|http_req_duration|avg|steady']).toBeCloseTo(200, 9);
    expect(m['s|http_req_duration|avg|warmup=30s']).toBeGreaterThan(105);
    expect(m['s|http_req_duration|avg|steady,warmup=60s']).toBeCloseTo(200, 9);
    expect(m['s|http_reqs|rate|steady']).toBeDefined();
    expect(m['s|http_reqs|count']).toBe(200);
  });

  it('round trip: a run against its own report passes every relative criterion with delta 0', () => {
    const first = toJsonReport(evaluateAgainst(config()), { results: { s: run() } });
    const baseline = baselineFromJsonReport(JSON.parse(JSON.stringify(first)), 'self.json');
    expect(baseline.scenarios.s?.['http_req_duration|avg|steady']).toBeCloseTo(200, 9);
    const again = evaluateAgainst(config(), baseline);
    const relative = again.scenarios[0]!.criteria.filter((c) => c.kind === 'relative');
    expect(relative).toHaveLength(6);
    for (const c of relative) {
      expect([c.metric, c.expression, c.windowMode, c.warmupSeconds, c.status]).toEqual([c.metric, c.expression, c.windowMode, c.warmupSeconds, 'pass']);
      expect(c.delta).toBe(0);
    }
    // an absolute criterion gets the baseline of its own window too
    const abs = again.scenarios[0]!.criteria.find((c) => c.expression === 'avg<1000')!;
    expect(abs.baseline).toBeCloseTo(200, 9);
    expect(again.verdict).toBe('APPROVED');
  });

  it('the scenario headline is keyed with the scenario window', () => {
    const ev = evaluate({ config: config({ window: 'steady' }), scenarios: [{ name: 's', results: run(), rules: [] }] });
    const m = toJsonReport(ev, { results: { s: run() } }).measurements;
    expect(Object.keys(m).filter((k) => k.startsWith('s|http_req_duration|')).sort()).toEqual(['s|http_req_duration|p(95)|steady', 's|http_req_duration|p(99)|steady']);
  });

  it('a report without window keys still serves whole-run rules; windowed ones say what is missing', () => {
    const old = { schema: 1, scenarios: [{ name: 's' }], measurements: { 's|http_req_duration|avg': 105, 's|http_reqs|rate': 2 } };
    const baseline = baselineFromJsonReport(old, 'old.json');
    const ev = evaluateAgainst(config(), baseline);
    const [steady, all] = ev.scenarios[0]!.criteria;
    expect(all).toMatchObject({ status: 'pass', baseline: 105 });
    expect(steady).toMatchObject({ status: 'no-data' });
    expect(steady!.reason).toContain('http_req_duration|avg|steady');
  });

  it('reads window keys back, and still rejects keys that are not scenario|metric|aggregation', () => {
    const b = baselineFromJsonReport({ schema: 1, scenarios: [{ name: 's' }], measurements: { 's|m{k:a|b}|rate|steady,warmup=30s': 1, 's|m|p(99)|warmup=2.5s': 2 } }, 'x.json');
    expect(b.scenarios.s).toEqual({ 'm{k:a|b}|rate|steady,warmup=30s': 1, 'm|p(99)|warmup=2.5s': 2 });
    expect(() => baselineFromJsonReport({ schema: 1, scenarios: [{ name: 's' }], measurements: { 's|steady': 1 } }, 'x.json')).toThrow(/measurements key/);
  });
});
