// `perf-gate evaluate` end to end through the real pipeline: generated k6 output in k6's exact format
// with known answers, the JSON report contract, exit codes 0 / 1 / 2.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { samplePath } from '../helpers/sample.js';
import { loadTestSpec, writeK6Fixture, type FixtureAnswers } from '../../src/k6/fixtures.js';

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), cwd, env: {} } };
}

interface JsonCriterion {
  scenario: string;
  metric: string;
  expression: string;
  actual: number | null;
  status: string;
}

let dir: string;
let answers: FixtureAnswers;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-cli-'));
  const spec = loadTestSpec('smoke', 0.5);
  spec.seed = 11;
  const written = await writeK6Fixture(spec, join(dir, 'smoke.ndjson.gz'));
  answers = written.answers!;
});

function thresholds(p99Limit: number, extra = ''): string {
  const file = join(dir, `t-${p99Limit}-${extra.length}.yml`);
  writeFileSync(
    file,
    `version: 1
thresholds:
  http_req_duration: ["p(95)<100000", "p(99)<${p99Limit}"]
scenarios:
  smoke:
    thresholds:
      "http_req_duration{tenant:*}": ["p(99)<100000"]
${extra}`,
  );
  return file;
}

describe('perf-gate evaluate', () => {
  it('passes (exit 0) and writes the JSON contract with k6-exact percentiles', async () => {
    const t = io(dir);
    const json = join(dir, 'pass.json');
    const code = await main(['evaluate', '--thresholds', thresholds(100000), '--results', join(dir, 'smoke.ndjson.gz'), '--json', json], t.io);
    expect(t.err.join('')).toContain('APPROVED');
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { verdict: string; criteria: JsonCriterion[] };
    expect(report.verdict).toBe('APPROVED');
    const p99 = report.criteria.find((c) => c.metric === 'http_req_duration' && c.expression === 'p(99)<100000')!;
    expect(p99.scenario).toBe('smoke');
    expect(Math.abs(p99.actual! - answers.trends.http_req_duration!.p99) / answers.trends.http_req_duration!.p99).toBeLessThan(0.001);
    // The wildcard expands to one row per tenant seen in the run.
    const tenants = report.criteria.filter((c) => c.metric.startsWith('http_req_duration{tenant:')).map((c) => c.metric);
    expect(tenants.sort()).toEqual(answers.tagValues.tenant.map((v) => `http_req_duration{tenant:${v}}`).sort());
    expect(t.out.join('')).toContain('| `http_req_duration` |');
  });

  it('fails (exit 1) when a limit is below the measured p99, naming the criterion', async () => {
    const t = io(dir);
    const limit = Math.floor(answers.trends.http_req_duration!.p99 * 0.8);
    const code = await main(['evaluate', '--thresholds', thresholds(limit), '--results', join(dir, 'smoke.ndjson.gz'), '-q'], t.io);
    expect(code).toBe(1);
    // one failing criterion, with its actual and limit in the metric's unit (not a raw float)
    expect(t.err.join('')).toContain('NOT APPROVED — 1 criterion failed:');
    expect(t.err.join('')).toMatch(new RegExp(`smoke: http_req_duration p\\(99\\)<${limit} — [\\d.,]+ ms, limit ${limit} ms\\n`));
    expect(t.out.join('')).toBe('');
  });

  it('expands globs and notes a results scenario that thresholds.yml does not name', async () => {
    const t = io(dir);
    const file = join(dir, 'other.yml');
    writeFileSync(file, 'version: 1\nthresholds:\n  http_req_failed: ["rate<0.5"]\nscenarios:\n  baseline: {}\n');
    const code = await main(['evaluate', '--thresholds', file, '--results', '*.ndjson.gz'], t.io);
    expect(code).toBe(0);
    expect(t.out.join('')).toMatch(/no scenario named 'smoke'/);
  });

  it('a glob reaches into dot-directories, as the Action\'s results input does', async () => {
    const t = io(dir);
    // actions/download-artifact keeps the artifact's layout: here a hidden directory inside it
    mkdirSync(join(dir, 'perf-results', '.shard-1'), { recursive: true });
    copyFileSync(join(dir, 'smoke.ndjson.gz'), join(dir, 'perf-results', '.shard-1', 'smoke.ndjson.gz'));
    const json = join(dir, 'dot.json');
    const code = await main(['evaluate', '--thresholds', thresholds(100000), '--results', 'perf-results/**/*.ndjson.gz', '--json', json], t.io);
    expect(t.err.join('')).not.toContain('matches no file');
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { criteria: JsonCriterion[] };
    const p99 = report.criteria.find((c) => c.metric === 'http_req_duration' && c.expression.startsWith('p(99)'))!;
    expect(Math.abs(p99.actual! - answers.trends.http_req_duration!.p99) / answers.trends.http_req_duration!.p99).toBeLessThan(0.001);
  });

  it('says when one file holds several k6 scenarios, all judged under the first one\'s name', async () => {
    // the real sample's samples twice: as k6 scenario "contacts" and as "checkout" (one script, two scenarios)
    const sample = gunzipSync(readFileSync(samplePath('contacts-20s.ndjson.gz'))).toString('utf8');
    const points = sample.split('\n').filter((l) => l.includes('"type":"Point"'));
    const two = join(dir, 'two-scenarios.ndjson');
    writeFileSync(two, `${sample}${points.map((l) => l.replace('"scenario":"contacts"', '"scenario":"checkout"')).join('\n')}\n`);
    const json = join(dir, 'two.json');
    const t = io(dir);
    expect(await main(['evaluate', '--thresholds', thresholds(100000), '--results', two, '--json', json], t.io)).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { scenarios: { name: string; notes: string[] }[] };
    expect(report.scenarios.map((x) => x.name)).toEqual(['contacts']);
    expect(report.scenarios[0]!.notes.join('\n')).toContain('the results hold samples of 2 k6 scenarios (`checkout`, `contacts`), judged together as `contacts`');
    // one k6 scenario: no such note
    const single = join(dir, 'one.json');
    expect(await main(['evaluate', '--thresholds', thresholds(100000), '--results', samplePath('contacts-20s.ndjson.gz'), '--json', single], io(dir).io)).toBe(0);
    expect((JSON.parse(readFileSync(single, 'utf8')) as { scenarios: { notes: string[] }[] }).scenarios[0]!.notes.join('\n')).not.toContain('k6 scenarios');
  });

  it('exits 2 on a bad thresholds file, naming file:line:column', async () => {
    const t = io(dir);
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'version: 1\nthresholds:\n  http_req_duration: ["p(99)<<500"]\n');
    const code = await main(['evaluate', '--thresholds', file, '--results', join(dir, 'smoke.ndjson.gz')], t.io);
    expect(code).toBe(2);
    expect(t.err.join('')).toMatch(/bad\.yml:3:\d+/);
  });

  it('names the thresholds file as it was given, relative to the working directory', async () => {
    writeFileSync(join(dir, 'rel-bad.yml'), 'version: 1\nthresholds:\n  http_req_duration: ["p(99)<<500"]\n');
    const t = io(dir);
    expect(await main(['evaluate', '--thresholds', 'rel-bad.yml', '--results', 'smoke.ndjson.gz'], t.io)).toBe(2);
    expect(t.err.join('')).toMatch(/(^|\s)rel-bad\.yml:3:\d+/);
    expect(t.err.join('')).not.toContain(dir);
    const missing = io(dir);
    expect(await main(['evaluate', '--thresholds', 'nope.yml', '--results', 'smoke.ndjson.gz'], missing.io)).toBe(2);
    expect(missing.err.join('')).toContain('the thresholds file nope.yml does not exist');
    // a failing criterion's position names it the same way
    writeFileSync(join(dir, 'rel-fail.yml'), 'version: 1\nthresholds:\n  http_req_duration: ["p(99)<1"]\n');
    const f = io(dir);
    const json = join(dir, 'rel-fail.json');
    expect(await main(['evaluate', '--thresholds', 'rel-fail.yml', '--results', 'smoke.ndjson.gz', '--json', json], f.io)).toBe(1);
    expect(readFileSync(json, 'utf8')).not.toContain(dir);
  });

  it('exits 2 on usage errors and unreadable results', async () => {
    const t = io(dir);
    expect(await main(['evaluate', '--thresholds', thresholds(1000)], t.io)).toBe(2);
    expect(t.err.join('')).toContain('--results');
    const u = io(dir);
    expect(await main(['evaluate', '--thresholds', thresholds(1000), '--results', join(dir, 'missing.ndjson')], u.io)).toBe(2);
    expect(u.err.join('')).toContain('missing.ndjson');
    const v = io(dir);
    expect(await main(['evaluate', '--bogus'], v.io)).toBe(2);
  });

  it('compares with a --baseline report written earlier by --json', async () => {
    const base = join(dir, 'base.json');
    const t0 = io(dir);
    const file = thresholds(100000, '      http_req_duration: [{ threshold: "p(99)<+10%" }]\n');
    expect(await main(['evaluate', '--thresholds', file, '--results', join(dir, 'smoke.ndjson.gz'), '--json', base, '-q'], t0.io)).toBe(0);
    const first = JSON.parse(readFileSync(base, 'utf8')) as { criteria: JsonCriterion[] };
    expect(first.criteria.find((c) => c.expression === 'p(99)<+10%')!.status).toBe('no-data');
    const t = io(dir);
    const json = join(dir, 'cmp.json');
    expect(await main(['evaluate', '--thresholds', file, '--results', join(dir, 'smoke.ndjson.gz'), '--baseline', base, '--json', json, '-q'], t.io)).toBe(0);
    const rel = (JSON.parse(readFileSync(json, 'utf8')) as { criteria: (JsonCriterion & { baseline: number; delta: number })[] }).criteria.find(
      (c) => c.expression === 'p(99)<+10%',
    )!;
    expect(rel.status).toBe('pass');
    expect(rel.baseline).toBeCloseTo(rel.actual!, 6);
    expect(rel.delta).toBeCloseTo(0, 6);
  });
});

describe('perf-gate evaluate, a metric the run never wrote', () => {
  it('is no-data with the closest metric name the run did write', async () => {
    const file = join(dir, 'typo.yml');
    writeFileSync(file, 'version: 1\nthresholds:\n  http_reqz: ["count>0"]\n');
    const json = join(dir, 'typo.json');
    const t = io(dir);
    expect(await main(['evaluate', '--thresholds', file, '--results', join(dir, 'smoke.ndjson.gz'), '--json', json, '-q'], t.io)).toBe(0);
    const c = (JSON.parse(readFileSync(json, 'utf8')) as { criteria: (JsonCriterion & { reason: string })[] }).criteria[0]!;
    expect(c.status).toBe('no-data');
    expect(c.reason).toContain('Did you mean `http_reqs`?');
  });
});
