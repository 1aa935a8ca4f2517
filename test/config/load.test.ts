import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { one, problems } from './problems.js';

describe('loadConfig: a valid file', () => {
  const text = `version: 1
marginal: 5%
fail-on: marginal
no-data: fail
window: steady
warmup: 30s
thresholds:
  http_req_duration: ["p(95)<400", "p(99) < 500"]
  "http_req_duration{tenant:*}": [{ threshold: "p(99)<+10%", min-change: 5ms, severity: warn, window: all, warmup: 0, no-data: pass, marginal: 20% }]
scenarios:
  smoke:
    script: k6/smoke-test.ts
    env: { PAGES: 5, DEBUG: true, NAME: x }
  target-capacity:
    script: k6/target-capacity-test.ts
    warmup: 1m
    window: all
    thresholds:
      http_reqs: ["rate>=500"]
`;
  const c = loadConfig('perf/thresholds.yml', { text });

  it('reads the top-level policies', () => {
    expect(c).toMatchObject({ file: 'perf/thresholds.yml', version: 1, marginal: 0.05, failOn: 'marginal', noData: 'fail', window: 'steady', warmupSeconds: 30 });
  });

  it('resolves defaults into each rule, with the expression position', () => {
    expect(c.rules).toHaveLength(3);
    const [p95, p99, rel] = c.rules;
    expect(p95).toMatchObject({ selector: { raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, marginal: 0.05, noData: 'fail', window: 'steady', warmupSeconds: 30, severity: 'error' });
    expect(p95?.pos).toEqual({ file: 'perf/thresholds.yml', line: 8, column: 23 });
    expect(p99?.expression).toMatchObject({ text: 'p(99) < 500', value: 500 });
    expect(p99?.pos).toEqual({ file: 'perf/thresholds.yml', line: 8, column: 36 });
    expect(rel).toMatchObject({
      selector: { raw: 'http_req_duration{tenant:*}', tags: [{ key: 'tenant', value: '*' }] },
      expression: { relative: 'percent', value: 10 },
      minChange: 5,
      severity: 'warn',
      window: 'all',
      warmupSeconds: 0,
      noData: 'pass',
      marginal: 0.2,
    });
    expect(rel?.pos.line).toBe(9);
  });

  it('reads scenarios with script, env as strings, window and warm-up', () => {
    expect(c.scenarios.map((s) => s.name)).toEqual(['smoke', 'target-capacity']);
    const [smoke, tc] = c.scenarios;
    expect(smoke).toMatchObject({ script: 'k6/smoke-test.ts', env: { PAGES: '5', DEBUG: 'true', NAME: 'x' }, rules: [] });
    expect(smoke?.pos).toMatchObject({ line: 11, column: 3 });
    expect(tc).toMatchObject({ window: 'all', warmupSeconds: 60 });
    expect(tc?.rules[0]).toMatchObject({ window: 'all', warmupSeconds: 60, expression: { text: 'rate>=500' } });
  });

  it('applies the documented defaults', () => {
    const d = loadConfig('t.yml', { text: 'version: 1\nthresholds:\n  checks: ["rate>0.99"]\n' });
    expect(d).toMatchObject({ marginal: 0.1, failOn: 'fail', noData: 'warn', window: 'all', warmupSeconds: 0, scenarios: [] });
    expect(d.utilization).toBeUndefined();
    expect(d.rules[0]).toMatchObject({ marginal: 0.1, noData: 'warn', window: 'all', warmupSeconds: 0, severity: 'error' });
  });

  it('reads the file from disk when no text is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-config-'));
    const file = join(dir, 'thresholds.yml');
    writeFileSync(file, 'version: 1\nthresholds:\n  http_req_failed: ["rate<0.02"]\n');
    expect(loadConfig(file).rules[0]?.expression.value).toBe(0.02);
    expect(() => loadConfig(join(dir, 'missing.yml'))).toThrow(/does not exist/);
  });

  it('accepts marginal as a fraction and warm-up as seconds', () => {
    const d = loadConfig('t.yml', { text: 'version: 1\nmarginal: 0.25\nwarmup: 12.5\n' });
    expect(d.marginal).toBe(0.25);
    expect(d.warmupSeconds).toBe(12.5);
  });
});

