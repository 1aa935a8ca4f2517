// k6 ends a test with an empty Counter at count 0 / rate 0 and an empty Rate at rate 0: a rule such as
// "no 500s" (`http_reqs{status:500}: count<1`) passes when no sample matches. Trends, gauges and metrics
// never defined have no value without samples.
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
  it('a built-in counter with a tag filter nothing matches: count 0 and rate 0', () => {
    expect(sample.tagValues('http_reqs', 'status')).not.toContain('500');
    expect(measure(sample, 'http_reqs{status:500}', { kind: 'count' })).toEqual({ value: 0 });
    expect(measure(sample, 'http_reqs{status:500}', { kind: 'rate' })).toEqual({ value: 0 });
    expect(measure(sample, 'http_req_failed{status:500}', { kind: 'rate' })).toEqual({ value: 0 });
    // matching samples still count
    const count308 = measure(sample, 'http_reqs{status:308}', { kind: 'count' });
    expect('value' in count308 && count308.value).toBeGreaterThan(0);
  });

  it('a built-in counter or rate the run never wrote (k6 defines it anyway): 0', () => {
    expect(sample.metrics.has('dropped_iterations')).toBe(false);
    expect(measure(sample, 'dropped_iterations', { kind: 'count' })).toEqual({ value: 0 });
    expect(sample.metrics.has('checks')).toBe(false);
    expect(measure(sample, 'checks', { kind: 'rate' })).toEqual({ value: 0 });
  });

  it('a window without samples: 0 for counters and rates, no data for trends', () => {
    const before = { start: 0, end: 1000 };
    expect(measure(sample, 'http_reqs', { kind: 'count' }, before)).toEqual({ value: 0 });
    expect('noData' in measure(sample, 'http_req_duration', { kind: 'p', p: 95 }, before)).toBe(true);
  });

  it('custom counters and rates (their Metric line seen): 0; trends and gauges: no data', () => {
    expect(measure(custom, 'orders_placed{endpoint:positions}', { kind: 'count' })).toEqual({ value: 0 });
    expect(measure(custom, 'orders_placed{endpoint:trades}', { kind: 'count' })).toEqual({ value: 3 });
    expect(measure(custom, 'order_errors{endpoint:positions}', { kind: 'rate' })).toEqual({ value: 0 });
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
    const ev = evaluate({ config: config(), scenarios: [{ name: 'contacts', results: sample, rules: [rule('http_reqs{status:500}', 'count<1'), rule('http_req_failed{status:500}', 'rate<0.01')] }] });
    expect(ev.scenarios[0]!.criteria.map((c) => [c.status, c.actual])).toEqual([
      ['pass', 0],
      ['pass', 0],
    ]);
    expect(ev.verdict).toBe('APPROVED');
  });
});
