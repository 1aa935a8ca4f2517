import { describe, expect, it } from 'vitest';
import { ConfigError, expandEnv, loadConfig } from '../../src/config/load.js';
import { PRESET_NAMES } from '../../src/collectors/presets-list.js';

const text = `version: 1
utilization:
  sources:
    prometheus: { url: "\${PROMETHEUS_URL}" }
    postgres: { url: "postgres://app:\${PGPASSWORD}@\${PGHOST:-127.0.0.1}:5432/alphapulse" }
    redis: { url: "\${REDIS_URL}" }
  interval: 2s
  slow-queries: false
  metrics:
    api_cpu: { preset: k8s.cpu, namespace: preview, workload: alphapulse-api }
    pg_connections: { preset: postgres.connections, source: prometheus, selector: 'instance="db:9187"' }
    queue_depth: { prometheus: 'sum(rabbitmq_queue_messages{queue="orders"})', unit: count }
thresholds:
  api_cpu: ["avg<70", "max<90", "p(95)<80"]
  pg_connections: ["max<150"]
  queue_depth: ["value<1000", "med<500", "count>10"]
`;

describe('utilization config', () => {
  it('expands ${VAR} from the given env and keeps the metrics with their parameters', () => {
    const c = loadConfig('t.yml', { text, env: { PROMETHEUS_URL: 'http://127.0.0.1:9090', PGPASSWORD: 's3cret', REDIS_URL: 'redis://127.0.0.1:6379' } });
    const u = c.utilization!;
    expect(u.sources).toEqual({
      prometheus: { url: 'http://127.0.0.1:9090' },
      postgres: { url: 'postgres://app:s3cret@127.0.0.1:5432/alphapulse' },
      redis: { url: 'redis://127.0.0.1:6379' },
    });
    expect(u.unavailable).toBeUndefined();
    expect(u.intervalSeconds).toBe(2);
    expect(u.slowQueries).toBe(false);
    expect(u.metrics.map((m) => m.name)).toEqual(['api_cpu', 'pg_connections', 'queue_depth']);
    expect(u.metrics[0]).toMatchObject({ preset: 'k8s.cpu', params: { namespace: 'preview', workload: 'alphapulse-api' }, pos: { line: 10, column: 5 } });
    expect(u.metrics[1]).toMatchObject({ preset: 'postgres.connections', params: { source: 'prometheus', selector: 'instance="db:9187"' } });
    expect(u.metrics[2]).toMatchObject({ prometheus: 'sum(rabbitmq_queue_messages{queue="orders"})', unit: 'count', params: {} });
    expect(c.rules.map((r) => r.expression.text)).toEqual(['avg<70', 'max<90', 'p(95)<80', 'max<150', 'value<1000', 'med<500', 'count>10']);
  });

  it('a missing variable makes that source unavailable with the reason, never an error, and never the value', () => {
    const c = loadConfig('t.yml', { text, env: { PGPASSWORD: 'hunter2', PGHOST: 'db' } });
    const u = c.utilization!;
    expect(u.sources).toEqual({ postgres: { url: 'postgres://app:hunter2@db:5432/alphapulse' } });
    expect(u.unavailable).toEqual({ prometheus: 'PROMETHEUS_URL is not set', redis: 'REDIS_URL is not set' });
    const c2 = loadConfig('t.yml', { text, env: { PROMETHEUS_URL: '', REDIS_URL: 'not a url', PGPASSWORD: 'hunter2' } });
    expect(c2.utilization!.unavailable).toEqual({ prometheus: 'PROMETHEUS_URL is not set', redis: 'utilization.sources.redis.url is not a valid URL' });
    expect(JSON.stringify(c2.utilization!.unavailable)).not.toContain('hunter2');
  });

  it('defaults: interval 5s, slow queries on', () => {
    const c = loadConfig('t.yml', { text: 'version: 1\nutilization:\n  metrics:\n    pg: { preset: postgres.connections }\n' });
    expect(c.utilization).toMatchObject({ sources: {}, intervalSeconds: 5, slowQueries: true });
  });

  it('expandEnv', () => {
    expect(expandEnv('${A}-${B:-b}', { A: 'a' })).toEqual({ value: 'a-b' });
    expect(expandEnv('${A}${C}', {})).toEqual({ missing: 'A, C are not set' });
    expect(expandEnv('plain', {})).toEqual({ value: 'plain' });
  });

  it('every preset is accepted', () => {
    const metrics = PRESET_NAMES.map((p, i) => `    m${i}: { preset: ${p}${p.startsWith('k8s.') ? ', namespace: ns' : ''} }`).join('\n');
    const c = loadConfig('t.yml', { text: `version: 1\nutilization:\n  metrics:\n${metrics}\n` });
    expect(c.utilization!.metrics.map((m) => m.preset)).toEqual([...PRESET_NAMES]);
  });

  it('checks utilization thresholds with the series aggregations and reports config mistakes with positions', () => {
    const bad = `version: 1
utilization:
  metrics:
    api_cpu: { preset: k8s.cpu }
    pg: { preset: postgres.conections }
    both: { preset: redis.ops, prometheus: "up" }
    vus: { prometheus: "up" }
    q: { prometheus: "up", colour: red }
thresholds:
  both: ["rate<1"]
  "q{pod:a}": ["avg<1"]
`;
    let problems: { where: string; message: string }[] = [];
    try {
      loadConfig('u.yml', { text: bad });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems.map((p) => p.where)).toEqual(['u.yml:4:5', 'u.yml:5:19', 'u.yml:6:5', 'u.yml:7:5', 'u.yml:8:28', 'u.yml:10:10', 'u.yml:11:3']);
    expect(problems[0]?.message).toContain('preset k8s.cpu needs `namespace`');
    expect(problems[1]?.message).toContain('Did you mean `postgres.connections`?');
    expect(problems[2]?.message).toContain('has both `preset` and `prometheus`');
    expect(problems[3]?.message).toContain('name of a k6 built-in metric');
    expect(problems[4]?.message).toMatch(/unknown key `colour` in utilization\.metrics\.q; allowed: preset, prometheus, unit, /);
    expect(problems[5]?.message).toBe('both: `rate` is not an aggregation of both, a utilization metric (a series over the run window); allowed: avg, min, max, med, p(N), value, count');
    expect(problems[6]?.message).toContain('has no tags to filter on');
  });
});
