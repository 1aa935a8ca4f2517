// A counter's `rate` over the whole run is k6's: count ÷ the test run's duration, the run's start
// estimated from the output (the first sample, or an earlier iteration start: an iteration_duration
// sample's time minus its value), its end the last sample.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import { unreadMetrics } from '../../src/k6/builtin-metrics.js';
import type { Results } from '../../src/model.js';
import { samplePath } from '../helpers/sample.js';

/** Epoch ms (with the sub-millisecond part) of a k6 RFC 3339 time with nanoseconds. */
function epochMs(time: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time)!;
  const whole = Date.parse(`${m[1]}${m[3] === 'Z' ? 'Z' : m[3]}`);
  return whole + Number(`0.${m[2] ?? '0'}`) * 1000;
}

/** The Point lines of a gzipped k6 output, parsed. */
function samplePoints(file: string): { type: string; metric: string; data: { time: string; value: number } }[] {
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; metric: string; data: { time: string; value: number } })
    .filter((o) => o.type === 'Point');
}

function rate(r: Results, metric: string): number {
  const m = r.measure({ raw: metric, metric, tags: [] }, { kind: 'rate' });
  if (!('value' in m)) throw new Error(m.noData);
  return m.value;
}

describe('counter rate over the whole run', () => {
  it('on the real sample: count ÷ (last sample − earliest iteration start), as k6 reports it', async () => {
    const file = samplePath('contacts-20s.ndjson.gz');
    const points = samplePoints(file);
    const times = points.map((o) => epochMs(o.data.time));
    const first = Math.min(...times);
    const last = Math.max(...times);
    const starts = points.filter((o) => o.metric === 'iteration_duration').map((o) => epochMs(o.data.time) - o.data.value);
    const start = Math.min(first, ...starts);
    expect(start).toBeLessThan(first); // the first iteration began before the first sample was written
    const count = points.filter((o) => o.metric === 'http_reqs').reduce((a, o) => a + o.data.value, 0);
    const iterations = points.filter((o) => o.metric === 'iterations').reduce((a, o) => a + o.data.value, 0);
    const r = await ingestFiles([file]);
    const expected = count / ((last - start) / 1000);
    expect(rate(r, 'http_reqs')).toBeCloseTo(expected, 6);
    expect(rate(r, 'iterations')).toBeCloseTo(iterations / ((last - start) / 1000), 6);
    expect(rate(r, 'http_reqs')).toBeLessThan(count / ((last - first) / 1000));
  });

  it('without iteration_duration points (skipped at ingestion) the run starts at the first sample', async () => {
    const file = samplePath('contacts-20s.ndjson.gz');
    const points = samplePoints(file).filter((o) => !unreadMetrics([]).includes(o.metric));
    const times = points.map((o) => epochMs(o.data.time));
    const r = await ingestFiles([file], { skipMetrics: unreadMetrics([]) });
    expect(rate(r, 'http_reqs')).toBeCloseTo(322 / ((Math.max(...times) - Math.min(...times)) / 1000), 6);
  });

  it('an iteration that began before the first sample moves the start back; a later one does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-counter-rate-'));
    const t0 = 1_767_258_000_000; // ms
    const at = (ms: number) => k6Time(BigInt(Math.round(ms * 1000)) * 1000n);
    const lines = [metricLine({ name: 'http_reqs', type: 'counter', contains: 'default' })];
    for (let i = 0; i < 40; i++) lines.push(pointLine('http_reqs', at(t0 + 250 + i * 250), 1, { scenario: 'default' }));
    lines.push(metricLine({ name: 'iteration_duration', type: 'trend', contains: 'time' }));
    // ends 1.5 s into the run after 1,700 ms: began 200 ms before the first sample (at +250 ms)
    lines.push(pointLine('iteration_duration', at(t0 + 1500), 1700, { group: '', scenario: 'default' }));
    lines.push(pointLine('iteration_duration', at(t0 + 5000), 1000, { group: '', scenario: 'default' }));
    const file = join(dir, 'run.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await ingestFiles([file], { threads: 1 });
    const last = t0 + 250 + 39 * 250;
    expect(rate(r, 'http_reqs')).toBeCloseTo(40 / ((last - (t0 - 200)) / 1000), 9);
  });
});

describe('the run start reported by the parser', () => {
  it('is used as it is when the partial aggregates carry it (the earliest iteration start), merged as the minimum', async () => {
    const { createNdjsonParser } = await import('../../src/k6/ndjson.js');
    const { mergePartials } = await import('../../src/metrics/store.js');
    const { NdjsonResults } = await import('../../src/metrics/results.js');
    const { EXACT_CAP, INV_LOG_GAMMA } = await import('../../src/metrics/histogram.js');
    const { DEFAULT_TAG_KEYS } = await import('../../src/k6/ingest.js');
    const t0 = 1_767_258_000_000;
    const parse = (lines: string[]) => {
      const p = createNdjsonParser({ bucketMs: 1000, indexKeys: [...DEFAULT_TAG_KEYS], exactCap: EXACT_CAP, invLogGamma: INV_LOG_GAMMA, maxExamples: 5 });
      const buf = new TextEncoder().encode(`${lines.join('\n')}\n`);
      p.feed(buf, 0, buf.length);
      return p.finish();
    };
    const at = (ms: number) => k6Time(BigInt(ms) * 1_000_000n);
    const a = parse([metricLine({ name: 'http_reqs', type: 'counter', contains: 'default' }), ...Array.from({ length: 10 }, (_, i) => pointLine('http_reqs', at(t0 + 500 + i * 1000), 1, {}))]);
    const b = parse([metricLine({ name: 'http_reqs', type: 'counter', contains: 'default' }), ...Array.from({ length: 10 }, (_, i) => pointLine('http_reqs', at(t0 + 700 + i * 1000), 1, {}))]);
    const diagnostics = { files: [], lines: 0, points: 0, badLines: 0, badLineExamples: [], truncatedFiles: [] };
    const r = new NdjsonResults(mergePartials([Object.assign(a, { iterationStart: t0 + 100 }), Object.assign(b, { iterationStart: t0 + 40 })], 1000), diagnostics, DEFAULT_TAG_KEYS);
    expect(rate(r, 'http_reqs')).toBeCloseTo(20 / ((t0 + 9_700 - (t0 + 40)) / 1000), 9);
    // without it: the first sample
    const c = parse([metricLine({ name: 'http_reqs', type: 'counter', contains: 'default' }), ...Array.from({ length: 10 }, (_, i) => pointLine('http_reqs', at(t0 + 500 + i * 1000), 1, {}))]);
    const plain = new NdjsonResults(mergePartials([c], 1000), diagnostics, DEFAULT_TAG_KEYS);
    expect(rate(plain, 'http_reqs')).toBeCloseTo(10 / 9, 9);
  });
});
