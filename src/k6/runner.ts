// One `k6 run` of one scenario: NDJSON output to a .gz file, env and run tags, k6's output streamed to
// the log, an overall timeout (SIGINT, then kill), and k6's exit code (and, when the run fails, its
// last error lines on stderr) turned into a RunRecord.
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { envSecrets, maskSecrets } from '../mask.js';
import type { Logger, RunRecord } from '../model.js';
import { formatDuration } from './duration.js';
import { k6ErrorCollector } from './stderr.js';

/** k6's exit codes (`k6 run`), their meaning, and whether the samples written are the whole run. */
export const K6_EXIT_CODES: Readonly<Record<number, { meaning: string; complete: boolean }>> = {
  0: { meaning: 'ok', complete: true },
  97: { meaning: 'cloud test failed', complete: false },
  98: { meaning: 'cloud test progress lost', complete: false },
  99: { meaning: "the script's own thresholds failed", complete: true },
  100: { meaning: 'setup() timed out', complete: false },
  101: { meaning: 'teardown() timed out', complete: false },
  102: { meaning: 'generic timeout', complete: false },
  103: { meaning: 'a generic k6 engine error', complete: false },
  104: { meaning: 'invalid config', complete: false },
  105: { meaning: 'aborted from outside (SIGINT/SIGTERM)', complete: false },
  106: { meaning: 'the REST API could not start', complete: false },
  107: { meaning: 'the script threw an exception', complete: false },
  108: { meaning: 'the script aborted the test (test.abort())', complete: false },
  109: { meaning: 'k6 crashed (Go panic)', complete: false },
  110: { meaning: 'the script marked the test failed (execution.test.fail())', complete: true },
  255: { meaning: 'k6 failed (other error)', complete: false },
};

/** `the script threw an exception (107)`; unknown codes and signals are described too. */
export function exitMeaning(code: number | null, signal?: NodeJS.Signals | null): string {
  if (code === null) return `killed by ${signal ?? 'a signal'}`;
  const known = K6_EXIT_CODES[code];
  return known ? `${known.meaning} (${code})` : `unexpected exit code (${code})`;
}

/** Whether the samples of a run that ended like this cover the whole run (0, 99, and 110: the script marked the test failed). */
export function isComplete(code: number | null): boolean {
  return code !== null && (K6_EXIT_CODES[code]?.complete ?? false);
}

export interface K6RunOptions {
  k6Path: string;
  /** The scenario script (absolute, or relative to `cwd`). */
  script: string;
  scenario: string;
  baseUrl: string;
  outDir: string;
  cwd: string;
  log: Logger;
  /** Extra environment for the script (user vars, tenants, the scenario's env). */
  env?: Record<string, string>;
  /** `--tag k=v` on every sample (commit, pr, run_id). */
  tags?: Record<string, string>;
  /** Overall limit; on expiry k6 gets SIGINT, then a kill after `graceSeconds`. */
  timeoutSeconds?: number;
  /** Between SIGINT and the kill (default 30 s: k6 stops gracefully and flushes its output). */
  graceSeconds?: number;
  executionSegment?: string;
  executionSegmentSequence?: string;
  /** Attempt number (noise-guard reruns), 1 by default; part of the output file name. */
  attempt?: number;
  /** Environment the child inherits (PATH, HOME, proxies); default the current process's. */
  baseEnv?: Record<string, string | undefined>;
  /** Cancellation: k6 is stopped as on the timeout (with a grace period of at most `CANCEL_GRACE_SECONDS`) and the run is marked `cancelled`. */
  signal?: AbortSignal;
}

/** On cancellation k6 gets at most this long between SIGINT and the kill (a cancelled CI job is killed ~10 s after its SIGINT). */
export const CANCEL_GRACE_SECONDS = 5;

interface LiveRun {
  /** SIGINT to k6's group, the kill after the grace period (does nothing once stopping). */
  cancel(): void;
  /** SIGKILL to k6's group now. */
  kill(): void;
}

/** The k6 runs in progress in this process, for a face's signal handler (see `stopRunningK6`). */
const live = new Set<LiveRun>();

/**
 * Stops every k6 run in progress as a cancellation does (`'cancel'`: SIGINT, then the kill), or kills
 * them at once (`'kill'`). Returns how many runs there were. For a face's SIGINT/SIGTERM handler.
 */
