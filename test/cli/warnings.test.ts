// The pipeline's warnings (data quality, config) reach stderr as `perf-gate: warning: …`, with or
// without -q: quiet silences only the report on stdout.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { generateK6Text, loadTestSpec } from '../../src/k6/fixtures.js';

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), cwd, env: {} } };
}

let dir: string;
/** 1-based line number of the garbage line in garbage.ndjson. */
let garbageLine: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-cli-warn-'));
  const spec = loadTestSpec('smoke', 0.2);
  spec.seed = 7;
  const lines = generateK6Text(spec).text.split('\n');
  const at = Math.floor(lines.length / 2);
  lines.splice(at, 0, 'this is not k6 JSON');
  garbageLine = at + 1;
  writeFileSync(join(dir, 'garbage.ndjson'), lines.join('\n'));
  writeFileSync(join(dir, 'clean.ndjson'), generateK6Text(spec).text);
  writeFileSync(join(dir, 'thresholds.yml'), 'version: 1\nthresholds:\n  http_req_duration: ["p(99)<100000"]\n');
});

describe('perf-gate evaluate, warnings', () => {
  it.each([[['-q']], [[]]])('names a skipped garbage line on stderr (%j)', async (extra) => {
    const t = io(dir);
    const code = await main(['evaluate', '--results', 'garbage.ndjson', ...extra], t.io);
    expect(code).toBe(0);
    const warnings = t.err.join('').split('\n').filter((l) => l.startsWith('perf-gate: warning: '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`garbage\\.ndjson:${garbageLine}\\b`));
    if (extra.length > 0) expect(t.out.join('')).toBe('');
    else expect(t.out.join('')).toContain('| `http_req_duration` |');
  });

  it('prints none for clean results', async () => {
    const t = io(dir);
    expect(await main(['evaluate', '--results', 'clean.ndjson', '-q'], t.io)).toBe(0);
    expect(t.err.join('')).not.toContain('warning');
  });
});

describe('perf-gate evaluate, a tag filter no sample matches', () => {
  it('a tag key no sample carries is named with its likely spelling: as a warning (a counter would read 0 and pass) and in the no-data reason', async () => {
    writeFileSync(
      join(dir, 'typo.yml'),
      'version: 1\nthresholds:\n  "http_req_duration{endpont:trades}": ["p(99)<500"]\n  "http_req_failed{endpont:trades}": ["rate<0.01"]\n  "http_reqs{status:503}": ["count<1"]\n  "http_req_duration{tenant:acmee}": ["p(99)<100000"]\n',
    );
    const t = io(dir);
    const json = join(dir, 'typo.json');
    expect(await main(['evaluate', '--thresholds', 'typo.yml', '--results', 'clean.ndjson', '-q', '--json', json], t.io)).toBe(0);
    const warnings = t.err.join('').split('\n').filter((l) => l.startsWith('perf-gate: warning: '));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^perf-gate: warning: typo\.yml:3:\d+: `http_req_duration\{endpont:trades\}` in smoke: no sample of http_req_duration has the tag `endpont` \(its tags: [^)]*\bendpoint\b[^)]*\)\. Did you mean `endpoint`\?$/);
    expect(warnings[1]).toMatch(/^perf-gate: warning: typo\.yml:4:\d+: `http_req_failed\{endpont:trades\}` in smoke: no sample of http_req_failed has the tag `endpont`/);
    // "no 503s" (a value never seen) is a legitimate zero, not a typo: no warning for it
    expect(t.err.join('')).not.toContain('503');
    const report = JSON.parse((await import('node:fs')).readFileSync(json, 'utf8')) as { criteria: { metric: string; reason: string | null }[] };
    const tenant = report.criteria.find((c) => c.metric === 'http_req_duration{tenant:acmee}')!;
    expect(tenant.reason).toMatch(/no sample of http_req_duration has tenant=acmee \(values seen: .*\bacme\b.*\)\. Did you mean `acme`\?$/);
  });
});

describe('perf-gate evaluate, an aggregation a custom metric does not have', () => {
  it('is a warning at the rule\'s line (its type is known only from the results), and the limit is shown as written', async () => {
    writeFileSync(join(dir, 'misfit.yml'), 'version: 1\nthresholds:\n  portfolio_latency: ["count>1"]\n  errors: ["p(95)<1"]\n');
    const t = io(dir);
    const json = join(dir, 'misfit.json');
    const markdown = join(dir, 'misfit.md');
    expect(await main(['evaluate', '--thresholds', 'misfit.yml', '--results', 'clean.ndjson', '-q', '--json', json, '--markdown', markdown], t.io)).toBe(0);
    const warnings = t.err.join('').split('\n').filter((l) => l.startsWith('perf-gate: warning: '));
    expect(warnings).toEqual([
      'perf-gate: warning: misfit.yml:3:23: `count>1` on `portfolio_latency` in smoke: a trend metric has only avg, min, max, med, p(N) (k6 rejects the rule; it reads no data)',
      'perf-gate: warning: misfit.yml:4:12: `p(95)<1` on `errors` in smoke: a rate metric has only rate (k6 rejects the rule; it reads no data)',
    ]);
    const report = JSON.parse((await import('node:fs')).readFileSync(json, 'utf8')) as { criteria: { metric: string; status: string; limit: number }[] };
    expect(report.criteria.map((c) => [c.metric, c.status])).toEqual([
      ['portfolio_latency', 'no-data'],
      ['errors', 'no-data'],
    ]);
    // the limit as written (a rate metric's limits are shares only for `rate`)
    const md = (await import('node:fs')).readFileSync(markdown, 'utf8');
    expect(md).toMatch(/\| `errors` \| p\(95\) < 1 \| — \|/);
    expect(md).toContain('`p(95)` is not an aggregation of a rate metric (k6 rejects it) (limit 1)');
    expect(md).not.toContain('p(95) < 100.00%');
  });
});

describe('perf-gate evaluate, utilization notes', () => {
  it('each is a warning once (the collector only informs; the face warns with the data-quality problems)', async () => {
    writeFileSync(
      join(dir, 'util.yml'),
      'version: 1\nutilization:\n  sources:\n    postgres: { url: "${DATABASE_URL}" }\n  metrics:\n    pg_conn: { preset: postgres.connections }\nthresholds:\n  pg_conn: ["max<100"]\n',
    );
    const t = io(dir);
    expect(await main(['evaluate', '--thresholds', 'util.yml', '--results', 'clean.ndjson', '-q'], t.io)).toBe(0);
    const err = t.err.join('');
    const warnings = err.split('\n').filter((l) => /^\s*(perf-gate: )?warning: /.test(l));
    expect(warnings.filter((w) => w.includes('DATABASE_URL is not set'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('slow queries'))).toHaveLength(1);
  });
});

describe('perf-gate evaluate, nothing to judge', () => {
  it('an approval without a single criterion is a warning, and the report does not call it ready to merge', async () => {
    writeFileSync(join(dir, 'none.yml'), 'version: 1\n');
    const t = io(dir);
    expect(await main(['evaluate', '--thresholds', 'none.yml', '--results', 'clean.ndjson'], t.io)).toBe(0);
    expect(t.err.join('')).toContain('perf-gate: warning: no criteria apply to smoke: nothing there is judged');
    const md = t.out.join('');
    expect(md).toContain('**Recommendation**: Nothing was judged: thresholds.yml sets no criteria for these scenarios');
    expect(md).not.toContain('Ready to merge');
  });
});
