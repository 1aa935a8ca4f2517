// What `perf-gate evaluate` does when a report file cannot be written, when something unexpected
// breaks, and with the pipeline's warnings: every output is attempted, the report still reaches
// stdout, each failure is named with a fix, and the exit code says "bad usage" (2).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { generateK6Text, loadTestSpec } from '../../src/k6/fixtures.js';

function io(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), cwd, env } };
}

let dir: string;
/** A path whose parent is a regular file: nothing can be written there, on any platform. */
let unwritable: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-cli-out-'));
  const spec = loadTestSpec('smoke', 0.2);
  spec.seed = 5;
  writeFileSync(join(dir, 'run.ndjson'), generateK6Text(spec).text);
  writeFileSync(join(dir, 'pass.yml'), 'version: 1\nthresholds:\n  http_req_duration: ["p(99)<100000"]\n');
  writeFileSync(join(dir, 'fail.yml'), 'version: 1\nthresholds:\n  http_req_duration: ["p(99)<1"]\n');
  writeFileSync(join(dir, 'a-file'), 'not a directory\n');
  mkdirSync(join(dir, 'existing-dir'));
  unwritable = join('a-file', 'x.json');
});

const evaluate = (thresholds: string, ...more: string[]) => ['evaluate', '--thresholds', thresholds, '--results', 'run.ndjson', ...more];

describe('perf-gate evaluate, an output that cannot be written', () => {
  it('writes the other output, still prints the report and the verdict, names the path with a fix, exits 2', async () => {
    const t = io(dir);
    const code = await main(evaluate('pass.yml', '--json', unwritable, '--markdown', 'out1/p.md'), t.io);
    const err = t.err.join('');
    expect(code).toBe(2);
    expect(err).toContain(`perf-gate: cannot write ${unwritable}: `);
    expect(err).toMatch(/cannot write .*\n {2}fix: /);
    expect(err).not.toMatch(/^\s+at /m); // no stack trace
    expect(err).toMatch(/^perf-gate: APPROVED$/m);
    expect(t.out.join('')).toContain('| `http_req_duration` |');
    expect(readFileSync(join(dir, 'out1/p.md'), 'utf8')).toContain('| `http_req_duration` |');
  });

  it('does not stop at the first failed write (the JSON after a failed Markdown is written)', async () => {
    const t = io(dir);
    const code = await main(evaluate('pass.yml', '--markdown', join('a-file', 'x.md'), '--json', 'out2/p.json', '-q'), t.io);
    expect(code).toBe(2);
    expect(t.err.join('')).toContain(`perf-gate: cannot write ${join('a-file', 'x.md')}: `);
    expect((JSON.parse(readFileSync(join(dir, 'out2/p.json'), 'utf8')) as { verdict: string }).verdict).toBe('APPROVED');
    expect(t.out.join('')).toBe(''); // -q still silences the report
  });

  it('reports every failed write, and exits 2 even when the gate fails', async () => {
    const t = io(dir);
    const code = await main(evaluate('fail.yml', '--json', 'existing-dir', '--markdown', join('a-file', 'y.md')), t.io);
    const err = t.err.join('');
    expect(code).toBe(2);
    expect(err).toContain('NOT APPROVED — 1 criterion failed:');
    expect(err).toMatch(/^perf-gate: cannot write existing-dir: .*directory.*\n {2}fix: .*file/m);
    expect(err).toContain(`perf-gate: cannot write ${join('a-file', 'y.md')}: `);
    expect(t.out.join('')).toContain('| `http_req_duration` |');
  });

  it('refuses an empty path before judging anything', async () => {
    const t = io(dir);
    expect(await main(evaluate('pass.yml', '--json', ''), t.io)).toBe(2);
    expect(t.err.join('')).toContain('perf-gate: --json needs a file path\n  fix: ');
    expect(t.err.join('')).not.toContain('APPROVED');
  });

  it.each([
    ['the results file', ['--json', 'victim.ndjson'], 'victim.ndjson', '--results'],
    ['the results file by another spelling', ['--markdown', './sub/../victim.ndjson'], 'victim.ndjson', '--results'],
    ['the thresholds file', ['--markdown', 'victim.yml'], 'victim.yml', '--thresholds'],
  ])('refuses a report path that is %s, and leaves the input as it was (exit 2)', async (_what, flags, victim, inputFlag) => {
    writeFileSync(join(dir, 'victim.ndjson'), readFileSync(join(dir, 'run.ndjson')));
    writeFileSync(join(dir, 'victim.yml'), readFileSync(join(dir, 'pass.yml')));
    const before = readFileSync(join(dir, victim));
    const t = io(dir);
    const code = await main(['evaluate', '--thresholds', 'victim.yml', '--results', 'victim.ndjson', ...flags], t.io);
    expect(code).toBe(2);
    expect(t.err.join('')).toMatch(new RegExp(`is also given as ${inputFlag}: writing the report there would overwrite that input\\n {2}fix: write the report elsewhere`));
    expect(t.err.join('')).not.toContain('APPROVED');
    expect(readFileSync(join(dir, victim)).equals(before)).toBe(true);
  });

  it('refuses one path for both reports (one would be lost)', async () => {
    const t = io(dir);
    expect(await main(evaluate('pass.yml', '--json', 'same/r.txt', '--markdown', 'same/./r.txt'), t.io)).toBe(2);
    expect(t.err.join('')).toContain('--json and --markdown both name same/r.txt: one report would overwrite the other\n  fix: give each its own file');
    expect(existsSync(join(dir, 'same'))).toBe(false);
  });

  it.runIf(process.platform === 'linux')('names a path in a pseudo file system (/proc) without a stack trace', async () => {
    const t = io(dir);
    const code = await main(evaluate('pass.yml', '--json', '/proc/x.json', '--markdown', 'out3/p.md'), t.io);
    expect(code).toBe(2);
    expect(t.err.join('')).toMatch(/^perf-gate: cannot write \/proc\/x\.json: .+\n {2}fix: /m);
    expect(t.err.join('')).not.toContain('writeOut');
    expect(existsSync(join(dir, 'out3/p.md'))).toBe(true);
  });
});

