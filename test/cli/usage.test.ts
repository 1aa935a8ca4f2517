import { describe, expect, it } from 'vitest';
import { EVALUATE_OPTIONS, main, USAGE } from '../../src/cli.js';
import { RUN_OPTIONS } from '../../src/run/flags.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), cwd: process.cwd(), env: {} } };
}

/** The part of the help from `start` up to `end` (or the end). */
function section(start: string, end?: string): string {
  const from = USAGE.indexOf(start);
  expect(from).toBeGreaterThanOrEqual(0);
  const to = end === undefined ? USAGE.length : USAGE.indexOf(end, from + start.length);
  expect(to).toBeGreaterThan(from);
  return USAGE.slice(from, to);
}

/** Whether the text names `flag` (`--json`, `-q`) as a whole word, not as part of a longer flag. */
function names(text: string, flag: string): boolean {
  const escaped = flag.replace(/[-]/g, '\\-');
  return new RegExp(`(^|[\\s\\[|,])${escaped}(?![\\w-])`, 'm').test(text);
}

describe('cli', () => {
  it('rejects an unknown command with exit 2 and the usage', async () => {
    const t = io();
    expect(await main(['frobnicate'], t.io)).toBe(2);
    expect(t.err.join('')).toContain("unknown command 'frobnicate'");
  });

  it('without a command: exit 2, the usage on stderr and nothing on stdout', async () => {
    const t = io();
    expect(await main([], t.io)).toBe(2);
    expect(t.err.join('')).toBe(`perf-gate: a command is needed\n${USAGE}`);
    expect(t.out.join('')).toBe('');
  });
});

describe('help', () => {
  const evaluate = () => section('perf-gate evaluate', 'perf-gate run');
  const run = () => section('perf-gate run', 'perf-gate --version');

  it.each(Object.entries(EVALUATE_OPTIONS))('evaluate lists --%s', (name, option) => {
    expect(names(evaluate(), `--${name}`)).toBe(true);
    if (option.short) expect(names(evaluate(), `-${option.short}`)).toBe(true);
  });

  it.each(Object.entries(RUN_OPTIONS))('run lists --%s', (name, option) => {
    expect(names(run(), `--${name}`)).toBe(true);
    if (option.short) expect(names(run(), `-${option.short}`)).toBe(true);
  });

  it('lists --version and --help, and both work', async () => {
    for (const flag of ['--version', '-v', '--help', '-h']) expect(names(section('perf-gate --version'), flag)).toBe(true);
    const v = io();
    expect(await main(['-v'], v.io)).toBe(0);
    expect(v.out.join('')).toMatch(/^\d+\.\d+\.\d+/);
    const h = io();
    expect(await main(['--help'], h.io)).toBe(0);
    expect(h.out.join('')).toBe(USAGE);
  });

  it('shows --thresholds as optional (it defaults to thresholds.yml) and --results as required', () => {
    expect(evaluate()).toContain('[--thresholds FILE]');
    expect(evaluate()).toMatch(/ --results FILE /);
    expect(evaluate()).toContain('thresholds.yml');
    expect(run()).toMatch(/^perf-gate run \[--thresholds FILE\]/);
  });

  it('says that --out-dir also receives the reports', () => {
    const line = run().split('\n').find((l) => l.includes('--out-dir'))!;
    expect(line).toContain('report.md');
    expect(line).toContain('report.json');
  });

  it('names internal errors under exit code 2', () => {
    expect(USAGE).toContain('2 bad input, usage, or an internal error');
  });

  it('evaluate -h and run --help print the help of their own command (and the exit codes), exit 0', async () => {
    const t = io();
    expect(await main(['evaluate', '-h'], t.io)).toBe(0);
    const e = t.out.join('');
    expect(e).toContain(evaluate().trimEnd());
    expect(e).not.toContain('perf-gate run');
    expect(e).toContain('Exit codes:');
    const r = io();
    expect(await main(['run', '--help'], r.io)).toBe(0);
    const rt = r.out.join('');
    expect(rt).toContain('--base-url URL');
    expect(rt).not.toContain('perf-gate evaluate');
    expect(rt).toContain('Exit codes:');
  });
});
