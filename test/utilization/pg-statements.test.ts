// pg_stat_statements half set up, on a real PostgreSQL started here without shared_preload_libraries:
// created but not loaded, or neither — each says exactly which step is missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startCollection } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig } from '../../src/model.js';
import { findBinaries, freePort, sql } from '../support/services.js';

const { found, missing } = findBinaries();
const skip = missing.includes('initdb') || missing.includes('postgres') ? 'PostgreSQL is not installed (scripts/ci-services.sh)' : undefined;
if (skip) console.warn(`test/utilization/pg-statements: skipped: ${skip}`);

const root = mkdtempSync(join(tmpdir(), 'perf-gate-pg-noload-'));
let server: ChildProcess | undefined;
let url = '';

/** As root (CI), PostgreSQL runs as the `postgres` user. */
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

beforeAll(async () => {
  if (skip) return;
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  mkdirSync(data);
  const ids = owner();
  if (ids) chownSync(data, ids.uid, ids.gid);
  const init = spawnSync(found.initdb!, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync'], { encoding: 'utf8', cwd: root, ...(ids ?? {}) });
  if (init.status !== 0) throw new Error(`initdb: ${init.stderr}`);
  const port = await freePort();
  // no shared_preload_libraries
  server = spawn(found.postgres!, ['-D', data, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', 'unix_socket_directories=', '-c', 'fsync=off'], { stdio: 'ignore', ...(ids ?? {}) });
  url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    const up = await c.connect().then(() => true, () => false);
    await c.end().catch(() => undefined);
    if (up) break;
    if (i > 300 || server.exitCode !== null) throw new Error('PostgreSQL did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
  }
  rmSync(root, { recursive: true, force: true });
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
