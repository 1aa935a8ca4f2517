// The Action face: reads inputs and the runner's environment, calls the pipeline, publishes on GitHub,
// sets outputs and the outcome. The only module of the Action that reads env or sets the result.
// Nothing runs at import.
import * as core from '@actions/core';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { asError, InputError } from './errors.js';
import { createClient, maskUrl, type ClientOptions, type GitHubClient } from './github/client.js';
import { MAX_ANNOTATIONS } from './github/annotations.js';
import { normalizeKey } from './github/comment.js';
import { resolveContext, type GateContext, type RunEnvironment } from './github/context.js';
import { failureMessage, gatePassed } from './github/outcome.js';
import { publish, publishError, type CommentMode } from './github/publish.js';
import { maskKey, urlSecrets } from './mask.js';
import { gate as pipelineGate } from './pipeline.js';
import { DEFAULT_PREFLIGHT } from './run/run.js';
import { checkSegment } from './run/flags.js';
import { parseDurationMs } from './k6/duration.js';
import { cancelOnSignals } from './run/cancel.js';
import { actionBaselineFinder, actionBaselineSaver, workflowFileFromRef } from './baseline/action.js';
import type { Baseline, GateOptions, GateResult, Headline, Logger } from './model.js';

/** What a baseline finder gets: where we are, which scenario, and the API client. */
export interface BaselineLookup {
  context: GateContext;
  scenario: string;
  commentKey: string;
  thresholds: string;
  octokit?: GitHubClient;
  log: Logger;
}

/** What a baseline saver gets after the gate ran. */
export interface BaselineSave {
  context: GateContext;
  commentKey: string;
  result: GateResult;
  octokit?: GitHubClient;
  log: Logger;
}

export interface ActionDeps {
  gate: (opts: GateOptions) => Promise<GateResult>;
  /** A ready client; default: one built from `github-token` and GITHUB_API_URL. */
  octokit?: GitHubClient;
  /** Finds the baseline of a scenario, or says why there is none (`{ missing }`: shown in the report). */
  findBaseline?: (lookup: BaselineLookup) => Promise<Baseline | { missing: string } | undefined>;
  saveBaseline?: (save: BaselineSave) => Promise<void>;
  /** Retry and timing settings for the default client. */
  client?: Partial<Omit<ClientOptions, 'token' | 'baseUrl' | 'log'>>;
}

const log: Logger = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  error: (m) => core.error(m),
  debug: (m) => core.debug(m),
  group: (name, fn) => core.group(name, fn),
};

function list(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** One of `allowed`, in any case (`Never`, `MARGINAL`), as boolean inputs are; '' is the fallback. */
function choice<T extends string>(name: string, value: string, allowed: readonly T[], fallback: T): T {
  if (value === '') return fallback;
  const v = value.toLowerCase();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new InputError(`input \`${name}\` is \`${value}\``, undefined, `use one of: ${allowed.join(', ')}`);
}

function bool(name: string, fallback: boolean): boolean {
  const v = core.getInput(name).toLowerCase();
  if (v === '') return fallback;
  if (['true', 'yes', 'on', '1'].includes(v)) return true;
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  throw new InputError(`input \`${name}\` is \`${v}\``, undefined, 'use true or false');
}

/** Gate warnings shown as annotations (the runner shows 10 a step; the rules' warnings take up to 5). */
const GATE_WARNING_ANNOTATIONS = 5;

/** `600`, `90s`, `10m`, `1h30m`, `500ms` → seconds, more than 0 (k6's duration form, as the CLI's flags take it). */
export function parseDuration(name: string, value: string): number | undefined {
  if (value.trim() === '') return undefined;
  const ms = parseDurationMs(value);
  if (ms === undefined || ms <= 0) {
    throw new InputError(`input \`${name}\` is \`${value}\``, undefined, 'write a duration of more than 0, such as 600, 90s, 10m or 1h30m');
  }
  return ms / 1000;
}

function parseEnvLines(name: string, value: string, keyPattern = /^[A-Za-z_][A-Za-z0-9_]*$/): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [i, raw] of value.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!keyPattern.test(key)) {
      throw new InputError(`input \`${name}\`, line ${i + 1}: \`${line.slice(0, 40)}\` is not KEY=VALUE`, undefined, 'one KEY=VALUE per line, e.g. `API_KEY=${{ secrets.API_KEY }}`');
    }
    env[key] = line.slice(eq + 1);
  }
  return env;
}

