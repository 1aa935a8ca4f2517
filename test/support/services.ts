// Real services on loopback for the utilization tests: PostgreSQL (pg_stat_statements preloaded), Redis,
// postgres_exporter, redis_exporter and Prometheus scraping both, plus deterministic Kubernetes series
// written with `promtool tsdb create-blocks-from openmetrics` into Prometheus' data dir.
// Everything lives in one temp dir and is torn down by `stop()`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const EXPORTER_QUERIES = join(here, '../../examples/alphapulse-api/postgres-exporter-queries.yaml');

export interface K8sSeries {
  namespace: string;
  workload: string;
  /** The window the series cover (epoch ms). */
  window: { start: number; end: number };
  /** Phase boundary: CPU is `cpuFirst`% before it and `cpuSecond`% after. */
  switchAt: number;
  cpuFirst: number;
  cpuSecond: number;
  memoryPct: number;
  readyPods: number;
}

export interface Services {
  root: string;
  pg: { url: string; port: number };
  redis: { url: string; port: number };
  prometheus?: { url: string };
  k8s?: K8sSeries;
  stop(): Promise<void>;
}

export type ServicesOrSkip = Services | { skip: string };

const PG_BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/14/bin', '/usr/lib/postgresql/13/bin'];

function which(name: string, extra: string[] = []): string | undefined {
  for (const dir of [...extra, ...(process.env.PATH ?? '').split(':')]) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export function findBinaries(): { found: Record<string, string>; missing: string[] } {
  const want: Record<string, string[]> = {
    initdb: PG_BIN_DIRS,
    postgres: PG_BIN_DIRS,
    'redis-server': [],
    prometheus: [],
    promtool: [],
    'prometheus-postgres-exporter': [],
    'prometheus-redis-exporter': [],
  };
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, dirs] of Object.entries(want)) {
    // Prefer the versioned PostgreSQL dir so initdb and postgres match.
    const path = which(name, dirs);
    if (path) found[name] = path;
    else missing.push(name);
  }
  return { found, missing };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;


