// The CLI face: parses argv, calls the pipeline, writes the report, returns the exit code.
// Nothing runs at import; src/bin.ts calls main().
import { parseArgs } from 'node:util';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { gate } from './pipeline.js';
import { InputError, asError } from './errors.js';
import type { Baseline, GateOptions, Logger } from './model.js';
import { describeCriterion } from './github/outcome.js';
import { baselineFromJsonReport } from './report/json.js';
import { parseRunFlags, RUN_USAGE } from './run/flags.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const USAGE = `Usage:
  perf-gate evaluate --thresholds FILE [--scenario NAME] --results FILE [--results FILE …]
                     [--baseline FILE] [--fail-on fail|marginal] [--json OUT] [--markdown OUT]
      Judge existing k6 output (NDJSON, .gz, or an end-of-test summary) and print the Markdown report.
      Several --results files are shards of one run. Globs are expanded.

  perf-gate run --thresholds FILE --base-url URL [--scenario NAME …] [options]
      Run the scenarios with k6 against URL, then judge them like 'evaluate'.
${RUN_USAGE}
Exit codes: 0 the gate passes, 1 the gate fails, 2 bad input or usage.
`;

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
      const matched = (await glob(pattern, { cwd, absolute: true, onlyFiles: true })).sort();
      if (matched.length === 0) throw new InputError(`--results '${pattern}' matches no file`, undefined, 'check the path or the glob');
      files.push(...matched);
    } else {
      files.push(resolve(cwd, pattern));
    }
  }
  return files;
}

async function readBaseline(file: string, cwd: string): Promise<Baseline> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read the baseline: ${asError(error).message}`, file, 'pass a JSON report written earlier with --json');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`the baseline is not JSON (${asError(error).message})`, file, 'pass a JSON report written earlier with --json');
  }
  return baselineFromJsonReport(value, file);
}

async function writeOut(path: string | undefined, content: string, cwd: string): Promise<string | undefined> {
  if (!path) return undefined;
  const full = resolve(cwd, path);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, content);
  return full;
}

const COMMON = {
  thresholds: { type: 'string' },
  scenario: { type: 'string', multiple: true },
  baseline: { type: 'string' },
  'fail-on': { type: 'string' },
  json: { type: 'string' },
  markdown: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return command ? 0 : 2;
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
      io.stdout(USAGE);
      return 0;
    }
    const { gateOptions, json, markdown, quiet } = opts;
    const result = await gate(gateOptions);
    await writeOut(markdown, result.markdown, io.cwd);
    await writeOut(json, `${JSON.stringify(result.json, null, 2)}\n`, io.cwd);
    if (!quiet) io.stdout(result.markdown.endsWith('\n') ? result.markdown : `${result.markdown}\n`);
    const failing = result.evaluation.scenarios.flatMap((s) => s.criteria.filter((c) => c.blocking));
    const verdict = result.evaluation.verdict.replace(/_/g, ' ');
    if (failing.length > 0) {
      io.stderr(`perf-gate: ${verdict} — ${failing.length} ${failing.length === 1 ? 'criterion' : 'criteria'} failed:\n`);
      for (const c of failing) io.stderr(`  ${describeCriterion(c)}\n`);
      return 1;
    }
    io.stderr(`perf-gate: ${verdict}\n`);
    return 0;
  } catch (thrown) {
    const error = asError(thrown);
    if (error instanceof InputError) {
      io.stderr(`perf-gate: ${error.message}\n`);
      return 2;
    }
    io.stderr(`perf-gate: ${error.stack ?? error.message}\n`);
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
      parsed = parseArgs({ args: argv, options: { ...COMMON, results: { type: 'string', multiple: true } }, strict: true });
    } catch (error) {
      throw new InputError(asError(error).message, undefined, `see 'perf-gate --help'`);
    }
    const v = parsed.values;
    if (v.help) return undefined;
    if (!v.results?.length) throw new InputError('evaluate needs --results FILE (k6 --out json output or a summary)', undefined, 'add --results path/to/run.ndjson.gz');
    if ((v.scenario?.length ?? 0) > 1) throw new InputError('evaluate takes one --scenario', undefined, 'evaluate each scenario with its own results');
    return {
      gateOptions: {
        cwd: io.cwd,
        thresholds: v.thresholds ?? 'thresholds.yml',
        scenarios: v.scenario ?? [],
        results: await expandResults(v.results, io.cwd),
        failOn: failOn(v['fail-on']),
        baseline: v.baseline ? await readBaseline(v.baseline, io.cwd) : undefined,
        env: io.env,
        log,
      },
      json: v.json,
      markdown: v.markdown,
      quiet: v.quiet ?? false,
    };
  }
  const run = parseRunFlags(argv);
  if (run.help) return undefined;
  return {
    gateOptions: {
      cwd: io.cwd,
      thresholds: run.thresholds ?? 'thresholds.yml',
      scenarios: run.scenarios,
      baseUrl: run.baseUrl,
      k6: run.k6,
      failOn: failOn(run.failOn),
      confirmFailures: run.confirmFailures,
      baseline: run.baseline ? await readBaseline(run.baseline, io.cwd) : undefined,
      env: io.env,
      log,
      outDir: run.outDir,
    },
    json: run.json,
    markdown: run.markdown,
    quiet: run.quiet,
  };
}

function failOn(value: string | undefined): 'fail' | 'marginal' | undefined {
  if (value === undefined) return undefined;
  if (value === 'fail' || value === 'marginal') return value;
  throw new InputError(`--fail-on '${value}' is not allowed`, undefined, 'use --fail-on fail or --fail-on marginal');
}
