// The direct Redis probe with ACL users and on a replica, against a real Redis: a refused password
// says so (not "Connection is closed"), a user without INFO gets the ACL fix, a replica is named as one.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startCollection } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig, UtilizationMetricConfig, UtilizationResults } from '../../src/model.js';
import { findBinaries, freePort, startServices, type Services } from '../support/services.js';

const started = await startServices();
const skip = 'skip' in started ? started.skip : undefined;
if (skip) console.warn(`test/utilization/redis-auth: skipped: ${skip}`);
const svc = started as Services;
let replica: ChildProcess | undefined;
let replicaPort = 0;
let admin: Redis;

beforeAll(async () => {
  if (skip) return;
  admin = new Redis(svc.redis.url);
  await admin.call('ACL', 'SETUSER', 'mon', 'on', '>mon-S3cret', '+info', '+ping', '+client|setname');
  await admin.call('ACL', 'SETUSER', 'cache', 'on', '>cache-S3cret', '~*', '+get', '+set', '+ping');
  replicaPort = await freePort();
  // a replica writes the snapshot it receives from its master into its dir: the services' temp dir
  replica = spawn(findBinaries().found['redis-server']!, ['--port', String(replicaPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', svc.root, '--dbfilename', 'replica.rdb', '--replicaof', '127.0.0.1', String(svc.redis.port)], { stdio: 'ignore' });
  // until the replica has synced with its master
  for (let i = 0; ; i++) {
    const r = new Redis(`redis://127.0.0.1:${replicaPort}`, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => undefined);
    const link = await r.connect().then(() => r.info('replication')).catch(() => '');
    r.disconnect();
    if (/master_link_status:up/.test(link)) break;
    if (i > 200) throw new Error('the Redis replica did not sync');
    await new Promise((res) => setTimeout(res, 100));
  }
}, 60_000);

afterAll(async () => {
  admin?.disconnect();
  if (replica && replica.exitCode === null) {
    replica.kill('SIGTERM');
    await new Promise((r) => replica!.once('exit', r));
  }
  if (!skip) await svc.stop();
});

const log: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, debug: () => undefined, group: (_n, fn) => fn() };
const pos = { file: 'thresholds.yml', line: 1, column: 1 };
const preset = (name: string, p: string): UtilizationMetricConfig => ({ name, preset: p, params: {}, pos });

/** A short run with a few lookups on the master, measured through `url`. */
async function run(url: string): Promise<UtilizationResults> {
  const cfg: UtilizationConfig = { sources: { redis: { url } }, metrics: [preset('rmem', 'redis.memory'), preset('rops', 'redis.ops'), preset('rhit', 'redis.hit_rate')], intervalSeconds: 0.2, slowQueries: false };
  const start = Date.now();
  const c = await startCollection(cfg, log);
  for (let i = 0; i < 10; i++) {
    await admin.set(`key:${i}`, 'v');
    await admin.get(`key:${i}`);
  }
  await new Promise((r) => setTimeout(r, 400));
  const res = await c.stop({ start, end: Date.now() });
  expect(JSON.stringify([res.notes, ['rmem', 'rops', 'rhit'].map((m) => res.measure(m, { kind: 'max' }))])).not.toMatch(/S3cret/);
  return res;
}

describe.skipIf(skip)('the Redis probe with ACL users and on a replica', () => {
  it('an ACL user with INFO measures like the default user', async () => {
    const res = await run(`redis://mon:mon-S3cret@127.0.0.1:${svc.redis.port}`);
    expect(res.measure('rhit', { kind: 'value' })).toEqual({ value: 1 });
    expect(res.measure('rops', { kind: 'value' })).toEqual({ value: expect.any(Number) });
    expect(res.notes).toEqual([]);
  });

  it('a wrong password: the credentials were refused, not “Connection is closed”', async () => {
    const res = await run(`redis://mon:wrong-S3cret@127.0.0.1:${svc.redis.port}`);
    expect(res.measure('rhit', { kind: 'value' })).toEqual({
      noData: expect.stringMatching(/^Redis at redis:\/\/\*\*\*@127\.0\.0\.1:\d+ refused the probe's credentials \(WRONGPASS [^)]*\): check the user name and password in utilization\.sources\.redis\.url/),
    });
  });

  it('a user that may not run INFO: the ACL command that allows it', async () => {
    const res = await run(`redis://cache:cache-S3cret@127.0.0.1:${svc.redis.port}`);
    expect(res.measure('rmem', { kind: 'max' })).toEqual({ noData: expect.stringMatching(/^Redis probe failed \(NOPERM .*'info'.*\): allow INFO for the probe's user \(ACL SETUSER cache \+info\)$/) });
  });

  it('a replica: its own figures, with a note that it is one and of which master', async () => {
    const res = await run(`redis://127.0.0.1:${replicaPort}`);
    // the lookups went to the master: the replica served none
    expect(res.measure('rhit', { kind: 'value' })).toEqual({ noData: 'no activity in the window (no keyspace lookups: 0 hits, 0 misses — nothing was read from this Redis)' });
    expect(res.notes).toContainEqual(
      `rmem, rops, rhit: Redis at redis://127.0.0.1:${replicaPort} is a replica (of 127.0.0.1:${svc.redis.port}): the figures are the replica's own — the reads it served, commands including the writes replicated from its master; point utilization.sources.redis.url at the master to judge the load the API puts on it`,
    );
  });
});
