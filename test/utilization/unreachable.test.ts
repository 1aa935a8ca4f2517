// Sources a runner cannot reach: a name inside the Kubernetes cluster (a GitHub-hosted runner is
// outside it) and a port nothing listens on. Each reason says what to change, for Prometheus,
// PostgreSQL and Redis alike, without the password.
import { lookup } from 'node:dns/promises';
import { describe, expect, it } from 'vitest';
import { startCollection } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig, UtilizationResults } from '../../src/model.js';
import { freePort } from '../support/services.js';

// a runner inside a cluster could resolve them: then there is nothing to check here
const resolvable = (await Promise.all(['db.preview.svc', 'redis.preview.svc.cluster.local', 'prometheus.monitoring.svc'].map((h) => lookup(h).then(() => true, () => false)))).some(Boolean);

const log: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, debug: () => undefined, group: (_n, fn) => fn() };
const pos = { file: 'thresholds.yml', line: 1, column: 1 };

async function collect(pg: string, redis: string, prometheus: string): Promise<UtilizationResults> {
  const cfg: UtilizationConfig = {
    sources: { postgres: { url: pg }, redis: { url: redis }, prometheus: { url: prometheus } },
    metrics: [
      { name: 'pg_conn', preset: 'postgres.connections', params: {}, pos },
      { name: 'redis_ops', preset: 'redis.ops', params: {}, pos },
      { name: 'queue', prometheus: 'sum(queue_depth)', params: {}, pos },
    ],
    intervalSeconds: 1,
    slowQueries: false,
    scrapeWaitSeconds: 0,
  };
  const c = await startCollection(cfg, log);
  const res = await c.stop({ start: Date.now() - 1000, end: Date.now() });
  expect(JSON.stringify(['pg_conn', 'redis_ops', 'queue'].map((m) => res.measure(m, { kind: 'max' })))).not.toContain('S3cret');
  return res;
}

const reason = (res: UtilizationResults, m: string) => (res.measure(m, { kind: 'max' }) as { noData: string }).noData;

describe('a source the runner cannot reach', () => {
  it.skipIf(resolvable)('a name inside the Kubernetes cluster: a runner outside it cannot resolve it, with what to do', async () => {
    const res = await collect('postgres://app:S3cret@db.preview.svc:5432/app', 'redis://:S3cret@redis.preview.svc.cluster.local:6379', 'http://prometheus.monitoring.svc:9090');
    const inside = (host: string) => new RegExp(`is unreachable \\((ENOTFOUND|EAI_AGAIN)[^)]*\\): ${host.replace(/\./g, '\\.')} is a name inside the Kubernetes cluster, which a runner outside it cannot resolve: run the job on a self-hosted runner in the cluster, or expose the service`);
    expect(reason(res, 'pg_conn')).toMatch(inside('db.preview.svc'));
    expect(reason(res, 'redis_ops')).toMatch(inside('redis.preview.svc.cluster.local'));
    expect(reason(res, 'queue')).toMatch(inside('prometheus.monitoring.svc'));
  });

  it('a port nothing listens on: check the host and the port (Redis says the refusal, not “Connection is closed”)', async () => {
    const port = await freePort();
    const res = await collect(`postgres://app:S3cret@127.0.0.1:${port}/app`, `redis://:S3cret@127.0.0.1:${port}`, `http://127.0.0.1:${port}`);
    for (const m of ['pg_conn', 'redis_ops', 'queue']) expect(reason(res, m), m).toMatch(new RegExp(`is unreachable \\(ECONNREFUSED[^)]*\\): nothing listens at 127\\.0\\.0\\.1:${port}: check the host and the port$`));
  });
});