async function expandResults(patterns: string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    const found = await glob(pattern, { cwd, absolute: true, onlyFiles: true, dot: true });
    if (found.length === 0) {
      throw new InputError(`input \`results\`: no file matches \`${pattern}\` (in ${cwd})`, undefined, 'check the path of the k6 output (`k6 run --out json=…`) or the downloaded artifact');
    }
    files.push(...found.sort());
  }
  return [...new Set(files)];
}

function runEnvironment(env: NodeJS.ProcessEnv, payload: Record<string, unknown>): RunEnvironment {
  const repoFromPayload = (payload.repository as { full_name?: string } | undefined)?.full_name ?? '';
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    payload,
    repository: env.GITHUB_REPOSITORY || repoFromPayload,
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    runId: env.GITHUB_RUN_ID ?? '0',
    ...(env.GITHUB_RUN_ATTEMPT ? { runAttempt: env.GITHUB_RUN_ATTEMPT } : {}),
  };
}

async function readPayload(path: string | undefined): Promise<Record<string, unknown>> {
  if (!path) return {};
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    log.warning(`perf-gate could not read the event payload ${path}: ${asError(error).message}`);
    return {};
  }
}

/** One value per headline field for the outputs: the scenario's, or the worst over several scenarios. */
function worstHeadline(headline: Record<string, Headline>): Headline {
  const hs = Object.values(headline);
  const pick = (f: (h: Headline) => number | null, worst: (a: number, b: number) => number) =>
    hs.map(f).reduce<number | null>((acc, v) => (v === null ? acc : acc === null ? v : worst(acc, v)), null);
  return {
    p95: pick((h) => h.p95, Math.max),
    p99: pick((h) => h.p99, Math.max),
    errorRate: pick((h) => h.errorRate, Math.max),
    rps: pick((h) => h.rps, Math.min),
  };
}

/** The report's "trigger" cell: which event, which PR. */
function triggerText(ctx: GateContext): string {
  const pr = ctx.prNumber !== undefined ? ` (PR #${ctx.prNumber})` : '';
  if (ctx.retest) return `manual retest by @${ctx.retest.actor}${pr}`;
  if (ctx.kind === 'push') return `push to ${ctx.branch ?? ctx.ref}${pr}`;
  return `${ctx.eventName || 'local run'}${pr}`;
}

const out = (v: number | null) => (v === null ? '' : String(Number(v.toFixed(6))));

