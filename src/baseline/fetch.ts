// Finding the baseline of a pull request: the JSON report that the newest successful run of the same
// workflow on the base branch kept as an artifact. Lists the runs (newest first, a bounded number of
// pages), each run's artifacts, downloads the one with the expected name (the API answers with a
// redirect to the blob store, which fetch follows), unzips it and parses the report. Every failure is
// a reason the relative criteria have no data, never an exception.
import { createHash } from 'node:crypto';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import type { getOctokit } from '@actions/github';
import type { Baseline, Logger } from '../model.js';
import { baselineFromJsonReport } from '../report/json.js';
import { InputError } from '../errors.js';
import { BASELINE_REPORT_FILE } from './name.js';
import { jsonSyntaxError, lineColumn } from '../json-syntax.js';

/** The Octokit client type of @actions/github (`getOctokit`), or anything with its `request`. */
export type OctokitLike = Pick<ReturnType<typeof getOctokit>, 'request'>;

export interface FindBaselineInput {
  octokit: OctokitLike;
  owner: string;
  repo: string;
  /** The workflow's id or file name (`perf.yml`). */
  workflowId: number | string;
  /** The pull request's base branch (`main`). */
  baseBranch: string;
  artifactName: string;
  log: Logger;
  /** Successful runs looked at, newest first (default 50; `per_page` is min(100, maxRuns)). */
  maxRuns?: number;
}

export type FindBaselineResult =
  | {
      /** The parsed JSON report, as `toJsonReport` wrote it. */
      baseline: unknown;
      /** The same report read as a Baseline (source = the workflow run's URL). */
      parsed: Baseline;
      /** Where it came from: the workflow run's URL. */
      source: string;
      /** The base-branch commit that run measured. */
      sha?: string;
      runId: number;
      artifactId: number;
    }
  | { missing: string };

export interface RunShape {
  id: number;
  html_url?: string;
  head_sha?: string;
  head_branch?: string | null;
  conclusion?: string | null;
  run_number?: number;
  /** What started the run: `push`, `pull_request`, `schedule`, … */
  event?: string;
  /** The repository the run's commit came from: a fork's for a pull request from a fork. */
  head_repository?: { full_name?: string } | null;
}

/** Events whose runs measured the branch itself: the only runs a baseline is taken from. */
export const BASELINE_EVENTS: readonly string[] = ['push', 'workflow_dispatch', 'schedule'];

/**
 * Why a run of the branch cannot supply a baseline, or undefined when it can. GitHub's `branch` filter
 * matches `head_branch`, which for a pull request from a fork is the fork's branch name: a fork's PR
 * from its own `main` is listed among `main`'s runs, and its artifact holds numbers the fork controls.
 */
export function notABaselineRun(run: RunShape, owner: string, repo: string): string | undefined {
  if (!run.event || !BASELINE_EVENTS.includes(run.event)) return `a ${run.event ?? 'unknown'} run`;
  const from = run.head_repository?.full_name;
  if (!from || from.toLowerCase() !== `${owner}/${repo}`.toLowerCase()) return `a run of ${from ?? 'an unknown repository'}`;
  return undefined;
}

interface ArtifactShape {
  id: number;
  name: string;
  expired: boolean;
  size_in_bytes?: number;
  expires_at?: string | null;
  /** `sha256:<hex>` of the zip, recorded by upload-artifact v4+; null for older uploads. */
  digest?: string | null;
}

/**
 * Why the downloaded zip does not match the SHA-256 digest GitHub recorded at upload, or undefined
 * (it matches, or there is no digest: artifacts uploaded before upload-artifact v4 have none).
 */
export function digestMismatch(digest: string | null | undefined, bytes: Uint8Array): string | undefined {
  const m = /^sha256:([0-9a-f]{64})$/i.exec(digest ?? '');
  if (!m) return undefined;
  const got = createHash('sha256').update(bytes).digest('hex');
  return got === m[1]!.toLowerCase() ? undefined : `its SHA-256 is ${got}, the digest recorded at upload is ${m[1]!.toLowerCase()}`;
}

