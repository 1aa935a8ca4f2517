// The direct PostgreSQL probe connecting as a role without pg_read_all_stats (a plain monitoring or
// application role): other roles' sessions show neither their backend type nor their statements'
// text. Against a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startCollection } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig, UtilizationMetricConfig } from '../../src/model.js';
import { sql, startServices, type Services } from '../support/services.js';

const started = await startServices();
const skip = 'skip' in started ? started.skip : undefined;
if (skip) console.warn(`test/utilization/pg-privileges: skipped: ${skip}`);
const svc = started as Services;

afterAll(async () => {
  if (!skip) await svc.stop();
});

const log: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, debug: () => undefined, group: (_n, fn) => fn() };
const pos = { file: 'thresholds.yml', line: 1, column: 1 };
const preset = (name: string, p: string): UtilizationMetricConfig => ({ name, preset: p, params: {}, pos });
const as = (role: string) => svc.pg.url.replace('postgres:secret-pw', `${role}:${role}-pw`);

async function connect(role: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: as(role) });
  await c.connect();
  return c;
}

describe.skipIf(skip)('a probe role without pg_read_all_stats', () => {
  beforeAll(async () => {
    await sql(svc.pg.url, `CREATE ROLE app LOGIN PASSWORD 'app-pw'; CREATE ROLE mon LOGIN PASSWORD 'mon-pw'; CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE TABLE orders(id int, total int); GRANT SELECT ON orders TO app, mon`);
  });

  it('still counts the other roles’ connections, and says that their statements are hidden instead of “no statements ran”', async () => {
    const apps = [await connect('app'), await connect('app'), await connect('app')];
    const cfg: UtilizationConfig = { sources: { postgres: { url: as('mon') } }, metrics: [preset('pg_conn', 'postgres.connections')], intervalSeconds: 0.2, slowQueries: true };
    const start = Date.now();
    const c = await startCollection(cfg, log);
    for (let i = 0; i < 30; i++) await apps[i % 3]!.query('SELECT count(*) FROM orders WHERE total > $1', [i]);
    await new Promise((r) => setTimeout(r, 500));
    const res = await c.stop({ start, end: Date.now() });
    await Promise.all(apps.map((a) => a.end()));

    expect(res.measure('pg_conn', { kind: 'max' })).toEqual({ value: 3 });
    expect(res.notes).toContainEqual(expect.stringMatching(/^pg_conn: the role `mon` may not read other roles' sessions \(3 seen without details\).*GRANT pg_read_all_stats TO mon/));
    expect(res.slowQueries).toEqual({ available: false, reason: expect.stringMatching(/^the role `mon` may not read other roles' statements \(30 calls, [\d.]+ s during the run are hidden from it\): GRANT pg_read_all_stats TO mon \(or pg_monitor\)$/), rows: [] });
  });

  it('lists its own statements, with a note that the others are hidden', async () => {
    const app = await connect('app');
    const mon = await connect('mon');
    const cfg: UtilizationConfig = { sources: { postgres: { url: as('mon') } }, metrics: [], intervalSeconds: 0.2, slowQueries: true };
    const start = Date.now();
    const c = await startCollection(cfg, log);
    for (let i = 0; i < 5; i++) await app.query('SELECT id FROM orders WHERE id = $1', [i]);
    await mon.query('SELECT max(total) FROM orders');
    const res = await c.stop({ start, end: Date.now() });
    await Promise.all([app.end(), mon.end()]);

    expect(res.slowQueries?.available).toBe(true);
    expect(res.slowQueries?.rows.map((r) => r.query)).toEqual(['SELECT max(total) FROM orders']);
    expect(res.notes).toContainEqual(expect.stringMatching(/^slow queries: only the role's own statements are listed: the role `mon` may not read other roles' statements \(5 calls/));
  });

  it('a superuser probe sees every session and statement: no such note', async () => {
    const app = await connect('app');
    const cfg: UtilizationConfig = { sources: { postgres: { url: svc.pg.url } }, metrics: [preset('pg_conn', 'postgres.connections')], intervalSeconds: 0.2, slowQueries: true };
    const start = Date.now();
    const c = await startCollection(cfg, log);
    await app.query('SELECT total FROM orders WHERE id = $1', [7]);
    const res = await c.stop({ start, end: Date.now() });
    await app.end();
    expect(res.measure('pg_conn', { kind: 'max' })).toEqual({ value: 1 });
    expect(res.slowQueries?.rows.map((r) => r.query)).toContain('SELECT total FROM orders WHERE id = $1');
    expect(res.notes.filter((n) => /may not read/.test(n))).toEqual([]);
  });
});
