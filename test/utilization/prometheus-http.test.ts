// A real Prometheus served under a path prefix (--web.route-prefix), behind Basic authentication,
// over plain HTTP and over TLS with a self-signed certificate: the URL that works, and for each
// mistake a reason that says what to change — never the password.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Measurement } from '../../src/model.js';
import { vectorOne } from '../support/prometheus-one.js';
import { findBinaries, freePort } from '../support/services.js';

const PASSWORD = 'pr0m-S3cret-pw';
const { found } = findBinaries();
const openssl = spawnSync('openssl', ['version']).status === 0;
// Prometheus's web config takes bcrypt hashes; libcrypt makes them through perl's crypt()
const hash = spawnSync('perl', ['-e', `print crypt("${PASSWORD}", q($2b$10$perfgateperfgateperfgu))`], { encoding: 'utf8' }).stdout ?? '';
const skip = !found.prometheus ? 'prometheus is not installed (scripts/ci-services.sh)' : !openssl ? 'openssl is not installed' : !hash.startsWith('$2b$') ? 'no bcrypt through perl crypt()' : undefined;
if (skip) console.warn(`test/utilization/prometheus-http: skipped: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'perf-gate-prom-http-'));
const procs: ChildProcess[] = [];
let plain = '';
let tls = '';

async function startPrometheus(name: string, web: string): Promise<string> {
  const port = await freePort();
  writeFileSync(join(dir, `${name}.yml`), 'global:\n  scrape_interval: 1s\nscrape_configs: []\n');
  writeFileSync(join(dir, `${name}-web.yml`), web);
  const p = spawn(found.prometheus!, [
    `--config.file=${join(dir, `${name}.yml`)}`, `--storage.tsdb.path=${join(dir, name)}`, `--web.listen-address=127.0.0.1:${port}`,
    '--web.route-prefix=/prom', `--web.config.file=${join(dir, `${name}-web.yml`)}`, '--log.level=error',
  ], { stdio: 'ignore' });
  procs.push(p);
  return `127.0.0.1:${port}`;
}

/** Until Prometheus at `address` is ready (its TSDB opened): /prom/-/ready answers 200 to the credentials. */
async function ready(address: string, secure: boolean): Promise<void> {
  const client = secure ? await import('node:https') : await import('node:http');
  const status = () =>
    new Promise<number>((resolve) => {
      const req = client.get(`${secure ? 'https' : 'http'}://${address}/prom/-/ready`, { auth: `admin:${PASSWORD}`, rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', () => resolve(0));
    });
  for (let i = 0; i < 300; i++) {
    if ((await status()) === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Prometheus at ${address} did not become ready`);
}

beforeAll(async () => {
  if (skip) return;
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  if (gen.status !== 0) throw new Error(`openssl: ${gen.stderr}`);
  const users = `basic_auth_users:\n  admin: ${hash}\n`;
  plain = await startPrometheus('plain', users);
  tls = await startPrometheus('tls', `tls_server_config:\n  cert_file: ${join(dir, 'cert.pem')}\n  key_file: ${join(dir, 'key.pem')}\n${users}`);
  await Promise.all([ready(plain, false), ready(tls, true)]);
}, 60_000);

afterAll(async () => {
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
  rmSync(dir, { recursive: true, force: true });
});

/** `vector(1)` through `url`: 1, or why not — never with the password in it. */
async function measure(url: string): Promise<Measurement> {
  const { measurement, said } = await vectorOne(url);
  expect(said).not.toContain(PASSWORD);
  return measurement;
}

describe.skipIf(skip)('Prometheus under a path prefix, behind Basic authentication', () => {
  it('the URL with the prefix and the credentials works, with or without a trailing slash', async () => {
    expect(await measure(`http://admin:${PASSWORD}@${plain}/prom`)).toEqual({ value: 1 });
    expect(await measure(`http://admin:${PASSWORD}@${plain}/prom/`)).toEqual({ value: 1 });
  });

  it('without the prefix, or with a page’s path: 404 with what the URL should be', async () => {
    for (const path of ['', '/prom/graph', '/prom/api/v1']) {
      expect(await measure(`http://admin:${PASSWORD}@${plain}${path}`), path).toEqual({
        noData: expect.stringMatching(/answered HTTP 404 \(404 page not found\): check the URL: Prometheus's base URL, with the path prefix .*--web\.route-prefix.*without \/api\/v1 or \/graph$/),
      });
    }
  });

  it('a wrong password or none: 401 saying to check the credentials', async () => {
    for (const url of [`http://admin:wrong-pw@${plain}/prom`, `http://${plain}/prom`]) {
      expect(await measure(url), url).toEqual({ noData: expect.stringMatching(/answered HTTP 401 \(Unauthorized\): check the credentials: Basic ones in the URL/) });
    }
  });
});

describe.skipIf(skip)('Prometheus over TLS', () => {
  it('a self-signed certificate: not trusted, with NODE_EXTRA_CA_CERTS as the fix', async () => {
    expect(await measure(`https://admin:${PASSWORD}@${tls}/prom`)).toEqual({
      noData: expect.stringMatching(/is unreachable \(DEPTH_ZERO_SELF_SIGNED_CERT\): the server's certificate is not trusted: give its CA certificate \(PEM\) to the gate with the environment variable NODE_EXTRA_CA_CERTS=/),
    });
  });

  it('and the fix works: with NODE_EXTRA_CA_CERTS the same URL answers', () => {
    const script = `
      import { vectorOne } from './test/support/prometheus-one.ts';
      console.log(JSON.stringify((await vectorOne(process.env.PROM_URL)).measurement));
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: join(dirname(fileURLToPath(import.meta.url)), '../..'),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'), PROM_URL: `https://admin:${PASSWORD}@${tls}/prom` },
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ value: 1 });
  });

  it('http:// to the TLS port, https:// to the plain one: which scheme to use', async () => {
    expect(await measure(`http://admin:${PASSWORD}@${tls}/prom`)).toEqual({ noData: expect.stringMatching(/answered HTTP 400 \(Client sent an HTTP request to an HTTPS server\.\): the server speaks HTTPS: use an https:\/\/ URL$/) });
    expect(await measure(`https://admin:${PASSWORD}@${plain}/prom`)).toEqual({ noData: expect.stringMatching(/is unreachable \(ERR_SSL_WRONG_VERSION_NUMBER\): the server speaks plain HTTP there: use an http:\/\/ URL$/) });
  });
});