export function stopRunningK6(how: 'cancel' | 'kill'): number {
  for (const run of live) (how === 'kill' ? run.kill : run.cancel)();
  return live.size;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * One `--tag` value as k6 reads it. k6 takes `--tag` as a list flag and reads each value as a CSV
 * line: `branch=fix,typo` would be split into two tags (and `typo` refused), a `"` is a CSV error,
 * and only the first line counts. Such a value is written as one quoted CSV field.
 */
export function k6TagArg(key: string, value: string): string {
  const pair = `${key}=${value}`;
  return /[",\r\n]/.test(pair) ? `"${pair.replace(/"/g, '""')}"` : pair;
}

/** Tags k6 would refuse: an empty value (`pr=` on a push run) makes k6 stop with "invalid tag, empty value". */
export function emptyTags(tags: Record<string, string> | undefined): string[] {
  return Object.entries(tags ?? {})
    .filter(([, v]) => v === '')
    .map(([k]) => k);
}

/** The argv of `k6` for one scenario (without the executable). Tags with an empty value are left out (see emptyTags). */
export function k6RunArgs(opts: Pick<K6RunOptions, 'script' | 'tags' | 'executionSegment' | 'executionSegmentSequence'>, outFile: string): string[] {
  const args = ['run', '--no-color', '--out', `json=${outFile}`];
  for (const [k, v] of Object.entries(opts.tags ?? {})) if (v !== '') args.push('--tag', k6TagArg(k, v));
  if (opts.executionSegment) args.push('--execution-segment', opts.executionSegment);
  if (opts.executionSegmentSequence) args.push('--execution-segment-sequence', opts.executionSegmentSequence);
  args.push(opts.script);
  return args;
}

/**
 * Splits a stream into lines and hands each complete line to `emit`; `flush` emits a trailing partial
 * line. A character split between two chunks (k6's `✓` is three bytes) is decoded whole.
 */
export function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let rest = '';
  const decoder = new StringDecoder('utf8');
  return {
    push(chunk) {
      rest += decoder.write(chunk);
      const lines = rest.split(/\r?\n|\r/);
      rest = lines.pop() ?? '';
      for (const l of lines) if (l.trim() !== '') emit(l);
    },
    flush() {
      rest += decoder.end();
      if (rest.trim() !== '') emit(rest);
      rest = '';
    },
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Runs k6 for one scenario and describes how it ended. Throws only when k6 cannot be started. */
export async function runK6(opts: K6RunOptions): Promise<RunRecord> {
  const attempt = opts.attempt ?? 1;
  await mkdir(opts.outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outFile = resolve(opts.outDir, `${safeName(opts.scenario)}${attempt > 1 ? `-attempt${attempt}` : ''}-${stamp}.ndjson.gz`);
  const args = k6RunArgs(opts, outFile);
  const dropped = emptyTags(opts.tags);
  if (dropped.length > 0) opts.log.warning(`k6 run '${opts.scenario}': tag${dropped.length > 1 ? 's' : ''} ${dropped.join(', ')} left out: k6 refuses a tag with an empty value`);
  const env: Record<string, string | undefined> = {
    ...(opts.baseEnv ?? process.env),
    K6_NO_USAGE_REPORT: 'true',
    ...opts.env,
    BASE_URL: opts.baseUrl,
  };
  const { log } = opts;
  const timeoutMs = opts.timeoutSeconds !== undefined ? opts.timeoutSeconds * 1000 : undefined;
  const graceMs = (opts.graceSeconds ?? 30) * 1000;

  return log.group(`k6 run: ${opts.scenario}${attempt > 1 ? ` (attempt ${attempt})` : ''}`, async () => {
    log.info(`${opts.k6Path} ${args.join(' ')}`);
    const start = Date.now();
    let timedOut = false;
    let cancelled = false;
    // k6's last error lines (stderr), for the report when the run does not complete.
    const secrets = envSecrets(env);
    const errors = k6ErrorCollector(undefined, secrets);
    const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
      // Off Windows k6 gets its own process group, and every signal goes to the group: a wrapper script
      // that does not `exec` k6 (and anything else k6 started) stops with it.
      const windows = process.platform === 'win32';
      const child = spawn(opts.k6Path, args, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, detached: !windows });
      const signalK6 = (sig: NodeJS.Signals) => {
        if (!windows && child.pid !== undefined) {
          try {
            process.kill(-child.pid, sig);
            return;
          } catch {
            /* the group has ended: signal the child alone */
          }
        }
        child.kill(sig);
      };
      // k6 may echo the base URL (request errors) or a script its secrets: credentials, tokens and the
      // secret values of its environment are masked.
      const out = lineSplitter((l) => log.info(maskSecrets(l, secrets)));
      const err = lineSplitter((l) => {
        log.info(maskSecrets(l, secrets));
        errors.push(l);
      });
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      let killTimer: NodeJS.Timeout | undefined;
      let drainTimer: NodeJS.Timeout | undefined;
      let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let finished = false;
      const clearTimers = () => {
        if (timer) clearTimeout(timer);
        if (killTimer) clearTimeout(killTimer);
        if (drainTimer) clearTimeout(drainTimer);
        opts.signal?.removeEventListener('abort', onAbort);
        live.delete(handle);
      };
      const finish = (how: { code: number | null; signal: NodeJS.Signals | null }) => {
        if (finished) return;
        finished = true;
        clearTimers();
        out.flush();
        err.flush();
        done(how);
      };
      /** SIGINT to k6's group (k6 stops its VUs and flushes its output), SIGKILL after the grace period. */
      let killAt = Infinity;
      const stop = (message: string, grace = graceMs) => {
        if (finished) return;
        if (killTimer) {
          // already stopping (a timeout's grace): a cancel only brings the kill closer
          if (Date.now() + grace >= killAt) return;
          log.warning(`${message.replace(/: stopping it \(SIGINT\)$/, '')} while k6 was stopping: killing it if it has not stopped within ${formatDuration(grace)}`);
          clearTimeout(killTimer);
        } else {
          log.warning(message);
          signalK6('SIGINT');
        }
        killAt = Date.now() + grace;
        killTimer = setTimeout(() => {
          log.warning(`k6 did not stop within ${formatDuration(grace)} of SIGINT: killing it`);
          signalK6('SIGKILL');
        }, grace);
      };
      const onAbort = () => {
        if (finished || exited) return;
        cancelled = true;
        stop(`k6 run '${opts.scenario}' cancelled: stopping it (SIGINT)`, Math.min(graceMs, CANCEL_GRACE_SECONDS * 1000));
      };
      const handle: LiveRun = {
        cancel: onAbort,
        kill: () => {
          if (finished) return;
          if (!exited) cancelled = true;
          log.warning(`k6 run '${opts.scenario}': killing k6 now (SIGKILL)`);
          signalK6('SIGKILL');
        },
      };
      live.add(handle);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) onAbort();
      const timer =
        timeoutMs !== undefined
          ? setTimeout(() => {
              timedOut = true;
              stop(`k6 run '${opts.scenario}' exceeded the ${formatDuration(timeoutMs)} timeout: stopping it (SIGINT)`);
            }, timeoutMs)
          : undefined;
      child.on('error', (error) => {
        clearTimers();
        finished = true;
        fail(new Error(`cannot start k6 (${opts.k6Path}): ${error.message}`));
      });
      // k6 (or its wrapper) has exited. Its output pipes close once every process of the group holding
      // them has ended; whatever still holds them after the grace period is killed and the pipes dropped.
      child.on('exit', (code, signal) => {
        exited = { code, signal };
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        drainTimer = setTimeout(() => {
          if (!windows && child.pid !== undefined) {
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }
          child.stdout.destroy();
          child.stderr.destroy();
          finish(exited ?? { code, signal });
        }, graceMs);
      });
      child.on('close', (code, signal) => finish(exited ?? { code, signal }));
    });
    const end = Date.now();
    const meaning = exitMeaning(outcome.code, outcome.signal);
    const outputs = (await exists(outFile)) ? [outFile] : [];
    const record: RunRecord = {
      scenario: opts.scenario,
      outputs,
      window: { start, end },
      exitCode: outcome.code,
      exitMeaning: meaning,
      attempt,
    };
    let incomplete: string | undefined;
    // The record's exitMeaning says how k6 ended; the report shows it next to this reason.
    if (cancelled) incomplete = 'cancelled';
    else if (timedOut) incomplete = `stopped after the ${formatDuration(timeoutMs ?? 0)} timeout (k6: ${meaning})`;
    else if (!isComplete(outcome.code)) incomplete = `k6 ended early: ${meaning}`;
    if (outputs.length === 0) incomplete = `${incomplete ?? `k6: ${meaning}`}; k6 wrote no output file`;
    const errorLines = errors.lines();
    if ((incomplete || (outcome.code !== 0 && outcome.code !== 99)) && errorLines.length > 0) record.errors = errorLines;
    if (incomplete) {
      record.incomplete = incomplete;
      log.warning(`k6 run '${opts.scenario}': ${incomplete}${cancelled ? ` (k6: ${meaning})` : ''}`);
    } else if (outcome.code === 110) {
      log.warning(`k6 run '${opts.scenario}': ${meaning}: the run is complete, and the gate fails on it`);
    } else if (outcome.code === 99) {
      log.info(`k6 run '${opts.scenario}': ${meaning}; the gate decides from the thresholds file`);
    } else {
      log.info(`k6 run '${opts.scenario}': ${meaning} in ${formatDuration(end - start)}`);
    }
    return record;
  });
}