export async function run(deps: Partial<ActionDeps> = {}): Promise<void> {
  // Known once the inputs and the event are read: lets a failure still be reported on the PR.
  // set as soon as it is known, so that a step uploading it with `if: always()` finds it after an error too
  let reportDirOut: string | undefined;
  let where: { context: GateContext; octokit?: GitHubClient; comment: CommentMode; commentKey: string; summaryPath?: string } | undefined;
  try {
    const env = process.env;

    // ── inputs ──
    const token = core.getInput('github-token');
    if (token) core.setSecret(token);
    const workspace = env.GITHUB_WORKSPACE || process.cwd();
    const wd = core.getInput('working-directory') || '.';
    const cwd = isAbsolute(wd) ? wd : resolve(workspace, wd);
    const thresholds = core.getInput('thresholds') || 'thresholds.yml';
    let scenarios = list(core.getInput('scenario'));
    const resultPatterns = list(core.getInput('results'));
    let baseUrl = core.getInput('base-url') || undefined;
    // The base URL's user name and password are masked in every log line from here on.
    for (const secret of urlSecrets(baseUrl ?? '')) core.setSecret(secret);
    const comment = choice<CommentMode>('comment', core.getInput('comment'), ['always', 'on-failure', 'never'], 'always');
    const commentKey = normalizeKey(core.getInput('comment-key') || 'default');
    const failOnInput = core.getInput('fail-on');
    const failOn = failOnInput === '' ? undefined : choice('fail-on', failOnInput, ['fail', 'marginal'] as const, 'fail');
    const k6Env = parseEnvLines('k6-env', core.getInput('k6-env'));
    const timeoutSeconds = parseDuration('timeout', core.getInput('timeout'));
    checkSegment(core.getInput('execution-segment') || undefined, core.getInput('execution-segment-sequence') || undefined, 'input ');
    const preflightStatusRaw = core.getInput('preflight-status');
    if (preflightStatusRaw && !/^[1-5]\d\d$/.test(preflightStatusRaw)) {
      throw new InputError(`input \`preflight-status\` is \`${preflightStatusRaw}\``, undefined, 'an HTTP status such as 200');
    }
    const preflightPath = core.getInput('preflight-path');
    if (preflightPath !== '' && !preflightPath.startsWith('/')) {
      throw new InputError(`input \`preflight-path\` is \`${preflightPath}\`: it must start with /`, undefined, 'write e.g. preflight-path: /healthz');
    }
    const preflightTimeout = parseDuration('preflight-timeout', core.getInput('preflight-timeout'));
    const k6Tags = parseEnvLines('k6-tags', core.getInput('k6-tags'), /^[A-Za-z_][A-Za-z0-9_.-]*$/);
    const writeSummaryInput = bool('summary', true);
    const annotate = bool('annotations', true);
    const confirmFailures = bool('confirm-failures', false);
    const failWorkflow = bool('fail-workflow', true);
    const reportDirInput = core.getInput('report-dir');
    const reportDir = reportDirInput
      ? resolve(cwd, reportDirInput)
      : join(env.RUNNER_TEMP || tmpdir(), 'perf-gate', `${commentKey.replace(/[^A-Za-z0-9._-]/g, '_')}-${env.GITHUB_RUN_ID ?? process.pid}`);
    reportDirOut = reportDir;
    if (resultPatterns.length > 0 && baseUrl) {
      log.info('perf-gate: `results` is set, so no k6 run: `base-url` is not used.');
    }
    if (resultPatterns.length === 0 && core.getInput('k6-path') && core.getInput('k6-version')) {
      // the CLI refuses the pair; here a shared workflow template may set both, so it is a warning
      log.warning(`perf-gate: \`k6-version: ${core.getInput('k6-version')}\` is ignored: \`k6-path\` is set, and that binary is used as it is, whatever its version (remove one of the two)`);
    }

    // ── context ──
    const apiUrl = env.GITHUB_API_URL || 'https://api.github.com';
    const octokit =
      deps.octokit ?? (token ? createClient({ token, baseUrl: apiUrl, log, ...deps.client }) : undefined);
    const payload = await readPayload(env.GITHUB_EVENT_PATH);
    const context = await resolveContext(runEnvironment(env, payload), octokit, log);
    where = {
      context,
      ...(octokit ? { octokit } : {}),
      comment,
      commentKey,
      ...(writeSummaryInput && env.GITHUB_STEP_SUMMARY ? { summaryPath: env.GITHUB_STEP_SUMMARY } : {}),
    };
    if (context.retest) {
      log.info(`perf-gate: manual retest by @${context.retest.actor}`);
      // Dispatch inputs win over the step's `with:` values (the retest feature): say so, so it is never silent.
      const overridden = (input: string, source: string | undefined, value: string, before: string) =>
        log.info(
          `perf-gate: the workflow_dispatch input \`${source ?? input}\` (${value}) overrides the step's \`${input}\` input (${before === '' ? 'not set' : before})`,
        );
      if (context.retest.scenario) {
        overridden('scenario', context.retest.sources?.scenario, context.retest.scenario, core.getInput('scenario'));
        scenarios = list(context.retest.scenario);
      }
      if (context.retest.baseUrl) {
        for (const secret of urlSecrets(context.retest.baseUrl)) core.setSecret(secret);
        overridden('base-url', context.retest.sources?.baseUrl, maskUrl(context.retest.baseUrl), maskUrl(baseUrl ?? ''));
        baseUrl = context.retest.baseUrl;
      }
    }
    if (baseUrl) {
      try {
        void new URL(baseUrl);
      } catch {
        throw new InputError(`input \`base-url\` is not a URL: \`${maskUrl(baseUrl)}\``, undefined, 'write the full URL, e.g. https://pr-42.preview.example.com');
      }
      log.info(`perf-gate: base URL ${maskUrl(baseUrl)}`);
    }
    if (context.prNumber !== undefined) log.info(`perf-gate: pull request #${context.prNumber}, commit ${context.sha}`);
    for (const n of context.notes) log.info(`perf-gate: ${n}`);

    const results = resultPatterns.length > 0 ? await expandResults(resultPatterns, cwd) : undefined;
    if (!results && !baseUrl) {
      throw new InputError('neither `results` nor `base-url` is set', undefined, 'set `base-url` to the preview environment to run k6, or `results` to k6 output files to evaluate');
    }
    await mkdir(reportDir, { recursive: true });
    const gate = deps.gate ?? pipelineGate;
    let preflight: NonNullable<GateOptions['k6']>['preflight'];
    if (baseUrl && !results) {
      preflight = {
        path: preflightPath || DEFAULT_PREFLIGHT.path,
        expectStatus: preflightStatusRaw ? Number(preflightStatusRaw) : DEFAULT_PREFLIGHT.expectStatus,
        timeoutSeconds: preflightTimeout ?? DEFAULT_PREFLIGHT.timeoutSeconds,
      };
    }

    // Baselines: this run's report is kept as an artifact; relative thresholds compare with the base branch's.
    const findBaseline = deps.findBaseline ?? actionBaselineFinder({ workflowId: workflowFileFromRef(env.GITHUB_WORKFLOW_REF) });
    const saveBaseline = deps.saveBaseline ?? actionBaselineSaver({ env });
    const opts: GateOptions = {
      cwd,
      thresholds,
      scenarios,
      ...(results ? { results } : {}),
      ...(baseUrl ? { baseUrl } : {}),
      k6: {
        ...(core.getInput('k6-version') ? { version: core.getInput('k6-version') } : {}),
        ...(core.getInput('k6-path') ? { path: core.getInput('k6-path') } : {}),
        ...(core.getInput('k6-download-base') ? { downloadBase: core.getInput('k6-download-base') } : {}),
        env: k6Env,
        tags: {
          ...k6Tags,
          commit: context.sha,
          ...(context.prNumber !== undefined ? { pr: String(context.prNumber) } : {}),
          ...(env.GITHUB_RUN_ID ? { run_id: env.GITHUB_RUN_ID } : {}),
        },
        ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
        ...(preflight ? { preflight } : {}),
        ...(core.getInput('execution-segment') ? { executionSegment: core.getInput('execution-segment') } : {}),
        ...(core.getInput('execution-segment-sequence') ? { executionSegmentSequence: core.getInput('execution-segment-sequence').replace(/\s+/g, '') } : {}),
      },
      ...(failOn ? { failOn } : {}),
      ...(confirmFailures ? { confirmFailures } : {}),
      environment: {
        commit: context.sha,
        ref: context.branch ?? context.ref,
        trigger: triggerText(context),
        actor: context.retest?.actor ?? context.actor,
        runUrl: context.runUrl,
      },
      ...(findBaseline
        ? {
            baseline: async (scenario: string) => {
              try {
                return await findBaseline({ context, scenario, commentKey, thresholds, ...(octokit ? { octokit } : {}), log });
              } catch (error) {
                const why = `could not load a baseline for ${scenario}: ${maskUrl(asError(error).message)}`;
                log.warning(`perf-gate ${why}`);
                return { missing: why };
              }
            },
          }
        : {}),
      // For `${VAR}` in thresholds.yml: the job's environment without the Action's inputs and runner tokens.
      env: Object.fromEntries(Object.entries(env).filter(([k]) => !/^(INPUT_|ACTIONS_RUNTIME_TOKEN$|ACTIONS_ID_TOKEN_REQUEST_TOKEN$)/.test(k))),
      log,
      outDir: reportDir,
    };

    /** A thresholds path as the pipeline reports it → relative to the repository (annotations, messages). */
    const repoPath = (f: string) => relative(workspace, resolve(cwd, f)).split('\\').join('/');

    // ── gate ──
    // A cancelled job (SIGINT, then SIGTERM) stops k6 and still reports what it wrote.
    const cancellation = cancelOnSignals((m) => log.warning(m));
    let result: GateResult;
    try {
      result = await gate({ ...opts, signal: cancellation.signal });
    } finally {
      cancellation.dispose();
    }
    // a results file left out as unreadable makes the report partial: it never passes
    const passed = gatePassed(result.evaluation) && result.inputErrors.length === 0;
    // Data-quality and config warnings; one naming a thresholds.yml position becomes an annotation there.
    // The runner shows 10 warning annotations per step and the rules' take up to 5: past the first
    // GATE_WARNING_ANNOTATIONS, the rest are log lines under one annotation that counts them. Those
    // naming a thresholds.yml position come first: they are annotated on the rule's line.
    const located = result.warnings.map((w) => ({ w, at: /^(.+?):(\d+):(\d+): (.*)$/s.exec(w) }));
    const ordered = [...located.filter((x) => x.at), ...located.filter((x) => !x.at)];
    const annotated = ordered.length > GATE_WARNING_ANNOTATIONS ? GATE_WARNING_ANNOTATIONS - 1 : ordered.length;
    for (const [i, { w, at }] of ordered.entries()) {
      if (i === annotated) log.warning(`perf-gate: ${ordered.length - i} more warnings, in the log below`);
      if (i >= annotated) core.info(`warning: perf-gate: ${w}`);
      else if (at) core.warning(`perf-gate: ${at[4]}`, { title: 'perf-gate', file: repoPath(at[1]!), startLine: Number(at[2]), startColumn: Number(at[3]) });
      else log.warning(`perf-gate: ${w}`);
    }

    // ── report files and outputs ──
    const markdownFile = result.files.markdown ?? join(reportDir, 'report.md');
    const jsonFile = result.files.json ?? join(reportDir, 'report.json');
    if (!result.files.markdown) await writeFile(markdownFile, result.markdown, 'utf8');
    if (!result.files.json) await writeFile(jsonFile, `${JSON.stringify(result.json, null, 2)}\n`, 'utf8');
    const head = worstHeadline(result.headline);
    const failed = result.evaluation.scenarios.flatMap((s) => s.criteria.filter((c) => c.blocking));
    core.setOutput('verdict', result.evaluation.verdict);
    core.setOutput('passed', String(passed));
    core.setOutput('report-markdown', markdownFile);
    core.setOutput('report-json', jsonFile);
    core.setOutput('report-dir', reportDir);
    core.setOutput('k6-outputs', result.files.outputs.join('\n'));
    core.setOutput('headline', JSON.stringify(result.headline));
    core.setOutput('p95-ms', out(head.p95));
    core.setOutput('p99-ms', out(head.p99));
    core.setOutput('error-rate', out(head.errorRate));
    core.setOutput('rps', out(head.rps));
    core.setOutput(
      'failed-criteria',
      // masked as in the comment and the check: an expanded {url:*} rule puts request URLs, tokens included, into keys
      JSON.stringify(failed.map((c) => ({ scenario: c.scenario, metric: maskKey(c.metric), expression: c.expression, actual: c.actual, limit: c.limit, status: c.status }))),
    );
    if (context.prNumber !== undefined) core.setOutput('pr-number', String(context.prNumber));

    // The step fails with this message, itself an error annotation: the rules' annotations leave room for it
    // (the runner shows only 10 errors per step).
    const message = failureMessage(result.evaluation, repoPath);
    // bad input (a results file left out) fails the step whatever fail-workflow says
    const stepFails = (failWorkflow && message !== undefined) || result.inputErrors.length > 0;

    // ── publish (never changes the verdict) ──
    const published = await publish({
      result,
      context,
      passed,
      ...(octokit ? { octokit } : {}),
      comment,
      commentKey,
      ...(writeSummaryInput && env.GITHUB_STEP_SUMMARY ? { summaryPath: env.GITHUB_STEP_SUMMARY } : {}),
      ...(annotate
        ? {
            annotate: (as) => {
              for (const a of as) {
                const props = { title: a.title, file: a.file, startLine: a.line, startColumn: a.column };
                if (a.level === 'error') core.error(a.message, props);
                else core.warning(a.message, props);
              }
            },
          }
        : {}),
      mapFile: repoPath,
      maxAnnotations: stepFails ? MAX_ANNOTATIONS - 1 : MAX_ANNOTATIONS,
      log,
    });
    if (published.comment?.url) core.setOutput('comment-url', published.comment.url);
    if (published.comment?.id !== undefined) core.setOutput('comment-id', String(published.comment.id));

    // a report that lacks a results file (bad input) is never a baseline
    if (saveBaseline && result.inputErrors.length === 0) {
      try {
        await saveBaseline({ context, commentKey, result, ...(octokit ? { octokit } : {}), log });
      } catch (error) {
        log.warning(`perf-gate could not save this run as a baseline: ${asError(error).message}`);
      }
    }

    if (result.inputErrors.length > 0) {
      // bad input fails the step whatever fail-workflow says, as when nothing could be read; the
      // report of what could be read is published above
      core.setFailed([...(message ? [message] : []), ...result.inputErrors].join('\n'));
    } else if (message) {
      if (stepFails) core.setFailed(message);
      else log.warning(`${message}\n(fail-workflow: false — the step does not fail)`);
    } else {
      log.info(`perf-gate: ${result.evaluation.verdict} — ${result.evaluation.rationale}`);
    }
  } catch (thrown) {
    const error = asError(thrown);
    core.setOutput('verdict', 'ERROR');
    core.setOutput('passed', 'false');
    // k6's output files may already be there (an error after the run): worth keeping
    if (reportDirOut !== undefined) core.setOutput('report-dir', reportDirOut);
    const message = error instanceof InputError ? error.message : `perf-gate failed: ${maskUrl(error.message.replace(/^perf-gate:\s*/, ''))}`;
    if (!(error instanceof InputError) && error.stack) core.debug(maskUrl(error.stack));
    if (where) {
      try {
        await publishError({ ...where, message, log });
      } catch {
        // publishError does not throw; nothing may hide the original failure
      }
    }
    core.setFailed(message);
  }
}
