// Direct probes and slow queries against a real PostgreSQL (pg_stat_statements) and Redis on loopback.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startCollection } from '../../src/collectors/collect.js';
import { utilizationSections } from '../../src/report/utilization.js';
import type { Logger, UtilizationConfig, UtilizationMetricConfig } from '../../src/model.js';
import { startServices, sql, type Services } from '../support/services.js';

const started = await startServices();
const skip = 'skip' in started ? started.skip : undefined;
if (skip) console.warn(`test/utilization/direct: skipped: ${skip}`);
const svc = started as Services;

export function memLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warning: (m) => lines.push(`warning ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
    group: (_n, fn) => fn(),
  };
}

const pos = { file: 'thresholds.yml', line: 1, column: 1 };
const preset = (name: string, p: string, params: Record<string, string> = {}): UtilizationMetricConfig => ({ name, preset: p, params, pos });

describe.skipIf(!!skip)('direct probes on real servers', () => {
  afterAll(async () => {
    await svc?.stop();
  });
  beforeAll(async () => {
    await sql(svc.pg.url, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await sql(svc.pg.url, 'CREATE TABLE IF NOT EXISTS items (id int primary key, tenant text, payload text)');
    await sql(svc.pg.url, "INSERT INTO items SELECT g, 't' || (g % 5), repeat('x', 200) FROM generate_series(1, 20000) g ON CONFLICT DO NOTHING");
  });

  it('counts connections as pg_stat_activity does, and of max_connections', async () => {
    const cfg: UtilizationConfig = {
      sources: { postgres: { url: svc.pg.url } },
      metrics: [preset('pg_conn', 'postgres.connections'), preset('pg_conn_pct', 'postgres.connections_pct')],
      intervalSeconds: 0.2,
      slowQueries: false,
    };
    // 6 extra idle connections held during the whole collection.
    const held = await Promise.all(Array.from({ length: 6 }, async () => {
      const c = new pg.Client({ connectionString: svc.pg.url });
      await c.connect();
      return c;
    }));
    const start = Date.now();
    const log = memLog();
    const col = await startCollection(cfg, log);
    await new Promise((r) => setTimeout(r, 700));
    // What the server reports, from a connection of our own (minus that one).
    const n = (await sql<{ n: number }>(svc.pg.url, "SELECT count(*)::int - 1 AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name <> 'perf-gate probe'"))[0]!.n;
    const res = await col.stop({ start, end: Date.now() });
    await Promise.all(held.map((c) => c.end()));
    expect(n).toBeGreaterThanOrEqual(6);
    expect(res.measure('pg_conn', { kind: 'max' })).toEqual({ value: n });
    expect(res.measure('pg_conn', { kind: 'min' })).toEqual({ value: n });
    expect(res.measure('pg_conn', { kind: 'count' }).hasOwnProperty('value')).toBe(true);
    expect((res.measure('pg_conn', { kind: 'count' }) as { value: number }).value).toBeGreaterThanOrEqual(2);
    expect(res.measure('pg_conn_pct', { kind: 'max' })).toEqual({ value: (100 * n) / 50 });
    expect(res.unit('pg_conn_pct')).toBe('percent');
    expect(res.notes).toEqual([]);
  });

  it('query latency and cache hit rate are deltas over the window, not lifetime totals', async () => {
    const cfg: UtilizationConfig = {
      sources: { postgres: { url: svc.pg.url } },
      metrics: [preset('lat', 'postgres.query_latency'), preset('hit', 'postgres.cache_hit')],
      intervalSeconds: 0.25,
      slowQueries: true,
    };
    // Lifetime history before the window: many cheap statements.
    const warm = new pg.Client({ connectionString: svc.pg.url });
    await warm.connect();
    for (let i = 0; i < 300; i++) await warm.query('SELECT 1');
    await warm.end();
    const start = Date.now();
    const col = await startCollection(cfg, memLog());
    const c = new pg.Client({ connectionString: svc.pg.url });
    await c.connect();
    for (let i = 0; i < 4; i++) await c.query('SELECT pg_sleep(0.05), count(*) FROM items WHERE payload LIKE $1', ['%y%']);
    await c.end();
    const res = await col.stop({ start, end: Date.now() });
    const lat = res.measure('lat', { kind: 'value' }) as { value: number };
    // 4 statements of ≥50 ms each, plus connection chatter (a few cheap statements): the mean is well above
    // the lifetime mean, which the 300 SELECT 1 pull towards 0.
    expect(lat.value).toBeGreaterThan(8);
    const top = res.slowQueries!;
    expect(top.available).toBe(true);
    expect(top.rows[0]!.query).toContain('pg_sleep');
    expect(top.rows[0]!.calls).toBe(4);
    expect(top.rows[0]!.meanMs).toBeGreaterThanOrEqual(50);
    // The probe's own statements are not in the table.
    expect(top.rows.some((r) => r.query.includes('perf-gate'))).toBe(false);
    const total = top.rows.reduce((s, r) => s + r.percent, 0);
    expect(total).toBeLessThanOrEqual(100.0001);
    const hit = res.measure('hit', { kind: 'value' }) as { value: number };
    expect(hit.value).toBeGreaterThan(0);
    expect(hit.value).toBeLessThanOrEqual(1);
  });

  it('the slow-query table carries no literal, password or comment: utility statements are left out', async () => {
    const cfg: UtilizationConfig = { sources: { postgres: { url: svc.pg.url } }, metrics: [preset('lat', 'postgres.query_latency')], intervalSeconds: 0.25, slowQueries: true };
    const log = memLog();
    const col = await startCollection(cfg, log);
    const c = new pg.Client({ connectionString: svc.pg.url });
    await c.connect();
    await c.query("CREATE ROLE leaky_role PASSWORD 'hunter2'");
    await c.query("DO $$ BEGIN PERFORM 'ssn 123-45-6789'; PERFORM pg_sleep(0.01); END $$");
    await c.query("COPY (SELECT 'dave@example.com') TO '/dev/null'");
    await c.query("/* customer dave@example.com */ SELECT count(*) FROM items WHERE tenant = 'ssn 123-45-6789' AND id > 42");
    await c.query("DROP ROLE leaky_role");
    await c.end();
    const res = await col.stop({ start: Date.now() - 1000, end: Date.now() });
    const sq = res.slowQueries!;
    expect(sq.available).toBe(true);
    // The statement itself is there, commented and with its constants replaced.
    const items = sq.rows.find((r) => r.query.includes('FROM items'));
    expect(items?.query).toMatch(/^SELECT count\(\*\) FROM items WHERE tenant = (\$1|\?) AND id > (\$2|\?)$/);
    expect(sq.rows.some((r) => /^(CREATE|DO|COPY|DROP)\b/i.test(r.query))).toBe(false);
    const shown = JSON.stringify([sq, res.notes, log.lines, utilizationSections([{ name: 's', utilization: res, criteria: [] }])]);
    for (const secret of ['hunter2', '123-45-6789', 'dave@example.com', 'leaky_role', 'customer']) expect(shown).not.toContain(secret);
  });

  it('redis: memory % of maxmemory, commands/s and hit rate from INFO deltas', async () => {
    const r = new Redis(svc.redis.url);
    await r.set('warm', 'x'.repeat(1000));
    for (let i = 0; i < 50; i++) await r.get('warm'); // lifetime hits before the window
    const cfg: UtilizationConfig = {
      sources: { redis: { url: svc.redis.url } },
      metrics: [preset('mem', 'redis.memory'), preset('ops', 'redis.ops'), preset('rhit', 'redis.hit_rate')],
      intervalSeconds: 0.2,
      slowQueries: false,
    };
    const start = Date.now();
    const col = await startCollection(cfg, memLog());
    const firstReadBy = Date.now();
    // Exactly 40 commands: 30 hits and 10 misses.
    for (let i = 0; i < 30; i++) await r.get('warm');
    for (let i = 0; i < 10; i++) await r.get(`missing-${i}`);
    await new Promise((res) => setTimeout(res, 500));
    const end = Date.now();
    const res = await col.stop({ start, end });
    const stopped = Date.now();
    const info = Object.fromEntries((await r.info('memory')).split(/\r?\n/).filter((l) => l.includes(':')).map((l) => l.split(':')));
    r.disconnect();
    expect(res.measure('rhit', { kind: 'value' })).toEqual({ value: 0.75 });
    // 40 commands over the time the readings span (first: before startCollection returned; last: at stop).
    const ops = (res.measure('ops', { kind: 'value' }) as { value: number }).value;
    expect(40 / ops).toBeGreaterThanOrEqual((end - firstReadBy) / 1000);
    expect(40 / ops).toBeLessThanOrEqual((stopped - start) / 1000);
    const mem = (res.measure('mem', { kind: 'max' }) as { value: number }).value;
    const expected = (100 * Number(info.used_memory)) / Number(info.maxmemory);
    expect(Number(info.maxmemory)).toBe(64 * 1024 * 1024);
    expect(Math.abs(mem - expected)).toBeLessThan(0.5);
  });

  it("a rule's own window (warmup, steady) is measured from the readings inside it", async () => {
    const r = new Redis(svc.redis.url);
    await r.set('warm', 'x');
    const cfg: UtilizationConfig = { sources: { redis: { url: svc.redis.url } }, metrics: [preset('rhit', 'redis.hit_rate'), preset('mem', 'redis.memory')], intervalSeconds: 0.1, slowQueries: false };
    const start = Date.now();
    const col = await startCollection(cfg, memLog());
    for (let i = 0; i < 20; i++) await r.get(`cold-${i}`); // warm-up: misses only
    await new Promise((res) => setTimeout(res, 400)); // a reading after the warm-up
    const steady = Date.now();
    await new Promise((res) => setTimeout(res, 300));
    for (let i = 0; i < 30; i++) await r.get('warm');
    await new Promise((res) => setTimeout(res, 300));
    const end = Date.now();
    const res = await col.stop({ start, end });
    r.disconnect();
    expect(res.measure('rhit', { kind: 'value' })).toEqual({ value: 30 / 50 });
    expect(res.measure('rhit', { kind: 'value' }, { start: steady, end })).toEqual({ value: 1 });
    const all = (res.measure('mem', { kind: 'count' }) as { value: number }).value;
    const part = (res.measure('mem', { kind: 'count' }, { start: steady, end }) as { value: number }).value;
    expect(part).toBeGreaterThan(0);
    expect(part).toBeLessThan(all);
  });

  it('unreachable sources and a missing extension are no-data with the reason, without credentials', async () => {
    const badPg = `postgres://alpha:hunter2@127.0.0.1:1/db`;
    const cfg: UtilizationConfig = {
      sources: { postgres: { url: badPg }, redis: { url: 'redis://:redispw@127.0.0.1:1' } },
      metrics: [preset('c', 'postgres.connections'), preset('o', 'redis.ops'), preset('cpu', 'k8s.cpu', { namespace: 'x' })],
      intervalSeconds: 1,
      slowQueries: true,
    };
    const log = memLog();
    const col = await startCollection(cfg, log);
    const res = await col.stop({ start: Date.now() - 1000, end: Date.now() });
    const c = res.measure('c', { kind: 'max' });
    expect('noData' in c && c.noData).toMatch(/PostgreSQL at postgres:\/\/\*\*\*@127\.0\.0\.1:1\/db is unreachable/);
    expect('noData' in res.measure('o', { kind: 'value' })).toBe(true);
    expect(res.measure('cpu', { kind: 'avg' })).toEqual({ noData: expect.stringContaining('no Prometheus source') });
    expect(res.slowQueries?.available).toBe(false);
    expect(JSON.stringify([log.lines, res.notes])).not.toMatch(/hunter2|redispw/);
    expect(res.notes.length).toBeGreaterThanOrEqual(4);

    // A database without the extension.
    await sql(svc.pg.url, 'CREATE DATABASE noext');
    const url = svc.pg.url.replace(/\/postgres$/, '/noext');
    const col2 = await startCollection({ sources: { postgres: { url } }, metrics: [preset('lat', 'postgres.query_latency')], intervalSeconds: 1, slowQueries: true }, memLog());
    const res2 = await col2.stop({ start: Date.now() - 1000, end: Date.now() });
    // the server preloads it: only CREATE EXTENSION is missing, in that database
    const notCreated = 'pg_stat_statements is loaded but not created in the database `noext` (the one utilization.sources.postgres.url names): run CREATE EXTENSION pg_stat_statements in it';
    expect(res2.slowQueries).toEqual({ available: false, reason: notCreated, rows: [] });
    expect(res2.measure('lat', { kind: 'value' })).toEqual({ noData: notCreated });
  });

  it('a bad %-escape in a Redis password is no-data naming the source; the collection still reports', async () => {
    const log = memLog();
    const col = await startCollection(
      { sources: { redis: { url: 'redis://:pa%zzword@127.0.0.1:1' }, postgres: { url: svc.pg.url } }, metrics: [preset('o', 'redis.ops'), preset('c', 'postgres.connections')], intervalSeconds: 1, slowQueries: false },
      log,
    );
    const res = await col.stop({ start: Date.now() - 1000, end: Date.now() });
    expect(res.measure('o', { kind: 'value' })).toEqual({ noData: expect.stringMatching(/Redis URL \(utilization\.sources\.redis\.url, redis:\/\/\*\*\*@127\.0\.0\.1:1\).*bad %-escape/) });
    expect('value' in res.measure('c', { kind: 'max' })).toBe(true);
    expect(JSON.stringify([res.notes, log.lines])).not.toContain('pa%zz');
  });

  it('opens both probes from an ncc bundle, where pg and ioredis are loaded lazily', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-probe-bundle-'));
    const ncc = join('node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
    execFileSync(process.execPath, [ncc, 'build', 'test/support/probe-cli.ts', '-o', join(dir, 'out'), '--target', 'es2022', '--transpile-only', '-q'], { stdio: 'pipe' });
    const out = execFileSync(process.execPath, [join(dir, 'out', 'index.js'), svc.pg.url, svc.redis.url], { encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual({ pg: { readings: 1 }, redis: { readings: 1 } });
  });
});