describe('perf-gate, an unexpected error', () => {
  const failingStdout = (env: NodeJS.ProcessEnv) => {
    const t = io(dir, env);
    t.io.stdout = () => {
      throw new Error('write EPIPE');
    };
    return t;
  };

  it('prints one line and a hint, not a stack trace, and exits 2', async () => {
    const t = failingStdout({});
    expect(await main(evaluate('pass.yml'), t.io)).toBe(2);
    const err = t.err.join('');
    expect(err).toMatch(/^perf-gate: internal error: write EPIPE$/m);
    expect(err).toContain('PERF_GATE_DEBUG=1');
    expect(err).not.toMatch(/^\s+at /m);
  });

  it.each([['PERF_GATE_DEBUG'], ['RUNNER_DEBUG']])('prints the stack trace when %s=1', async (name) => {
    const t = failingStdout({ [name]: '1' });
    expect(await main(evaluate('pass.yml'), t.io)).toBe(2);
    const err = t.err.join('');
    expect(err).toMatch(/^perf-gate: internal error: write EPIPE$/m);
    expect(err).toMatch(/^\s+at /m);
  });
});

describe('perf-gate evaluate, a results file that cannot be read beside readable ones', () => {
  it('writes the report from the readable files, names the one left out with its fix, and exits 2', async () => {
    writeFileSync(join(dir, 'garbage.bin'), Buffer.from([0, 1, 2, 3, 255, 254, 10, 0, 9]));
    for (const scenario of [[], ['--scenario', 'smoke']]) {
      const t = io(dir);
      const json = `partial-${scenario.length}.json`;
      const code = await main(['evaluate', '--thresholds', 'pass.yml', '--results', 'run.ndjson', '--results', 'garbage.bin', ...scenario, '--json', json, '-q'], t.io);
      const err = t.err.join('');
      expect(code).toBe(2);
      expect(err).toMatch(/^perf-gate: .*garbage\.bin: .*\n {2}fix: /m);
      const report = JSON.parse(readFileSync(join(dir, json), 'utf8')) as { criteria: { scenario: string; metric: string; status: string }[]; scenarios: { name: string; dataQuality: string[] }[] };
      expect(report.criteria.find((c) => c.scenario === 'smoke')).toMatchObject({ metric: 'http_req_duration', status: 'pass' });
      const notes = report.scenarios.flatMap((s) => s.dataQuality).join('\n');
      expect(notes).toContain('`garbage.bin` was not read, so these results lack it: ');
    }
  });

  it('files that do not go together (two different summaries) are refused whole: no report from one of them', async () => {
    writeFileSync(join(dir, 'sum-a.json'), JSON.stringify({ metrics: { http_reqs: { count: 3, rate: 1 } }, root_group: {} }));
    writeFileSync(join(dir, 'sum-b.json'), JSON.stringify({ metrics: { http_reqs: { count: 5, rate: 2 } }, root_group: {} }));
    const t = io(dir);
    expect(await main(['evaluate', '--thresholds', 'pass.yml', '--results', 'sum-a.json', '--results', 'sum-b.json', '--json', 'two-summaries.json'], t.io)).toBe(2);
    expect(t.err.join('')).toContain('several k6 summary files given');
    expect(existsSync(join(dir, 'two-summaries.json'))).toBe(false);
  });

  it('with no readable file at all, writes nothing and exits 2 (nothing to report)', async () => {
    const t = io(dir);
    expect(await main(['evaluate', '--thresholds', 'pass.yml', '--results', 'garbage.bin', '--json', 'none.json'], t.io)).toBe(2);
    expect(t.err.join('')).toMatch(/garbage\.bin: .*\n {2}fix: /);
    expect(existsSync(join(dir, 'none.json'))).toBe(false);
  });
});
