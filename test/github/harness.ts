// Runs the Action the way the runner does: INPUT_* variables, GITHUB_* variables, an event payload file,
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files; captures the workflow commands written to stdout.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type ActionDeps } from '../../src/action.js';
import { afterEach, beforeEach } from 'vitest';
import { GITHUB_ACTIONS_BOT, startGithubServer, type GithubServer } from '../support/github-server.js';

export interface ActionRun {
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  /** `::error`/`::warning` commands with their properties, decoded. */
  commands: Array<{ command: string; props: Record<string, string>; message: string }>;
  failed: string | undefined;
  dir: string;
}

export interface ActionRunOptions {
  server: GithubServer;
  event: string;
  payload: Record<string, unknown>;
  inputs: Record<string, string>;
  token?: string;
  repository?: string;
  sha?: string;
  ref?: string;
  actor?: string;
  runId?: string;
  /** Extra runner variables (e.g. GITHUB_WORKFLOW_REF). */
  env?: Record<string, string>;
  /** Files to create in the workspace (relative path → content). */
  files?: Record<string, string>;
  deps: Partial<ActionDeps>;
  /** Runs the Action this many times at once in the same environment (a race of re-runs). Default 1. */
  parallel?: number;
}

const decode = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}

function parseCommands(stdout: string): ActionRun['commands'] {
  const out: ActionRun['commands'] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = kv.indexOf('=');
      props[kv.slice(0, eq)] = decode(kv.slice(eq + 1));
    }
    out.push({ command: m[1]!, props, message: decode(m[3] ?? '') });
  }
  return out;
}

/** Whether an env var name is one this harness sets (and must reset). */
const OWNED = /^(INPUT_|GITHUB_|RUNNER_TEMP$)/;

export async function runAction(o: ActionRunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'perf-gate-action-'));
  const workspace = join(dir, 'workspace');
  await import('node:fs/promises').then((fs) => fs.mkdir(workspace, { recursive: true }));
  for (const [rel, content] of Object.entries(o.files ?? {})) {
    const p = join(workspace, rel);
    await import('node:fs/promises').then((fs) => fs.mkdir(join(p, '..'), { recursive: true }));
    await writeFile(p, content);
  }
  const eventPath = join(dir, 'event.json');
  const outputPath = join(dir, 'output.txt');
  const summaryPath = join(dir, 'summary.md');
  await writeFile(eventPath, JSON.stringify(o.payload));
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');

  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (OWNED.test(k)) delete process.env[k];
  const env: Record<string, string> = {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_API_URL: o.server.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: o.repository ?? 'Codertocat/Hello-World',
    GITHUB_SHA: o.sha ?? '0000000000000000000000000000000000000abc',
    GITHUB_REF: o.ref ?? 'refs/heads/main',
    GITHUB_ACTOR: o.actor ?? 'Codertocat',
    GITHUB_RUN_ID: o.runId ?? '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: dir,
    ...(o.env ?? {}),
  };
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
  const inputs: Record<string, string> = { 'github-token': o.token ?? 'gh-test-token', ...o.inputs };
  for (const [k, v] of Object.entries(inputs)) process.env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;

  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  const exitBefore = process.exitCode;
  let failedCode: number | string | undefined;
  try {
    await Promise.all(Array.from({ length: o.parallel ?? 1 }, () => run(o.deps)));
  } finally {
    process.stdout.write = write;
    failedCode = process.exitCode ?? undefined;
    process.exitCode = exitBefore;
    for (const k of Object.keys(process.env)) if (OWNED.test(k)) delete process.env[k];
    for (const [k, v] of Object.entries(saved)) if (OWNED.test(k)) process.env[k] = v;
  }
  const stdout = chunks.join('');
  const commands = parseCommands(stdout);
  const failedCommand = commands.filter((c) => c.command === 'error' && Object.keys(c.props).length === 0).at(-1);
  return {
    outputs: parseOutputs(await readFile(outputPath, 'utf8')),
    summary: await readFile(summaryPath, 'utf8'),
    stdout,
    commands,
    failed: failedCode === 1 ? (failedCommand?.message ?? '') : undefined,
    dir,
  };
}

export async function cleanup(r: ActionRun | undefined): Promise<void> {
  if (r) await rm(r.dir, { recursive: true, force: true });
}

/** Fast retry/throttle timing for tests (same code paths, shorter waits). */
export const FAST_CLIENT = { retryBaseMs: 1, rateLimitBaseMs: 5, writeSpacingMs: 0, timeoutMs: 10_000 } as const;

/**
 * A fresh local GitHub API server for each test, where `token` acts as GITHUB_TOKEN
 * (`github-actions[bot]`, GET /user refused), and the Action runs to clean up after each test.
 */
export function githubServerEachTest(token: string): { server: GithubServer; runs: ActionRun[] } {
  const state = { server: undefined as unknown as GithubServer, runs: [] as ActionRun[] };
  beforeEach(async () => {
    state.server = await startGithubServer();
    state.server.tokens.set(token, { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
  });
  afterEach(async () => {
    await state.server.close();
    for (const r of state.runs.splice(0)) await cleanup(r);
  });
  return state;
}
