// End to end: the sample service on real PostgreSQL and Redis, bounded real HTTP traffic while the
// collectors run; the numbers are checked against what the servers report, the unindexed trades query
// tops the slow-query table, and a limit below a measured value fails the gate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startCollection } from '../../src/collectors/collect.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { utilizationSections } from '../../src/report/utilization.js';
import type { Config, Logger, Results, ThresholdRule, UtilizationConfig, UtilizationMetricConfig, UtilizationResults } from '../../src/model.js';
import { sql, startServices, type Services } from '../support/services.js';
import { emptyResults } from '../../src/k6/ingest.js';
// @ts-expect-error plain JavaScript sample service
import { createApp, setup } from '../../examples/alphapulse-api/server.mjs';

const started = await startServices();
const skip = 'skip' in started ? started.skip : undefined;
if (skip) console.warn(`test/utilization/e2e: skipped: ${skip}`);
const svc = started as Services;

const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const POOL_MAX = 8;
const pos = { file: 'thresholds.yml', line: 1, column: 1 };
const preset = (name: string, p: string): UtilizationMetricConfig => ({ name, preset: p, params: {}, pos });
const quiet: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, debug: () => undefined, group: (_n, fn) => fn() };
const v = (m: { value: number } | { noData: string }) => {
  if (!('value' in m)) throw new Error(`no data: ${m.noData}`);
  return m.value;
};

interface App {
  server: import('node:http').Server;
  pool: pg.Pool;
  close(): Promise<void>;
}
let app: App;
let base = '';
let dbUrl = '';

function headers(tenant: string, key = tenant): Record<string, string> {
  return { authorization: `Bearer demo-${key}-key`, 'x-tenant-id': tenant, 'content-type': 'application/json' };
}

async function redisInfo(url: string): Promise<Record<string, number>> {
  const r = new Redis(url);
  const text = await r.info('stats');
  r.disconnect();
  return Object.fromEntries(text.split(/\r?\n/).filter((l) => l.includes(':')).map((l) => [l.split(':')[0], Number(l.split(':')[1])]));
}

/** What pg_stat_statements says, top-level statements only (with track = all, nested ones would count twice). */
async function statementTotals(url: string): Promise<{ calls: number; ms: number }> {
  const rows = await sql<{ calls: number; ms: number }>(
    url,
    "/* perf-gate test */ SELECT sum(calls)::float8 AS calls, sum(total_exec_time)::float8 AS ms FROM pg_stat_statements WHERE query NOT LIKE '/* perf-gate%' AND toplevel",
  );
  return rows[0]!;
}

