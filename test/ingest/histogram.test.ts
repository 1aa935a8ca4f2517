import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import { Aggregate, EXACT_CAP, k6Percentile } from '../../src/metrics/histogram.js';

const exactPct = (values: number[], p: number) => k6Percentile(Float64Array.from(values).sort(), p);

describe('histogram percentiles', () => {
  it('stay within 0.1% (in fact 0.005%) of the exact k6 percentile once values are bucketed', () => {
    const value = fc.oneof(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.constant(0));
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 3000 }), fc.double({ min: 0, max: 1, noNaN: true }), (values, p) => {
        const agg = new Aggregate(1); // force the histogram
        agg.addScalars(values.length, 0, Math.min(...values), Math.max(...values), 0, 0, 0);
        agg.addValues(values, null, 0);
        expect(agg.exact).toBe(false);
        const want = exactPct(values, p);
        const got = agg.percentile(p);
        const sorted = Float64Array.from(values).sort();
        const i = p * (values.length - 1);
        const scale = Math.max(Math.abs(sorted[Math.floor(i)]!), Math.abs(sorted[Math.ceil(i)]!));
        expect(Math.abs(got - want)).toBeLessThanOrEqual(scale * 5.1e-5 + 1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a busy second of one series in a histogram and still answers within 0.1%', async () => {
    const lines = [metricLine({ name: 'http_req_duration', type: 'trend', contains: 'time' })];
    const values: number[] = [];
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const n = EXACT_CAP * 3;
    for (let i = 0; i < n; i++) {
      const v = Math.round(Math.exp(4 + rand() * 2.5) * 1e6) / 1e6;
      values.push(v);
      lines.push(pointLine('http_req_duration', k6Time(1_767_258_000_000_000_000n + BigInt(i) * 100_000n), v, { status: '200' }));
    }
    const f = join(mkdtempSync(join(tmpdir(), 'perf-gate-hist-')), 'busy.ndjson');
    writeFileSync(f, `${lines.join('\n')}\n`);
    const r = await ingestFiles([f]);
    for (const p of [50, 90, 95, 99, 99.9]) {
      const m = r.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'p', p });
      const want = exactPct(values, p / 100);
      if (!('value' in m)) throw new Error(m.noData);
      expect(Math.abs(m.value - want) / want).toBeLessThan(0.001);
    }
  });
});

describe('exact values gathered in one go (Aggregate.setExact)', () => {
  it('answers every percentile exactly as adding the lists one by one does', () => {
    const lists = fc.array(fc.oneof(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true })), fc.array(fc.double({ noNaN: true })).map((a) => Float64Array.from(a))), { maxLength: 8 });
    fc.assert(
      fc.property(lists, fc.double({ min: 0, max: 1, noNaN: true }), (ls, p) => {
        const once = new Aggregate();
        expect(once.setExact(ls)).toBe(true);
        const oneByOne = new Aggregate();
        for (const l of ls) oneByOne.addValues(l, null, 0);
        expect(once.valueCount).toBe(oneByOne.valueCount);
        expect(Object.is(once.percentile(p), oneByOne.percentile(p))).toBe(true);
        // sorting its own array in place leaves later answers unchanged
        expect(Object.is(once.percentile(p), exactPct(ls.flatMap((l) => Array.from(l)), p))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses, changing nothing, past the exact limit or when the aggregate already holds values', () => {
    const small = new Aggregate(4);
    expect(small.setExact([[1, 2], [3, 4, 5]])).toBe(false);
    expect(small.valueCount).toBe(0);
    const busy = new Aggregate();
    busy.addValues([7], null, 0);
    expect(busy.setExact([[1, 2]])).toBe(false);
    expect(busy.percentile(0.5)).toBe(7);
  });
});

describe('an aggregate asked for several percentiles', () => {
  it('sorts once and still answers for values added after an answer (exact and histogram)', () => {
    const exact = new Aggregate();
    exact.addValues([5, 1, 4], null, 0);
    expect(exact.percentile(0.5)).toBe(4);
    expect(exact.percentile(1)).toBe(5);
    exact.addValues([0, 2], null, 0);
    expect(exact.percentile(0.5)).toBe(exactPct([5, 1, 4, 0, 2], 0.5));
    expect(exact.percentile(0)).toBe(0);

    const hist = new Aggregate(2);
    const first = [10, 20, 30, 40];
    // a query adds the scalars too: histogram answers are clamped to the exact min and max
    hist.addScalars(4, 100, 10, 40, 4, 0, 40);
    hist.addValues(first, null, 0);
    expect(hist.exact).toBe(false);
    const before = hist.percentile(0.99);
    expect(Math.abs(before - exactPct(first, 0.99)) / exactPct(first, 0.99)).toBeLessThan(1e-4);
    hist.addScalars(2, 3000, 1000, 2000, 2, 1, 2000);
    hist.addValues([1000, 2000], null, 0);
    const after = hist.percentile(0.99);
    expect(Math.abs(after - exactPct([...first, 1000, 2000], 0.99)) / exactPct([...first, 1000, 2000], 0.99)).toBeLessThan(1e-4);
  });
});
