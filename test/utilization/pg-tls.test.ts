// The direct PostgreSQL probe and TLS, against a real PostgreSQL started here with ssl=on, a
// self-signed certificate and a pg_hba.conf that accepts only SSL connections (as managed databases
// do): each mistake in the URL says which parameter to set, and the parameters it names work.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startCollection } from '../../src/collectors/collect.js';
import type { Logger, Measurement, UtilizationConfig } from '../../src/model.js';
import { findBinaries, freePort } from '../support/services.js';

const { found, missing } = findBinaries();
const openssl = spawnSync('openssl', ['version']).status === 0;
const skip = missing.includes('initdb') || missing.includes('postgres') ? 'PostgreSQL is not installed (scripts/ci-services.sh)' : !openssl ? 'openssl is not installed' : undefined;
if (skip) console.warn(`test/utilization/pg-tls: skipped: ${skip}`);

const root = mkdtempSync(join(tmpdir(), 'perf-gate-pg-tls-'));
let server: ChildProcess | undefined;
let base = '';

function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

beforeAll(async () => {
  if (skip) return;
  chmodSync(root, 0o755);
  const ids = owner();
  const data = join(root, 'data');
  mkdirSync(data);
  if (ids) chownSync(data, ids.uid, ids.gid);
  const init = spawnSync(found.initdb!, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync'], { encoding: 'utf8', cwd: root, ...(ids ?? {}) });
  if (init.status !== 0) throw new Error(`initdb: ${init.stderr}`);
  const cert = join(root, 'server.crt');
  const key = join(root, 'server.key');
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  if (gen.status !== 0) throw new Error(`openssl: ${gen.stderr}`);
  chmodSync(key, 0o600);
  if (ids) {
    chownSync(key, ids.uid, ids.gid);
    chownSync(cert, ids.uid, ids.gid);
  }
  // SSL connections only
  const hba = join(root, 'pg_hba.conf');
  writeFileSync(hba, 'hostssl all all 127.0.0.1/32 trust\n');
  if (ids) chownSync(hba, ids.uid, ids.gid);
  const port = await freePort();
  server = spawn(found.postgres!, ['-D', data, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`, '-c', `hba_file=${hba}`], { stdio: 'ignore', ...(ids ?? {}) });
  base = `postgres://postgres:pg-S3cret@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: `${base}?sslmode=no-verify`, connectionTimeoutMillis: 1000 });
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

async function connections(url: string): Promise<Measurement> {
  const cfg: UtilizationConfig = { sources: { postgres: { url } }, metrics: [{ name: 'pg_conn', preset: 'postgres.connections', params: {}, pos: { file: 'thresholds.yml', line: 1, column: 1 } }], intervalSeconds: 1, slowQueries: false };
  const start = Date.now();
  const c = await startCollection(cfg, log);
  const res = await c.stop({ start, end: Date.now() });
  const m = res.measure('pg_conn', { kind: 'max' });
  expect(JSON.stringify([m, res.notes])).not.toContain('pg-S3cret');
  return m;
}

describe.skipIf(skip)('PostgreSQL over TLS', () => {
  it('a server that accepts only SSL, and a URL without sslmode: which parameter to add', async () => {
    expect(await connections(base)).toEqual({ noData: expect.stringMatching(/is unreachable \(no pg_hba\.conf entry .*(SSL off|no encryption)\): the server accepts only SSL connections: add \?sslmode=verify-full \(or sslmode=no-verify\) to the URL$/) });
  });

  it('a self-signed certificate (a cloud database’s own CA, likewise): sslrootcert or sslmode=no-verify', async () => {
    expect(await connections(`${base}?sslmode=verify-full`)).toEqual({
      noData: expect.stringMatching(/is unreachable \(DEPTH_ZERO_SELF_SIGNED_CERT[^)]*\): the server's certificate is not trusted: add sslrootcert=\/path\/to\/ca\.pem to the URL .*, or sslmode=no-verify to encrypt without verifying$/),
    });
  });

  it('and both fixes it names work', async () => {
    expect(await connections(`${base}?sslmode=verify-full&sslrootcert=${join(root, 'server.crt')}`)).toEqual({ value: 0 });
    expect(await connections(`${base}?sslmode=no-verify`)).toEqual({ value: 0 });
  });
});
