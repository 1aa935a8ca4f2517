// k6 ends a test with an empty Counter at count 0 / rate 0: a rule such as "no 500s"
// (`http_reqs{status:500}: count<1`) passes when no sample matches. A Rate without samples has no rate
// (k6's summary shows NaN), and trends, gauges and metrics never defined have no value: no data.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { emptyResults, ingestFiles } from '../../src/k6/ingest.js';
import type { Aggregation, Measurement, Results } from '../../src/model.js';
import { samplePath } from '../helpers/sample.js';
import { config, rule } from '../evaluate/rules.js';

function measure(r: Results, key: string, a: Aggregation, w?: { start: number; end: number }): Measurement {
  const m = /^([^{]+)(?:\{(.*)\})?$/.exec(key)!;
  const tags = (m[2] ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => ({ key: kv.slice(0, kv.indexOf(':')), value: kv.slice(kv.indexOf(':') + 1) }));
  return r.measure({ raw: key, metric: m[1]!, tags }, a, w);
}

let sample: Results;
let custom: Results;
beforeAll(async () => {
  sample = await ingestFiles([samplePath('contacts-20s.ndjson.gz')]);
  // a script's own Counter and Rate (Metric lines written), with samples of another tag value only
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-empty-'));
  const at = (s: number) => k6Time(BigInt(1_767_258_000 + s) * 1_000_000_000n);
  const lines = [
    metricLine({ name: 'orders_placed', type: 'counter', contains: 'default' }),
    pointLine('orders_placed', at(0), 3, { endpoint: 'trades', scenario: 'default' }),
    metricLine({ name: 'order_errors', type: 'rate', contains: 'default' }),
    pointLine('order_errors', at(1), 1, { endpoint: 'trades', scenario: 'default' }),
    metricLine({ name: 'order_latency', type: 'trend', contains: 'time' }),
    pointLine('order_latency', at(1), 120, { endpoint: 'trades', scenario: 'default' }),
    metricLine({ name: 'queue_depth', type: 'gauge', contains: 'default' }),
    pointLine('queue_depth', at(2), 7, { endpoint: 'trades', scenario: 'default' }),
  ];
  const file = join(dir, 'custom.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  custom = await ingestFiles([file], { threads: 1 });
});

describe('counters and rates without matching samples', () => {
  it('a built-in counter with a tag filter nothing matches: count 0 and rate 0; a built-in Rate: no data', () => {
    expect(sample.tagValues('http_reqs', 'status')).not.toContain('500');
    expect(measure(sample, 'http_reqs{status:500}', { kind: 'count' })).toEqual({ value: 0 });
    expect(measure(sample, 'http_reqs{status:500}', { kind: 'rate' })).toEqual({ value: 0 });
    expect(measure(sample, 'http_req_failed{status:500}', { kind: 'rate' })).toEqual({ noData: expect.stringMatching(/^no samples of http_req_failed\{status:500\} in the k6 output/) });
    // matching samples still count
    const count308 = measure(sample, 'http_reqs{status:308}', { kind: 'count' });
    expect('value' in count308 && count308.value).toBeGreaterThan(0);
  });

  it('a built-in counter the run never wrote (k6 defines it anyway): 0; checks without a check(): no data, saying so', () => {
    expect(sample.metrics.has('dropped_iterations')).toBe(false);
    expect(measure(sample, 'dropped_iterations', { kind: 'count' })).toEqual({ value: 0 });
    expect(sample.metrics.has('checks')).toBe(false);
    expect(measure(sample, 'checks', { kind: 'rate' })).toEqual({ noData: 'no samples of checks in the k6 output (the script ran no check())' });
  });

  it('a window without samples: 0 for counters, no data for trends', () => {
    const before = { start: 0, end: 1000 };
    expect(measure(sample, 'http_reqs', { kind: 'count' }, before)).toEqual({ value: 0 });
    expect('noData' in measure(sample, 'http_req_duration', { kind: 'p', p: 95 }, before)).toBe(true);
  });

  it('custom counters (their Metric line seen): 0; rates, trends and gauges: no data', () => {
    expect(measure(custom, 'orders_placed{endpoint:positions}', { kind: 'count' })).toEqual({ value: 0 });
    expect(measure(custom, 'orders_placed{endpoint:trades}', { kind: 'count' })).toEqual({ value: 3 });
    expect('noData' in measure(custom, 'order_errors{endpoint:positions}', { kind: 'rate' })).toBe(true);
    expect(measure(custom, 'order_errors{endpoint:trades}', { kind: 'rate' })).toEqual({ value: 1 });
    expect('noData' in measure(custom, 'order_latency{endpoint:positions}', { kind: 'p', p: 95 })).toBe(true);
    expect('noData' in measure(custom, 'queue_depth{endpoint:positions}', { kind: 'value' })).toBe(true);
  });

  it('keeps no data for what k6 does not answer 0: a never-defined metric, value on a counter, an unindexed tag, a run without samples', () => {
    expect('noData' in measure(sample, 'orders_placed', { kind: 'count' })).toBe(true);
    expect('noData' in measure(sample, 'http_req_duration{status:500}', { kind: 'avg' })).toBe(true);
    expect('noData' in measure(sample, 'vus{status:500}', { kind: 'value' })).toBe(true);
    expect('noData' in measure(sample, 'http_reqs{status:500}', { kind: 'value' })).toBe(true);
    expect('noData' in measure(sample, 'http_reqs{url:http://x}', { kind: 'count' })).toBe(true);
    expect('noData' in measure(emptyResults(), 'http_reqs{status:500}', { kind: 'count' })).toBe(true);
  });

  it('"no 500s" passes and the run is approved', () => {
    const ev = evaluate({ config: config(), scenarios: [{ name: 'contacts', results: sample, rules: [rule('http_reqs{status:500}', 'count<1')] }] });
    expect(ev.scenarios[0]!.criteria.map((c) => [c.status, c.actual])).toEqual([['pass', 0]]);
    expect(ev.verdict).toBe('APPROVED');
  });

  it('a rate rule with nothing to divide by is no-data under the policy, with the reason — neither a pass at 0% nor a fail at "0.00%"', () => {
    const ev = evaluate({ config: config(), scenarios: [{ name: 'contacts', results: sample, rules: [rule('checks', 'rate>0.99'), rule('http_req_failed{status:500}', 'rate<0.01')] }] });
    expect(ev.scenarios[0]!.criteria.map((c) => [c.status, c.actual])).toEqual([
      ['no-data', null],
      ['no-data', null],
    ]);
    expect(ev.scenarios[0]!.criteria[0]!.reason).toBe('no samples of checks in the k6 output (the script ran no check())');
    expect(ev.verdict).toBe('CONDITIONALLY_APPROVED');
  });
});

describe('an output without Metric lines (filtered to its Points)', () => {
  let points: Results;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-no-metric-lines-'));
    const at = (s: number) => k6Time(BigInt(1_767_258_000 + s) * 1_000_000_000n);
    const tags = { scenario: 'default' };
    const lines = [pointLine('http_req_failed', at(0), 0, tags), pointLine('http_req_failed', at(1), 1, tags), pointLine('order_errors', at(1), 1, tags)];
    writeFileSync(join(dir, 'points.ndjson'), `${lines.join('\n')}\n`);
    points = await ingestFiles([join(dir, 'points.ndjson')], { threads: 1 });
  });

  it('a k6 built-in keeps its type: http_req_failed is a rate', () => {
    expect(points.metrics.get('http_req_failed')).toMatchObject({ type: 'rate' });
    expect(measure(points, 'http_req_failed', { kind: 'rate' })).toEqual({ value: 0.5 });
  });

  it('a custom metric is read as a trend, and a rule that needs another type says the Metric line is missing', () => {
    expect(points.metrics.get('order_errors')).toMatchObject({ type: 'trend', typeUnknown: true });
    const ev = evaluate({ config: config(), scenarios: [{ name: 'default', results: points, rules: [rule('order_errors', 'rate<0.01'), rule('http_req_failed', 'rate<0.6')] }] });
    const [custom, builtin] = ev.scenarios[0]!.criteria;
    expect(custom!.status).toBe('no-data');
    expect(custom!.reason).toContain('the k6 output has no Metric line for order_errors, so its type is unknown');
    expect(builtin).toMatchObject({ status: 'pass', actual: 0.5 });
  });
});
