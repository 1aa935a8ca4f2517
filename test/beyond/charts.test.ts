// @vitest-environment happy-dom
// Charts are parsed with the real Mermaid parser (in a happy-dom DOM, which Mermaid needs).
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../../src/model.js';
import { CHART_BUDGET, chartSections, errorRateChart, latencyChart } from '../../src/report/charts.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import { loadTestSpec, writeK6Fixture } from '../../src/k6/fixtures.js';
import { FakeResults, HTTP_METRICS, httpSamples, simpleRun, type Sample } from '../support/fake-results.js';

type Mermaid = { parse(text: string): Promise<unknown> };
let mermaid: Mermaid;
let longRun: Results;

beforeAll(async () => {
  mermaid = (await import('mermaid')).default as unknown as Mermaid;
  // A 10-minute run (600 one-second buckets) in k6's own output format, read by the real ingestion.
  const full = loadTestSpec('target-capacity');
  const spec = { ...full, stages: full.stages.map((s) => ({ ...s, target: Math.max(1, Math.round(s.target / 100)) })) };
  const dir = await mkdtemp(join(tmpdir(), 'perf-gate-charts-'));
  try {
    const file = join(dir, 'run.ndjson');
    await writeK6Fixture(spec, file, { answers: false });
    longRun = await ingestFiles([file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);

function blocks(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
}

function series(block: string, kind: 'line' | 'bar'): number[][] {
  return [...block.matchAll(new RegExp(`^\\s*${kind} \\[([^\\]]*)\\]`, 'gm'))].map((m) => m[1]!.split(',').map(Number));
}

describe('latency chart', () => {
  it('a 10-minute run: parses as Mermaid, at most 60 points a series, within the size budget', async () => {
    expect(longRun.timeline(1).length).toBeGreaterThanOrEqual(600);
    const md = latencyChart(longRun);
    const bs = blocks(md);
    expect(bs).toHaveLength(2); // latency, then the VU ramp on the same time axis
    for (const b of bs) {
      await expect(mermaid.parse(b)).resolves.toBeTruthy();
      expect(b.length).toBeLessThanOrEqual(CHART_BUDGET);
      expect(b).toMatch(/^%%\{init:.*\}%%\nxychart-beta\n/);
    }
    const [p50, p95, p99] = series(bs[0]!, 'line');
    expect(p50!.length).toBeLessThanOrEqual(60);
    expect(p50!.length).toBeGreaterThanOrEqual(30);
    expect(bs[0]).toContain('x-axis "minutes into the run" 0 --> 10');
    // The percentiles are recomputed over each 10-second bucket, not averaged from 1-second ones.
    const ten = longRun.timeline(10);
    expect(p99).toHaveLength(ten.length);
    for (let i = 0; i < ten.length; i++) {
      const t = ten[i]!;
      if (t.p99 === null) continue;
      expect(Math.abs(p99![i]! - t.p99)).toBeLessThanOrEqual(Math.max(0.5, t.p99 * 0.001));
      expect(p50![i]!).toBeLessThanOrEqual(p95![i]! + 0.5);
      expect(p95![i]!).toBeLessThanOrEqual(p99![i]! + 0.5);
    }
    const [vus] = series(bs[1]!, 'line');
    expect(Math.max(...vus!)).toBe(5); // the ramp's peak: 500 / 100
    expect(vus![0]!).toBeLessThan(5);
    expect(md).toContain('🟩 p50 · 🟧 p95 · 🟥 p99');
    expect(md.length).toBeLessThan(2 * CHART_BUDGET + 600);
  });

  it('a deliberately broken chart is rejected by the parser', async () => {
    const good = blocks(latencyChart(longRun))[0]!;
    await expect(mermaid.parse(good.replace('line [', 'line ['.slice(0, 5)))).rejects.toThrow();
    await expect(mermaid.parse(good.replace(/y-axis "latency \(ms\)"/, 'y-axis "latency (ms)'))).rejects.toThrow();
  });

  it('titles with quotes and line breaks still parse', async () => {
    const md = latencyChart(longRun, { title: 'p99 "checkout"\n% {tenant:acme} [x]' });
    const first = blocks(md)[0]!;
    await expect(mermaid.parse(first)).resolves.toBeTruthy();
    expect(first).toContain("title \"p99 'checkout' tenant:acme x\"");
  });

  it('a short run is drawn per second, with seconds on the x-axis; maxPoints is honoured', async () => {
    const r = simpleRun({ n: 300, seconds: 30, duration: (i) => 50 + (i % 10) });
    const b = blocks(latencyChart(r))[0]!;
    expect(b).toContain('x-axis "seconds into the run" 0 --> 30');
    expect(series(b, 'line')[0]).toHaveLength(30);
    await expect(mermaid.parse(b)).resolves.toBeTruthy();
    const coarse = blocks(latencyChart(longRun, { maxPoints: 20 }))[0]!;
    expect(series(coarse, 'line')[0]!.length).toBeLessThanOrEqual(20);
  });

  it('results without a time series give no chart', () => {
    const empty = new FakeResults({ metrics: HTTP_METRICS, samples: [] });
    expect(latencyChart(empty)).toBe('');
    expect(errorRateChart(empty)).toBe('');
    expect(chartSections('s', empty)).toEqual([]);
  });
});

describe('error-rate chart and sections', () => {
  const t0 = 1_700_000_000_000;
  function failingSecondHalf(): FakeResults {
    const reqs = Array.from({ length: 400 }, (_, i) => ({ t: t0 + Math.floor(i * 100), duration: 40, status: i >= 200 && i % 5 === 0 ? 503 : 200 }));
    const vus: Sample[] = Array.from({ length: 40 }, (_, s) => ({ metric: 'vus', t: t0 + s * 1000, value: Math.min(8, s + 1) }));
    return new FakeResults({ metrics: HTTP_METRICS, samples: [...httpSamples(reqs), ...vus] });
  }

  it('shows the failed share per interval', async () => {
    const md = errorRateChart(failingSecondHalf());
    const b = blocks(md)[0]!;
    await expect(mermaid.parse(b)).resolves.toBeTruthy();
    const [bars] = series(b, 'bar');
    expect(bars).toHaveLength(40);
    expect(bars!.slice(0, 20).every((v) => v === 0)).toBe(true);
    expect(bars!.slice(20)).toEqual(Array(20).fill(20));
    expect(b).toContain('y-axis "failed requests (%)" 0 --> 25');
  });

  it('sections sit in the scenario and are dropped first; no error chart when nothing failed', async () => {
    const sections = chartSections('checkout', failingSecondHalf());
    expect(sections.map((s) => s.id)).toEqual(['charts:latency:checkout', 'charts:errors:checkout']);
    for (const s of sections) {
      expect(s.place).toBe('scenario');
      expect(s.scenario).toBe('checkout');
      expect(s.dropOrder).toBeGreaterThanOrEqual(90);
      for (const b of blocks(s.markdown)) await expect(mermaid.parse(b)).resolves.toBeTruthy();
    }
    const clean = chartSections('checkout', simpleRun({ n: 100, seconds: 10, duration: () => 10 }));
    expect(clean.map((s) => s.id)).toEqual(['charts:latency:checkout']);
  });
});
