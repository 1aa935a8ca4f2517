// PostgreSQL/Redis presets read from Prometheus sum every server it scrapes unless a `selector` picks
// one: when their series come from several instances inside the window, a note names the servers and
// the metrics. A local HTTP server speaks the Prometheus API's query and query_range shapes.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWindow } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig, UtilizationMetricConfig } from '../../src/model.js';

let instances: string[] = [];
const queries: string[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const query = u.searchParams.get('query') ?? '';
    queries.push(query);
    const time = Number(u.searchParams.get('time'));
    res.writeHead(200, { 'content-type': 'application/json' });
    const vector = (result: unknown[]) => res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
    if (u.pathname === '/api/v1/query_range') {
      const start = Number(u.searchParams.get('start'));
      const end = Number(u.searchParams.get('end'));
      const values: [number, string][] = [];
      for (let t = start; t <= end; t += 1) values.push([t, '12']);
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } }));
    } else if (query.startsWith('count by (instance)')) {
      vector(instances.map((instance) => ({ metric: { instance }, value: [time, '3'] })));
    } else if (query.startsWith('min(timestamp(')) {
      vector([]);
    } else {
      vector([{ metric: {}, value: [time, '1'] }]);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const quiet: Logger = { info() {}, warning() {}, error() {}, debug() {}, group: (_n, fn) => fn() };
const pos = { file: 'thresholds.yml', line: 1, column: 1 };
const preset = (name: string, p: string, params: Record<string, string> = {}): UtilizationMetricConfig => ({ name, preset: p, params, pos });
const cfg = (metrics: UtilizationMetricConfig[]): UtilizationConfig => ({ sources: { prometheus: { url: base } }, metrics, intervalSeconds: 1, slowQueries: false });
const window = { start: 1_800_000_000_000, end: 1_800_000_120_000 };

describe('PostgreSQL/Redis presets over several scraped servers', () => {
  it('a note names the servers and the metrics that sum them', async () => {
    instances = ['db-preview:9187', 'db-staging:9187'];
    const res = await collectWindow(cfg([preset('pg_conn', 'postgres.connections'), preset('pg_pct', 'postgres.connections_pct'), preset('redis_ops', 'redis.ops')]), window, quiet);
    expect(res.notes).toContain(
      '`pg_conn`, `pg_pct`: Prometheus scrapes 2 PostgreSQL servers (`db-preview:9187`, `db-staging:9187`) and the figures are over all of them; to judge one, set `selector: instance="…"` on them',
    );
    expect(res.notes.some((n) => n.includes('Redis servers'))).toBe(true);
    // still measured
    expect(res.measure('pg_conn', { kind: 'max' })).toEqual({ value: 12 });
  });

  it('no note with one server, nor for a metric whose selector picks one', async () => {
    instances = ['db-preview:9187'];
    const one = await collectWindow(cfg([preset('pg_conn', 'postgres.connections')]), window, quiet);
    expect(one.notes.filter((n) => n.includes('servers'))).toEqual([]);
    instances = ['db-preview:9187', 'db-staging:9187'];
    queries.length = 0;
    const picked = await collectWindow(cfg([preset('pg_conn', 'postgres.connections', { selector: 'instance="db-preview:9187"' })]), window, quiet);
    expect(picked.notes.filter((n) => n.includes('servers'))).toEqual([]);
    expect(queries.some((q) => q.startsWith('count by (instance)'))).toBe(false);
  });
});
