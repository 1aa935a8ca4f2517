// The CLI face: parses argv, calls the pipeline, writes the report, returns the exit code.
// Nothing runs at import; src/bin.ts calls main().
import { parseArgs } from 'node:util';
import { readFile, readdir, writeFile, mkdir, realpath } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { gate } from './pipeline.js';
import { InputError, asError } from './errors.js';
import type { Baseline, GateOptions, Logger } from './model.js';
import { describeCriterion } from './github/outcome.js';
import { BASELINE_FIX, parseBaselineReport } from './baseline/fetch.js';
import { parseRunFlags, RUN_USAGE } from './run/flags.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted when the user cancels (SIGINT/SIGTERM): a run stops k6 and still writes the report. */
  signal?: AbortSignal;
}

const EVALUATE_HELP = `  perf-gate evaluate [--thresholds FILE] [--scenario NAME] --results FILE [--results FILE …]
                     [--baseline FILE] [--fail-on fail|marginal] [--json OUT] [--markdown OUT]
                     [-q|--quiet] [-h|--help]
      Judge existing k6 output (NDJSON, .gz, or an end-of-test summary) and print the Markdown report.
      Several --results files are shards of one run. Globs are expanded.
      --thresholds defaults to thresholds.yml. --json and --markdown also write the report to files.
      -q prints no report on stdout; the verdict and warnings still go to stderr.
`;

const RUN_HELP = `  perf-gate run [--thresholds FILE] --base-url URL [--scenario NAME …] [options]
      Run the scenarios with k6 against URL, then judge them like 'evaluate'.
${RUN_USAGE}
`;

const EXIT_CODES = `Exit codes: 0 the gate passes, 1 the gate fails, 2 bad input, usage, or an internal error
(a report file that cannot be written counts as bad usage, whatever the verdict).
`;

export const USAGE = `Usage:
${EVALUATE_HELP}
${RUN_HELP}
  perf-gate --version, -v                      print the version
  perf-gate --help, -h                         print this help

${EXIT_CODES}`;

/** The help of one command (`perf-gate evaluate --help`). */
export function commandUsage(command: 'evaluate' | 'run'): string {
  return `Usage:\n${command === 'evaluate' ? EVALUATE_HELP : RUN_HELP}\n${EXIT_CODES}`;
}

/** A logger for the CLI: everything goes to stderr, so stdout carries only the report. */
export function cliLogger(io: CliIo): Logger {
  let depth = 0;
  const pad = () => '  '.repeat(depth);
  return {
    info: (m) => io.stderr(`${pad()}${m}\n`),
    warning: (m) => io.stderr(`${pad()}warning: ${m}\n`),
    error: (m) => io.stderr(`${pad()}error: ${m}\n`),
    debug: (m) => {
      if (io.env.PERF_GATE_DEBUG) io.stderr(`${pad()}debug: ${m}\n`);
    },
    group: async (name, fn) => {
      io.stderr(`${pad()}${name}\n`);
      depth++;
      try {
        return await fn();
      } finally {
        depth--;
      }
    },
  };
}

async function expandResults(patterns: string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    if (/[*?[\]{}]/.test(pattern)) {
      // dot: true as in the Action's results input, so both faces expand a glob alike
      const matched = (await glob(pattern, { cwd, absolute: true, onlyFiles: true, dot: true })).sort();
      if (matched.length === 0) throw new InputError(`--results '${pattern}' matches no file`, undefined, 'check the path or the glob');
      files.push(...matched);
    } else {
      files.push(resolve(cwd, pattern));
    }
  }
  return files;
}

/** `--baseline FILE`: the JSON report of an earlier run, or an InputError saying what is wrong with the file and the fix. */
async function readBaseline(file: string, cwd: string): Promise<Baseline> {
  const path = resolve(cwd, file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const { problem, fix } = await unreadableBaseline(error, path);
    throw new InputError(problem, file, fix);
  }
  return parseBaselineReport(bytes, file).baseline;
}

