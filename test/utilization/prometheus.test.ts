// Prometheus-backed presets: Kubernetes series backfilled with promtool (known values), and PostgreSQL /
// Redis through the Debian exporters scraped by a real Prometheus.
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import { collectWindow, DIRECT_ONLY_DURING_RUN, startCollection } from '../../src/collectors/collect.js';
import { stepFor } from '../../src/collectors/prometheus.js';
import { loadConfig } from '../../src/config/load.js';
import type { Logger, UtilizationConfig, UtilizationMetricConfig } from '../../src/model.js';
import { promInstant, sql, startServices, type Services } from '../support/services.js';

const started = await startServices({ prometheus: true });
const skip = 'skip' in started ? started.skip : undefined;
if (skip) console.warn(`test/utilization/prometheus: skipped: ${skip}`);
const svc = started as Services;

function memLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warning: (m) => lines.push(m), error: (m) => lines.push(m), debug: () => undefined, group: (_n, fn) => fn() };
}
const pos = { file: 'thresholds.yml', line: 1, column: 1 };
const preset = (name: string, p: string, params: Record<string, string> = {}): UtilizationMetricConfig => ({ name, preset: p, params, pos });
const custom = (name: string, q: string, unit?: string): UtilizationMetricConfig => ({ name, prometheus: q, params: {}, unit, pos });
const v = (m: { value: number } | { noData: string }) => {
  if (!('value' in m)) throw new Error(`no data: ${m.noData}`);
  return m.value;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** Redis hit rate (`rhit`) and commands/s (`ops`) through the test Prometheus and its redis_exporter. */
function redisThroughPrometheus(): UtilizationConfig {
  return {
    sources: { prometheus: { url: svc.prometheus!.url } },
    metrics: [preset('rhit', 'redis.hit_rate', { source: 'prometheus' }), preset('ops', 'redis.ops', { source: 'prometheus' })],
    intervalSeconds: 1,
    slowQueries: false,
  };
}
describe('query_range step', () => {
  it('is max(window/250, 1 s), rounded', () => {
    expect(stepFor({ start: 0, end: 10_000 })).toBe(1);
    expect(stepFor({ start: 0, end: 600_000 })).toBe(2);
    expect(stepFor({ start: 0, end: 1_800_000 })).toBe(7);
    expect(stepFor({ start: 0, end: 3_600_000 })).toBe(14);
  });
});

describe('a Prometheus URL that cannot be used', () => {
  it('a bad %-escape in the password is no-data naming the source, not a URIError', async () => {
    const log = memLog();
    const cfg: UtilizationConfig = { sources: { prometheus: { url: 'http://admin:50%off@127.0.0.1:1' } }, metrics: [custom('x', 'up'), preset('cpu', 'k8s.cpu', { namespace: 'ns' })], intervalSeconds: 1, slowQueries: false };
    const now = Date.now();
    const res = await collectWindow(cfg, { start: now - 60_000, end: now }, log);
    for (const m of ['x', 'cpu']) {
      expect(res.measure(m, { kind: 'avg' })).toEqual({ noData: expect.stringMatching(/utilization\.sources\.prometheus\.url.*bad %-escape/) });
    }
    expect(JSON.stringify([res.measure('x', { kind: 'avg' }), res.notes, log.lines])).not.toContain('50%off');
  });
});

describe('a source the loader could not use', () => {
  const yml = (extra = '') => `version: 1
utilization:
  sources:
    prometheus: { url: "\${PROMETHEUS_URL}" }
    postgres: { url: "\${DATABASE_URL}" }
  metrics:
    cpu: { preset: k8s.cpu, namespace: preview, workload: api }
    mem: { preset: k8s.memory, namespace: preview, workload: api }
    pg_conn: { preset: postgres.connections }
    pg_lat: { preset: postgres.query_latency }
${extra}`;
  it('the real reason (the unset variable) is the no-data reason, one note per source', async () => {
    const cfg = loadConfig('thresholds.yml', { text: yml(), env: { PROMETHEUS_URL: 'http://127.0.0.1:1' } }).utilization!;
    const now = Date.now();
    const res = await collectWindow(cfg, { start: now - 60_000, end: now }, memLog());
    // DATABASE_URL is what is missing, not Prometheus: the PostgreSQL presets say so.
    expect(res.measure('pg_conn', { kind: 'max' })).toEqual({ noData: 'PostgreSQL source unavailable: DATABASE_URL is not set' });
    expect(res.measure('pg_lat', { kind: 'value' })).toEqual({ noData: 'PostgreSQL source unavailable: DATABASE_URL is not set' });
    expect(res.notes.filter((n) => n.includes('DATABASE_URL'))).toEqual(['pg_conn, pg_lat: no data: PostgreSQL source unavailable: DATABASE_URL is not set']);

    const none = loadConfig('thresholds.yml', { text: yml(), env: {} }).utilization!;
    const res2 = await collectWindow(none, { start: now - 60_000, end: now }, memLog());
    expect(res2.measure('cpu', { kind: 'avg' })).toEqual({ noData: 'Prometheus source unavailable: PROMETHEUS_URL is not set' });
    expect(res2.slowQueries).toMatchObject({ available: false });
    expect(res2.notes).toEqual([
      'cpu, mem: no data: Prometheus source unavailable: PROMETHEUS_URL is not set',
      'pg_conn, pg_lat: no data: PostgreSQL source unavailable: DATABASE_URL is not set',
      'slow queries: pg_stat_statements snapshots are only taken during a run',
    ]);
    const bad = loadConfig('thresholds.yml', { text: yml(), env: { PROMETHEUS_URL: 'not a url', DATABASE_URL: 'x' } }).utilization!;
    const res3 = await collectWindow(bad, { start: now - 60_000, end: now }, memLog());
    expect(res3.measure('mem', { kind: 'avg' })).toEqual({ noData: 'Prometheus source unavailable: utilization.sources.prometheus.url is not a valid URL' });
  });
});

// at the top level: a run filtered to other tests (-t) still stops the servers
afterAll(async () => {
  if (!skip) await svc.stop();
});

describe.skipIf(!!skip)('Prometheus presets on real servers', () => {

  it('k8s presets over promtool-loaded series return the known values', async () => {
    const k = svc.k8s!;
    // The fixture's pod suffixes (a1b2c…) are not Kubernetes-generated names: select them by regex.
    const params = { namespace: k.namespace, pod_regex: `${k.workload}-7d9f8b6c5-[a-z0-9]{5}`, source: 'prometheus' };
    const cfg: UtilizationConfig = {
      sources: { prometheus: { url: svc.prometheus!.url } },
      metrics: [preset('cpu', 'k8s.cpu', params), preset('mem', 'k8s.memory', params), preset('pods', 'k8s.pods', params)],
      intervalSeconds: 5,
      slowQueries: false,
    };
    const res = await collectWindow(cfg, k.window, memLog());
    expect(res.notes).toEqual([]);
    expect(v(res.measure('cpu', { kind: 'max' }))).toBeCloseTo(k.cpuFirst, 6);
    expect(v(res.measure('cpu', { kind: 'min' }))).toBeCloseTo(k.cpuSecond, 6);
    const avg = v(res.measure('cpu', { kind: 'avg' }));
    expect(avg).toBeGreaterThan(k.cpuSecond + 5);
    expect(avg).toBeLessThan(k.cpuFirst - 5);
    // Only the first phase: a window inside it.
    const first = await collectWindow(cfg, { start: k.window.start + 120_000, end: k.switchAt - 60_000 }, memLog());
    expect(v(first.measure('cpu', { kind: 'avg' }))).toBeCloseTo(k.cpuFirst, 6);
    // The same from the whole collection, measured over a rule's own window; the second phase likewise.
    expect(v(res.measure('cpu', { kind: 'avg' }, { start: k.window.start + 120_000, end: k.switchAt }))).toBeCloseTo(k.cpuFirst, 6);
    expect(v(res.measure('cpu', { kind: 'max' }, { start: k.switchAt, end: k.window.end + 3_600_000 }))).toBeCloseTo(k.cpuSecond, 6);
    expect(v(res.measure('mem', { kind: 'max' }))).toBeCloseTo(k.memoryPct, 6);
    expect(v(res.measure('pods', { kind: 'min' }))).toBe(k.readyPods);
    expect(v(res.measure('pods', { kind: 'max' }))).toBe(k.readyPods);
    expect(res.unit('cpu')).toBe('percent');
    expect(res.unit('pods')).toBe('count');
    // One sample per step over the 30 minutes.
    expect(v(res.measure('mem', { kind: 'count' }))).toBe(Math.floor(1800 / stepFor(k.window)) + 1);
  });

  it('a window with no scrape inside it is no-data, not the last scrape before it', async () => {
    const k = svc.k8s!;
    const params = { namespace: k.namespace, pod_regex: `${k.workload}-7d9f8b6c5-[a-z0-9]{5}` };
    const cfg: UtilizationConfig = {
      sources: { prometheus: { url: svc.prometheus!.url } },
      metrics: [preset('cpu', 'k8s.cpu', params), preset('pods', 'k8s.pods', params), custom('ready', `sum(kube_pod_status_ready{namespace="${k.namespace}",condition="true"})`, 'count')],
      intervalSeconds: 5,
      slowQueries: false,
    };
    // The series are scraped every 15 s from the window's start: nothing lies in (start + 1 s, start + 11 s].
    const short = await collectWindow(cfg, { start: k.window.start + 1000, end: k.window.start + 11_000 }, memLog());
    for (const m of ['cpu', 'pods', 'ready']) {
      expect(short.measure(m, { kind: 'max' })).toEqual({ noData: 'no scrape inside the run window (10 s): the scrape interval is longer than the run' });
    }
    // One scrape inside (start + 15 s) is enough.
    const one = await collectWindow(cfg, { start: k.window.start + 1000, end: k.window.start + 16_000 }, memLog());
    expect(v(one.measure('pods', { kind: 'max' }))).toBe(k.readyPods);
  });

  it('PostgreSQL and Redis through the exporters: connections, cache hit, hit rate, commands/s as window deltas', async () => {
    await sql(svc.pg.url, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const r = new Redis(svc.redis.url);
    await r.set('k', 'v');
    for (let i = 0; i < 100; i++) await r.get('k'); // history before the window
    await sleep(2500); // let a scrape see the state before the window
    const start = Date.now();
    // increase() counts between the scrapes inside the window: let one happen before the traffic.
    await sleep(1500);
    const held = await Promise.all(Array.from({ length: 5 }, async () => {
      const c = new pg.Client({ connectionString: svc.pg.url });
      await c.connect();
      return c;
    }));
    for (let i = 0; i < 30; i++) await r.get('k');
    for (let i = 0; i < 10; i++) await r.get(`nope-${i}`);
    for (const c of held) await c.query('SELECT pg_sleep(0.02)');
    await sleep(2500);
    // What PostgreSQL reports: all backends connected to a database, minus the one asking.
    const n = (await sql<{ n: number }>(svc.pg.url, 'SELECT count(*)::int - 1 AS n FROM pg_stat_activity WHERE datname IS NOT NULL'))[0]!.n;
    await sleep(1500);
    const end = Date.now();
    await Promise.all(held.map((c) => c.end()));
    r.disconnect();
    const cfg: UtilizationConfig = {
      sources: { prometheus: { url: svc.prometheus!.url }, postgres: { url: svc.pg.url }, redis: { url: svc.redis.url } },
      metrics: [
        preset('conn', 'postgres.connections', { source: 'prometheus' }),
        preset('connpct', 'postgres.connections_pct', { source: 'prometheus' }),
        preset('hit', 'postgres.cache_hit', { source: 'prometheus' }),
        preset('lat', 'postgres.query_latency', { source: 'prometheus' }),
        preset('rhit', 'redis.hit_rate', { source: 'prometheus' }),
        preset('ops', 'redis.ops', { source: 'prometheus' }),
        preset('rmem', 'redis.memory', { source: 'prometheus' }),
        custom('clients', 'sum(redis_connected_clients)', 'count'),
        preset('conn_job', 'postgres.connections', { source: 'prometheus', selector: 'job="postgres"' }),
        preset('conn_other', 'postgres.connections', { source: 'prometheus', selector: 'job="elsewhere"' }),
        preset('rhit_job', 'redis.hit_rate', { source: 'prometheus', selector: '{job="redis"}' }),
      ],
      intervalSeconds: 1,
      slowQueries: false,
    };
    const res = await collectWindow(cfg, { start, end }, memLog());
    expect(v(res.measure('conn', { kind: 'max' }))).toBe(n);
    expect(n).toBeGreaterThanOrEqual(5);
    expect(v(res.measure('connpct', { kind: 'max' }))).toBeCloseTo((100 * n) / 50, 6);
    // increase() extrapolates to the window's edges, except where a counter would go below zero (the
    // misses start at 0 here): close to 30 ÷ 40, not exact.
    expect(v(res.measure('rhit', { kind: 'value' }))).toBeCloseTo(0.75, 1);
    const ops = v(res.measure('ops', { kind: 'value' }));
    // The 40 GETs plus the exporter's own commands; never the 100+ from before the window.
    expect(ops * ((end - start) / 1000)).toBeGreaterThanOrEqual(40);
    const total = await promInstant(svc.prometheus!.url, 'sum(redis_commands_processed_total)', end);
    expect(ops * ((end - start) / 1000)).toBeLessThan(total!);
    const hit = v(res.measure('hit', { kind: 'value' }));
    expect(hit).toBeGreaterThan(0);
    expect(hit).toBeLessThanOrEqual(1);
    expect(v(res.measure('lat', { kind: 'value' }))).toBeGreaterThan(0);
    const mem = v(res.measure('rmem', { kind: 'avg' }));
    const used = await promInstant(svc.prometheus!.url, 'redis_memory_used_bytes', end);
    expect(mem).toBeCloseTo((100 * used!) / (64 * 1024 * 1024), 0);
    // A custom expression is a series too: one sample per 1 s step, both ends included.
    expect(v(res.measure('clients', { kind: 'count' }))).toBe(Math.floor((end - start) / 1000) + 1);
    expect(res.unit('clients')).toBe('count');
    // `selector` narrows the exporter series to one server.
    expect(v(res.measure('conn_job', { kind: 'max' }))).toBe(n);
    expect(res.measure('conn_other', { kind: 'max' })).toEqual({ noData: expect.stringContaining('returned no series') });
    expect(v(res.measure('rhit_job', { kind: 'value' }))).toBe(v(res.measure('rhit', { kind: 'value' })));
  });

  it('no data: empty query, several series, unreachable Prometheus, missing parameters, direct probes in evaluate-only mode', async () => {
    const now = Date.now();
    const cfg: UtilizationConfig = {
      sources: { prometheus: { url: svc.prometheus!.url }, postgres: { url: svc.pg.url } },
      metrics: [
        custom('empty', 'sum(no_such_metric_total)'),
        custom('blank', '  '),
        custom('many', 'up'),
        preset('nons', 'k8s.cpu', {}),
        preset('direct', 'postgres.connections'),
      ],
      intervalSeconds: 1,
      slowQueries: true,
    };
    const res = await collectWindow(cfg, { start: now - 10_000, end: now }, memLog());
    expect(res.measure('empty', { kind: 'avg' })).toEqual({ noData: expect.stringContaining('returned no series') });
    expect(res.measure('blank', { kind: 'avg' })).toEqual({ noData: 'the PromQL expression is empty' });
    expect(res.measure('many', { kind: 'max' })).toEqual({ noData: expect.stringContaining('returned 2 series') });
    expect(res.measure('nons', { kind: 'max' })).toEqual({ noData: expect.stringContaining('namespace') });
    expect(res.measure('direct', { kind: 'max' })).toEqual({ noData: DIRECT_ONLY_DURING_RUN });
    expect(res.slowQueries?.available).toBe(false);
    expect(res.notes).toHaveLength(6);
    expect(res.has('empty')).toBe(true);
    expect(res.has('other')).toBe(false);

    const log = memLog();
    const down = await collectWindow(
      { sources: { prometheus: { url: 'http://admin:s3cret@127.0.0.1:1' } }, metrics: [custom('x', 'up')], intervalSeconds: 1, slowQueries: false },
      { start: now - 10_000, end: now },
      log,
    );
    const m = down.measure('x', { kind: 'avg' });
    expect(m).toEqual({ noData: expect.stringContaining('is unreachable') });
    expect(JSON.stringify([m, down.notes, log.lines])).not.toContain('s3cret');
  });

  it('rate series start one range after the run starts: no point reaches back into the time before it', async () => {
    const k = svc.k8s!;
    const cfg: UtilizationConfig = {
      sources: { prometheus: { url: svc.prometheus!.url } },
      metrics: [preset('cpu', 'k8s.cpu', { namespace: k.namespace, pod_regex: `${k.workload}-7d9f8b6c5-[a-z0-9]{5}` }), preset('pods', 'k8s.pods', { namespace: k.namespace, pod_regex: `${k.workload}-7d9f8b6c5-[a-z0-9]{5}` })],
      intervalSeconds: 5,
      slowQueries: false,
    };
    // CPU is 60% before switchAt and 30% after: a run starting at switchAt used 30%.
    const res = await collectWindow(cfg, { start: k.switchAt, end: k.switchAt + 300_000 }, memLog());
    expect(v(res.measure('cpu', { kind: 'max' }))).toBeCloseTo(k.cpuSecond, 6);
    expect(v(res.measure('cpu', { kind: 'avg' }))).toBeCloseTo(k.cpuSecond, 6);
    // A run shorter than the 60 s rate range has no such point; a gauge still has its series.
    const short = await collectWindow(cfg, { start: k.switchAt, end: k.switchAt + 45_000 }, memLog());
    expect(short.measure('cpu', { kind: 'avg' })).toEqual({ noData: expect.stringMatching(/^the run \(45 s\) is shorter than the expression's range \(60 s\)/) });
    expect(v(short.measure('pods', { kind: 'min' }))).toBe(k.readyPods);
  });

  it('a run-mode collection queries Prometheus over the window it is stopped with', async () => {
    const cfg: UtilizationConfig = {
      sources: { prometheus: { url: svc.prometheus!.url }, redis: { url: svc.redis.url } },
      metrics: [custom('up', 'sum(up)'), preset('ops_direct', 'redis.ops')],
      intervalSeconds: 0.5,
      slowQueries: false,
    };
    const start = Date.now();
    const col = await startCollection(cfg, memLog());
    await sleep(2200);
    const res = await col.stop({ start, end: Date.now() });
    expect(v(res.measure('up', { kind: 'min' }))).toBe(2);
    expect(v(res.measure('ops_direct', { kind: 'count' }))).toBeGreaterThanOrEqual(3);
    expect(res.notes).toEqual([]);
  });

  it("a counter preset's value over a rule's own window (warmup excluded) comes from the counters' samples in it", async () => {
    const r = new Redis(svc.redis.url);
    await r.set('k', 'v');
    const start = Date.now();
    await sleep(1500);
    for (let i = 0; i < 20; i++) await r.get(`cold-${i}`); // warm-up: misses only
    await sleep(2500); // scraped before the steady part starts
    const steady = Date.now();
    for (let i = 0; i < 30; i++) await r.get('k');
    await sleep(2500);
    const end = Date.now();
    r.disconnect();
    const cfg = redisThroughPrometheus();
    const res = await collectWindow(cfg, { start, end }, memLog());
    const whole = v(res.measure('rhit', { kind: 'value' }));
    expect(whole).toBeGreaterThan(0.4);
    expect(whole).toBeLessThan(0.8);
    // After the warm-up: the 30 hits only.
    expect(res.measure('rhit', { kind: 'value' }, { start: steady, end })).toEqual({ value: 1 });
    expect(v(res.measure('ops', { kind: 'value' }, { start: steady, end })) * ((end - steady) / 1000)).toBeGreaterThanOrEqual(30);
  });

  it('whole-window counters count a reset during the run from zero (increase per series)', async () => {
    const r = new Redis(svc.redis.url);
    await r.set('k', 'v');
    // History: the counters are well above what the window adds after the reset (a drop must show).
    for (let i = 0; i < 100; i++) await r.get('k');
    for (let i = 0; i < 20; i++) await r.get(`before-${i}`);
    await sleep(2500);
    const start = Date.now();
    await sleep(1500); // a scrape inside the window before the traffic
    for (let i = 0; i < 30; i++) await r.get('k');
    await sleep(2500); // scraped
    await r.config('RESETSTAT'); // the counters drop to 0, as on a restart
    for (let i = 0; i < 10; i++) await r.get('k');
    for (let i = 0; i < 5; i++) await r.get(`after-${i}`);
    await sleep(2500);
    const end = Date.now();
    r.disconnect();
    const cfg = redisThroughPrometheus();
    const res = await collectWindow(cfg, { start, end }, memLog());
    // 40 hits and 5 misses in the window: 30 hits before the reset, 10 hits and 5 misses after.
    expect(v(res.measure('rhit', { kind: 'value' }))).toBeCloseTo(40 / 45, 6);
    expect(v(res.measure('ops', { kind: 'value' }))).toBeGreaterThan(0);
  });
});
