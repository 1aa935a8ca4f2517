import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/k6/ingest.js';
import type { MetricSelector } from '../../src/model.js';

const dir = mkdtempSync(join(tmpdir(), 'perf-gate-summary-'));
const s = (metric: string, tags: Record<string, string> = {}): MetricSelector => ({
  raw: metric,
  metric,
  tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
});

// handleSummary(data), as k6 passes it (default summaryTrendStats: no p(99)).
const handleSummary = {
  root_group: { name: '', path: '', groups: [], checks: [{ name: 'status is 2xx', passes: 990, fails: 10 }] },
  options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false },
  state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 600000 },
  metrics: {
    http_req_duration: {
      type: 'trend',
      contains: 'time',
      values: { avg: 120.5, min: 20.1, med: 100.2, max: 900.9, 'p(90)': 250.3, 'p(95)': 310.4 },
      thresholds: { 'p(95)<400': { ok: true } },
    },
    'http_req_duration{expected_response:true}': {
      type: 'trend',
      contains: 'time',
      values: { avg: 119, min: 20.1, med: 99, max: 800, 'p(90)': 249, 'p(95)': 300 },
    },
    'http_req_duration{endpoint:trades,tenant:acme}': {
      type: 'trend',
      contains: 'time',
      values: { avg: 150, min: 30, med: 140, max: 700, 'p(90)': 280, 'p(95)': 350.5 },
    },
    http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.004, passes: 4, fails: 996 } },
    http_reqs: { type: 'counter', contains: 'default', values: { count: 1000, rate: 1.6666 } },
    vus: { type: 'gauge', contains: 'default', values: { value: 0, min: 0, max: 100 } },
  },
};

// --summary-export: flat values; a rate's `rate` is `value`; thresholds true = FAILED.
const exported = {
  root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: {}, checks: {} },
  metrics: {
    http_req_duration: { avg: 120.5, min: 20.1, med: 100.2, max: 900.9, 'p(90)': 250.3, 'p(95)': 310.4, 'p(99)': 480.2, thresholds: { 'p(99)<500': false } },
    http_req_failed: { value: 0.004, passes: 4, fails: 996, thresholds: { 'rate<0.01': false } },
    http_reqs: { count: 1000, rate: 1.6666 },
    vus: { value: 0, min: 0, max: 100 },
    portfolio_latency: { avg: 80, min: 10, med: 70, max: 400, 'p(90)': 150, 'p(95)': 180 },
    data_received: { count: 123456, rate: 205.76 },
  },
};

describe('k6 end-of-test summary', () => {
  it('answers what handleSummary data holds, and says why for the rest', async () => {
    const f = join(dir, 'handle.json');
    writeFileSync(f, JSON.stringify(handleSummary, null, 2));
    const r = await ingestFiles([f]);
    expect(r.source).toBe('summary');
    expect(r.measure(s('http_req_duration'), { kind: 'p', p: 95 })).toEqual({ value: 310.4 });
    expect(r.measure(s('http_req_duration'), { kind: 'med' })).toEqual({ value: 100.2 });
    expect(r.measure(s('http_req_duration'), { kind: 'p', p: 99 })).toEqual({
      noData: 'the k6 summary has no p(99) for http_req_duration; use --out json or summaryTrendStats',
    });
    expect(r.measure(s('http_req_duration', { tenant: 'acme', endpoint: 'trades' }), { kind: 'p', p: 95 })).toEqual({ value: 350.5 });
    expect(r.measure(s('http_req_duration', { expected_response: 'true' }), { kind: 'max' })).toEqual({ value: 800 });
    const missing = r.measure(s('http_req_duration', { tenant: 'globex' }), { kind: 'p', p: 95 });
    expect('noData' in missing && missing.noData).toMatch(/no sub-metric http_req_duration\{tenant:globex\}/);
    expect(r.measure(s('http_req_failed'), { kind: 'rate' })).toEqual({ value: 0.004 });
    expect(r.measure(s('http_reqs'), { kind: 'count' })).toEqual({ value: 1000 });
    expect(r.measure(s('http_reqs'), { kind: 'rate' })).toEqual({ value: 1.6666 });
    expect(r.measure(s('vus'), { kind: 'max' })).toEqual({ value: 100 });
    expect('noData' in r.measure(s('availability'), { kind: 'rate' })).toBe(true);
    const win = r.measure(s('http_req_duration'), { kind: 'p', p: 95 }, { start: 0, end: 1000 });
    expect('noData' in win && win.noData).toMatch(/whole-run/);
    expect(r.metrics.get('http_req_duration')).toEqual({ name: 'http_req_duration', type: 'trend', contains: 'time' });
    expect(r.tagValues('http_req_duration', 'tenant')).toEqual(['acme']);
    expect(r.span).toBeUndefined();
    expect(r.steadyWindow()).toBeUndefined();
    expect(r.timeline(1)).toEqual([]);
  });

  it('reads --summary-export (flat values, rate as value), also gzipped', async () => {
    const f = join(dir, 'export.json.gz');
    writeFileSync(f, gzipSync(JSON.stringify(exported, null, 4)));
    const r = await ingestFiles([f]);
    expect(r.source).toBe('summary');
    expect(r.measure(s('http_req_duration'), { kind: 'p', p: 99 })).toEqual({ value: 480.2 });
    expect(r.measure(s('http_req_failed'), { kind: 'rate' })).toEqual({ value: 0.004 });
    expect(r.measure(s('http_req_failed'), { kind: 'count' })).toEqual({ value: 1000 });
    expect(r.measure(s('vus'), { kind: 'value' })).toEqual({ value: 0 });
    expect(r.metrics.get('http_req_failed')?.type).toBe('rate');
    expect(r.metrics.get('http_reqs')?.type).toBe('counter');
    expect(r.metrics.get('vus')?.type).toBe('gauge');
    expect(r.metrics.get('portfolio_latency')).toEqual({ name: 'portfolio_latency', type: 'trend', contains: 'time' });
    expect(r.metrics.get('data_received')?.contains).toBe('data');
    const p99 = r.measure(s('portfolio_latency'), { kind: 'p', p: 99 });
    expect('noData' in p99 && p99.noData).toMatch(/no p\(99\) for portfolio_latency/);
  });

  it('refuses two summaries (percentiles do not merge)', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, JSON.stringify(exported));
    writeFileSync(b, JSON.stringify(exported, null, 1));
    await expect(ingestFiles([a, b])).rejects.toThrow(/several k6 summary files/);
    // a copy of one summary is one summary, read once
    const copy = join(dir, 'a-copy.json');
    writeFileSync(copy, JSON.stringify(exported));
    const r = await ingestFiles([a, copy]);
    expect(r.source).toBe('summary');
    expect(r.diagnostics.sameRunFiles).toEqual([{ file: copy, readAs: a, copy: true }]);
  });
});