/** Why a --baseline file could not be read, in plain words (never Node's `ENOENT: …` text), and what to do. */
async function unreadableBaseline(error: unknown, path: string): Promise<{ problem: string; fix: string }> {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return { problem: `the baseline file does not exist (looked for ${path})`, fix: `check the path; ${BASELINE_FIX}` };
    case 'ENOTDIR':
      return { problem: `the baseline file does not exist: a part of the path ${path} is a file, not a directory`, fix: `check the path; ${BASELINE_FIX}` };
    case 'EISDIR': {
      let reports: string[] = [];
      try {
        reports = (await readdir(path)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
      } catch {
        // unreadable directory: no suggestion
      }
      const inside = reports.includes('perf-gate-report.json') ? 'perf-gate-report.json' : reports.length === 1 ? reports[0] : undefined;
      return {
        problem: 'the baseline is a directory, not a file',
        fix: inside ? `pass the report file in it: --baseline ${join(path, inside)}` : `pass the JSON report file, not a directory: ${BASELINE_FIX.replace(/^pass /, '')}`,
      };
    }
    case 'EACCES':
    case 'EPERM':
      return { problem: 'the baseline file cannot be read: permission denied', fix: 'make it readable by the user running perf-gate' };
    default:
      return {
        problem: `the baseline file cannot be read (${typeof code === 'string' ? `error ${code}` : asError(error).message.split('\n')[0]})`,
        fix: `check the file; ${BASELINE_FIX}`,
      };
  }
}

/** A report file that could not be written: the path as given, why, and what to do instead. */
interface WriteFailure {
  path: string;
  reason: string;
  fix: string;
}

/** Why a file system call failed, in words (Node's message without its code and path). */
function fsReason(error: Error & { code?: string }, step: 'mkdir' | 'write'): string {
  switch (error.code) {
    case 'EISDIR':
      return 'it is a directory';
    case 'EEXIST':
    case 'ENOTDIR':
      return step === 'mkdir' ? 'a part of its directory path is a file, not a directory' : 'a part of its path is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return step === 'mkdir' ? 'permission denied creating its directory' : 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    default: {
      const words = /^[A-Z0-9_]+: ([^,]+)/.exec(error.message);
      return words?.[1] ?? error.message;
    }
  }
}

/** Writes one report file (creating its directory); a failure is returned, not thrown, so every output is attempted. */
async function writeOut(flag: 'json' | 'markdown', path: string, content: string, cwd: string): Promise<WriteFailure | undefined> {
  const full = resolve(cwd, path);
  const example = flag === 'json' ? 'report.json' : 'report.md';
  let step: 'mkdir' | 'write' = 'mkdir';
  try {
    await mkdir(dirname(full), { recursive: true });
    step = 'write';
    await writeFile(full, content);
    return undefined;
  } catch (thrown) {
    const error = asError(thrown) as Error & { code?: string };
    const fix =
      error.code === 'EISDIR'
        ? `name a file, not a directory, e.g. --${flag} ${join(path, example)}`
        : `give --${flag} a file path in a directory you can write to, e.g. --${flag} out/${example}`;
    return { path, reason: fsReason(error, step), fix };
  }
}

/** Fails early (bad usage) when --out-dir cannot be created, before any load runs. */
async function checkOutDir(outDir: string | undefined, cwd: string): Promise<void> {
  if (!outDir) return;
  try {
    await mkdir(resolve(cwd, outDir), { recursive: true });
  } catch (thrown) {
    const error = asError(thrown) as Error & { code?: string };
    const reason = error.code === 'EEXIST' || error.code === 'ENOTDIR' ? 'it or a part of its path is a file, not a directory' : fsReason(error, 'mkdir');
    throw new InputError(`cannot write --out-dir ${outDir}: ${reason}`, undefined, 'give --out-dir a directory you can write to, e.g. --out-dir out');
  }
}

/** PERF_GATE_DEBUG=1 or RUNNER_DEBUG=1 (a re-run with debug logging on GitHub Actions). */
function debugOn(env: NodeJS.ProcessEnv): boolean {
  return env.PERF_GATE_DEBUG === '1' || env.RUNNER_DEBUG === '1';
}

