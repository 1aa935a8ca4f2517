// Test helpers of the run stage: a recording Logger, paths of the k6 double, temp dirs, a preview
// environment double and scenario scripts.
import { createServer } from 'node:http';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliIo } from '../../src/cli.js';
import { runK6, type K6RunOptions } from '../../src/k6/runner.js';
import type { Logger, RunRecord } from '../../src/model.js';

export const K6_DOUBLE = resolve(import.meta.dirname, '../support/k6-double.mjs');

export interface RecordingLogger extends Logger {
  lines: { level: string; message: string; groups: string[] }[];
  text(): string;
}

export function recordingLogger(): RecordingLogger {
  const stack: string[] = [];
  const lines: RecordingLogger['lines'] = [];
  const add = (level: string) => (message: string) => lines.push({ level, message, groups: [...stack] });
  return {
    lines,
    info: add('info'),
    warning: add('warning'),
    error: add('error'),
    debug: add('debug'),
    async group(name, fn) {
      lines.push({ level: 'group', message: name, groups: [...stack] });
      stack.push(name);
      try {
        return await fn();
      } finally {
        stack.pop();
      }
    },
    text: () => lines.map((l) => `${l.level}: ${l.message}`).join('\n'),
  };
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `perf-gate-${prefix}-`));
}

/** A preview environment double on loopback that answers 200 on every path. */
export async function previewServer(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => res.writeHead(200).end('up'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** `k6/<name>-test.ts` under `dir` for each name, each defining the one scenario of that name. */
export async function scenarioScripts(dir: string, names: string[]): Promise<void> {
  await mkdir(join(dir, 'k6'), { recursive: true });
  for (const name of names) {
    await writeFile(join(dir, `k6/${name}-test.ts`), `export const options = { scenarios: { '${name}': { executor: 'ramping-vus', stages: [] } } };\n`);
  }
}

/** A CLI `io` for `main()` that collects stdout and stderr, in `cwd`, with the k6 double's environment. */
export function cliIo(cwd: string, env: Record<string, string> = {}): { out: string[]; err: string[]; io: CliIo } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (s: string) => out.push(s),
      stderr: (s: string) => err.push(s),
      cwd,
      env: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '100', ...env } as NodeJS.ProcessEnv,
    },
  };
}

/** `<name>-test.ts` in `dir`, defining the one scenario of that name; its path. */
export async function scenarioScript(dir: string, name: string): Promise<string> {
  const file = join(dir, `${name}-test.ts`);
  await writeFile(file, `export const options = { scenarios: { '${name}': { executor: 'ramping-vus', stages: [] } } };\n`);
  return file;
}

/**
 * One `runK6` of `script` (scenario `scenario`) in `dir` against an unused loopback port, with this
 * process's PATH plus `env` (the double's K6_DOUBLE_* switches): the options runner tests vary.
 */
export function runScript(opts: { dir: string; script: string; scenario: string; k6Path?: string; outDir?: string; env?: Record<string, string>; extra?: Partial<K6RunOptions> }): {
  log: RecordingLogger;
  promise: Promise<RunRecord>;
} {
  const log = recordingLogger();
  const promise = runK6({
    k6Path: opts.k6Path ?? K6_DOUBLE,
    script: opts.script,
    scenario: opts.scenario,
    baseUrl: 'http://127.0.0.1:9/',
    outDir: opts.outDir ?? join(opts.dir, 'out'),
    cwd: opts.dir,
    log,
    baseEnv: { PATH: process.env.PATH, ...opts.env },
    ...opts.extra,
  });
  return { log, promise };
}

/** A preview environment double and a temp dir holding the scripts of `names` (see `scenarioScripts`). */
export async function previewWithScripts(prefix: string, names: string[]): Promise<{ baseUrl: string; dir: string; close(): Promise<void> }> {
  const preview = await previewServer();
  const dir = await tempDir(prefix);
  await scenarioScripts(dir, names);
  return { baseUrl: preview.baseUrl, dir, close: preview.close };
}
