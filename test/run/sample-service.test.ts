// The requests the scenario scripts make are the ones the sample service (examples/alphapulse-api)
// accepts: the scripts run under the recording stand-ins, then every recorded request is sent to the
// real service on PostgreSQL and Redis, and must get the status the scripts' checks expect.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AddressInfo } from 'node:net';
import { recorder } from '../support/k6-modules/recorder.mjs';
import { sql, startServices, type Services } from '../support/services.js';
// @ts-expect-error plain JavaScript sample service
import { createApp, setup } from '../../examples/alphapulse-api/server.mjs';

vi.mock('k6', () => import('../support/k6-modules/k6.mjs'));
vi.mock('k6/http', () => import('../support/k6-modules/http.mjs'));
vi.mock('k6/metrics', () => import('../support/k6-modules/metrics.mjs'));

const started = await startServices();
const skip = 'skip' in started ? started.skip : undefined;
if (skip) console.warn(`test/run/sample-service: skipped: ${skip}`);
const svc = started as Services;

interface App {
  server: import('node:http').Server;
  close(): Promise<void>;
  pool: unknown;
}
let app: App;
let base = '';
const g = globalThis as Record<string, unknown>;

describe.skipIf(!!skip)('the scenarios against the sample service', () => {
  beforeAll(async () => {
    await sql(svc.pg.url, 'CREATE DATABASE alphapulse_k6');
    const dbUrl = svc.pg.url.replace(/\/postgres$/, '/alphapulse_k6');
    app = createApp({ databaseUrl: dbUrl, redisUrl: svc.redis.url, poolMax: 4, cacheTtlSeconds: 30 }) as App;
    await setup(app.pool, {});
    await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await svc?.stop();
  });

  it.each(['smoke-test.ts', 'baseline-test.ts'])('%s: every request is answered with the status its check expects', async (file) => {
    vi.resetModules();
    g.__ENV = { BASE_URL: base };
    const script = (await import(`../../k6/${file}`)) as { default: () => void };
    recorder.reset();
    for (let i = 0; i < 150; i++) {
      g.__VU = (i % 10) + 1;
      script.default();
    }
    const requests = [...recorder.requests];
    expect(new Set(requests.map((r) => r.params.tags.tenant)).size).toBe(5);
    const failures: string[] = [];
    for (const r of requests) {
      const res = await fetch(r.url, { method: r.method, headers: r.params.headers, body: r.body ?? undefined });
      const text = await res.text();
      const expected = r.method === 'POST' ? 201 : 200;
      if (res.status !== expected || !(res.headers.get('content-type') ?? '').includes('json')) {
        failures.push(`${r.method} ${r.url} (${r.params.tags.tenant}) → ${res.status} ${text.slice(0, 120)}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