const EVALUATE_OPTIONS_ = {
  thresholds: { type: 'string' },
  scenario: { type: 'string', multiple: true },
  results: { type: 'string', multiple: true },
  baseline: { type: 'string' },
  'fail-on': { type: 'string' },
  json: { type: 'string' },
  markdown: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options `perf-gate evaluate` accepts (node:util parseArgs form). */
export const EVALUATE_OPTIONS: Readonly<Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>> = EVALUATE_OPTIONS_;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command) {
    // a usage error: the usage goes to stderr, as for an unknown command (stdout carries only reports)
    io.stderr(`perf-gate: a command is needed\n${USAGE}`);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout(`${PACKAGE_VERSION}\n`);
    return 0;
  }
  if (command !== 'evaluate' && command !== 'run') {
    io.stderr(`perf-gate: unknown command '${command}'\n${USAGE}`);
    return 2;
  }
  const log = cliLogger(io);
  try {
    const opts = await options(command, rest, io, log);
    if (!opts) {
      io.stdout(commandUsage(command));
      return 0;
    }
    const { gateOptions, json, markdown, quiet } = opts;
    const result = await gate(gateOptions);
    // Every output is attempted, whatever happened to the one before.
    const failures: WriteFailure[] = [];
    for (const [flag, path, content] of [
      ['markdown', markdown, result.markdown],
      ['json', json, `${JSON.stringify(result.json, null, 2)}\n`],
    ] as const) {
      if (path === undefined) continue;
      const failure = await writeOut(flag, path, content, io.cwd);
      if (failure) failures.push(failure);
    }
    if (!quiet) io.stdout(result.markdown.endsWith('\n') ? result.markdown : `${result.markdown}\n`);
    // Warnings go to stderr even with -q, which silences only the report on stdout.
    for (const w of result.warnings) io.stderr(`perf-gate: warning: ${w.replace(/\n/g, '\n  ')}\n`);
    const failing = result.evaluation.scenarios.flatMap((s) => s.criteria.filter((c) => c.blocking));
    const verdict = result.evaluation.verdict.replace(/_/g, ' ');
    if (failing.length > 0) {
      io.stderr(`perf-gate: ${verdict} — ${failing.length} ${failing.length === 1 ? 'criterion' : 'criteria'} failed:\n`);
      for (const c of failing) io.stderr(`  ${describeCriterion(c)}\n`);
    } else {
      io.stderr(`perf-gate: ${verdict}\n`);
    }
    for (const f of failures) io.stderr(`perf-gate: cannot write ${f.path}: ${f.reason}\n  fix: ${f.fix}\n`);
    // results files left out as unreadable: the report was written from the rest, and it is still bad input
    for (const e of result.inputErrors) io.stderr(`perf-gate: ${e}\n`);
    if (failures.length > 0 || result.inputErrors.length > 0) return 2;
    return failing.length > 0 ? 1 : 0;
  } catch (thrown) {
    const error = asError(thrown);
    if (error instanceof InputError) {
      io.stderr(`perf-gate: ${error.message}\n`);
      return 2;
    }
    io.stderr(`perf-gate: internal error: ${error.message}\n`);
    if (debugOn(io.env)) {
      const stack = error.stack ?? '';
      // The stack starts with "Name: message", already printed.
      const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
      io.stderr(`${frames.length > 0 ? frames.join('\n') : stack}\n`);
    } else {
      io.stderr('  hint: set PERF_GATE_DEBUG=1 (or re-run the job with debug logging) to print the stack trace\n');
    }
    return 2;
  }
}

declare const PERF_GATE_VERSION: string | undefined;
const PACKAGE_VERSION = typeof PERF_GATE_VERSION === 'string' ? PERF_GATE_VERSION : '0.1.0';

