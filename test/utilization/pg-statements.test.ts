// pg_stat_statements half set up, on a real PostgreSQL started here without shared_preload_libraries:
// created but not loaded, or neither — each says exactly which step is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollection } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig } from '../../src/model.js';
import { sql } from '../support/services.js';
import { postgresMissing, startPostgres, type OwnPostgres } from '../support/postgres.js';

const skip = postgresMissing();
if (skip) console.warn(`test/utilization/pg-statements: skipped: ${skip}`);

let server: OwnPostgres | undefined;
let url = '';

beforeAll(async () => {
  if (skip) return;
  // no shared_preload_libraries
  server = await startPostgres({ name: 'pg-noload', probeUrl: (port) => `postgres://postgres@127.0.0.1:${port}/postgres` });
  url = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const log: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, debug: () => undefined, group: (_n, fn) => fn() };

async function collect(database: string) {
  const cfg: UtilizationConfig = {
    sources: { postgres: { url: url.replace(/\/postgres$/, `/${database}`) } },
    metrics: [{ name: 'pg_latency', preset: 'postgres.query_latency', params: {}, pos: { file: 'thresholds.yml', line: 1, column: 1 } }],
    intervalSeconds: 1,
    slowQueries: true,
  };
  const start = Date.now();
  const c = await startCollection(cfg, log);
  return c.stop({ start, end: Date.now() });
}

describe.skipIf(skip)('pg_stat_statements on a server that does not preload it', () => {
  it('created but not loaded: add it to shared_preload_libraries and restart (not “CREATE EXTENSION”, which was done)', async () => {
    await sql(url, 'CREATE DATABASE created');
    await sql(url.replace(/\/postgres$/, '/created'), 'CREATE EXTENSION pg_stat_statements');
    const res = await collect('created');
    const reason = 'pg_stat_statements is created but not loaded: add it to shared_preload_libraries (postgresql.conf, or the managed server’s parameter group) and restart PostgreSQL';
    expect(res.slowQueries).toEqual({ available: false, reason, rows: [] });
    expect(res.measure('pg_latency', { kind: 'value' })).toEqual({ noData: reason });
  });

  it('neither: both steps', async () => {
    const res = await collect('postgres');
    const reason = 'pg_stat_statements is not installed: add it to shared_preload_libraries and CREATE EXTENSION pg_stat_statements';
    expect(res.slowQueries).toEqual({ available: false, reason, rows: [] });
    expect(res.measure('pg_latency', { kind: 'value' })).toEqual({ noData: reason });
  });
});
