// The run stage: preflight the environment once while k6 is located or installed, then run each scenario's script in order.
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { Config, GateOptions, Logger, RunRecord, ScenarioConfig } from '../model.js';
import { DEFAULT_K6_VERSION, locateOrInstallK6, type LocatedK6 } from '../k6/install.js';
import { preflight } from '../k6/preflight.js';
import { runK6 } from '../k6/runner.js';
import { activeCancellations } from './cancel.js';

export const DEFAULT_PREFLIGHT = { path: '/', expectStatus: 200, timeoutSeconds: 120 } as const;
/** Default overall limit of one scenario's k6 run, seconds. */
export const DEFAULT_RUN_TIMEOUT_SECONDS = 30 * 60;
/** Env vars of the scripts that name files; relative values are resolved against `cwd`. */
const FILE_VARS = ['PERF_GATE_TENANTS_FILE'];

export interface RunHooks {
  /** Called just before a scenario's k6 starts (utilization collectors start sampling). */
  beforeScenario?(name: string): Promise<void>;
  /** Called when it ended, with its window (collectors query that window). */
  afterScenario?(name: string, record: RunRecord): Promise<void>;
}

export interface RunInput {
  config: Config;
  /** Scenario names; empty = every scenario of the config that has a script. */
  scenarios: string[];
  baseUrl: string;
  k6: GateOptions['k6'];
  cwd: string;
  outDir: string;
  log: Logger;
  hooks?: RunHooks;
  /** Environment k6 inherits and PATH is searched in; default the current process's. */
  processEnv?: Record<string, string | undefined>;
  /** Seconds between SIGINT and the kill on timeout (default 30). */
  graceSeconds?: number;
  /** Poll interval of the preflight (default 2000 ms). */
  preflightIntervalMs?: number;
  /** Attempt number written into the records (noise-guard reruns). */
  attempt?: number;
  /**
   * Cancellation: the running k6 is stopped (its record says `cancelled`), the scenarios not started
   * yet get a record saying they were not run. Before any k6 run it throws.
   */
  signal?: AbortSignal;
}

function cancelledBeforeLoad(): InputError {
  return new InputError('cancelled (SIGINT/SIGTERM) before any k6 run: nothing was measured', undefined, 'run the gate again');
}

function where(s: ScenarioConfig): string {
  return `${s.pos.file}:${s.pos.line}:${s.pos.column}`;
}