function status(e: unknown): number | undefined {
  const s = (e as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

function describe(e: unknown): string {
  const s = status(e);
  const raw = e instanceof Error ? e.message : String(e);
  const first = (raw.split('\n')[0] ?? raw).replace(/([?&](?:sig|token|se|sp|sv|skoid|sktid|X-Amz-[A-Za-z-]+)=)[^&\s]+/gi, '$1***');
  if (s === 403 || s === 404) {
    return `HTTP ${s}: ${first} (the token needs \`actions: read\` on this repository to read workflow runs and artifacts)`;
  }
  return s !== undefined ? `HTTP ${s}: ${first}` : first;
}

/** Picks the report inside the artifact: `perf-gate-report.json`, else the only JSON file. */
function reportFrom(zip: Uint8Array): { name: string; bytes: Uint8Array } | string {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (e) {
    return `the artifact is not a readable zip archive (${e instanceof Error ? e.message : String(e)})`;
  }
  const names = Object.keys(files).filter((n) => !n.endsWith('/'));
  const exact = names.find((n) => n === BASELINE_REPORT_FILE || n.endsWith(`/${BASELINE_REPORT_FILE}`));
  const jsons = names.filter((n) => n.toLowerCase().endsWith('.json'));
  const name = exact ?? (jsons.length === 1 ? jsons[0] : undefined);
  if (name === undefined) {
    return jsons.length === 0
      ? `the artifact holds no JSON report (files: ${names.slice(0, 5).join(', ') || 'none'})`
      : `the artifact holds several JSON files and none is named ${BASELINE_REPORT_FILE}`;
  }
  return { name, bytes: files[name]! };
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/**
 * The newest successful push / workflow_dispatch / schedule run of `workflowId` on `baseBranch` of
 * `owner/repo` itself (never a pull request's run, never a fork's) that kept an unexpired artifact named
 * `artifactName`, downloaded and parsed; or why there is none.
 */
export async function findBaseline(input: FindBaselineInput): Promise<FindBaselineResult> {
  const { octokit, owner, repo, workflowId, baseBranch, artifactName, log } = input;
  const maxRuns = Math.max(1, input.maxRuns ?? 50);
  const perPage = Math.min(100, maxRuns);
  const where = `workflow ${workflowId} on branch ${baseBranch}`;
  let looked = 0;
  let expired = 0;
  let skipped = 0;
  let lastFailure: string | undefined;

  try {
    for (let page = 1; looked < maxRuns; page++) {
      let runs: RunShape[];
      try {
        const res = await octokit.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
          owner,
          repo,
          workflow_id: workflowId,
          branch: baseBranch,
          status: 'success',
          per_page: perPage,
          page,
        });
        runs = (res.data as { workflow_runs?: RunShape[] }).workflow_runs ?? [];
      } catch (e) {
        return { missing: `could not list the runs of ${where}: ${describe(e)}` };
      }
      if (runs.length === 0) break;
      for (const run of runs) {
        if (looked >= maxRuns) break;
        looked++;
        // The filters are the server's; a run of another branch or outcome is still not a baseline.
        if ((run.head_branch != null && run.head_branch !== baseBranch) || (run.conclusion != null && run.conclusion !== 'success')) continue;
        // Only runs of the branch itself (push, manual, scheduled) in this repository: never a pull request's.
        const why = notABaselineRun(run, owner, repo);
        if (why) {
          skipped++;
          log.debug(`baseline: run ${run.id} is ${why}, not a run of ${owner}/${repo}'s ${baseBranch} itself: skipped`);
          continue;
        }
        let artifacts: ArtifactShape[];
        try {
          const res = await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', {
            owner,
            repo,
            run_id: run.id,
            name: artifactName,
            per_page: 100,
          });
          artifacts = ((res.data as { artifacts?: ArtifactShape[] }).artifacts ?? []).filter((a) => a.name === artifactName);
        } catch (e) {
          return { missing: `could not list the artifacts of run ${run.id}: ${describe(e)}` };
        }
        if (artifacts.length === 0) continue;
        const live = artifacts.filter((a) => !a.expired).sort((a, b) => b.id - a.id)[0];
        if (!live) {
          expired++;
          log.debug(`baseline: artifact ${artifactName} of run ${run.id} has expired`);
          continue;
        }
        const source = run.html_url ?? `https://github.com/${owner}/${repo}/actions/runs/${run.id}`;
        log.info(`Baseline: artifact ${artifactName} (${live.size_in_bytes ?? '?'} bytes) of run ${run.run_number ?? run.id} (${source})`);
        let bytes: Uint8Array | undefined;
        try {
          const res = await octokit.request('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}', {
            owner,
            repo,
            artifact_id: live.id,
            archive_format: 'zip',
          });
          bytes = toBytes(res.data);
        } catch (e) {
          return { missing: `could not download artifact ${artifactName} of run ${run.id}: ${describe(e)}` };
        }
        if (!bytes) return { missing: `the download of artifact ${artifactName} of run ${run.id} was not a zip archive` };
        const mismatch = digestMismatch(live.digest, bytes);
        if (mismatch) return { missing: `artifact ${artifactName} of run ${run.id} is not what was uploaded: ${mismatch}; it is not used as a baseline` };
        const report = reportFrom(bytes);
        if (typeof report === 'string') {
          lastFailure = `${report} (artifact ${artifactName} of run ${run.id})`;
          return { missing: lastFailure };
        }
        let value: unknown;
        let parsed: Baseline;
        try {
          ({ value, baseline: parsed } = parseBaselineReport(report.bytes, report.name, source));
        } catch (e) {
          if (!(e instanceof BaselineReportError)) throw e;
          const what = `${report.name} in artifact ${artifactName} of run ${run.id}`;
          // A bad report is no baseline (never a failed gate): say what is wrong with it, in one line.
          return {
            missing:
              (e.line !== undefined ? `${what} is not valid JSON at line ${e.line}, column ${e.column ?? 1}: ${e.detail}` : `${what}: ${e.detail}`) +
              `; it is not used (the next push, workflow_dispatch or schedule run on ${baseBranch} keeps a new one)`,
          };
        }
        const found: FindBaselineResult = { baseline: value, parsed, source, runId: run.id, artifactId: live.id };
        const sha = run.head_sha ?? parsed.commit;
        if (sha) found.sha = sha;
        if (sha && !parsed.commit) parsed.commit = sha;
        return found;
      }
      if (runs.length < perPage) break;
    }
  } catch (e) {
    // Nothing above should throw; this is the last guard of "never a crash".
    return { missing: `baseline lookup failed: ${describe(e)}` };
  }
  if (looked === 0) return { missing: `no successful run of ${where}` };
  if (looked === skipped) {
    return { missing: `none of the ${looked} newest successful runs of ${where} is a push, workflow_dispatch or schedule run of ${owner}/${repo} (pull request runs are never baselines)` };
  }
  if (expired > 0) return { missing: `artifact ${artifactName} has expired in the ${expired} newest successful ${expired === 1 ? 'run' : 'runs'} of ${where} that kept it` };
  const also = skipped > 0 ? ` (${skipped} pull request or fork ${skipped === 1 ? 'run' : 'runs'} skipped)` : '';
  return { missing: `none of the ${looked} newest successful runs of ${where} kept an artifact named ${artifactName}${also}` };
}

