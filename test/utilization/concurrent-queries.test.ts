// After a run, the Prometheus-read utilization metrics are queried a few at a time (not one after the
// other: with a slow Prometheus, a dozen metrics took a dozen round trips), and come out in the order
// of thresholds.yml. A local HTTP server speaks the Prometheus API's query and query_range shapes.
import { afterEach, describe, expect, it } from 'vitest';
import { PROMETHEUS_CONCURRENCY, collectWindow, mapLimit } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig, UtilizationMetricConfig } from '../../src/model.js';
import { startFakePrometheus, type FakePrometheus } from '../support/fake-prometheus.js';

const quiet: Logger = { info() {}, warning() {}, error() {}, debug() {}, group: (_n, fn) => fn() };
const pos = { file: 'thresholds.yml', line: 1, column: 1 };
const custom = (name: string, i: number): UtilizationMetricConfig => ({ name, prometheus: `sum(rate(requests_total{shard="${i}"}[1m]))`, params: {}, pos });
const window = { start: 1_800_000_000_000, end: 1_800_000_120_000 };
let prom: FakePrometheus | undefined;

afterEach(async () => {
  await prom?.close();
  prom = undefined;
});

describe('Prometheus queries after a run', () => {
  it(`run at most ${PROMETHEUS_CONCURRENCY} at a time, more than one, and every metric keeps its place`, async () => {
    prom = await startFakePrometheus({ rangeValue: 7, delayMs: 40, answer: (q) => (q.startsWith('max(timestamp(') ? [] : undefined) });
    const names = Array.from({ length: 10 }, (_, i) => `shard_${i}`);
    const cfg: UtilizationConfig = { sources: { prometheus: { url: prom.url } }, metrics: names.map(custom), intervalSeconds: 1, slowQueries: false, scrapeWaitSeconds: 0 };
    const res = await collectWindow(cfg, window, quiet);
    expect(prom.maxInFlight).toBeGreaterThan(1);
    expect(prom.maxInFlight).toBeLessThanOrEqual(PROMETHEUS_CONCURRENCY);
    for (const n of names) expect(res.measure(n, { kind: 'max' })).toEqual({ value: 7 });
    // every metric's range query was asked
    for (let i = 0; i < names.length; i++) expect(prom.queries.some((q) => q.includes(`shard="${i}"`))).toBe(true);
  });

  it('wait as long as sources.prometheus.timeout says (default 15 s) for each answer', async () => {
    prom = await startFakePrometheus({ rangeValue: 7, delayMs: 300, answer: (q) => (q.startsWith('max(timestamp(') ? [] : undefined) });
    const cfg = (timeout?: number): UtilizationConfig => ({
      sources: { prometheus: { url: prom!.url } },
      metrics: [custom('slow_one', 1)],
      intervalSeconds: 1,
      slowQueries: false,
      scrapeWaitSeconds: 0,
      ...(timeout === undefined ? {} : { prometheusTimeoutSeconds: timeout }),
    });
    const short = await collectWindow(cfg(0.1), window, quiet);
    expect(short.measure('slow_one', { kind: 'max' })).toEqual({
      noData: expect.stringMatching(/did not answer within 0\.1 s \(overloaded, or a query too heavy for it: a narrower selector helps, or a longer `sources\.prometheus\.timeout`\)/),
    });
    expect((await collectWindow(cfg(5), window, quiet)).measure('slow_one', { kind: 'max' })).toEqual({ value: 7 });
    expect((await collectWindow(cfg(), window, quiet)).measure('slow_one', { kind: 'max' })).toEqual({ value: 7 });
  });

  it('mapLimit keeps the order of its items whatever order they finish in, and never runs more than the limit', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([50, 5, 30, 1, 20, 2], 3, async (ms, i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return `${i}:${ms}`;
    });
    expect(out).toEqual(['0:50', '1:5', '2:30', '3:1', '4:20', '5:2']);
    expect(most).toBe(3);
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    expect(await mapLimit([1, 2], Number.NaN, async (x) => x * 2)).toEqual([2, 4]);
  });

  it('mapLimit stops taking items after an error and rejects with it', async () => {
    const started: number[] = [];
    await expect(
      mapLimit([1, 2, 3, 4, 5, 6], 2, async (x) => {
        started.push(x);
        await new Promise((r) => setTimeout(r, 5));
        if (x === 2) throw new Error('boom');
        return x;
      }),
    ).rejects.toThrow('boom');
    await new Promise((r) => setTimeout(r, 30));
    expect(started).toEqual([1, 2, 3]);
  });
});