/** The scenarios to run, in the order asked (or the config's order). */
export function selectScenarios(config: Config, names: string[]): ScenarioConfig[] {
  const configured = config.scenarios;
  const list = configured.map((s) => s.name).join(', ') || '(none)';
  if (names.length === 0) {
    const runnable = configured.filter((s) => s.script);
    if (runnable.length === 0) {
      throw new InputError(`${config.file} has no scenario with a script to run`, config.file, "add 'script: k6/smoke-test.ts' under a scenario");
    }
    return runnable;
  }
  return names.map((name) => {
    const s = configured.find((c) => c.name === name);
    if (!s) throw new InputError(`no scenario named '${name}' in ${config.file}; configured: ${list}`, undefined, `use one of: ${list}`);
    return s;
  });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Runs the scenarios one after the other; returns one RunRecord per scenario. */
export async function runScenarios(given: RunInput): Promise<RunRecord[]> {
  // The signal given, and those of the signal handlers a face registered (see cancelOnSignals).
  const signals = [...(given.signal ? [given.signal] : []), ...activeCancellations()];
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  const input: RunInput = { ...given, ...(signal ? { signal } : {}) };
  const { config, log, cwd } = input;
  const k6 = input.k6 ?? {};
  const selected = selectScenarios(config, input.scenarios);
  const configDir = dirname(resolve(cwd, config.file));

  const scripts = new Map<string, string>();
  for (const s of selected) {
    if (!s.script) {
      throw new InputError(`scenario '${s.name}' has no script to run`, where(s), `add 'script: k6/${s.name}-test.ts' (relative to ${config.file})`);
    }
    const script = resolve(configDir, s.script);
    if (!(await isFile(script))) {
      throw new InputError(`the script of scenario '${s.name}' does not exist: ${script}`, where(s), 'the path is relative to the thresholds file');
    }
    scripts.set(s.name, script);
  }

  const pf = { ...DEFAULT_PREFLIGHT, ...k6.preflight };
  if (input.signal?.aborted) throw cancelledBeforeLoad();
  // The environment is polled while k6 is located (or downloaded): a deploy still finishing costs no
  // extra time, and a k6 that cannot be had (a wrong --k6-path, a failed download) is said at once,
  // not after the preflight's timeout. Whichever fails first is the error, and the other stops: the
  // preflight at once, the install before its next step.
  const stopBoth = new AbortController();
  const stop = input.signal ? AbortSignal.any([input.signal, stopBoth.signal]) : stopBoth.signal;
  const env = input.processEnv ?? process.env;
  // through the proxy the job's environment names (HTTPS_PROXY, NO_PROXY), as k6 and the k6 download go
  const ready = preflight(input.baseUrl, { ...pf, intervalMs: input.preflightIntervalMs, signal: stop, env }, log);
  const locating = locateOrInstallK6({
    path: k6.path,
    version: k6.version ?? DEFAULT_K6_VERSION,
    downloadBase: k6.downloadBase,
    log,
    pathEnv: env.PATH ?? env.Path,
    // An explicit version is exact: a k6 of another version on PATH is passed over for the download.
    exactVersion: Boolean(k6.version),
    signal: stop,
  });
  // Both are awaited below; these keep the one not awaited when the other fails from going unhandled.
  ready.catch(() => undefined);
  locating.catch(() => undefined);
  let located: LocatedK6;
  try {
    [, located] = await Promise.all([ready, locating]);
  } catch (err) {
    stopBoth.abort();
    if (input.signal?.aborted) throw cancelledBeforeLoad();
    throw err;
  }

  if (input.signal?.aborted) throw cancelledBeforeLoad();

  const records: RunRecord[] = [];
  for (const s of selected) {
    if (input.signal?.aborted) {
      // Cancelled: the scenarios not started yet are reported as not run (they fail the gate).
      const now = Date.now();
      log.warning(`k6 run '${s.name}': not started, the run was cancelled`);
      records.push({
        scenario: s.name,
        outputs: [],
        window: { start: now, end: now },
        exitCode: null,
        exitMeaning: 'not run',
        incomplete: 'cancelled before it started',
        attempt: input.attempt ?? 1,
      });
      continue;
    }
    const userEnv: Record<string, string> = { ...s.env, ...k6.env };
    // a relative file path is made absolute against the working directory (k6's open() would read it
    // relative to the script), also when it comes from the job's environment rather than k6-env / env:
    for (const name of FILE_VARS) {
      const v = userEnv[name] ?? env[name];
      if (v && !isAbsolute(v)) userEnv[name] = resolve(cwd, v);
    }
    await input.hooks?.beforeScenario?.(s.name);
    const started = Date.now();
    let record: RunRecord;
    try {
      record = await runK6({
        k6Path: located.path,
        script: scripts.get(s.name) as string,
        scenario: s.name,
        baseUrl: input.baseUrl,
        outDir: input.outDir,
        cwd,
        log,
        env: userEnv,
        tags: k6.tags,
        timeoutSeconds: k6.timeoutSeconds ?? DEFAULT_RUN_TIMEOUT_SECONDS,
        graceSeconds: input.graceSeconds,
        executionSegment: k6.executionSegment,
        executionSegmentSequence: k6.executionSegmentSequence,
        attempt: input.attempt,
        baseEnv: env,
        ...(input.signal ? { signal: input.signal } : {}),
      });
    } catch (error) {
      // k6 could not start: let the hooks stop what they started for this run, then stop.
      const message = error instanceof Error ? error.message : String(error);
      const failed: RunRecord = {
        scenario: s.name,
        outputs: [],
        window: { start: started, end: Date.now() },
        exitCode: null,
        exitMeaning: 'k6 did not start',
        incomplete: message,
        attempt: input.attempt ?? 1,
      };
      await input.hooks?.afterScenario?.(s.name, failed);
      throw error;
    }
    if (located.version !== 'unknown') record.k6Version = located.version;
    await input.hooks?.afterScenario?.(s.name, record);
    records.push(record);
  }
  return records;
}
