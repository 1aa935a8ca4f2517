import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { DEFAULT_TAG_KEYS, ingestFiles } from '../../src/k6/ingest.js';
import { BUCKET_FIELDS, B_LAST, B_MAX, B_MIN, B_N, B_SUM, bucketSpan, createNdjsonParser, packPartial, unpackPartial, type BucketData } from '../../src/k6/ndjson.js';
import { EXACT_CAP, INV_LOG_GAMMA, MAX_BUCKETS } from '../../src/metrics/histogram.js';
import { mergePartials } from '../../src/metrics/store.js';
import type { Aggregation, Results, TimeWindow } from '../../src/model.js';

const base = 1_767_258_000_000; // a multiple of 8 s
const enc = new TextEncoder();

/** Non-empty buckets as [first base bucket, n, sum, min, max, last]. */
function rows(bk: BucketData): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < bk.nb; i++) {
    const o = i * BUCKET_FIELDS;
    if (bk.data[o + B_N] === 0) continue;
    out.push([(bk.b0 + i) * 2 ** bk.shift, bk.data[o + B_N]!, bk.data[o + B_SUM]!, bk.data[o + B_MIN]!, bk.data[o + B_MAX]!, bk.data[o + B_LAST]!]);
  }
  return out;
}

/** The buckets computed the plain way: samples grouped by floor(second / width). */
function expected(samples: { s: number; v: number; ms: number }[], width: number): number[][] {
  const by = new Map<number, { s: number; v: number; ms: number }[]>();
  for (const x of samples) {
    const k = Math.floor((base / 1000 + x.s) / width) * width;
    by.set(k, [...(by.get(k) ?? []), x]);
  }
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, xs]) => {
      const latest = xs.reduce((a, b) => (b.ms >= a.ms ? b : a));
      return [k, xs.length, xs.reduce((a, b) => a + b.v, 0), Math.min(...xs.map((x) => x.v)), Math.max(...xs.map((x) => x.v)), latest.v];
    });
}

describe('time buckets per series are bounded', () => {
  const samples: { s: number; v: number; ms: number }[] = [];
  for (let s = 0; s < 100; s++) for (let j = 0; j < 3; j++) samples.push({ s, v: (s * 31 + j * 7) % 53, ms: base + s * 1000 + j * 300 });
  const text = (xs: typeof samples) => xs.map((x) => `${pointLine('lat', k6Time(BigInt(x.ms) * 1_000_000n), x.v, {})}\n`).join('');

  it('doubles the bucket width when a series would span more buckets than allowed, in either reading order', () => {
    for (const order of ['forward', 'backward', 'shuffled']) {
      const xs = order === 'forward' ? samples : order === 'backward' ? [...samples].reverse() : samples.map((_, i) => samples[(i * 37) % samples.length]!);
      const p = createNdjsonParser({ bucketMs: 1000, indexKeys: [...DEFAULT_TAG_KEYS], exactCap: EXACT_CAP, invLogGamma: INV_LOG_GAMMA, maxExamples: 5, maxBuckets: 16 });
      const buf = enc.encode(text(xs));
      p.feed(buf, 0, buf.length);
      const bk = p.finish().series[0]!.buckets;
      // 100 s in at most 16 buckets: 8 s wide (13 buckets); 4 s would need 25
      expect(bk.shift).toBe(3);
      expect(bk.nb).toBeLessThanOrEqual(16);
      expect(rows(bk)).toEqual(expected(samples, 8));
    }
  });

  it('keeps room to grow while parsing, and a worker sends only the buckets in use', () => {
    const p = createNdjsonParser({ bucketMs: 1000, indexKeys: [...DEFAULT_TAG_KEYS], exactCap: EXACT_CAP, invLogGamma: INV_LOG_GAMMA, maxExamples: 5 });
    const buf = enc.encode(text(samples));
    p.feed(buf, 0, buf.length);
    const part = p.finish();
    const bk = part.series[0]!.buckets;
    const [lo, hi] = bucketSpan(bk);
    expect(hi - lo + 1).toBe(100);
    expect(bk.nb).toBeGreaterThan(100); // doubling left room
    const sent = unpackPartial(packPartial(part)).series[0]!.buckets;
    expect(sent.nb).toBe(100);
    expect(sent.b0).toBe(lo);
    expect(rows(sent)).toEqual(rows(bk));
  });

  it('merges parts of different widths into the coarser one', () => {
    const cfg = { bucketMs: 1000, indexKeys: [...DEFAULT_TAG_KEYS], exactCap: EXACT_CAP, invLogGamma: INV_LOG_GAMMA, maxExamples: 5, maxBuckets: 16 };
    const short = createNdjsonParser(cfg); // 10 s: stays at 1 s
    const long = createNdjsonParser(cfg); // 90 s: 8 s wide
    const a = enc.encode(text(samples.filter((x) => x.s < 10)));
    const b = enc.encode(text(samples.filter((x) => x.s >= 10)));
    short.feed(a, 0, a.length);
    long.feed(b, 0, b.length);
    const pa = short.finish();
    expect(pa.series[0]!.buckets.shift).toBe(0);
    const merged = mergePartials([pa, long.finish()], 1000, 64, 16);
    expect(rows(merged.series[0]!.buckets)).toEqual(expected(samples, 8));
  });
});

