// PostgreSQL/Redis presets read from Prometheus sum every server it scrapes unless a `selector` picks
// one: when their series come from several instances inside the window, a note names the servers and
// the metrics. A local HTTP server speaks the Prometheus API's query and query_range shapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWindow } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig, UtilizationMetricConfig } from '../../src/model.js';
import { startFakePrometheus, type FakePrometheus } from '../support/fake-prometheus.js';

let instances: string[] = [];
let prom: FakePrometheus;
let base = '';
let queries: string[] = [];

beforeAll(async () => {
  prom = await startFakePrometheus({
    rangeValue: 12,
    answer: (query) => {
      if (query.startsWith('count by (instance)')) return instances.map((instance) => ({ metric: { instance }, value: 3 }));
      return query.startsWith('max(timestamp(') ? [] : undefined;
    },
  });
  base = prom.url;
  queries = prom.queries;
});

afterAll(async () => {
  await prom.close();
});

const quiet: Logger = { info() {}, warning() {}, error() {}, debug() {}, group: (_n, fn) => fn() };
const pos = { file: 'thresholds.yml', line: 1, column: 1 };
const preset = (name: string, p: string, params: Record<string, string> = {}): UtilizationMetricConfig => ({ name, preset: p, params, pos });
const cfg = (metrics: UtilizationMetricConfig[]): UtilizationConfig => ({ sources: { prometheus: { url: base } }, metrics, intervalSeconds: 1, slowQueries: false });
const window = { start: 1_800_000_000_000, end: 1_800_000_120_000 };

describe('PostgreSQL/Redis presets over several scraped servers', () => {
  it('a note names the servers and the metrics that sum them', async () => {
    instances = ['db-preview:9187', 'db-staging:9187'];
    const res = await collectWindow(cfg([preset('pg_conn', 'postgres.connections'), preset('pg_pct', 'postgres.connections_pct'), preset('redis_ops', 'redis.ops')]), window, quiet);
    expect(res.notes).toContain(
      '`pg_conn`, `pg_pct`: Prometheus scrapes 2 PostgreSQL servers (`db-preview:9187`, `db-staging:9187`) and the figures are over all of them; to judge one, set `selector: instance="…"` on them',
    );
    expect(res.notes.some((n) => n.includes('Redis servers'))).toBe(true);
    // still measured
    expect(res.measure('pg_conn', { kind: 'max' })).toEqual({ value: 12 });
  });

  it('no note with one server, nor for a metric whose selector picks one', async () => {
    instances = ['db-preview:9187'];
    const one = await collectWindow(cfg([preset('pg_conn', 'postgres.connections')]), window, quiet);
    expect(one.notes.filter((n) => n.includes('servers'))).toEqual([]);
    instances = ['db-preview:9187', 'db-staging:9187'];
    queries.length = 0;
    const picked = await collectWindow(cfg([preset('pg_conn', 'postgres.connections', { selector: 'instance="db-preview:9187"' })]), window, quiet);
    expect(picked.notes.filter((n) => n.includes('servers'))).toEqual([]);
    expect(queries.some((q) => q.startsWith('count by (instance)'))).toBe(false);
  });
});
