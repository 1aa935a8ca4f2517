// The whole gate in run mode, with utilization: `perf-gate run` (k6 test double as the executable)
// while real HTTP traffic hits the sample service on real PostgreSQL and Redis. The collectors bind to
// the run window, the report carries the utilization and slow-query tables, and a utilization limit
// below the measured value fails the gate.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { sql, startServices, type Services } from '../support/services.js';
// @ts-expect-error plain JavaScript sample service
import { createApp, setup } from '../../examples/alphapulse-api/server.mjs';

const K6_DOUBLE = resolve(import.meta.dirname, '../support/k6-double.mjs');
const SMOKE = resolve(import.meta.dirname, '../../k6/smoke-test.ts');
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];

const started = await startServices();
const skip = 'skip' in started ? started.skip : undefined;
if (skip) console.warn(`test/pipeline/run-utilization: skipped: ${skip}`);
const svc = started as Services;

interface App {
  server: import('node:http').Server;
  close(): Promise<void>;
}
let app: App;
let base = '';
let dbUrl = '';
let dir = '';

describe.skipIf(!!skip)('perf-gate run with utilization on real services', () => {
  beforeAll(async () => {
    await sql(svc.pg.url, 'CREATE DATABASE gate');
    dbUrl = svc.pg.url.replace(/\/postgres$/, '/gate');
    app = createApp({ databaseUrl: dbUrl, redisUrl: svc.redis.url, poolMax: 4, cacheTtlSeconds: 300 }) as App;
    await setup((app as unknown as { pool: unknown }).pool, { dropTradesIndex: true });
    await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'perf-gate-pipeline-'));
  });
  afterAll(async () => {
    await app?.close();
    await svc?.stop();
  });

  it('judges utilization measured over the run window and fails a limit below the measured value', async () => {
    const thresholds = join(dir, 'thresholds.yml');
    writeFileSync(
      thresholds,
      `version: 1
thresholds:
  http_reqs: ["count>0"]
  pg_connections: ["max<1000"]
  pg_cache_hit: ["value>0.5"]
  redis_ops: ["avg<0.001"]
scenarios:
  smoke:
    script: ${SMOKE}
utilization:
  sources:
    postgres: { url: "\${DATABASE_URL}" }
    redis: { url: "\${REDIS_URL}" }
  interval: 250ms
  metrics:
    pg_connections: { preset: postgres.connections }
    pg_cache_hit: { preset: postgres.cache_hit }
    redis_ops: { preset: redis.ops }
`,
    );
    // Traffic while the gate runs: GET /api/trades hits the unindexed trades query.
    let stop = false;
    let sent = 0;
    const traffic = (async () => {
      const loops = Array.from({ length: 8 }, async (_, i) => {
        const tenant = TENANTS[i % TENANTS.length]!;
        while (!stop) {
          const path = sent % 3 === 0 ? '/api/portfolio' : `/api/trades?page=${1 + (sent % 5)}&limit=20`;
          const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer demo-${tenant}-key`, 'x-tenant-id': tenant } });
          await r.arrayBuffer();
          sent++;
        }
      });
      await Promise.all(loops);
    })();
    const out: string[] = [];
    const err: string[] = [];
    const json = join(dir, 'report.json');
    const markdown = join(dir, 'report.md');
    let code: number;
    try {
      code = await main(
        ['run', '--thresholds', thresholds, '--base-url', base, '--preflight-path', '/healthz', '--k6-path', K6_DOUBLE, '--json', json, '--markdown', markdown, '-q'],
        {
          stdout: (s) => out.push(s),
          stderr: (s) => err.push(s),
          cwd: dir,
          env: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '3000', DATABASE_URL: dbUrl, REDIS_URL: svc.redis.url },
        },
      );
    } finally {
      stop = true;
      await traffic;
    }
    expect(sent).toBeGreaterThan(50);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      verdict: string;
      criteria: { metric: string; status: string; actual: number | null; blocking: boolean }[];
    };
    const by = (m: string) => report.criteria.find((c) => c.metric === m)!;
    // The probes measured something real during the run window.
    expect(by('pg_connections').status).toBe('pass');
    expect(by('pg_connections').actual).toBeGreaterThanOrEqual(1);
    expect(by('pg_cache_hit').status).toBe('pass');
    expect(by('pg_cache_hit').actual).toBeGreaterThan(0.5);
    // Redis served the portfolio cache: far more than 0.001 commands/s → the limit fails the gate.
    expect(by('redis_ops').status).toBe('fail');
    expect(by('redis_ops').blocking).toBe(true);
    expect(report.verdict).toBe('NOT_APPROVED');
    expect(code).toBe(1);
    expect(err.join('')).toContain('redis_ops');
    // The slow-query table names the unindexed trades listing.
    const md = readFileSync(markdown, 'utf8');
    expect(md).toMatch(/slow quer/i);
    expect(md).toMatch(/FROM trades/i);
  });
});
