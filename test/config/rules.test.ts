import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ingestOptionsFor, rulesFor } from '../../src/config/rules.js';

const text = `version: 1
window: all
thresholds:
  http_req_duration: ["p(95)<400", "p(99)<500", "p(99)<+10%"]
  http_req_failed: ["rate<0.01"]
  "http_req_duration{endpoint:trades}": ["p(99)<500"]
  checks: [{ threshold: "rate>0.99", window: all, warmup: 5 }]
scenarios:
  smoke:
    script: k6/smoke-test.ts
  target-capacity:
    window: steady
    warmup: 20s
    thresholds:
      http_req_duration: ["p(99)<800"]
      "http_req_duration{ endpoint : trades }": ["p(99)<900"]
      http_reqs: ["rate>=500"]
      http_req_failed: ["rate<+0.005"]
`;
const c = loadConfig('thresholds.yml', { text });
const show = (scenario: string | undefined) => rulesFor(c, scenario).map((r) => `${r.selector.raw} ${r.expression.text}`);

describe('rulesFor', () => {
  it('gives the top-level rules to a scenario without its own', () => {
    expect(show('smoke')).toEqual(c.rules.map((r) => `${r.selector.raw} ${r.expression.text}`));
    expect(rulesFor(c, 'smoke')).toHaveLength(6);
  });

  it('gives the top-level rules only for an unknown or no scenario', () => {
    expect(show(undefined)).toEqual(show('smoke'));
    expect(show('nope')).toEqual(show('smoke'));
  });

  it('lets a scenario override the same key + aggregation + kind, and adds the rest', () => {
    expect(show('target-capacity')).toEqual([
      'http_req_duration p(95)<400',
      'http_req_duration p(99)<+10%',
      'http_req_failed rate<0.01',
      'checks rate>0.99',
      'http_req_duration p(99)<800',
      'http_req_duration{ endpoint : trades } p(99)<900',
      'http_reqs rate>=500',
      'http_req_failed rate<+0.005',
    ]);
  });

  it("applies the scenario's window and warm-up to inherited rules unless the expression set its own", () => {
    const rules = rulesFor(c, 'target-capacity');
    const p95 = rules.find((r) => r.expression.text === 'p(95)<400');
    const checks = rules.find((r) => r.selector.metric === 'checks');
    const own = rules.find((r) => r.expression.text === 'rate>=500');
    expect(p95).toMatchObject({ window: 'steady', warmupSeconds: 20 });
    expect(checks).toMatchObject({ window: 'all', warmupSeconds: 5 });
    expect(own).toMatchObject({ window: 'steady', warmupSeconds: 20 });
    // the config itself is not changed
    expect(c.rules[0]).toMatchObject({ window: 'all', warmupSeconds: 0 });
  });

  it('returns a new array each time (callers may push to it)', () => {
    const a = rulesFor(c, 'smoke');
    a.push(a[0]!);
    expect(rulesFor(c, 'smoke')).toHaveLength(6);
  });
});

describe('ingestion options per scenario', () => {
  const cfg = loadConfig('thresholds.yml', {
    text: `version: 1
thresholds:
  "http_req_duration{tenant:acme}": ["p(99)<500"]
scenarios:
  smoke:
    script: k6/smoke-test.ts
  deep:
    script: k6/smoke-test.ts
    thresholds:
      "http_req_waiting{tenant:*}": ["p(95)<300"]
      data_received: ["count<1000000"]
`,
  });

  it('indexes the tag keys the rules filter on and skips only the detail metrics no rule names', () => {
    const smoke = ingestOptionsFor(cfg, 'smoke');
    expect(smoke.tagKeys).toEqual(['tenant']);
    expect(smoke.skipMetrics).toEqual(expect.arrayContaining(['http_req_waiting', 'http_req_blocked', 'data_received']));
    expect(smoke.skipMetrics).not.toContain('http_req_duration');
    // always read: the run's start (for counters' rate over the whole run) comes from iteration starts
    expect(smoke.skipMetrics).not.toContain('iteration_duration');
    const deep = ingestOptionsFor(cfg, 'deep');
    expect(deep.skipMetrics).not.toContain('http_req_waiting');
    expect(deep.skipMetrics).not.toContain('data_received');
    expect(deep.skipMetrics).toContain('http_req_blocked');
    // results of an unknown scenario: the top-level rules only
    expect(ingestOptionsFor(cfg, 'other').skipMetrics).toEqual(smoke.skipMetrics);
  });
});
