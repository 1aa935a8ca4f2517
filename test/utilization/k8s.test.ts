// Kubernetes presets on a real Prometheus loaded (promtool) with series named as Kubernetes names them:
// Deployment and StatefulSet pods, other workloads sharing the name's prefix, a sidecar without limits,
// a pod that is not Running, and a workload without limits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWindow } from '../../src/collectors/collect.js';
import { workloadPodRegex } from '../../src/collectors/presets.js';
import type { Logger, UtilizationConfig, UtilizationMetricConfig } from '../../src/model.js';
import { findBinaries, freePort } from '../support/services.js';

const { found, missing } = findBinaries();
const skip = ['prometheus', 'promtool'].some((b) => missing.includes(b)) ? 'prometheus/promtool not installed: run scripts/ci-services.sh as root' : undefined;
if (skip && process.env.CI) throw new Error(skip);
if (skip) console.warn(`test/utilization/k8s: skipped: ${skip}`);

const log: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, debug: () => undefined, group: (_n, fn) => fn() };
const pos = { file: 'thresholds.yml', line: 1, column: 1 };
const preset = (name: string, p: string, params: Record<string, string>): UtilizationMetricConfig => ({ name, preset: p, params, pos });
const GiB = 1024 ** 3;

interface Container {
  pod: string;
  container: string;
  /** cores used */
  cpu: number;
  memory: number;
  limits?: { cpu: number; memory: number };
}

const NS = 'prod';
const containers: Container[] = [
  // Deployment `api`: two pods, each with the app (limits) and a sidecar (no limits).
  { pod: 'api-7d9f8b6c5-b2c4d', container: 'api', cpu: 0.5, memory: 0.5 * GiB, limits: { cpu: 1, memory: GiB } },
  { pod: 'api-7d9f8b6c5-x8z9q', container: 'api', cpu: 0.5, memory: 0.5 * GiB, limits: { cpu: 1, memory: GiB } },
  { pod: 'api-7d9f8b6c5-b2c4d', container: 'envoy', cpu: 0.8, memory: GiB },
  { pod: 'api-7d9f8b6c5-x8z9q', container: 'envoy', cpu: 0.8, memory: GiB },
  // A pod of `api` that failed: its limits are still exported, it uses nothing.
  { pod: 'api-7d9f8b6c5-k5m6n', container: 'api', cpu: 0, memory: 0, limits: { cpu: 1, memory: GiB } },
  // Other workloads whose names start with `api-`.
  { pod: 'api-redis-0', container: 'api', cpu: 4, memory: 4 * GiB, limits: { cpu: 1, memory: GiB } },
  { pod: 'api-migrate-x2k4q', container: 'api', cpu: 4, memory: 4 * GiB, limits: { cpu: 1, memory: GiB } },
  { pod: 'api-canary-0', container: 'api', cpu: 4, memory: 4 * GiB, limits: { cpu: 1, memory: GiB } },
  // StatefulSet `db`.
  { pod: 'db-0', container: 'postgres', cpu: 1, memory: GiB, limits: { cpu: 2, memory: 4 * GiB } },
  { pod: 'db-1', container: 'postgres', cpu: 0.5, memory: GiB, limits: { cpu: 2, memory: 4 * GiB } },
  // Deployment `batch` without limits.
  { pod: 'batch-6c8d9f7b5-q2w4r', container: 'batch', cpu: 2, memory: GiB },
];
const failed = new Set(['api-7d9f8b6c5-k5m6n']);