describe('loadConfig: every problem names file:line:column, what is wrong and what is allowed', () => {
  it('unknown top-level key, with the allowed keys and a did-you-mean', () => {
    const p = one('version: 1\nthreshold:\n  checks: ["rate>0.9"]\n');
    expect(p.where).toBe('perf/thresholds.yml:2:1');
    expect(p.message).toContain('unknown key `threshold` at the top level');
    expect(p.message).toContain('allowed: version, marginal, fail-on, no-data, window, warmup, thresholds, scenarios, utilization');
    expect(p.message).toContain('Did you mean `thresholds`?');
  });

  it('unknown key in a scenario and in an expression object', () => {
    const p = problems('version: 1\nscenarios:\n  smoke:\n    scrpt: a.ts\n    thresholds:\n      checks: [{ threshold: "rate>0.9", margnal: 5% }]\n');
    expect(p.map((x) => x.where)).toEqual(['perf/thresholds.yml:4:5', 'perf/thresholds.yml:6:41']);
    expect(p[0]?.message).toMatch(/unknown key `scrpt` in scenarios\.smoke; allowed: script, .*Did you mean `script`\?/);
    expect(p[1]?.message).toMatch(/unknown key `margnal` in scenarios\.smoke\.thresholds\.checks\[0\]; allowed: threshold, marginal, .*Did you mean `marginal`\?/);
  });

  it('unknown aggregation for the metric type', () => {
    const p = one('version: 1\nthresholds:\n  http_reqs: ["rate>=500", "p(95)<400"]\n');
    expect(p.where).toBe('perf/thresholds.yml:3:28');
    expect(p.message).toBe('http_reqs: `p(95)` is not an aggregation of http_reqs, a counter metric; allowed: count, rate');
  });

  it('gauge and rate aggregations follow k6', () => {
    expect(one('version: 1\nthresholds:\n  checks: ["avg>0.9"]\n').message).toContain('allowed: rate');
    expect(one('version: 1\nthresholds:\n  vus: ["p(90)<9"]\n').message).toContain('allowed: value, min, max');
    expect(one('version: 1\nthresholds:\n  http_req_waiting: ["rate<9"]\n').message).toContain('allowed: avg, min, max, med, p(N)');
    expect(loadConfig('t.yml', { text: 'version: 1\nthresholds:\n  vus: ["max<=50"]\n  my_custom: ["p(99)<1", "rate<1"]\n' }).rules).toHaveLength(3);
  });

  it('unparsable expression', () => {
    const p = one('version: 1\nthresholds:\n  http_req_duration:\n    - "p(99)<500"\n    - "p99 < 500"\n');
    expect(p.where).toBe('perf/thresholds.yml:5:7');
    expect(p.message).toContain('unknown aggregation `p99`');
    expect(p.message).toContain('Did you mean `p(99)`?');
  });

  it('bad percentage', () => {
    const p = one('version: 1\nmarginal: 150%\n');
    expect(p.where).toBe('perf/thresholds.yml:2:11');
    expect(p.message).toBe('marginal: expected a percentage from 0% to 100% (e.g. 10%), or a fraction from 0 to 1, got `150%`');
    expect(one('version: 1\nmarginal: 10\n').message).toContain('got `10`');
    expect(one('version: 1\nthresholds:\n  checks: [{ threshold: "rate>0.9", marginal: "x%" }]\n').where).toBe('perf/thresholds.yml:3:47');
  });

  it('wrong types', () => {
    const p = problems('version: 1\nthresholds:\n  checks: "rate>0.9"\n  http_reqs: [42]\nscenarios:\n  smoke:\n    env: { A: [1] }\n');
    expect(p.map((x) => x.where)).toEqual(['perf/thresholds.yml:3:11', 'perf/thresholds.yml:4:15', 'perf/thresholds.yml:7:15']);
    expect(p[0]?.message).toBe('thresholds.checks: expected a list of expressions, e.g. ["p(95)<400", "p(99)<500"], got `rate>0.9`');
    expect(p[1]?.message).toContain('thresholds.http_reqs[0]: expected an expression string such as "p(99)<500"');
    expect(p[2]?.message).toBe('scenarios.smoke.env.A: expected a string, number or boolean, got a list');
  });

  it('enumerations list what is allowed', () => {
    const p = one('version: 1\nfail-on: always\n');
    expect(p.where).toBe('perf/thresholds.yml:2:10');
    expect(p.message).toBe('`always` is not allowed for `fail-on`; allowed: fail, marginal.');
    expect(one('version: 1\nno-data: wrn\n').message).toContain('Did you mean `warn`?');
    expect(one('version: 1\nthresholds:\n  checks: [{ threshold: "rate>0.9", severity: info }]\n').message).toContain('allowed: error, warn');
  });

  it('version missing or wrong', () => {
    expect(one('thresholds: {}\n')).toMatchObject({ where: 'perf/thresholds.yml:1:1', message: 'the file is missing the required key `version`' });
    expect(one('version: 2\n')).toMatchObject({ where: 'perf/thresholds.yml:1:10', message: 'unsupported format version `2`; allowed: 1' });
  });

  it('bad metric keys', () => {
    const p = problems('version: 1\nthresholds:\n  "http_req_duration{endpoint}": ["p(99)<1"]\n  http-reqs: ["count>1"]\n');
    expect(p.map((x) => x.where)).toEqual(['perf/thresholds.yml:3:3', 'perf/thresholds.yml:4:3']);
    expect(p[0]?.message).toContain('`endpoint` is not `tag:value`');
    expect(p[1]?.message).toContain('not a valid k6 metric name');
  });

  it('warm-up, window and min-change problems', () => {
    const p = problems(
      'version: 1\nwarmup: soon\nwindow: ramp\nthresholds:\n  http_req_failed: [{ threshold: "rate<0.01", min-change: 0.001 }]\n  checks: [{ threshold: "rate>-0.01", min-change: 5ms }]\n',
    );
    expect(p.map((x) => x.where)).toEqual(['perf/thresholds.yml:2:9', 'perf/thresholds.yml:3:9', 'perf/thresholds.yml:5:47', 'perf/thresholds.yml:6:51']);
    expect(p[0]?.message).toContain('warmup: expected seconds (a non-negative number) or a duration such as 30s');
    expect(p[1]?.message).toContain('allowed: all, steady');
    expect(p[2]?.message).toContain('min-change applies only to a relative limit');
    expect(p[3]?.message).toContain('is a duration, but checks is not a time metric');
  });

  it('YAML syntax errors carry their position', () => {
    const p = one('version: 1\nthresholds:\n  checks: ["rate>0.9"\n');
    expect(p.where).toMatch(/^perf\/thresholds\.yml:\d+:\d+$/);
    expect(p.message).toMatch(/^YAML syntax: /);
    expect(one('version: 1\nversion: 1\n')).toMatchObject({ where: 'perf/thresholds.yml:2:1' });
  });

  it('an empty file or a non-map says what to start with', () => {
    expect(one('')).toMatchObject({ where: 'perf/thresholds.yml:1:1', message: 'the file is empty' });
    expect(one('- a\n').message).toContain('must be a map');
  });

  it('collects every problem, in file order, into one error message', () => {
    try {
      loadConfig('t.yml', { text: 'version: 3\nmarginal: 200%\nthresholds:\n  http_reqs: ["p(99)<1"]\n' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      const e = err as ConfigError;
      expect(e.problems.map((x) => x.where)).toEqual(['t.yml:1:10', 't.yml:2:11', 't.yml:4:15']);
      expect(e.message).toMatch(/^3 problems in t\.yml:\n {2}t\.yml:1:10: unsupported format version/);
      expect(e.message).toContain('\n  t.yml:4:15: http_reqs: `p(99)` is not an aggregation');
    }
  });

  it('a scenario name k6 would refuse', () => {
    expect(one('version: 1\nscenarios:\n  "target capacity":\n    script: a.ts\n')).toMatchObject({ where: 'perf/thresholds.yml:3:3' });
  });
});

describe('loadConfig: small forms', () => {
  it('a scenario with nothing under it is a scenario with defaults', () => {
    const c = loadConfig('t.yml', { text: 'version: 1\nscenarios:\n  smoke:\n' });
    expect(c.scenarios).toMatchObject([{ name: 'smoke', rules: [], env: {} }]);
  });

  it('version as a string says so', () => {
    expect(one('version: "1"\n').message).toBe('version must be the number 1, got the string "1"; allowed: 1');
  });

  it('an empty thresholds list entry says what a list needs', () => {
    const p = one('version: 1\nthresholds:\n  checks:\n');
    expect(p.where).toBe('perf/thresholds.yml:3:3');
    expect(p.message).toContain('expected a list of expressions');
    expect(p.message).toContain('got nothing (an empty value)');
  });
});

describe('loadConfig: YAML features', () => {
  it('anchors, aliases and merge keys work; an alias without its anchor is reported where it is', () => {
    const c = loadConfig('t.yml', { text: 'version: 1\nthresholds:\n  http_req_duration: &lat ["p(99)<500"]\n  trades_latency: *lat\n' });
    expect(c.rules.map((r) => `${r.selector.raw} ${r.expression.text}`)).toEqual(['http_req_duration p(99)<500', 'trades_latency p(99)<500']);
    const p = one('version: 1\nthresholds:\n  checks: *nothing\n');
    expect(p.where).toBe('perf/thresholds.yml:3:11');
    expect(p.message).toContain('nothing');
  });
});