describe.skipIf(!!skip)('end to end: alphapulse-api under load, measured', () => {
  beforeAll(async () => {
    await sql(svc.pg.url, 'CREATE DATABASE alphapulse');
    dbUrl = svc.pg.url.replace(/\/postgres$/, '/alphapulse');
    app = createApp({ databaseUrl: dbUrl, redisUrl: svc.redis.url, poolMax: POOL_MAX, cacheTtlSeconds: 300 }) as App;
    await setup(app.pool, { dropTradesIndex: true });
    await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const h = await fetch(`${base}/healthz`);
    expect(h.status).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
    await svc?.stop();
  });

  it('is seeded like the report appendix, without the trades index', async () => {
    const counts = await sql<{ t: string; trades: number; positions: number; signals: number; users: number }>(
      dbUrl,
      `SELECT t.id AS t,
              (SELECT count(*)::int FROM trades x WHERE x.tenant_id = t.id) AS trades,
              (SELECT count(*)::int FROM positions x WHERE x.tenant_id = t.id) AS positions,
              (SELECT count(*)::int FROM signals x WHERE x.tenant_id = t.id) AS signals,
              (SELECT count(*)::int FROM users x WHERE x.tenant_id = t.id) AS users
       FROM tenants t ORDER BY t.id`,
    );
    expect(counts.map((c) => c.t)).toEqual([...TENANTS].sort());
    for (const c of counts) expect([c.trades, c.positions, c.signals, c.users]).toEqual([1000, 100, 50, 2]);
    const idx = await sql(dbUrl, "SELECT 1 FROM pg_indexes WHERE indexname = 'trades_tenant_created_idx'");
    expect(idx).toHaveLength(0);
  });

  it('enforces tenant isolation', async () => {
    // A key used for another tenant: 403. No key: 401.
    expect((await fetch(`${base}/api/portfolio`, { headers: headers('globex', 'acme') })).status).toBe(403);
    expect((await fetch(`${base}/api/trades`, { headers: { 'x-tenant-id': 'acme' } })).status).toBe(401);
    expect((await fetch(`${base}/api/trades`, { headers: headers('acme', 'nobody') })).status).toBe(401);
    // Another tenant's trade and position by id: 404, own: 200.
    const [{ id: globexTrade }] = (await sql<{ id: string }>(dbUrl, "SELECT id::text FROM trades WHERE tenant_id = 'globex' LIMIT 1")) as [{ id: string }];
    expect((await fetch(`${base}/api/trades/${globexTrade}`, { headers: headers('acme') })).status).toBe(404);
    expect((await fetch(`${base}/api/trades/${globexTrade}`, { headers: headers('globex') })).status).toBe(200);
    const [{ id: hooliPos }] = (await sql<{ id: string }>(dbUrl, "SELECT id::text FROM positions WHERE tenant_id = 'hooli' LIMIT 1")) as [{ id: string }];
    expect((await fetch(`${base}/api/positions/${hooliPos}`, { headers: headers('initech') })).status).toBe(404);
    // Lists only ever hold the caller's rows; a trade created by acme is not visible to umbrella.
    const created = await fetch(`${base}/api/trades`, { method: 'POST', headers: headers('acme'), body: JSON.stringify({ symbol: 'NVDA', side: 'buy', quantity: 3, price: 101.5 }) });
    expect(created.status).toBe(201);
    const trade = (await created.json()) as { id: string };
    expect((await fetch(`${base}/api/trades/${trade.id}`, { headers: headers('umbrella') })).status).toBe(404);
    const list = (await (await fetch(`${base}/api/trades?page=1&limit=100`, { headers: headers('acme') })).json()) as { items: { id: string }[]; hasMore: boolean };
    expect(list.items).toHaveLength(100);
    expect(list.hasMore).toBe(true);
    expect(list.items[0]!.id).toBe(trade.id);
    const mine = await sql<{ n: number }>(dbUrl, `SELECT count(*)::int AS n FROM trades WHERE tenant_id = 'acme' AND id = ANY($1::bigint[])`, [list.items.map((i) => i.id)]);
    expect(mine[0]!.n).toBe(100);
    // Validation and pagination bounds.
    expect((await fetch(`${base}/api/trades`, { method: 'POST', headers: headers('acme'), body: JSON.stringify({ symbol: 'NVDA', side: 'hold', quantity: 1, price: 1 }) })).status).toBe(400);
    expect((await fetch(`${base}/api/positions?limit=1000`, { headers: headers('acme') })).status).toBe(400);
  });

  it('collects utilization during real traffic; numbers match the servers; the unindexed trades query tops the table; the gate fails a limit below the measured value', async () => {
    const cfg: UtilizationConfig = {
      sources: { postgres: { url: dbUrl }, redis: { url: svc.redis.url } },
      metrics: [
        preset('pg_connections', 'postgres.connections'),
        preset('pg_connections_pct', 'postgres.connections_pct'),
        preset('pg_query_latency', 'postgres.query_latency'),
        preset('pg_cache_hit', 'postgres.cache_hit'),
        preset('redis_memory', 'redis.memory'),
        preset('redis_ops', 'redis.ops'),
        preset('redis_hit_rate', 'redis.hit_rate'),
      ],
      intervalSeconds: 0.25,
      slowQueries: true,
    };
    const infoBefore = await redisInfo(svc.redis.url);
    const stmtBefore = await statementTotals(dbUrl);
    const start = Date.now();
    const collection = await startCollection(cfg, quiet);
    // The first probe reading was taken before startCollection returned.
    const firstReadBy = Date.now();

    // ~3,000 requests from 20 concurrent loops, the target-capacity mix.
    const TOTAL = 3000;
    const counts: Record<string, number> = { portfolio: 0, trades: 0, positions: 0, create: 0, signals: 0 };
    const statuses = new Map<number, number>();
    let n = 0;
    const pick = (i: number) => {
      const r = (i * 37) % 100;
      return r < 25 ? 'portfolio' : r < 50 ? 'trades' : r < 70 ? 'positions' : r < 90 ? 'create' : 'signals';
    };
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (n < TOTAL) {
          const i = n++;
          const tenant = TENANTS[i % TENANTS.length]!;
          const kind = pick(i);
          counts[kind]!++;
          const page = 1 + (i % 5);
          const url =
            kind === 'portfolio' ? '/api/portfolio' : kind === 'create' ? '/api/trades' : `/api/${kind}?page=${page}&limit=50`;
          const init: RequestInit =
            kind === 'create'
              ? { method: 'POST', headers: headers(tenant), body: JSON.stringify({ symbol: 'AAPL', side: i % 2 ? 'buy' : 'sell', quantity: 1 + (i % 50), price: 150 + (i % 7) }) }
              : { headers: headers(tenant) };
          const res = await fetch(base + url, init);
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const end = Date.now();
    const util = await collection.stop({ start, end });
    const stopped = Date.now();
    const infoAfter = await redisInfo(svc.redis.url);
    const stmtAfter = await statementTotals(dbUrl);

    const fmt = (name: string, kind: 'value' | 'max') => {
      const m = util.measure(name, { kind });
      return 'value' in m ? Number(m.value.toPrecision(4)) : m.noData;
    };
    console.info(
      `e2e: ${TOTAL} requests in ${((end - start) / 1000).toFixed(1)} s; pg connections max ${fmt('pg_connections', 'max')}, ` +
        `query latency ${fmt('pg_query_latency', 'value')} ms, cache hit ${fmt('pg_cache_hit', 'value')}, redis ops ${fmt('redis_ops', 'value')}/s, ` +
        `hit rate ${fmt('redis_hit_rate', 'value')}, memory ${fmt('redis_memory', 'max')}%; top query ${util.slowQueries?.rows[0]?.meanMs.toFixed(2)} ms × ${util.slowQueries?.rows[0]?.calls} (${util.slowQueries?.rows[0]?.percent.toFixed(1)}%)`,
    );
    expect([...statuses.keys()].every((s) => s === 200 || s === 201)).toBe(true);
    expect(statuses.get(201)).toBe(counts.create);
    expect(util.notes).toEqual([]);

    // Redis: keyspace hit rate equals the servers' own counters over the window.
    const hits = infoAfter.keyspace_hits! - infoBefore.keyspace_hits!;
    const misses = infoAfter.keyspace_misses! - infoBefore.keyspace_misses!;
    expect(hits + misses).toBe(counts.portfolio! + counts.signals!); // one GET per cached request
    expect(v(util.measure('redis_hit_rate', { kind: 'value' }))).toBeCloseTo(hits / (hits + misses), 12);
    // Commands/s: the app's GETs and SETs (one SET per miss), the probe's own INFO calls excluded, over
    // the time the readings span: from the first (taken between start and firstReadBy) to the last
    // (taken between end and stopped).
    const ops = v(util.measure('redis_ops', { kind: 'value' }));
    const span = (hits + 2 * misses) / ops;
    expect(span).toBeGreaterThanOrEqual((end - firstReadBy) / 1000);
    expect(span).toBeLessThanOrEqual((stopped - start) / 1000);
    const mem = util.measure('redis_memory', { kind: 'max' });
    expect(v(mem)).toBeGreaterThan(0);
    expect(v(mem)).toBeLessThan(100);

    // PostgreSQL: connections bounded by the app's pool (the probe's own connection excluded).
    const maxConn = v(util.measure('pg_connections', { kind: 'max' }));
    expect(maxConn).toBeGreaterThanOrEqual(1);
    expect(maxConn).toBeLessThanOrEqual(POOL_MAX);
    expect(v(util.measure('pg_connections_pct', { kind: 'max' }))).toBeCloseTo((100 * maxConn) / 50, 9);
    // Mean statement time = Δ total_exec_time ÷ Δ calls from pg_stat_statements, over the run only.
    const expectedLatency = (stmtAfter.ms - stmtBefore.ms) / (stmtAfter.calls - stmtBefore.calls);
    expect(v(util.measure('pg_query_latency', { kind: 'value' }))).toBeCloseTo(expectedLatency, 6);
    const hit = v(util.measure('pg_cache_hit', { kind: 'value' }));
    expect(hit).toBeGreaterThan(0.9);
    expect(hit).toBeLessThanOrEqual(1);

    // Slow queries: the unindexed trades listing tops the table, with one call per GET /api/trades.
    const sq = util.slowQueries!;
    expect(sq.available).toBe(true);
    expect(sq.rows.length).toBeGreaterThanOrEqual(3);
    expect(sq.rows.length).toBeLessThanOrEqual(5);
    const top = sq.rows[0]!;
    expect(top.query).toMatch(/^SELECT id, symbol, side, quantity, price::float8 AS price, created_at FROM trades WHERE tenant_id = \$1 ORDER BY created/);
    expect(top.calls).toBe(counts.trades);
    for (let i = 1; i < sq.rows.length; i++) expect(sq.rows[i]!.totalSeconds).toBeLessThanOrEqual(sq.rows[i - 1]!.totalSeconds);
    // The EXPLAIN of that statement confirms the scan the report calls the classic bottleneck.
    const plan = await sql<{ 'QUERY PLAN': string }>(dbUrl, "EXPLAIN SELECT id FROM trades WHERE tenant_id = 'acme' ORDER BY created_at DESC LIMIT 50");
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toMatch(/Seq Scan on trades/);

    // The gate: a limit below the measured latency fails; one above passes.
    const measured = v(util.measure('pg_query_latency', { kind: 'value' }));
    const evaluation = gate(util, measured);
    const [below, above] = evaluation.scenarios[0]!.criteria;
    expect(below!.status).toBe('fail');
    expect(below!.blocking).toBe(true);
    expect(below!.actual).toBeCloseTo(measured, 9);
    expect(above!.status).toBe('pass');
    expect(evaluation.verdict).toBe('NOT_APPROVED');

    // The report's sections carry the measured numbers and the slow-query table.
    const sections = utilizationSections([{ name: 'target-capacity', utilization: util, criteria: evaluation.scenarios[0]!.criteria }]);
    expect(sections.find((s) => s.id === 'utilization')!.markdown).toContain('❌ FAIL');
    expect(sections.find((s) => s.id === 'utilization:slow-queries:target-capacity')!.markdown).toContain('FROM trades WHERE tenant_id = $1');
  });
});

function rule(metric: string, text: string, op: '<' | '>', value: number): ThresholdRule {
  return {
    selector: { raw: metric, metric, tags: [] },
    expression: { text, aggregation: { kind: 'value' }, operator: op, value },
    marginal: 0,
    noData: 'fail',
    window: 'all',
    warmupSeconds: 0,
    severity: 'error',
    pos,
  };
}

function gate(util: UtilizationResults, measured: number) {
  const rules = [rule('pg_query_latency', `value<${measured * 0.5}`, '<', measured * 0.5), rule('pg_query_latency', `value<${measured * 10}`, '<', measured * 10)];
  const config: Config = {
    file: 'thresholds.yml',
    version: 1,
    marginal: 0,
    failOn: 'fail',
    noData: 'fail',
    window: 'all',
    warmupSeconds: 0,
    rules: [],
    scenarios: [{ name: 'target-capacity', rules, env: {}, pos }],
    utilization: { sources: {}, metrics: [{ name: 'pg_query_latency', preset: 'postgres.query_latency', params: {}, pos }], intervalSeconds: 1, slowQueries: true },
  };
  // Only utilization rules here: the k6 results are empty.
  const results: Results = emptyResults();
  return evaluate({ config, scenarios: [{ name: 'target-capacity', rules, results, utilization: util }] });
}
