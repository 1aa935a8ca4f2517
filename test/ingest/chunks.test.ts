import * as fs from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { DEFAULT_TAG_KEYS, claimChunks, renumber } from '../../src/k6/ingest.js';
import { BUCKET_FIELDS, B_N, createNdjsonParser } from '../../src/k6/ndjson.js';
import { EXACT_CAP, INV_LOG_GAMMA } from '../../src/metrics/histogram.js';

const cfg = { bucketMs: 1000, indexKeys: [...DEFAULT_TAG_KEYS], exactCap: EXACT_CAP, invLogGamma: INV_LOG_GAMMA, maxExamples: 50 };

describe('chunks claimed by two threads', () => {
  it('reads chunks taken from the back like one pass, with bad lines numbered in file order', () => {
    const lines = [metricLine({ name: 'http_req_duration', type: 'trend', contains: 'time' })];
    for (let i = 0; i < 400; i++) {
      if (i % 37 === 5) lines.push(`garbage ${i}`);
      else lines.push(pointLine('http_req_duration', k6Time(1_767_258_000_000_000_000n + BigInt(i) * 100_000_000n), i % 50, { tenant: `t${i % 3}` }));
    }
    const file = join(mkdtempSync(join(tmpdir(), 'perf-gate-chunks-')), 'c.ndjson');
    const text = `${lines.join('\n')}\n`;
    writeFileSync(file, text);
    // cuts at line starts, uneven
    const cuts = [0];
    for (let at = 0, k = 0; ; k++) {
      at = text.indexOf('\n', at + 900 + (k % 3) * 700) + 1;
      if (at <= 0 || at >= text.length) break;
      cuts.push(at);
    }
    cuts.push(text.length);
    expect(cuts.length).toBeGreaterThan(8);

    const one = createNdjsonParser(cfg);
    claimChunks(fs, file, cuts, new Int32Array(new SharedArrayBuffer(4)), false, one, 1 << 16);
    const whole = one.finish();

    const back = createNdjsonParser(cfg);
    const done = claimChunks(fs, file, cuts, new Int32Array(new SharedArrayBuffer(4)), true, back, 1 << 16);
    expect(done.filter((_, j) => j % 2 === 0)).toEqual([...Array(cuts.length - 1).keys()].reverse());
    const part = back.finish();
    renumber(part, done);
    expect(part.badExamples.map((e) => e.line)).toEqual(lines.map((l, i) => (l.startsWith('garbage') ? i + 1 : -1)).filter((n) => n > 0));
    expect(whole.badExamples).toEqual(part.badExamples);
    expect(part.points).toBe(whole.points);
    const counts = (p: typeof part) => p.series.map((s) => `${s.tags.join(':')}=${s.buckets.data.reduce((a, v, i) => (i % BUCKET_FIELDS === B_N ? a + v : a), 0)}`).sort();
    expect(counts(part)).toEqual(counts(whole));

    // two claimers sharing one counter take every chunk exactly once
    const ctr = new Int32Array(new SharedArrayBuffer(4));
    const a = createNdjsonParser(cfg);
    const b = createNdjsonParser(cfg);
    Atomics.store(ctr, 0, 0);
    const da = claimChunks(fs, file, cuts.slice(), ctr, false, a, 1 << 16);
    const db = claimChunks(fs, file, cuts.slice(), ctr, true, b, 1 << 16);
    expect(da.length / 2 + db.length / 2).toBe(cuts.length - 1);
  });
});
