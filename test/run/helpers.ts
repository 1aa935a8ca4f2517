// Test helpers of the run stage: a recording Logger, paths of the k6 double, temp dirs, a preview
// environment double and scenario scripts.
import { createServer } from 'node:http';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliIo } from '../../src/cli.js';
import type { Logger } from '../../src/model.js';

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