// ---- Reading a baseline report: the Action's artifact and the CLI's --baseline FILE alike ----

/** What to do about a file that is not a baseline report. */
export const BASELINE_FIX = 'pass the --json report of an earlier perf-gate run (`perf-gate evaluate … --json FILE` writes one)';

/**
 * A baseline report that cannot be read: `detail` says what is wrong in plain words; `line` and
 * `column` (1-based) point at a JSON syntax error. An InputError, so the CLI prints
 * `file[:line:column]: message` and the fix and exits with 2.
 */
export class BaselineReportError extends InputError {
  constructor(
    readonly detail: string,
    readonly file: string,
    fix: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? detail : `the baseline is not valid JSON: ${detail}`, line === undefined ? file : `${file}:${line}:${column ?? 1}`, fix);
  }
}

/** Whether a JSON value is a line of k6's `--out json` output (`{"type":"Point","metric":…}`). */
function isK6Line(json: string): boolean {
  try {
    const v = JSON.parse(json) as { type?: unknown; metric?: unknown } | null;
    return v !== null && typeof v === 'object' && (v.type === 'Point' || v.type === 'Metric') && typeof v.metric === 'string';
  } catch {
    return false;
  }
}

/** The first line of a gzip file's text (from its first 64 KiB; '' when that does not inflate). */
function gzipFirstLine(bytes: Uint8Array): string {
  try {
    // Z_SYNC_FLUSH: the start of a stream inflates without its end
    const text = gunzipSync(bytes.subarray(0, 1 << 16), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
    return text.slice(0, text.indexOf('\n') >>> 0);
  } catch {
    return '';
  }
}

/** What the first bytes say the file is, when it cannot be a JSON report. */
function notText(bytes: Uint8Array): { detail: string; fix: string } | undefined {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    if (isK6Line(gzipFirstLine(bytes))) {
      return { detail: "the file is k6's --out json output (gzip-compressed), not a perf-gate JSON report", fix: 'k6 output goes to --results; --baseline takes the --json report of an earlier perf-gate run' };
    }
    return { detail: 'the file is gzip-compressed; perf-gate reads the JSON report uncompressed', fix: `decompress it first (gunzip), or ${BASELINE_FIX}` };
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return { detail: 'the file is a zip archive (a downloaded artifact?), not the JSON report inside it', fix: 'unzip it and pass the perf-gate-report.json inside' };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { detail: 'the file is UTF-16 text; perf-gate reads UTF-8', fix: `save it as UTF-8 (PowerShell: Out-File -Encoding utf8), or ${BASELINE_FIX}` };
  }
  return undefined;
}