async function options(
  command: 'evaluate' | 'run',
  argv: string[],
  io: CliIo,
  log: Logger,
): Promise<{ gateOptions: GateOptions; json?: string; markdown?: string; quiet: boolean } | undefined> {
  if (command === 'evaluate') {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: EVALUATE_OPTIONS_, strict: true });
    } catch (error) {
      throw new InputError(asError(error).message, undefined, `see 'perf-gate --help'`);
    }
    const v = parsed.values;
    if (v.help) return undefined;
    if (!v.results?.length) throw new InputError('evaluate needs --results FILE (k6 --out json output or a summary)', undefined, 'add --results path/to/run.ndjson.gz');
    if ((v.scenario?.length ?? 0) > 1) throw new InputError('evaluate takes one --scenario', undefined, 'evaluate each scenario with its own results');
    const json = outPath('json', v.json);
    const markdown = outPath('markdown', v.markdown);
    const thresholds = v.thresholds ?? 'thresholds.yml';
    const results = await expandResults(v.results, io.cwd);
    await checkOutputs({ json, markdown }, { '--thresholds': [thresholds], '--results': results, '--baseline': v.baseline ? [v.baseline] : [] }, io.cwd);
    return {
      gateOptions: {
        cwd: io.cwd,
        thresholds,
        scenarios: v.scenario ?? [],
        results,
        failOn: failOn(v['fail-on']),
        baseline: v.baseline ? await readBaseline(v.baseline, io.cwd) : undefined,
        env: io.env,
        log,
      },
      json,
      markdown,
      quiet: v.quiet ?? false,
    };
  }
  const run = parseRunFlags(argv);
  if (run.help) return undefined;
  await checkOutDir(run.outDir, io.cwd);
  const json = outPath('json', run.json);
  const markdown = outPath('markdown', run.markdown);
  await checkOutputs(
    { json, markdown },
    { '--thresholds': [run.thresholds ?? 'thresholds.yml'], '--baseline': run.baseline ? [run.baseline] : [] },
    io.cwd,
  );
  return {
    gateOptions: {
      cwd: io.cwd,
      thresholds: run.thresholds ?? 'thresholds.yml',
      scenarios: run.scenarios,
      baseUrl: run.baseUrl,
      ...(io.signal ? { signal: io.signal } : {}),
      k6: run.k6,
      failOn: failOn(run.failOn),
      confirmFailures: run.confirmFailures,
      baseline: run.baseline ? await readBaseline(run.baseline, io.cwd) : undefined,
      env: io.env,
      log,
      outDir: run.outDir,
    },
    json,
    markdown,
    quiet: run.quiet,
  };
}

/** An empty --json / --markdown would name the working directory: refuse it up front. */
function outPath(flag: 'json' | 'markdown', value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '') {
    throw new InputError(`--${flag} needs a file path`, undefined, `write e.g. --${flag} out/report.${flag === 'json' ? 'json' : 'md'}`);
  }
  return value;
}

/**
 * Refuses, before anything runs, a report path that names one of the inputs (it would be overwritten
 * with the report: `--json run.ndjson.gz`) or both reports at one path (one would be lost).
 * Paths are compared by their real path where the file exists, so a symlink or `./` does not hide it.
 */
async function checkOutputs(outs: { json?: string; markdown?: string }, inputs: Record<string, string[]>, cwd: string): Promise<void> {
  const key = async (p: string) => {
    const full = resolve(cwd, p);
    return realpath(full).catch(() => full);
  };
  // each input by its real path, with the flag it came with
  const given = new Map<string, string>();
  for (const [flag, paths] of Object.entries(inputs)) for (const p of paths) given.set(await key(p), flag);
  const seen = new Map<string, string>(); // real path → the report path as given
  for (const [flag, out] of [['json', outs.json], ['markdown', outs.markdown]] as const) {
    if (out === undefined) continue;
    const target = await key(out);
    if (seen.has(target)) {
      throw new InputError(`--json and --markdown both name ${seen.get(target)}: one report would overwrite the other`, undefined, 'give each its own file, e.g. --json out/report.json --markdown out/report.md');
    }
    seen.set(target, out);
    const inputFlag = given.get(target);
    if (inputFlag !== undefined) {
      throw new InputError(
        `--${flag} ${out} is also given as ${inputFlag}: writing the report there would overwrite that input`,
        undefined,
        `write the report elsewhere, e.g. --${flag} out/report.${flag === 'json' ? 'json' : 'md'}`,
      );
    }
  }
}

function failOn(value: string | undefined): 'fail' | 'marginal' | undefined {
  if (value === undefined) return undefined;
  if (value === 'fail' || value === 'marginal') return value;
  throw new InputError(`--fail-on '${value}' is not allowed`, undefined, 'use --fail-on fail or --fail-on marginal');
}
