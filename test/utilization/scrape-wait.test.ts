// Before a run is judged on Prometheus, its last scrape interval must be in Prometheus: the gate waits
// until the series it reads have a sample at or after the run's end. A local HTTP server speaking the
// Prometheus API's instant-query shape plays Prometheus at a chosen lag; a real Prometheus (Debian's,
// scraping redis_exporter every second) shows the wait on live data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWindow, mapLimit } from '../../src/collectors/collect.js';
import { awaitScrapePast, PrometheusClient } from '../../src/collectors/prometheus.js';
import type { Logger, UtilizationConfig } from '../../src/model.js';
import { startFakePrometheus, type FakePrometheus } from '../support/fake-prometheus.js';
import { promInstant, startServices, type Services } from '../support/services.js';

/** What the fake Prometheus answers for `max(timestamp(sel))`: epoch seconds, or no series. */
let lastScrape: (query: string) => number | undefined = () => undefined;
let prom: FakePrometheus;
let base = '';
let queries: string[] = [];

beforeAll(async () => {
  prom = await startFakePrometheus({
    rangeValue: 5,
    answer: (query) => {
      if (!query.startsWith('max(timestamp(')) return undefined;
      const t = lastScrape(query);
      return t === undefined ? [] : [{ metric: {}, value: t }];
    },
  });
  base = prom.url;
  queries = prom.queries;
});

afterAll(async () => {
  await prom.close();
});

/** A clock that moves only when the wait sleeps. */
function fakeClock(start: number) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

