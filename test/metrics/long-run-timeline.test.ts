// A run of more than 1,024 s keeps its per-series buckets 2 s wide (or wider): the chart timeline must
// still place every bucket, also when the run starts on an odd second, where the first wide bucket
// starts one second before the first sample.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateK6Text, loadTestSpec } from '../../src/k6/fixtures.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import { MAX_BUCKETS } from '../../src/metrics/histogram.js';

const dir = mkdtempSync(join(tmpdir(), 'perf-gate-long-timeline-'));
const EVEN = 1_767_258_000_000_000_000n; // 2026-01-01T09:00:00Z, an even second

async function longRun(startNs: bigint, name: string) {
  const spec = { ...loadTestSpec('smoke'), stages: [{ durationSeconds: 1, target: 4 }, { durationSeconds: 1049, target: 4 }], startNs, seed: 7 };
  const { text, answers } = generateK6Text(spec);
  const file = join(dir, `${name}.ndjson`);
  writeFileSync(file, text);
  return { r: await ingestFiles([file], { threads: 1 }), a: answers! };
}

describe('timeline of a run longer than the bucket bound', () => {
  expect(1050).toBeGreaterThan(MAX_BUCKETS);
  for (const [label, startNs] of [
    ['an odd second', EVEN + 1_000_000_000n],
    ['a half second after an odd second', EVEN + 1_500_000_000n],
    ['an even second', EVEN],
  ] as const) {
    it(`starting on ${label}: every request, failure and the peak VUs are in the chart`, async () => {
      const { r, a } = await longRun(startNs, label.replace(/\W+/g, '-'));
      for (const seconds of [1, 60]) {
        const pts = r.timeline(seconds);
        expect(pts.length).toBeGreaterThan(0);
        expect(pts[0]!.t).toBe(Math.floor(a.firstMs / (seconds * 1000)) * seconds * 1000);
        expect(pts.reduce((s, p) => s + p.requests, 0)).toBe(a.counters.http_reqs);
        expect(pts.reduce((s, p) => s + p.failed, 0)).toBe(a.rates.http_req_failed!.nonZero);
        expect(Math.max(...pts.map((p) => p.vus))).toBe(a.vusPeak);
        for (const p of pts) {
          expect(Number.isFinite(p.requests)).toBe(true);
          expect(Number.isFinite(p.vus)).toBe(true);
        }
      }
      // the first chart point holds the first second's requests (the wide bucket's data all lies in it or after)
      const first = r.timeline(1)[0]!;
      expect(first.requests).toBeGreaterThanOrEqual(a.requestsPerSecond[first.t] ?? 0);
      expect(first.p99).not.toBeNull();
    });
  }
});