/**
 * Reads a baseline report: the bytes (or text) of a file that `--json` wrote, named `file` in messages,
 * read as the Baseline of `source` (the file itself, or the workflow run it came from). A UTF-8 byte
 * order mark is skipped. Anything else → BaselineReportError: what is wrong in plain words, with the
 * line and column of a JSON syntax error, and the fix.
 */
export function parseBaselineReport(content: Uint8Array | string, file: string, source = file): { value: unknown; baseline: Baseline } {
  if (typeof content !== 'string') {
    const odd = notText(content);
    if (odd) throw new BaselineReportError(odd.detail, file, odd.fix);
  }
  let text = typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new BaselineReportError('the file is empty', file, BASELINE_FIX);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const found = jsonSyntaxError(text);
    // JSON.parse and the scanner agree on what JSON is; should they not, JSON.parse's offset still places it.
    const offset = found?.offset ?? Number(/position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1] ?? text.length);
    const at = lineColumn(text, offset);
    if (found?.afterValue && isK6Line(text.slice(0, offset))) {
      throw new BaselineReportError(
        "more JSON after the first line: this is k6's --out json output (one JSON object a line), not a perf-gate JSON report",
        file,
        'k6 output goes to --results; --baseline takes the --json report of an earlier perf-gate run',
        at.line,
        at.column,
      );
    }
    const message = found === undefined ? 'the text here is not valid JSON' : found.afterValue ? `${found.message}: a perf-gate JSON report is a single object` : found.message;
    throw new BaselineReportError(message, file, BASELINE_FIX, at.line, at.column);
  }
  try {
    return { value, baseline: baselineFromJsonReport(value, source) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // baselineFromJsonReport names `source` and the fix around its message: keep the message alone.
    let detail = error.message;
    if (error.where !== undefined && detail.startsWith(`${error.where}: `)) detail = detail.slice(error.where.length + 2);
    if (error.hint !== undefined && detail.endsWith(`\n  fix: ${error.hint}`)) detail = detail.slice(0, -`\n  fix: ${error.hint}`.length);
    throw new BaselineReportError(detail, file, error.hint ?? BASELINE_FIX);
  }
}
