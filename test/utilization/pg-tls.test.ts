// The direct PostgreSQL probe and TLS, against a real PostgreSQL started here with ssl=on, a
// self-signed certificate and a pg_hba.conf that accepts only SSL connections (as managed databases
// do): each mistake in the URL says which parameter to set, and the parameters it names work.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollection } from '../../src/collectors/collect.js';
import type { Logger, Measurement, UtilizationConfig } from '../../src/model.js';
import { postgresMissing, startPostgres, type OwnPostgres } from '../support/postgres.js';

const openssl = spawnSync('openssl', ['version']).status === 0;
const skip = postgresMissing() ?? (!openssl ? 'openssl is not installed' : undefined);
if (skip) console.warn(`test/utilization/pg-tls: skipped: ${skip}`);

let server: OwnPostgres | undefined;
let root = '';
let base = '';

beforeAll(async () => {
  if (skip) return;
  server = await startPostgres({
    name: 'pg-tls',
    prepare: (dir, ids) => {
      const cert = join(dir, 'server.crt');
      const key = join(dir, 'server.key');
      const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
      if (gen.status !== 0) throw new Error(`openssl: ${gen.stderr}`);
      chmodSync(key, 0o600);
      // SSL connections only
      const hba = join(dir, 'pg_hba.conf');
      writeFileSync(hba, 'hostssl all all 127.0.0.1/32 trust\n');
      if (ids) for (const f of [key, cert, hba]) chownSync(f, ids.uid, ids.gid);
      return ['-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`, '-c', `hba_file=${hba}`];
    },
    probeUrl: (port) => `postgres://postgres:pg-S3cret@127.0.0.1:${port}/postgres?sslmode=no-verify`,
  });
  root = server.root;
  base = `postgres://postgres:pg-S3cret@127.0.0.1:${server.port}/postgres`;
}, 60_000);

afterAll(async () => {
  await server?.stop();
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