function pgOwner(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) throw new Error('running as root but there is no `postgres` user to run PostgreSQL as');
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, proc?: ChildProcess, log?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}\n${log?.() ?? ''}`);
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs} ms\n${log?.() ?? ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.text();
  return res.ok;
}

const live = new Set<ChildProcess>();
let exitHook = false;

function startProc(cmd: string, args: string[], env: Record<string, string> = {}, ids?: { uid: number; gid: number }): { proc: ChildProcess; output: () => string } {
  let out = '';
  const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(ids ?? {}) });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (!exitHook) {
    exitHook = true;
    // A crashed test run must not leave servers behind.
    process.once('exit', () => {
      for (const p of live) p.kill('SIGKILL');
    });
  }
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-8000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return { proc, output: () => out };
}

/** OpenMetrics text for 4 API pods of `workload` in `namespace` (one not ready), a pause container, and a noisy other namespace. */
export function k8sOpenMetrics(s: K8sSeries, stepSeconds = 15): string {
  const lines: string[] = [];
  const pods = ['a1b2c', 'd3e4f', 'g5h6i', 'j7k8l'].map((p) => `${s.workload}-7d9f8b6c5-${p}`);
  const GiB = 1024 ** 3;
  const ts: number[] = [];
  // Data runs 10 minutes past both ends of the window, so rate() has no edge effects inside it.
  const from = s.window.start - 10 * 60_000;
  for (let t = from; t <= s.window.end + 10 * 60_000; t += stepSeconds * 1000) ts.push(t);
  const sec = (t: number) => (t / 1000).toFixed(3);
  // CPU seconds: per pod, rate = cpu% / 100 × limit (1 core) until switchAt, then the second phase.
  lines.push('# TYPE container_cpu_usage_seconds_total counter');
  const cpuAt = (t: number, pct: number, pct2: number) => {
    const first = Math.min(t, s.switchAt) - from;
    const second = Math.max(0, t - s.switchAt);
    return ((first / 1000) * pct) / 100 + ((second / 1000) * pct2) / 100;
  };
  for (const pod of pods) {
    for (const t of ts) lines.push(`container_cpu_usage_seconds_total{namespace="${s.namespace}",pod="${pod}",container="api"} ${(1000 + cpuAt(t, s.cpuFirst, s.cpuSecond)).toFixed(6)} ${sec(t)}`);
    // The pod-level cgroup (container="") and the pause container must not be counted.
    for (const t of ts) lines.push(`container_cpu_usage_seconds_total{namespace="${s.namespace}",pod="${pod}",container=""} ${(2000 + 2 * cpuAt(t, s.cpuFirst, s.cpuSecond)).toFixed(6)} ${sec(t)}`);
    for (const t of ts) lines.push(`container_cpu_usage_seconds_total{namespace="${s.namespace}",pod="${pod}",container="POD"} ${(5 + cpuAt(t, 50, 50)).toFixed(6)} ${sec(t)}`);
  }
  for (const t of ts) lines.push(`container_cpu_usage_seconds_total{namespace="other",pod="${s.workload}-x-1",container="api"} ${(cpuAt(t, 400, 400)).toFixed(6)} ${sec(t)}`);
  lines.push('# TYPE container_memory_working_set_bytes gauge');
  for (const pod of pods) {
    for (const t of ts) lines.push(`container_memory_working_set_bytes{namespace="${s.namespace}",pod="${pod}",container="api"} ${((s.memoryPct / 100) * 2 * GiB).toFixed(0)} ${sec(t)}`);
    for (const t of ts) lines.push(`container_memory_working_set_bytes{namespace="${s.namespace}",pod="${pod}",container=""} ${(3 * GiB).toFixed(0)} ${sec(t)}`);
  }
  lines.push('# TYPE kube_pod_container_resource_limits gauge');
  for (const pod of pods) {
    for (const t of ts) lines.push(`kube_pod_container_resource_limits{namespace="${s.namespace}",pod="${pod}",container="api",resource="cpu",unit="core"} 1 ${sec(t)}`);
    for (const t of ts) lines.push(`kube_pod_container_resource_limits{namespace="${s.namespace}",pod="${pod}",container="api",resource="memory",unit="byte"} ${2 * GiB} ${sec(t)}`);
  }
  for (const t of ts) lines.push(`kube_pod_container_resource_limits{namespace="other",pod="${s.workload}-x-1",container="api",resource="cpu",unit="core"} 8 ${sec(t)}`);
  lines.push('# TYPE kube_pod_status_ready gauge');
  pods.forEach((pod, i) => {
    const ready = i < s.readyPods;
    for (const t of ts) {
      lines.push(`kube_pod_status_ready{namespace="${s.namespace}",pod="${pod}",condition="true"} ${ready ? 1 : 0} ${sec(t)}`);
      lines.push(`kube_pod_status_ready{namespace="${s.namespace}",pod="${pod}",condition="false"} ${ready ? 0 : 1} ${sec(t)}`);
    }
  });
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

export interface StartOptions {
  prometheus?: boolean;
  /** Redis maxmemory in bytes (0 = no limit). */
  maxmemory?: number;
}

/**
 * Starts the services; resolves `{ skip }` only when binaries are missing. Outside CI a missing binary
 * skips; with `CI` set it is an error (CI installs them with scripts/ci-services.sh).
 */
export async function startServices(opts: StartOptions = {}): Promise<ServicesOrSkip> {
  const { found, missing } = findBinaries();
  const needed = opts.prometheus ? missing : missing.filter((m) => !m.startsWith('prom'));
  if (needed.length > 0) {
    const msg = `utilization services not installed (${needed.join(', ')}): run scripts/ci-services.sh as root`;
    if (process.env.CI) throw new Error(msg);
    return { skip: msg };
  }
  const root = mkdtempSync(join(tmpdir(), 'perf-gate-services-'));
  chmodSync(root, 0o755);
  const procs: ChildProcess[] = [];
  const stop = async () => {
    for (const p of procs.reverse()) {
      if (p.exitCode === null && p.pid) {
        p.kill('SIGTERM');
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            p.kill('SIGKILL');
            r();
          }, 5000);
          p.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    // ── PostgreSQL
    const pgData = join(root, 'pg');
    mkdirSync(pgData);
    const owner = pgOwner();
    if (owner) chownSync(pgData, owner.uid, owner.gid);
    // PostgreSQL refuses to run as root: as root (CI), run it as the `postgres` user.
    const init = spawnSync(found.initdb!, ['-D', pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'], { encoding: 'utf8', cwd: root, ...(owner ?? {}) });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}${init.stdout}`);
    const pgPort = await freePort();
    const pg = startProc(found.postgres!, [
      '-D', pgData,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `port=${pgPort}`,
      '-c', 'unix_socket_directories=',
      '-c', 'shared_preload_libraries=pg_stat_statements',
      '-c', 'pg_stat_statements.track=all',
      '-c', 'max_connections=50',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ], {}, owner);
    procs.push(pg.proc);
    const pgUrl = `postgres://postgres:secret-pw@127.0.0.1:${pgPort}/postgres`;
    const { default: pgLib } = await import('pg');
    await waitFor('postgres', async () => {
      const c = new pgLib.Client({ connectionString: pgUrl, connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        await c.query('SELECT 1');
        return true;
      } finally {
        await c.end().catch(() => undefined);
      }
    }, 30_000, pg.proc, pg.output);

    // ── Redis
    const redisPort = await freePort();
    const redis = startProc(found['redis-server']!, [
      '--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', root, '--maxmemory', String(opts.maxmemory ?? 64 * 1024 * 1024), '--maxmemory-policy', 'allkeys-lru',
    ]);
    procs.push(redis.proc);
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const { Redis } = await import('ioredis');
    await waitFor('redis', async () => {
      const r = new Redis(redisUrl, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      r.on('error', () => undefined);
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    }, 20_000, redis.proc, redis.output);

    const services: Services = { root, pg: { url: pgUrl, port: pgPort }, redis: { url: redisUrl, port: redisPort }, stop };
    if (!opts.prometheus) return services;

    // ── exporters
    const pgExpPort = await freePort();
    const pgExp = startProc(found['prometheus-postgres-exporter']!, [
      `--web.listen-address=127.0.0.1:${pgExpPort}`, `--extend.query-path=${EXPORTER_QUERIES}`,
    ], { DATA_SOURCE_NAME: `postgresql://postgres@127.0.0.1:${pgPort}/postgres?sslmode=disable` });
    procs.push(pgExp.proc);
    const redisExpPort = await freePort();
    const redisExp = startProc(found['prometheus-redis-exporter']!, [
      `-web.listen-address=127.0.0.1:${redisExpPort}`, `-redis.addr=redis://127.0.0.1:${redisPort}`,
    ]);
    procs.push(redisExp.proc);
    await waitFor('postgres_exporter', () => httpOk(`http://127.0.0.1:${pgExpPort}/metrics`), 20_000, pgExp.proc, pgExp.output);
    await waitFor('redis_exporter', () => httpOk(`http://127.0.0.1:${redisExpPort}/metrics`), 20_000, redisExp.proc, redisExp.output);

    // ── Kubernetes series (backfilled blocks, well before the head block)
    const hour = 3600_000;
    const start = Math.floor(Date.now() / hour) * hour - 4 * hour;
    const k8s: K8sSeries = {
      namespace: 'preview',
      workload: 'alphapulse-api',
      window: { start, end: start + 30 * 60_000 },
      switchAt: start + 15 * 60_000,
      cpuFirst: 60,
      cpuSecond: 30,
      memoryPct: 40,
      readyPods: 3,
    };
    const promData = join(root, 'prom');
    mkdirSync(promData);
    const om = join(root, 'k8s.om');
    writeFileSync(om, k8sOpenMetrics(k8s));
    const created = spawnSync(found.promtool!, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', om, promData], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`promtool create-blocks-from openmetrics failed: ${created.stderr}${created.stdout}`);
    if (readdirSync(promData).length === 0) throw new Error('promtool created no blocks');

    const promPort = await freePort();
    const promCfg = join(root, 'prometheus.yml');
    writeFileSync(promCfg, [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: postgres',
      `    static_configs: [{ targets: ["127.0.0.1:${pgExpPort}"] }]`,
      '  - job_name: redis',
      `    static_configs: [{ targets: ["127.0.0.1:${redisExpPort}"] }]`,
      '',
    ].join('\n'));
    const prom = startProc(found.prometheus!, [
      `--config.file=${promCfg}`, `--storage.tsdb.path=${promData}`, `--web.listen-address=127.0.0.1:${promPort}`,
      '--storage.tsdb.retention.time=30d', '--log.level=warn',
    ]);
    procs.push(prom.proc);
    const promUrl = `http://127.0.0.1:${promPort}`;
    await waitFor('prometheus', () => httpOk(`${promUrl}/-/ready`), 40_000, prom.proc, prom.output);
    // Wait until both targets have been scraped at least once.
    await waitFor('prometheus targets', async () => {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('sum(up)')}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result[0]?.value[1] === '2';
    }, 30_000, prom.proc, prom.output);
    services.prometheus = { url: promUrl };
    services.k8s = k8s;
    return services;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Runs SQL on the test PostgreSQL as the superuser. */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const { default: pgLib } = await import('pg');
  const c = new pgLib.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(text, params);
    return r.rows as T[];
  } finally {
    await c.end();
  }
}

/** Reads one instant value from Prometheus. */
export async function promInstant(url: string, query: string, time?: number): Promise<number | undefined> {
  const q = new URLSearchParams({ query });
  if (time !== undefined) q.set('time', (time / 1000).toFixed(3));
  const res = await fetch(`${url}/api/v1/query?${q}`);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  const v = body.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}
