import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import type { Aggregation, Results, TimeWindow } from '../../src/model.js';

function k6Pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const i = p * (s.length - 1);
  return s[Math.floor(i)]! + (s[Math.ceil(i)]! - s[Math.floor(i)]!) * (i - Math.floor(i));
}
function value(r: Results, a: Aggregation, w?: TimeWindow): number {
  const m = r.measure({ raw: 'lat', metric: 'lat', tags: [] }, a, w);
  if (!('value' in m)) throw new Error(m.noData);
  return m.value;
}

describe('value distributions in blocks of buckets', () => {
  // 200 s → blocks of 4 s (1 s would need 200 blocks, 2 s 100; at most 64 are kept)
  const base = 1_767_258_000_000; // a multiple of 4 s
  const pts: { t: number; v: number }[] = [];
  for (let s = 0; s < 200; s++) for (let j = 0; j < 5; j++) pts.push({ t: base + s * 1000 + j * 190, v: ((s * 7 + j * 13) % 97) + s / 1000 });
  const lines = [metricLine({ name: 'lat', type: 'trend', contains: 'time' })];
  for (const p of pts) lines.push(pointLine('lat', k6Time(BigInt(p.t) * 1_000_000n), p.v, {}));
  const file = join(mkdtempSync(join(tmpdir(), 'perf-gate-blocks-')), 'long.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);

  it('answers whole-run percentiles exactly', async () => {
    const r = await ingestFiles([file], { threads: 1 });
    expect(value(r, { kind: 'p', p: 99 })).toBe(k6Pct(pts.map((p) => p.v), 0.99));
    expect(value(r, { kind: 'med' })).toBe(k6Pct(pts.map((p) => p.v), 0.5));
  });

  it('rounds a window out to block boundaries for percentiles, not for counts', async () => {
    const r = await ingestFiles([file], { threads: 1 });
    const w = { start: base + 50_500, end: base + 61_200 }; // aligned to buckets 51…61: [51 s, 62 s)
    const inBuckets = pts.filter((p) => p.t >= base + 51_000 && p.t < base + 62_000).map((p) => p.v);
    const inBlocks = pts.filter((p) => p.t >= base + 48_000 && p.t < base + 64_000).map((p) => p.v); // blocks [48, 52) … [60, 64)
    expect(value(r, { kind: 'count' }, w)).toBe(inBuckets.length);
    expect(value(r, { kind: 'max' }, w)).toBe(Math.max(...inBuckets));
    const p95 = k6Pct(inBlocks, 0.95);
    expect(value(r, { kind: 'p', p: 95 }, w)).toBe(Math.min(p95, Math.max(...inBuckets)));
    // a window on block boundaries is exact
    const aligned = { start: base + 100_000, end: base + 120_000 };
    const inAligned = pts.filter((p) => p.t >= aligned.start && p.t < aligned.end).map((p) => p.v);
    expect(value(r, { kind: 'p', p: 90 }, aligned)).toBe(k6Pct(inAligned, 0.9));
  });

  it('gives the same answers from two threads and from shards (blocks coarsened to match)', async () => {
    const one = await ingestFiles([file], { threads: 1 });
    const two = await ingestFiles([file], { threads: 2, workerMinBytes: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-blocks-'));
    // a short shard (fine blocks) and the long rest (coarse blocks)
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    writeFileSync(a, `${[lines[0], ...lines.slice(1, 101)].join('\n')}\n`);
    writeFileSync(b, `${[lines[0], ...lines.slice(101)].join('\n')}\n`);
    const shards = await ingestFiles([a, b], { threads: 1 });
    const w = { start: base + 12_000, end: base + 30_000 };
    for (const r of [two, shards]) {
      expect(value(r, { kind: 'p', p: 99 })).toBe(value(one, { kind: 'p', p: 99 }));
      expect(value(r, { kind: 'p', p: 75 }, w)).toBe(value(one, { kind: 'p', p: 75 }, w));
      expect(r.timeline(10)).toEqual(one.timeline(10));
    }
  });
});

describe('percentile queries share their gathered values', () => {
  // 60 s, two endpoints: blocks of 1 s, so whole-second windows are exact
  const base = 1_767_258_000_000;
  const pts: { t: number; v: number; endpoint: string }[] = [];
  for (let s = 0; s < 60; s++) {
    for (let j = 0; j < 7; j++) pts.push({ t: base + s * 1000 + j * 130, v: ((s * 11 + j * 17) % 89) + j / 7, endpoint: j % 3 === 0 ? 'a' : 'b' });
  }
  const lines = [metricLine({ name: 'lat', type: 'trend', contains: 'time' })];
  for (const p of pts) lines.push(pointLine('lat', k6Time(BigInt(p.t) * 1_000_000n), p.v, { endpoint: p.endpoint }));
  const file = join(mkdtempSync(join(tmpdir(), 'perf-gate-queries-')), 'mixed.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);

  it('answers any mix of selections, percentiles and windows, in any order and repeated, as k6 would', async () => {
    const r = await ingestFiles([file], { threads: 1 });
    const selections: [string, string | undefined][] = [['lat', undefined], ['lat{endpoint:a}', 'a'], ['lat{endpoint:b}', 'b']];
    const aggs: Aggregation[] = [{ kind: 'med' }, { kind: 'p', p: 90 }, { kind: 'p', p: 99 }, { kind: 'p', p: 99.9 }];
    const windows: (TimeWindow | undefined)[] = [undefined, { start: base, end: base + 20_000 }, { start: base + 30_000, end: base + 60_000 }];
    const queries: [number, number, number][] = [];
    for (let s = 0; s < selections.length; s++) for (let a = 0; a < aggs.length; a++) for (let w = 0; w < windows.length; w++) queries.push([s, a, w]);
    // every query twice, in a scrambled order
    const order = [...queries, ...queries].map((q, i) => ({ q, k: (i * 7919) % 97 })).sort((x, y) => x.k - y.k);
    for (const { q: [s, a, w] } of order) {
      const [raw, endpoint] = selections[s]!;
      const window = windows[w];
      const agg = aggs[a]!;
      const values = pts.filter((p) => (endpoint === undefined || p.endpoint === endpoint) && (window === undefined || (p.t >= window.start && p.t < window.end))).map((p) => p.v);
      const tags = endpoint === undefined ? [] : [{ key: 'endpoint', value: endpoint }];
      const m = r.measure({ raw, metric: 'lat', tags }, agg, window);
      expect(m, `${raw} ${JSON.stringify(agg)} ${JSON.stringify(window)}`).toEqual({ value: k6Pct(values, agg.kind === 'med' ? 0.5 : (agg as { p: number }).p / 100) });
    }
  });
});
