// Through the real ingestion: k6 `--out json` fixtures written with the k6 line writers, and the real
// sample run, evaluated and reported.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import type { Results } from '../../src/model.js';
import { baselineFromJsonReport, toJsonReport } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { percentile } from '../support/fake-results.js';
import { config, rule } from './rules.js';
import { T0, TENANTS, writeFixture, type Written } from './k6-fixture.js';

let dir: string;
let written: Written;
let results: Results;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-eval-'));
  written = writeFixture(join(dir, 'run.json'));
  results = await ingestFiles([join(dir, 'run.json')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('evaluate over ingested k6 output', () => {
  it('wildcard over 5 tenants: one row each, only the slow tenant fails, with k6 percentiles', () => {
    const ev = evaluate({ config: config(), scenarios: [{ name: 'target-capacity', results, rules: [rule('http_req_duration{tenant:*}', 'p(99)<1000'), rule('http_req_duration{tenant:*}', 'p(50)<500', { window: 'steady' })] }] });
    const cs = ev.scenarios[0]!.criteria;
    expect(cs.map((c) => c.metric)).toEqual([...TENANTS, ...TENANTS].map((t) => `http_req_duration{tenant:${t}}`));
    for (const c of cs.slice(0, 5)) {
      const tenant = c.metric.slice('http_req_duration{tenant:'.length, -1);
      expect(c.actual!).toBeCloseTo(percentile(sorted(written.byTenant[tenant]!), 99), 1);
    }
    const steadyFails = cs.slice(5).filter((c) => c.status === 'fail').map((c) => c.metric);
    expect(steadyFails).toEqual(['http_req_duration{tenant:umbrella}']);
    expect(ev.verdict).toBe('NOT_APPROVED');
  });

  it('window: steady excludes the ramps (from the vus series); warm-up trims the start', () => {
    const all = evaluate({ config: config(), scenarios: [{ name: 's', results, rules: [rule('http_req_duration', 'p(90)<800')] }] });
    expect(all.scenarios[0]!.criteria[0]!.status).toBe('fail');
    const steady = evaluate({ config: config({ window: 'steady' }), scenarios: [{ name: 's', results, rules: [rule('http_req_duration', 'p(90)<800', { window: 'steady' })] }] });
    const c = steady.scenarios[0]!.criteria[0]!;
    expect(c.actual!).toBeCloseTo(percentile(sorted(written.steadyDurations), 90), 1);
    expect(c.status).toBe('pass');
    expect(steady.scenarios[0]!.window).toEqual({ start: Number(T0) + 10_000, end: Number(T0) + 50_000 });
    const warm = evaluate({ config: config(), scenarios: [{ name: 's', results, rules: [rule('http_req_duration', 'min<100', { warmupSeconds: 10 })] }] });
    expect(warm.scenarios[0]!.criteria[0]!.status).toBe('pass');
  });

  it('availability, error rate and throughput with their units', () => {
    const ev = evaluate({
      config: config(),
      scenarios: [{ name: 's', results, rules: [rule('availability', 'rate>=0.999'), rule('http_req_failed', 'rate<0.01'), rule('http_reqs', 'rate>=5'), rule('http_reqs', 'count==600')] }],
    });
    const [avail, failed, rps, count] = ev.scenarios[0]!.criteria;
    const bad = written.statuses.filter((s) => s >= 500).length;
    expect(avail).toMatchObject({ unit: 'ratio', status: 'fail' });
    expect(avail!.actual).toBeCloseTo(1 - bad / 600, 12);
    expect(failed).toMatchObject({ unit: 'ratio', status: 'pass' });
    expect(rps!.unit).toBe('per-second');
    expect(rps!.actual!).toBeGreaterThan(9.5);
    expect(rps!.actual!).toBeLessThan(10.5);
    expect(count).toMatchObject({ unit: 'count', actual: 600, status: 'pass' });
  });

  it('report and JSON round trip: the next run compares against this one', () => {
    const rules = [rule('http_req_duration', 'p(99)<1000'), rule('http_req_duration{endpoint:*}', 'p(95)<2000')];
    const ev = evaluate({ config: config(), scenarios: [{ name: 'target-capacity', results, rules }] });
    const md = renderMarkdown({ evaluation: ev, results: { 'target-capacity': results } });
    expect(md).toContain('`endpoint:trades`');
    expect(md).toMatch(/http_reqs\.+: 600 {2}\S+ req\/s/);
    const json = JSON.parse(JSON.stringify(toJsonReport(ev, { results: { 'target-capacity': results } })));
    const baseline = baselineFromJsonReport(json, 'previous.json');
    const next = evaluate({ config: config(), scenarios: [{ name: 'target-capacity', results, baseline, rules: [rule('http_req_duration', 'p(99)<+10%'), rule('http_req_duration{endpoint:*}', 'p(95)<+5%')] }] });
    expect(next.scenarios[0]!.criteria.map((c) => [c.status, c.delta])).toEqual([
      ['pass', 0],
      ['pass', 0],
      ['pass', 0],
      ['pass', 0],
    ]);
    expect(next.verdict).toBe('APPROVED');
  });
});

describe('the real sample run (contacts-20s)', () => {
  const sample = '/work/shared/k6-samples/contacts-20s.ndjson.gz';

  it("p(99) of http_req_duration is k6's definition over its values, and the report renders", async () => {
    const r = await ingestFiles([sample]);
    const values: number[] = [];
    for (const line of gunzipSync(readFileSync(sample)).toString('utf8').split('\n')) {
      if (!line.includes('"Point"') || !line.includes('"http_req_duration"')) continue;
      const o = JSON.parse(line) as { metric: string; data: { value: number } };
      if (o.metric === 'http_req_duration') values.push(o.data.value);
    }
    expect(values.length).toBe(322);
    const expected = percentile(sorted(values), 99);
    const ev = evaluate({ config: config(), scenarios: [{ name: 'contacts', results: r, rules: [rule('http_req_duration', `p(99)<${Math.ceil(expected) + 1000}`), rule('checks', 'rate>=0.5')] }] });
    const c = ev.scenarios[0]!.criteria[0]!;
    expect(Math.abs(c.actual! - expected) / expected).toBeLessThan(0.001);
    expect(c.status).toBe('pass');
    const md = renderMarkdown({ evaluation: ev, results: { contacts: r } });
    expect(md).toContain('### 2.1 contacts');
    expect(md).toMatch(/http_req_duration\.+: avg=/);
  });
});
