// `perf-gate evaluate --baseline FILE` with a file that is not a baseline report: exit code 2 and a
// message naming the file (and the line and column of a JSON syntax error), what is wrong in plain
// words and the fix; never Node's or the parser's wording, "undefined" or a stack trace.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { loadTestSpec, writeK6Fixture } from '../../src/k6/fixtures.js';

let dir: string;
let thresholds: string;
let results: string;
/** A report written by `--json`, pretty-printed as perf-gate writes it. */
let report: string;

async function evaluate(baseline: string): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(['evaluate', '--thresholds', thresholds, '--results', results, '--baseline', baseline, '-q'], {
    stdout: () => undefined,
    stderr: (s) => void err.push(s),
    cwd: dir,
    env: {},
  });
  return { code, err: err.join('') };
}

/** Plain words only: none of Node's error codes, JSON.parse's or zod's wording, "undefined" or a stack frame. */
function expectPlain(err: string): void {
  expect(err).not.toMatch(/ENOENT|EISDIR|illegal operation|no such file|undefined|Invalid input|Unexpected|at position|received|\n\s+at /);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-cli-baseline-'));
  const spec = loadTestSpec('smoke', 0.5);
  spec.seed = 5;
  results = join(dir, 'run.ndjson.gz');
  await writeK6Fixture(spec, results);
  thresholds = join(dir, 'thresholds.yml');
  writeFileSync(thresholds, 'version: 1\nthresholds:\n  http_req_duration: ["p(99)<100000"]\nscenarios:\n  smoke:\n    thresholds:\n      http_req_duration: [{ threshold: "p(99)<+10%" }]\n');
  const err: string[] = [];
  const code = await main(['evaluate', '--thresholds', thresholds, '--results', results, '--json', join(dir, 'base.json'), '-q'], { stdout: () => undefined, stderr: (s) => void err.push(s), cwd: dir, env: {} });
  expect(code, err.join('')).toBe(0);
  report = readFileSync(join(dir, 'base.json'), 'utf8');
});

describe('perf-gate evaluate --baseline FILE', () => {
  it('a valid report is read, also with a UTF-8 byte order mark', async () => {
    writeFileSync(join(dir, 'bom.json'), `\uFEFF${report}`);
    const r = await evaluate('bom.json');
    expect(r.err).not.toContain('bom.json');
    expect(r.code).toBe(0);
  });

  it('a report with `measurements` deleted: which field is missing, why, and the fix', async () => {
    const value = JSON.parse(report) as Record<string, unknown>;
    delete value.measurements;
    writeFileSync(join(dir, 'no-measurements.json'), JSON.stringify(value, null, 2));
    const r = await evaluate('no-measurements.json');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'perf-gate: no-measurements.json: not a perf-gate JSON report: the field `measurements` is missing: the file is another kind of JSON, or was written by another version of perf-gate\n' +
        '  fix: pass the --json report of an earlier perf-gate run (`perf-gate evaluate … --json FILE` writes one; schema 1)\n',
    );
    expectPlain(r.err);
  });

  it('not JSON: file:line:column (from the character offset) and the fix', async () => {
    // the report, then a stray line: JSON.parse says "… after JSON at position N"
    const lines = report.trimEnd().split('\n').length;
    writeFileSync(join(dir, 'stray.json'), `${report.trimEnd()}\n  "extra": 1\n`);
    const r = await evaluate('stray.json');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `perf-gate: stray.json:${lines + 1}:3: the baseline is not valid JSON: more content after the end of the JSON value (found \`"\`): a perf-gate JSON report is a single object\n` +
        '  fix: pass the --json report of an earlier perf-gate run (`perf-gate evaluate … --json FILE` writes one)\n',
    );
    expectPlain(r.err);
  });

  it('a syntax error in a file with a byte order mark: the column an editor shows', async () => {
    const bad = report.replace('"failOn": "fail",', '"failOn": "fail",,');
    writeFileSync(join(dir, 'bom-bad.json'), `\uFEFF${bad}`);
    const at = bad.split('\n').findIndex((l) => l.includes('"failOn"'));
    const column = bad.split('\n')[at]!.indexOf(',,') + 2;
    const r = await evaluate('bom-bad.json');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`perf-gate: bom-bad.json:${at + 1}:${column}: the baseline is not valid JSON: two commas in a row\n  fix: `);
    expectPlain(r.err);
  });

  it('a file that does not exist: says so, where it looked, and the fix', async () => {
    const r = await evaluate('nope/base.json');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `perf-gate: nope/base.json: the baseline file does not exist (looked for ${join(dir, 'nope', 'base.json')})\n` +
        '  fix: check the path; pass the --json report of an earlier perf-gate run (`perf-gate evaluate … --json FILE` writes one)\n',
    );
    expectPlain(r.err);
  });

  it('a directory: says so; one holding perf-gate-report.json (a downloaded artifact) gets its path as the fix', async () => {
    mkdirSync(join(dir, 'empty-dir'));
    const r = await evaluate('empty-dir');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^perf-gate: empty-dir: the baseline is a directory, not a file\n {2}fix: pass the JSON report file, not a directory: the --json report of an earlier perf-gate run/);
    expectPlain(r.err);

    mkdirSync(join(dir, 'artifact'));
    writeFileSync(join(dir, 'artifact', 'perf-gate-report.json'), report);
    const a = await evaluate('artifact');
    expect(a.code).toBe(2);
    expect(a.err).toBe(`perf-gate: artifact: the baseline is a directory, not a file\n  fix: pass the report file in it: --baseline ${join(dir, 'artifact', 'perf-gate-report.json')}\n`);
  });

  it('k6 output passed as the baseline: says what it is and where it goes', async () => {
    const r = await evaluate(results);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the file is k6's --out json output \(gzip-compressed\), not a perf-gate JSON report\n {2}fix: k6 output goes to --results/);
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ metrics: { http_reqs: { count: 3 } }, root_group: {} }));
    const s = await evaluate('summary.json');
    expect(s.code).toBe(2);
    expect(s.err).toContain('summary.json: not a perf-gate JSON report but a k6 summary');
    expect(s.err).toContain('fix: k6 output goes to --results');
    expectPlain(s.err);
  });
});
