// The .gz read (zlib's chunks queued and parsed a slice at a time) against the plain file's read of
// the same text: any mix of k6 lines, garbage, blank, CRLF and very long lines, compressed as one
// gzip member or as several members cut anywhere (a line may span members), parsed in slices of any
// size with zlib paused at any queue length, reads alike — the same counts, the same bad-line
// numbers, the same answers — and so does the same file cut short.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import type { Results } from '../../src/model.js';

const dir = mkdtempSync(join(tmpdir(), 'perf-gate-gzprop-'));
const t0 = 1_767_258_000_000_000_000n;

const k6Line = fc
  .record({ s: fc.integer({ min: 0, max: 120 }), v: fc.double({ min: 0, max: 5000, noNaN: true }), status: fc.constantFrom('200', '500', '0'), endpoint: fc.constantFrom('trades', 'portfolio', 'login') })
  .map(({ s, v, status, endpoint }) => pointLine('http_req_duration', k6Time(t0 + BigInt(s) * 1_000_000_000n), v, { status, endpoint }));
/** n k6 lines made from n alone (generating each with fast-check would be slow). */
function bulk(n: number): string {
  const out: string[] = [];
  let x = n;
  for (let i = 0; i < n; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    out.push(pointLine('http_req_duration', k6Time(t0 + BigInt(i % 120) * 1_000_000_000n), (x % 500_000) / 100, { status: x % 7 === 0 ? '500' : '200', endpoint: 'trades' }));
  }
  return out.join('\n');
}
const pieces = fc.oneof(
  { weight: 20, arbitrary: fc.array(k6Line, { minLength: 1, maxLength: 400 }).map((l) => l.join('\n')) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }).map((g) => g.replace(/\n/g, ' ')) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: k6Line.map((l) => `${l}\r`) },
  // many MiB of k6 lines (zlib runs ahead of the parser, is paused and resumed)
  { weight: 1, arbitrary: fc.integer({ min: 20_000, max: 60_000 }).map(bulk) },
  // longer than the 256 KiB parsed per turn, or than zlib's 1 MiB output chunk
  { weight: 1, arbitrary: fc.integer({ min: 200_000, max: 1_300_000 }).map((n) => pointLine('http_req_duration', k6Time(t0), 1, { status: '200', url: `https://x/${'a'.repeat(n)}` })) },
);

function summary(r: Results) {
  const d = r.diagnostics;
  const m = r.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'p', p: 99 });
  const lineOf = (x: string) => x.slice(x.lastIndexOf(':') + 1);
  return { points: d.points, lines: d.lines, bad: d.badLines, examples: d.badLineExamples.map(lineOf), truncated: d.truncatedFiles.length, p99: 'value' in m ? m.value : m.noData };
}

/** How much is parsed per turn and how much may wait before zlib is paused: from a few bytes to the defaults. */
const knobs = fc.record({
  gzipSliceBytes: fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 4096, max: 300_000 }), fc.constant(256 << 10)),
  gzipQueueBytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1 << 20 }), fc.constant(8 << 20)),
});

let n = 0;
describe('a .gz reads as its plain text does', () => {
  it('whatever the lines and wherever the gzip members are cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(pieces, { minLength: 1, maxLength: 40 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }), fc.boolean(), knobs, fc.constantFrom('', '\n', '\r\n'), async (parts, cuts, endsWithNewline, opts, appended) => {
        const text = `${metricLine({ name: 'http_req_duration', type: 'trend', contains: 'time' })}\n${parts.join('\n')}${endsWithNewline ? '\n' : ''}`;
        const bytes = Buffer.from(text);
        const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
        const members: Buffer[] = [];
        let from = 0;
        for (const c of [...at, bytes.length]) {
          if (c > from || (c === bytes.length && members.length === 0)) members.push(gzipSync(bytes.subarray(from, c)));
          from = Math.max(from, c);
        }
        const k = n++;
        const plain = join(dir, `p${k}.ndjson`);
        const gz = join(dir, `p${k}.ndjson.gz`);
        writeFileSync(plain, bytes);
        // a newline appended in transfer: ignored, and said so — never taken for a cut
        writeFileSync(gz, Buffer.concat([...members, Buffer.from(appended)]));
        const a = summary(await ingestFiles([plain]));
        const g = await ingestFiles([gz], opts);
        expect(summary(g)).toEqual(a);
        expect(g.diagnostics.gzipCutFiles ?? []).toEqual([]);
        expect(g.diagnostics.gzipTrailingFiles ?? []).toEqual(appended === '' ? [] : [gz]);
        // the same gzip cut short: what inflates before the cut reads as that much plain text
        const whole = Buffer.concat(members);
        if (whole.length > 64) {
          const cut = whole.subarray(0, Math.floor(whole.length * 0.7));
          const cutFile = join(dir, `c${k}.ndjson.gz`);
          const headFile = join(dir, `c${k}.ndjson`);
          writeFileSync(cutFile, cut);
          writeFileSync(headFile, gunzipSync(cut, { finishFlush: 2 /* Z_SYNC_FLUSH */ }));
          const c = await ingestFiles([cutFile], opts).then(summary, (e: Error) => e.message);
          const h = await ingestFiles([headFile]).then(summary, (e: Error) => e.message);
          if (typeof h === 'string') expect(typeof c).toBe('string');
          else expect(c).toEqual({ ...h, truncated: 1 });
        }
      }),
      // no shrinking: a failing case of several MiB would take minutes to shrink
      { numRuns: 40, seed: 20261127, endOnFailure: true },
    );
  }, 120_000);
});