describe('a run longer than the bucket bound (35 minutes)', () => {
  // 2,100 s at 1 s would be 2,100 buckets per series: kept as 525 buckets of 4 s
  const pts: { t: number; v: number }[] = [];
  for (let s = 0; s < 2100; s++) for (let j = 0; j < 2; j++) pts.push({ t: base + s * 1000 + j * 400, v: ((s * 13 + j * 5) % 89) + 1 });
  const lines = [metricLine({ name: 'lat', type: 'trend', contains: 'time' }), metricLine({ name: 'vus', type: 'gauge', contains: 'default' })];
  for (let s = 0; s < 2100; s++) {
    lines.push(pointLine('vus', k6Time(BigInt(base + s * 1000 + 100) * 1_000_000n), s < 300 ? s : s < 1800 ? 300 : 2100 - s, {}));
    for (const p of pts.slice(2 * s, 2 * s + 2)) lines.push(pointLine('lat', k6Time(BigInt(p.t) * 1_000_000n), p.v, {}));
  }
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-buckets-'));
  const file = join(dir, 'long.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const value = (r: Results, a: Aggregation, w?: TimeWindow) => {
    const m = r.measure({ raw: 'lat', metric: 'lat', tags: [] }, a, w);
    if (!('value' in m)) throw new Error(m.noData);
    return m.value;
  };

  it('answers whole-run aggregates exactly and windows to 4 s buckets', async () => {
    expect(2100 / 4).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(2100 / 2).toBeGreaterThan(MAX_BUCKETS);
    const r = await ingestFiles([file], { threads: 1 });
    expect(value(r, { kind: 'count' })).toBe(pts.length);
    expect(value(r, { kind: 'max' })).toBe(Math.max(...pts.map((p) => p.v)));
    expect(value(r, { kind: 'avg' })).toBeCloseTo(pts.reduce((a, p) => a + p.v, 0) / pts.length, 9);
    // a window from 601.5 s to 1,000.2 s is aligned to the 4 s buckets: the start up, the end out, [604 s, 1,004 s)
    const w = { start: base + 601_500, end: base + 1_000_200 };
    expect(r.alignWindow!(w)).toEqual({ start: base + 604_000, end: base + 1_004_000 });
    const inBuckets = pts.filter((p) => p.t >= base + 604_000 && p.t < base + 1_004_000);
    expect(value(r, { kind: 'count' }, w)).toBe(inBuckets.length);
    expect(value(r, { kind: 'min' }, w)).toBe(Math.min(...inBuckets.map((p) => p.v)));
    // VUs at their peak from second 300 to second 1,800 included: the steady window in whole 4 s buckets
    expect(r.steadyWindow()).toEqual({ start: base + 300_000, end: base + 1_804_000 });
  });

  it('gives the same answers from two threads and from shards of different lengths', async () => {
    const one = await ingestFiles([file], { threads: 1 });
    const two = await ingestFiles([file], { threads: 2, workerMinBytes: 0 });
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    const cut = 2 + 3 * 200; // the first 200 s: 1 s buckets in that shard
    writeFileSync(a, `${lines.slice(0, cut).join('\n')}\n`);
    writeFileSync(b, `${[...lines.slice(0, 2), ...lines.slice(cut)].join('\n')}\n`);
    const shards = await ingestFiles([a, b], { threads: 1 });
    const w = { start: base + 120_000, end: base + 400_000 };
    for (const r of [two, shards]) {
      for (const agg of [{ kind: 'count' }, { kind: 'max' }, { kind: 'p', p: 95 }] as Aggregation[]) {
        expect(value(r, agg)).toBe(value(one, agg));
        expect(value(r, agg, w)).toBe(value(one, agg, w));
      }
      expect(r.steadyWindow()).toEqual(one.steadyWindow());
      expect(r.timeline(60)).toEqual(one.timeline(60));
    }
  });
});
