// Through the real stages: thresholds.yml read by loadConfig, rules from rulesFor, k6 output read by
// ingestFiles, then evaluate and the reports.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, rulesFor } from '../../src/config/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import type { Results } from '../../src/model.js';
import { fitMarkdown } from '../../src/report/fit.js';
import { baselineFromJsonReport, toJsonReport } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { T0, writeFixture } from './k6-fixture.js';

const THRESHOLDS = `version: 1
marginal: 10%
fail-on: fail
no-data: warn
window: all
thresholds:
  http_req_duration: ["p(95)<1000", "p(99)<1200"]
  http_req_failed: ["rate<0.01"]
scenarios:
  target-capacity:
    thresholds:
      availability: ["rate>=0.99"]
      http_reqs: [{ threshold: "rate>=9", window: steady }]
      "http_req_duration{tenant:*}": [{ threshold: "p(99)<500", window: steady }]
      "http_req_duration{endpoint:trades}": [{ threshold: "p(95)<100", severity: warn }]
      portfolio_latency: [{ threshold: "p(99)<500", no-data: fail }]
      signal_latency: [{ threshold: "p(99)<500", no-data: pass }]
      http_req_duration:
        - { threshold: "p(99)<+10%", min-change: 5ms, no-data: pass }
`;

let dir: string;
let results: Results;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-config-'));
  writeFixture(join(dir, 'run.json'));
  results = await ingestFiles([join(dir, 'run.json')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('thresholds.yml → evaluate', () => {
  it('applies top-level and scenario rules with their policies', () => {
    const config = loadConfig('thresholds.yml', { text: THRESHOLDS });
    const rules = rulesFor(config, 'target-capacity');
    const ev = evaluate({ config, scenarios: [{ name: 'target-capacity', rules, results, baseline: { missing: 'first run on this branch' } }] });
    const by = (metric: string, expression: string) => {
      const c = ev.scenarios[0]!.criteria.find((x) => x.metric === metric && x.expression === expression);
      if (!c) throw new Error(`no criterion ${metric} ${expression}: ${ev.scenarios[0]!.criteria.map((x) => `${x.metric} ${x.expression}`).join(', ')}`);
      return c;
    };
    // the ramps are slow (900+ ms): the whole-run p(99) is above 900 but under 1200
    expect(by('http_req_duration', 'p(99)<1200').status).toMatch(/pass|marginal/);
    expect(by('http_req_failed', 'rate<0.01')).toMatchObject({ status: 'pass', unit: 'ratio' });
    expect(by('availability', 'rate>=0.99')).toMatchObject({ unit: 'ratio' });
    expect(by('http_reqs', 'rate>=9').window).toEqual({ start: Number(T0) + 10_000, end: Number(T0) + 50_000 });
    const tenants = ev.scenarios[0]!.criteria.filter((c) => c.metric.startsWith('http_req_duration{tenant:'));
    expect(tenants).toHaveLength(5);
    expect(tenants.filter((c) => c.status === 'fail').map((c) => c.metric)).toEqual(['http_req_duration{tenant:umbrella}']);
    expect(by('http_req_duration{endpoint:trades}', 'p(95)<100')).toMatchObject({ status: 'fail', severity: 'warn', blocking: false });
    expect(by('portfolio_latency', 'p(99)<500')).toMatchObject({ status: 'no-data', blocking: true, noData: 'fail' });
    expect(by('signal_latency', 'p(99)<500')).toMatchObject({ status: 'no-data', blocking: false, noData: 'pass' });
    const rel = by('http_req_duration', 'p(99)<+10%');
    expect(rel).toMatchObject({ status: 'no-data', kind: 'relative', blocking: false });
    expect(rel.reason).toContain('first run on this branch');
    expect(ev.verdict).toBe('NOT_APPROVED');
  });

  it('the relative rule through a baseline written by the previous run, with the min-change floor', () => {
    const config = loadConfig('thresholds.yml', { text: THRESHOLDS });
    const rules = rulesFor(config, 'target-capacity');
    const first = evaluate({ config, scenarios: [{ name: 'target-capacity', rules, results }] });
    const json = toJsonReport(first, { results: { 'target-capacity': results } });
    const p99 = json.measurements['target-capacity|http_req_duration|p(99)']!;
    expect(p99).toBeGreaterThan(900);

    const relative = (base: number) => {
      const baseline = baselineFromJsonReport({ ...json, measurements: { ...json.measurements, 'target-capacity|http_req_duration|p(99)': base } }, 'prev.json');
      const ev = evaluate({ config, scenarios: [{ name: 'target-capacity', rules, results, baseline }] });
      return ev.scenarios[0]!.criteria.find((c) => c.expression === 'p(99)<+10%')!;
    };
    expect(relative(p99).status).toBe('pass'); // no change
    expect(relative(p99 - 3).status).toBe('pass'); // +0.3%, and under the 5 ms floor
    expect(relative(p99 / 1.05).status).toBe('pass'); // +5%
    expect(relative(p99 / 1.095).status).toBe('marginal'); // +9.5%
    expect(relative(p99 / 1.2).status).toBe('fail'); // +20%
    expect(relative(p99 * 1.3).status).toBe('pass'); // an improvement
    const floored = relative(p99 - 3);
    expect(floored.delta).toBeCloseTo(3, 9);
    expect(floored.reason).toMatch(/below the minimum change 5 ms/);
    expect(relative(p99 - 6).reason).toBeUndefined();
  });

  it('an unknown scenario gets the top-level rules; the report renders and fits', () => {
    const config = loadConfig('thresholds.yml', { text: THRESHOLDS });
    const rules = rulesFor(config, 'nightly');
    expect(rules.map((r) => r.selector.raw)).toEqual(['http_req_duration', 'http_req_duration', 'http_req_failed']);
    const ev = evaluate({ config, scenarios: [{ name: 'nightly', rules, results, notes: ['no scenario named nightly in thresholds.yml: only the top-level thresholds apply'] }] });
    const input = { evaluation: ev, results: { nightly: results } };
    const md = renderMarkdown(input);
    expect(md).toContain('only the top-level thresholds apply');
    expect(fitMarkdown(input, 3000, 'see the job summary').length).toBeLessThanOrEqual(3000);
  });
});

describe('the root thresholds.yml over the example runs', () => {
  it('evaluates both scenarios of the load-testing report and renders every criterion', async () => {
    const config = loadConfig('thresholds.yml');
    const scenarios = [];
    const all: Record<string, Results> = {};
    for (const name of ['baseline', 'target-capacity']) {
      const r = await ingestFiles([`examples/runs/${name}.ndjson.gz`]);
      all[name] = r;
      scenarios.push({ name, rules: rulesFor(config, name), results: r, baseline: { missing: 'no baseline for the example' } as const });
    }
    const ev = evaluate({ config, scenarios });
    for (const s of ev.scenarios) {
      expect(s.criteria.length).toBeGreaterThanOrEqual(rulesFor(config, s.name).length);
      for (const c of s.criteria) {
        if (c.kind !== 'relative') expect(c.status === 'no-data' ? c.reason : c.actual).toBeDefined();
      }
    }
    const md = renderMarkdown({ evaluation: ev, results: all });
    for (const s of ev.scenarios) for (const c of s.criteria) expect(md).toContain(c.metric.replace(/\|/g, '\\|'));
    const comment = fitMarkdown({ evaluation: ev, results: all }, 65_536, 'full report in the job summary');
    expect(comment.length).toBeLessThanOrEqual(65_536);
    const json = toJsonReport(ev, { results: all });
    expect(json.criteria.length).toBe(ev.scenarios.reduce((n, s) => n + s.criteria.length, 0));
  });
});