describe('waiting for Prometheus to scrape past the run', () => {
  it('waits until every selector has a sample at or after the end, polling each still behind', async () => {
    const end = 1_800_000_001_000; // both last scraped 1 s before the end
    const clock = fakeClock(end + 200);
    // redis_up is scraped every 5 s, pg_up every 15 s; both last scraped before the end
    lastScrape = (q) => {
      const every = q.includes('redis_up') ? 5000 : 15_000;
      return (Math.floor(clock.now() / every) * every) / 1000;
    };
    queries.length = 0;
    const r = await awaitScrapePast(new PrometheusClient(base), ['redis_up', 'pg_up', 'redis_up'], end, { now: clock.now, sleep: clock.sleep });
    expect(r).toEqual({ caughtUp: true, waitedMs: 14_000, behind: [] });
    // caught up first, redis_up is not asked again
    const redisAsked = queries.filter((q) => q.includes('redis_up')).length;
    const pgAsked = queries.filter((q) => q.includes('pg_up')).length;
    expect(redisAsked).toBe(5);
    expect(pgAsked).toBe(15);
    expect(new Set(clock.sleeps)).toEqual(new Set([1000]));
  });

  it('gives up after the longest wait and names the selectors still behind', async () => {
    const end = 1_800_000_000_000;
    const clock = fakeClock(end);
    lastScrape = () => (end - 30_000) / 1000; // a target whose clock or scrape stopped 30 s before the end
    const r = await awaitScrapePast(new PrometheusClient(base), ['node_cpu_seconds_total{mode="idle"}'], end, { now: clock.now, sleep: clock.sleep, maxWaitMs: 5000 });
    expect(r).toEqual({ caughtUp: false, waitedMs: 5000, behind: ['node_cpu_seconds_total{mode="idle"}'] });
  });

  it('does not wait for series Prometheus no longer has, nor for a window that ended long ago', async () => {
    const end = 1_800_000_000_000;
    const clock = fakeClock(end + 100);
    lastScrape = () => undefined; // no live series (stale, or never scraped)
    expect(await awaitScrapePast(new PrometheusClient(base), ['gone_metric'], end, clock)).toEqual({ caughtUp: true, waitedMs: 0, behind: [] });
    lastScrape = () => 3; // a latest sample far older than the lookback: not a series still scraped
    expect(await awaitScrapePast(new PrometheusClient(base), ['odd_metric'], end, clock)).toEqual({ caughtUp: true, waitedMs: 0, behind: [] });
    queries.length = 0;
    lastScrape = () => (end - 1000) / 1000;
    const late = fakeClock(end + 10 * 60_000);
    expect(await awaitScrapePast(new PrometheusClient(base), ['redis_up'], end, late)).toEqual({ caughtUp: true, waitedMs: 0, behind: [] });
    expect(queries).toEqual([]);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops at once when Prometheus does not answer, and when the gate is cancelled', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
      const end = Date.now();
      const r = await awaitScrapePast(new PrometheusClient(url, 200), ['a_metric', 'b_metric', 'c_metric'], end, { maxWaitMs: 60_000 });
      expect(r.caughtUp).toBe(true);
      expect(r.behind).toEqual([]);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
    const end = 1_800_000_001_000;
    const clock = fakeClock(end + 100);
    lastScrape = () => (end - 1000) / 1000;
    const cancel = new AbortController();
    const r = await awaitScrapePast(new PrometheusClient(base), ['redis_up'], end, {
      now: clock.now,
      sleep: async (ms) => {
        await clock.sleep(ms);
        cancel.abort();
      },
      signal: cancel.signal,
    });
    expect(r).toEqual({ caughtUp: false, waitedMs: 1000, behind: ['redis_up'] });
  });

  it('sources.prometheus.scrape-wait sets the longest wait; 0 turns it off', async () => {
    const { loadConfig } = await import('../../src/config/load.js');
    const end = Date.now();
    lastScrape = () => (end - 20_000) / 1000;
    const quiet: Logger = { info() {}, warning() {}, error() {}, debug() {}, group: (_n, fn) => fn() };
    const cfgWith = (wait: string) =>
      loadConfig('thresholds.yml', {
        text: `version: 1\nutilization:\n  sources:\n    prometheus: { url: "${base}", scrape-wait: ${wait} }\n  metrics:\n    api_rps: { prometheus: 'sum(rate(http_requests_total{job="api"}[1m]))' }\n`,
        env: {},
      }).utilization!;
    expect(cfgWith('300ms').scrapeWaitSeconds).toBe(0.3);
    const short = await collectWindow(cfgWith('300ms'), { start: end - 120_000, end }, quiet, { scrapeWait: { pollMs: 100 } });
    expect(short.notes).toContainEqual(expect.stringMatching(/^Prometheus had not scraped `http_requests_total\{job="api"\}` since the run ended \(waited 0 s\)/));
    queries.length = 0;
    const off = await collectWindow(cfgWith('0'), { start: end - 120_000, end }, quiet);
    expect(queries.some((q) => q.startsWith('max(timestamp('))).toBe(false);
    expect(off.notes.some((n) => n.includes('had not scraped'))).toBe(false);
  });

  it('a run that did not complete is queried at once, without waiting for a scrape', async () => {
    const { startCollection } = await import('../../src/collectors/collect.js');
    const end = Date.now();
    lastScrape = () => (end - 20_000) / 1000;
    const cfg: UtilizationConfig = {
      sources: { prometheus: { url: base } },
      metrics: [{ name: 'api_rps', prometheus: 'sum(rate(http_requests_total{job="api"}[1m]))', params: {}, unit: 'per-second', pos: { file: 'thresholds.yml', line: 1, column: 1 } }],
      intervalSeconds: 1,
      slowQueries: false,
    };
    queries.length = 0;
    const col = await startCollection(cfg, { info() {}, warning() {}, error() {}, debug() {}, group: (_n, fn) => fn() });
    const res = await col.stop({ start: end - 120_000, end }, { waitForScrape: false });
    expect(queries.some((q) => q.startsWith('max(timestamp('))).toBe(false);
    expect(res.notes.some((n) => n.includes('had not scraped'))).toBe(false);
    expect(res.measure('api_rps', { kind: 'max' })).toEqual({ value: 5 });
  });

  it('a collection that gives up says so in its notes, and still reports the figures', async () => {
    const end = Date.now();
    lastScrape = () => (end - 20_000) / 1000;
    const lines: string[] = [];
    const log: Logger = { info: (m) => lines.push(m), warning: (m) => lines.push(m), error: (m) => lines.push(m), debug: () => undefined, group: (_n, fn) => fn() };
    const cfg: UtilizationConfig = {
      sources: { prometheus: { url: base } },
      metrics: [{ name: 'api_rps', prometheus: 'sum(rate(http_requests_total{job="api"}[1m]))', params: {}, unit: 'per-second', pos: { file: 'thresholds.yml', line: 1, column: 1 } }],
      intervalSeconds: 1,
      slowQueries: false,
    };
    const res = await collectWindow(cfg, { start: end - 120_000, end }, log, { scrapeWait: { maxWaitMs: 300, pollMs: 100 } });
    expect(res.notes).toContainEqual(expect.stringContaining('Prometheus had not scraped `http_requests_total{job="api"}` since the run ended'));
    expect(res.measure('api_rps', { kind: 'max' })).toEqual({ value: 5 });
  });
});