function openMetrics(from: number, to: number, step = 15_000): string {
  const ts: number[] = [];
  for (let t = from; t <= to; t += step) ts.push(t);
  const sec = (t: number) => (t / 1000).toFixed(3);
  const lines: string[] = ['# TYPE container_cpu_usage_seconds_total counter'];
  for (const c of containers) {
    for (const t of ts) lines.push(`container_cpu_usage_seconds_total{namespace="${NS}",pod="${c.pod}",container="${c.container}"} ${(100 + (c.cpu * (t - from)) / 1000).toFixed(6)} ${sec(t)}`);
  }
  lines.push('# TYPE container_memory_working_set_bytes gauge');
  for (const c of containers) for (const t of ts) lines.push(`container_memory_working_set_bytes{namespace="${NS}",pod="${c.pod}",container="${c.container}"} ${c.memory} ${sec(t)}`);
  lines.push('# TYPE kube_pod_container_resource_limits gauge');
  for (const c of containers) {
    if (!c.limits) continue;
    for (const t of ts) {
      lines.push(`kube_pod_container_resource_limits{namespace="${NS}",pod="${c.pod}",container="${c.container}",resource="cpu",unit="core"} ${c.limits.cpu} ${sec(t)}`);
      lines.push(`kube_pod_container_resource_limits{namespace="${NS}",pod="${c.pod}",container="${c.container}",resource="memory",unit="byte"} ${c.limits.memory} ${sec(t)}`);
    }
  }
  lines.push('# TYPE kube_pod_status_phase gauge');
  for (const pod of new Set(containers.map((c) => c.pod))) {
    const phase = failed.has(pod) ? 'Failed' : 'Running';
    for (const p of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) {
      for (const t of ts) lines.push(`kube_pod_status_phase{namespace="${NS}",pod="${pod}",phase="${p}"} ${p === phase ? 1 : 0} ${sec(t)}`);
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

describe('workload pod names', () => {
  it("a Deployment's pods (Kubernetes' name alphabet) or a StatefulSet's, not other workloads with the same prefix", () => {
    const re = new RegExp(`^(?:${workloadPodRegex('api')})$`);
    for (const pod of ['api-7d9f8b6c5-b2c4d', 'api-5b9c7d6f8-x8z9q', 'api-0', 'api-12']) expect(re.test(pod), pod).toBe(true);
    for (const pod of ['api-redis-0', 'api-migrate-x2k4q', 'api-canary-0', 'api-7d9f8b6c5-a1b2c', 'api-worker-7d9f8b6c5-b2c4d', 'apix-0', 'api-7d9f8b6c5-b2c4d-x']) expect(re.test(pod), pod).toBe(false);
    expect(workloadPodRegex('api.v2')).toMatch(/^api\\\.v2-/);
  });
});

describe.skipIf(!!skip)('Kubernetes presets on a real Prometheus', () => {
  const hour = 3600_000;
  const start = Math.floor(Date.now() / hour) * hour - 4 * hour;
  const window = { start, end: start + 20 * 60_000 };
  let root = '';
  let proc: ChildProcess | undefined;
  let url = '';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'perf-gate-k8s-'));
    const data = join(root, 'data');
    mkdirSync(data);
    const om = join(root, 'k8s.om');
    writeFileSync(om, openMetrics(window.start - 10 * 60_000, window.end + 10 * 60_000));
    const created = spawnSync(found.promtool!, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', om, data], { encoding: 'utf8' });
    if (created.status !== 0 || readdirSync(data).length === 0) throw new Error(`promtool failed: ${created.stderr}${created.stdout}`);
    const cfg = join(root, 'prometheus.yml');
    writeFileSync(cfg, 'global:\n  scrape_interval: 15s\n');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = spawn(found.prometheus!, [`--config.file=${cfg}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=30d', '--log.level=warn'], { stdio: 'ignore' });
    const deadline = Date.now() + 40_000;
    for (;;) {
      const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error('prometheus did not come up');
      await new Promise((r) => setTimeout(r, 150));
    }
  }, 60_000);

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const run = (metrics: UtilizationMetricConfig[]) =>
    collectWindow({ sources: { prometheus: { url } }, metrics, intervalSeconds: 5, slowQueries: false } satisfies UtilizationConfig, window, log);
  const value = (m: { value: number } | { noData: string }) => {
    if (!('value' in m)) throw new Error(`no data: ${m.noData}`);
    return m.value;
  };

  it('CPU and memory % count only the workload’s running pods, and only containers with limits against their limits', async () => {
    const res = await run([
      preset('cpu', 'k8s.cpu', { namespace: NS, workload: 'api' }),
      preset('mem', 'k8s.memory', { namespace: NS, workload: 'api' }),
      preset('db_cpu', 'k8s.cpu', { namespace: NS, workload: 'db' }),
    ]);
    // api: 2 × 0.5 core of 2 × 1 core; the sidecars, the failed pod and api-redis/migrate/canary are out.
    expect(value(res.measure('cpu', { kind: 'max' }))).toBeCloseTo(50, 6);
    expect(value(res.measure('cpu', { kind: 'min' }))).toBeCloseTo(50, 6);
    expect(value(res.measure('mem', { kind: 'avg' }))).toBeCloseTo(50, 6);
    // db (StatefulSet): 1.5 of 4 cores.
    expect(value(res.measure('db_cpu', { kind: 'avg' }))).toBeCloseTo(37.5, 6);
  });

  it('a workload without limits: no-data saying so', async () => {
    const res = await run([preset('cpu', 'k8s.cpu', { namespace: NS, workload: 'batch' }), preset('mem', 'k8s.memory', { namespace: NS, workload: 'batch' })]);
    expect(res.measure('cpu', { kind: 'avg' })).toEqual({ noData: expect.stringMatching(/^no CPU limits set on batch's containers/) });
    expect(res.measure('mem', { kind: 'avg' })).toEqual({ noData: expect.stringMatching(/^no memory limits set on batch's containers/) });
  });
});
