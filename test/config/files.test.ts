import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../src/config/load.js';
import { rulesFor } from '../../src/config/rules.js';
import { schemaText } from '../../src/config/schema-file.js';
import { PRESET_NAMES } from '../../src/collectors/presets-list.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

describe('root thresholds.yml', () => {
  const c = loadConfig(root('thresholds.yml'));
  const texts = (scenario: string) => rulesFor(c, scenario).map((r) => `${r.selector.raw} ${r.expression.text}`);

  it('holds the report SLOs at the top level', () => {
    expect(c.rules.map((r) => `${r.selector.raw} ${r.expression.text}`)).toEqual(
      expect.arrayContaining(['http_req_duration p(95)<400', 'http_req_duration p(99)<500', 'http_req_failed rate<0.01']),
    );
    expect(c.rules.some((r) => r.selector.metric === 'checks')).toBe(true);
    expect(c).toMatchObject({ marginal: 0.1, failOn: 'fail' });
    expect(c.utilization).toBeUndefined();
  });

  it('has the three scenarios with their scripts', () => {
    expect(c.scenarios.map((s) => [s.name, s.script])).toEqual([
      ['smoke', 'k6/smoke-test.ts'],
      ['baseline', 'k6/baseline-test.ts'],
      ['target-capacity', 'k6/target-capacity-test.ts'],
    ]);
    for (const s of c.scenarios) expect(readFileSync(root(s.script!), 'utf8').length).toBeGreaterThan(0);
  });

  it('target capacity: throughput, availability, per-endpoint and per-tenant latency, custom trends, relative guard', () => {
    const t = texts('target-capacity');
    expect(t).toEqual(
      expect.arrayContaining([
        'http_reqs rate>=500',
        'availability rate>=0.999',
        'http_req_duration{endpoint:trades} p(99)<500',
        'http_req_duration{tenant:*} p(99)<500',
        'trades_latency p(99)<500',
        'positions_latency p(99)<500',
        'create_trade_latency p(99)<500',
        'signal_latency p(99)<500',
        'portfolio_latency p(99)<500',
        'errors rate<0.01',
        'http_req_duration p(99)<+10%',
      ]),
    );
    const guard = rulesFor(c, 'target-capacity').find((r) => r.expression.relative);
    expect(guard?.minChange).toBe(5);
  });
});

describe('examples/thresholds-utilization.yml', () => {
  it('loads, uses every preset and one custom PromQL metric, and judges them', () => {
    const c = loadConfig(root('examples/thresholds-utilization.yml'), { env: {} });
    const u = c.utilization!;
    expect(new Set(u.metrics.map((m) => m.preset).filter(Boolean))).toEqual(new Set(PRESET_NAMES));
    expect(u.metrics.filter((m) => m.prometheus !== undefined)).toHaveLength(1);
    expect(Object.keys(u.unavailable ?? {}).sort()).toEqual(['postgres', 'prometheus', 'redis']);
    const judged = new Set(c.rules.map((r) => r.selector.metric));
    for (const m of u.metrics) expect(judged.has(m.name)).toBe(true);
  });
});

describe('thresholds.schema.json', () => {
  it('equals a fresh generation from the zod schema (run `npm run schema` after changing it)', () => {
    expect(readFileSync(root('thresholds.schema.json'), 'utf8')).toBe(schemaText());
  });

  it('is referenced by the root thresholds.yml for editors', () => {
    expect(readFileSync(root('thresholds.yml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./thresholds.schema.json');
  });

  it('describes the top-level keys and forbids unknown ones', () => {
    const schema = JSON.parse(schemaText()) as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual(['version', 'marginal', 'fail-on', 'no-data', 'window', 'warmup', 'thresholds', 'scenarios', 'utilization', 'dashboards']);
    expect(schema.required).toEqual(['version']);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('thresholds.schema.json checks files as an editor would', () => {
  // zod reads the committed JSON Schema back, so the check uses the published file, not the zod source.
  const published = z.fromJSONSchema(JSON.parse(readFileSync(root('thresholds.schema.json'), 'utf8')));

  it('accepts the shipped files', () => {
    for (const f of ['thresholds.yml', 'examples/thresholds-utilization.yml']) {
      expect(published.safeParse(parse(readFileSync(root(f), 'utf8'))).success).toBe(true);
    }
  });

  it('rejects an unknown key, a bad percentage, a wrong version, a non-list threshold and an unknown preset', () => {
    const bad = [
      { version: 1, threshold: {} },
      { version: 1, marginal: '150%' },
      { version: 2 },
      { version: 1, thresholds: { checks: 'rate>0.9' } },
      { version: 1, utilization: { metrics: { x: { preset: 'k8s.gpu' } } } },
      { version: 1, scenarios: { s: { scrpt: 'a.ts' } } },
      { version: 1, thresholds: { 'http-req': ['count>1'] } },
      { version: 1, scenarios: { 'target capacity': {} } },
    ];
    for (const doc of bad) expect(published.safeParse(doc).success, JSON.stringify(doc)).toBe(false);
    expect(published.safeParse({ version: 1, warmup: '1m30s', thresholds: { checks: [{ threshold: 'rate>0.9', severity: 'warn' }] } }).success).toBe(true);
  });
});

describe('docs/thresholds.md', () => {
  it('shows the error output the loader really gives', () => {
    const doc = readFileSync(root('docs/thresholds.md'), 'utf8');
    const block = /## Errors[\s\S]*?```\n([\s\S]*?)```/.exec(doc)?.[1];
    const bad = 'version: 1\nmarginal: 150%\nthreshold:\n  checks: ["rate>0.99"]\nthresholds:\n  http_reqs: ["p(95)<400"]\n  http_req_duration: ["p99<500", "avg<300ms"]\nscenarios:\n  smoke:\n    scrpt: k6/smoke-test.ts\n';
    let message = '';
    try {
      loadConfig('thresholds.yml', { text: bad });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(block?.trimEnd()).toBe(message);
  });

  it('shows the multi-line and single-problem fixes the loader really gives', () => {
    const doc = readFileSync(root('docs/thresholds.md'), 'utf8');
    const block = /## Errors[\s\S]*?```\n[\s\S]*?```[\s\S]*?```\n([\s\S]*?)```/.exec(doc)?.[1];
    const files = [
      'version: 1\nthresholds: "http_req_duration p(95)<400"\n',
      'version: 1\nfail-on: warn\n',
      'version: 1\nthresholds:\n  http_req_duration: ["p(95)<400"]\n  http_req_failed: ["rate<0.01"]\n  http_req_duration: ["p(99)<500"]\n',
    ];
    const messages = files.map((text) => {
      try {
        loadConfig('thresholds.yml', { text });
      } catch (err) {
        return (err as Error).message;
      }
      return 'loaded without a problem';
    });
    expect(block?.trimEnd()).toBe(messages.join('\n\n'));
  });
});

describe('root thresholds.yml policies', () => {
  it('portfolio_latency p(99) uses the object form from the format example', () => {
    const c = loadConfig(root('thresholds.yml'));
    const r = rulesFor(c, 'target-capacity').find((x) => x.selector.raw === 'portfolio_latency' && x.expression.text === 'p(99)<500');
    expect(r).toMatchObject({ marginal: 0.05, noData: 'fail', severity: 'error' });
  });
});