const started = await startServices({ prometheus: true });
const skip = 'skip' in started ? started.skip : undefined;
if (skip) console.warn(`test/utilization/scrape-wait: skipped: ${skip}`);
const svc = started as Services;

// at the top level: a run filtered to other tests (-t) still stops the servers
afterAll(async () => {
  if (skip === undefined) await svc.stop();
});

describe.skipIf(skip !== undefined)('with a real Prometheus', () => {

  it('right after a run ends, waits for the next scrape: afterwards the series have a sample past the end', async () => {
    const url = svc.prometheus!.url;
    const end = Date.now();
    const r = await awaitScrapePast(new PrometheusClient(url), ['redis_up', 'redis_commands_processed_total'], end, { maxWaitMs: 20_000 });
    expect(r.caughtUp).toBe(true);
    for (const sel of ['redis_up', 'redis_commands_processed_total']) {
      const last = await promInstant(url, `max(timestamp(${sel}))`);
      expect(last! * 1000).toBeGreaterThanOrEqual(end);
    }
  });
});

describe('a Prometheus that cannot be reached', () => {
  it('after two timeouts in a row, later queries answer at once with the same reason', async () => {
    const { createServer } = await import('node:http');
    let requests = 0;
    const silent = createServer(() => {
      requests++; // accepts, never answers
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const client = new PrometheusClient(`http://127.0.0.1:${(silent.address() as { port: number }).port}`, 150);
      const answers: Awaited<ReturnType<PrometheusClient['instant']>>[] = [];
      for (let i = 0; i < 5; i++) answers.push(await client.instant('up', Date.now()));
      expect(requests).toBe(2);
      expect(answers.every((a) => !a.ok && a.reason === (answers[0] as { reason: string }).reason)).toBe(true);
      // a server that accepts and never answers is slow, not unreachable
      expect((answers[0] as { reason: string }).reason).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.15 s \(overloaded, or a query too heavy for it/);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it('one slow query alone does not stop the others', async () => {
    let slow = true;
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      if (slow) {
        slow = false; // the first query takes too long, the next ones answer
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, '1'] }] } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = new PrometheusClient(`http://127.0.0.1:${(server.address() as { port: number }).port}`, 150);
      expect((await client.instant('heavy', Date.now())).ok).toBe(false);
      expect(await client.instant('up', Date.now())).toEqual({ ok: true, value: [{ labels: {}, value: 1 }] });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('queries run side by side: two heavy ones timing out together, while others are answered, stop nothing', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      if ((req.url ?? '').includes('heavy')) return; // never answered in time
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, '1'] }] } }));
      }, 40);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = new PrometheusClient(`http://127.0.0.1:${(server.address() as { port: number }).port}`, 400);
      // the two heavy ones time out at 400 ms, while two slots still answer the `up` queries (40 ms each)
      const queries = ['heavy_1', 'up', 'heavy_2', ...Array.from({ length: 27 }, () => 'up')];
      const got = await mapLimit(queries, 4, (q) => client.instant(q, Date.now()));
      expect(got.map((g) => g.ok)).toEqual(queries.map((q) => q === 'up'));
      // and a silent Prometheus still trips it: two timeouts with no answer in between
      const after = await mapLimit(['heavy_3', 'heavy_4', 'up'], 1, (q) => client.instant(q, Date.now()));
      expect(after.map((g) => g.ok)).toEqual([false, false, false]);
      expect((after[2] as { reason: string }).reason).toMatch(/did not answer within 0\.4 s/);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
