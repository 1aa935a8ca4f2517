// Publishes a gate result on GitHub: job summary, annotations, the sticky PR comment. Never changes the
// verdict and never throws for a GitHub-side problem: a missing permission becomes a warning saying which.
import type { GateResult, Logger } from '../model.js';
import { annotationsFor, type Annotation } from './annotations.js';
import { describeApiError, errorStatus, isNetworkError, maskUrl, type GitHubClient } from './client.js';
import { COMMENT_LIMIT, marker, normalizeKey, upsertComment, type UpsertResult } from './comment.js';
import { describeTrigger, type GateContext } from './context.js';
import { writeSummary } from './summary.js';

export type CommentMode = 'always' | 'on-failure' | 'never';

export interface PublishOptions {
  result: GateResult;
  context: GateContext;
  /** Whether the gate passed (decided by the caller; publishing never changes it). */
  passed: boolean;
  octokit?: GitHubClient;
  comment: CommentMode;
  commentKey: string;
  /** GITHUB_STEP_SUMMARY; no summary when undefined. */
  summaryPath?: string;
  /** Emits annotations (the Action: core.error / core.warning with file and line). */
  annotate?: (annotations: Annotation[]) => void;
  /**
   * Most error annotations to emit (default MAX_ANNOTATIONS, the runner's limit per step). A step that is
   * about to fail passes one less: its failure message is an error annotation too.
   */
  maxAnnotations?: number;
  /** Thresholds path as reported → path relative to the repository root. */
  mapFile?: (file: string) => string;
  log: Logger;
  /** Known token login (null: an installation token); looked up when undefined. */
  login?: string | null;
}

export interface PublishReport {
  comment?: UpsertResult;
  /** Why no comment was written. */
  commentSkipped?: string;
  summaryBytes?: number;
  annotations: number;
  warnings: string[];
}

/**
 * The line above the report in the comment and the summary: what was measured and where the run is.
 * The verdict and the headline numbers are the report's own first lines.
 */
export function header(ctx: GateContext, commentKey: string): string {
  const key = normalizeKey(commentKey);
  return `<sub>perf-gate${key !== 'default' ? ` \`${key}\`` : ''} · ${describeTrigger(ctx)} · commit \`${ctx.sha}\` · [workflow run](${ctx.runUrl})</sub>`;
}

/** Closes an unclosed code fence and cuts at a line boundary: a last guard behind `markdownWithin`. */
/**
 * The fence that closes the code block left open at the end of `text`, or undefined. As CommonMark:
 * a block opened by N backticks (or tildes) is closed only by a line of at least N of the same, so a
 * line of three backticks inside a four-backtick block (a k6 error message) neither closes it nor opens one.
 */
export function unclosedFence(text: string): string | undefined {
  let open: { ch: string; len: number } | undefined;
  for (const line of text.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (!m) continue;
    const run = m[1]!;
    if (open === undefined) {
      // a backtick fence's info string cannot hold a backtick (that line is inline code, not a fence)
      if (run[0] === '`' && m[2]!.includes('`')) continue;
      open = { ch: run[0]!, len: run.length };
    } else if (run[0] === open.ch && run.length >= open.len && m[2]!.trim() === '') open = undefined;
  }
  return open === undefined ? undefined : open.ch.repeat(open.len);
}

/** The text cut at a line end to fit `max` with the note after it, an open code block closed. */
export function hardTrim(text: string, max: number, note: string): string {
  if (text.length <= max) return text;
  const tail = `\n\n${note}\n`;
  let room = max - tail.length;
  for (;;) {
    let cut = text.slice(0, Math.max(0, room));
    const nl = cut.lastIndexOf('\n');
    if (nl > 0) cut = cut.slice(0, nl);
    const close = unclosedFence(cut);
    const out = `${close === undefined ? cut : `${cut}\n${close}`}${tail}`;
    // the closing fence may not fit: cut again, shorter by what is over
    if (out.length <= max || cut.length === 0) return out;
    room = cut.length - (out.length - max);
  }
}

/** Where the whole report can be read, for notes and warnings: the job summary only when one is written. */
function fullReportAt(ctx: GateContext, summary: boolean, link: boolean): string {
  if (summary) return link ? `the [job summary](${ctx.runUrl})` : 'the job summary and the report files';
  return link
    ? `the \`report-markdown\` file of the [workflow run](${ctx.runUrl}) (the job summary is turned off)`
    : 'the report files (`report-markdown`, `report-json`; the job summary is turned off)';
}

/**
 * The comment body without the marker, within GitHub's limit once the marker line is added. `summary`:
 * whether the job summary holds the full report (the note of a shortened comment points there).
 */
export function commentBody(result: GateResult, ctx: GateContext, commentKey: string, summary = true): string {
  const head = header(ctx, commentKey);
  const budget = COMMENT_LIMIT - marker(commentKey).length - 1;
  // Credentials in URLs (a base URL with user:password@) never reach the PR, whatever the report holds.
  const full = maskUrl(`${head}\n\n${result.markdown}`);
  if (full.length <= budget) return full;
  const note = `_The report was shortened to fit a comment; the full report is in ${fullReportAt(ctx, summary, true)}._`;
  const body = maskUrl(`${head}\n\n${result.markdownWithin(budget - head.length - 2, note)}`);
  return hardTrim(body, budget, note);
}

/** Events whose runs from a fork get a read-only token (pull_request_target and issue_comment run with the base repository's). */
const READ_ONLY_FOR_FORKS = ['pull_request', 'pull_request_review', 'pull_request_review_comment', 'pull_request_review_thread'];

/** The commit a comment of ours reports on (the header line under the marker), if it names one. */
export function commentCommit(body: string): string | undefined {
  const top = body.split('\n').slice(0, 6).join('\n');
  return /\bcommit `([0-9a-f]{7,40})`/i.exec(top)?.[1]?.toLowerCase();
}

/**
 * Whether an existing comment must stay: it reports the pull request's current head commit and this run
 * measured another (a re-run of an old workflow run, a slow run overtaken by a newer push). Asks GitHub for
 * the head only when the comment names another commit than this run's; when that fails, the comment is updated.
 */
function keepNewer(octokit: GitHubClient, ctx: GateContext, log: Logger): (body: string) => Promise<string | undefined> {
  return async (body) => {
    const shown = commentCommit(body);
    const ours = ctx.sha.toLowerCase();
    if (!shown || !ours || shown === ours || ctx.prNumber === undefined) return undefined;
    try {
      const { data } = await octokit.rest.pulls.get({ owner: ctx.owner, repo: ctx.repo, pull_number: ctx.prNumber });
      const head = data.head.sha.toLowerCase();
      if (head === shown && head !== ours) {
        return `it reports ${shown.slice(0, 7)}, the pull request's head commit, and this run measured ${ours.slice(0, 7)}, an earlier one`;
      }
    } catch (error) {
      log.debug(`perf-gate could not read the head of pull request #${ctx.prNumber} (${describeApiError(error)}): the comment is updated`);
    }
    return undefined;
  };
}

function permissionWarning(what: string, error: unknown, ctx: GateContext, summary = true): string {
  const status = errorStatus(error);
  const detail = describeApiError(error);
  const tail = `The verdict is unchanged; the report is in ${fullReportAt(ctx, summary, false)}.`;
  if (isNetworkError(error)) {
    return `perf-gate could not ${what} (${detail}): GitHub's API did not answer, retries included; check that the runner reaches it (\`GITHUB_API_URL\`, the runner's proxy settings \`HTTPS_PROXY\` / \`NO_PROXY\`). ${tail}`;
  }
  if (/rate limit/i.test(detail) || status === 429) {
    return `perf-gate could not ${what}: GitHub API rate limit (${detail}). ${tail}`;
  }
  if (status === 403 && (ctx.locked || /\block(ed)?\b/i.test(detail))) {
    // Not a permission problem: GitHub refuses comments on a locked conversation (for an app token, and
    // with a read-only token it may answer only "Resource not accessible").
    return `perf-gate could not ${what} (${detail}): the pull request's conversation is locked, so the comment cannot be written; unlock the conversation to get it back. ${tail}`;
  }
  if ((status === 403 || status === 401) && ctx.fork !== undefined && READ_ONLY_FOR_FORKS.includes(ctx.eventName)) {
    // Adding `permissions:` cannot help here: GitHub caps a fork's pull_request token at read-only.
    return `perf-gate could not ${what} (${detail}): this pull request comes from ${ctx.fork === 'a deleted fork' ? ctx.fork : `the fork ${ctx.fork}`}, and GitHub gives a ${ctx.eventName} run from a fork a read-only token, without the \`pull-requests: write\` permission the comment needs, whatever the workflow's \`permissions:\` say. To comment on fork pull requests, use the fork-safe split: measure here with \`comment: never\` and comment from a workflow_run workflow (see docs/github.md). ${tail}`;
  }
  if (status === 403 || status === 401) {
    const fork =
      ctx.kind === 'pull_request' && /^dependabot\[bot\]$/i.test(ctx.actor)
        ? ' A pull_request run started by Dependabot only gets a read-only token, like a fork: use the fork-safe workflow_run split (see docs/github.md).'
        : ctx.kind === 'pull_request' && !ctx.forkKnown
          ? ' A pull_request run from a fork only gets a read-only token: use the fork-safe workflow_run split (see docs/github.md).'
          : '';
    return `perf-gate could not ${what} (${detail}): the token needs the \`pull-requests: write\` permission (add \`permissions: { pull-requests: write }\` to the job).${fork} ${tail}`;
  }
  if (status === 404) {
    return `perf-gate could not ${what} (${detail}): pull request #${ctx.prNumber} was not found or the token cannot see it; it needs \`pull-requests: write\` on ${ctx.owner}/${ctx.repo}. ${tail}`;
  }
  return `perf-gate could not ${what} (${detail}). ${tail}`;
}

export async function publish(opts: PublishOptions): Promise<PublishReport> {
  const { result, context: ctx, log } = opts;
  const report: PublishReport = { annotations: 0, warnings: [] };
  const warn = (m: string) => {
    report.warnings.push(m);
    log.warning(m);
  };

  if (opts.summaryPath) {
    try {
      const note = '_The report was shortened to fit the job summary; the full report is in the `report-markdown` file._';
      report.summaryBytes = await writeSummary(opts.summaryPath, result, header(ctx, opts.commentKey), note);
    } catch (error) {
      warn(`perf-gate could not write the job summary (${describeApiError(error)}); the report is in the report files.`);
    }
  }

  if (opts.annotate) {
    const annotations = annotationsFor(result.evaluation, opts.mapFile, opts.maxAnnotations);
    opts.annotate(annotations);
    report.annotations = annotations.length;
  }

  if (opts.comment === 'never') {
    report.commentSkipped = 'comment: never';
  } else if (ctx.prNumber === undefined) {
    report.commentSkipped = `no pull request to comment on${ctx.notes.length ? `: ${ctx.notes.join('; ')}` : ''}`;
  } else if (!opts.octokit) {
    report.commentSkipped = 'no GitHub token';
    warn('perf-gate has no GitHub token, so it cannot comment on the pull request: pass `github-token` (default: the job token) with `pull-requests: write`.');
  } else {
    try {
      report.comment = await upsertComment(
        opts.octokit,
        { owner: ctx.owner, repo: ctx.repo, issueNumber: ctx.prNumber },
        opts.commentKey,
        commentBody(result, ctx, opts.commentKey, opts.summaryPath !== undefined),
        log,
        {
          ...(opts.login !== undefined ? { login: opts.login } : {}),
          create: opts.comment === 'always' || !opts.passed,
          keep: keepNewer(opts.octokit, ctx, log),
        },
      );
      if (report.comment.action === 'absent') report.commentSkipped = 'comment: on-failure and the gate passed';
      else if (report.comment.action === 'kept') {
        log.info(`perf-gate left the comment ${report.comment.url ?? `#${report.comment.id}`} as it is: ${report.comment.keptBecause}. This run's report is in ${fullReportAt(ctx, opts.summaryPath !== undefined, false)}.`);
      } else log.info(`perf-gate comment ${report.comment.action}: ${report.comment.url ?? `#${report.comment.id}`}`);
    } catch (error) {
      report.commentSkipped = describeApiError(error);
      warn(permissionWarning(`comment on pull request #${ctx.prNumber}`, error, ctx, opts.summaryPath !== undefined));
    }
  }
  if (report.commentSkipped) log.info(`perf-gate: no comment (${report.commentSkipped})`);
  return report;
}

/**
 * When the gate could not run (k6 missing, bad thresholds file, preview down): says so in the summary and,
 * if the PR already has our comment or the mode asks for one, in the comment — so the PR never shows an
 * earlier verdict as if it were this commit's. Never throws.
 */
export async function publishError(opts: {
  message: string;
  context: GateContext;
  octokit?: GitHubClient;
  comment: CommentMode;
  commentKey: string;
  summaryPath?: string;
  log: Logger;
}): Promise<void> {
  const { context: ctx, log } = opts;
  const text = [
    `## ❗ perf-gate could not decide${normalizeKey(opts.commentKey) !== 'default' ? ` — \`${normalizeKey(opts.commentKey)}\`` : ''}`,
    '',
    `<sub>${describeTrigger(ctx)} · commit \`${ctx.sha}\` · [workflow run](${ctx.runUrl})</sub>`,
    '',
    '```text',
    opts.message.replace(/```/g, "'''").slice(0, 4000),
    '```',
  ].join('\n');
  if (opts.summaryPath) {
    try {
      const { appendFile } = await import('node:fs/promises');
      await appendFile(opts.summaryPath, `${text}\n`, 'utf8');
    } catch (error) {
      log.warning(`perf-gate could not write the job summary (${describeApiError(error)})`);
    }
  }
  if (opts.comment === 'never' || ctx.prNumber === undefined || !opts.octokit) return;
  try {
    const r = await upsertComment(opts.octokit, { owner: ctx.owner, repo: ctx.repo, issueNumber: ctx.prNumber }, opts.commentKey, text, log, {
      keep: keepNewer(opts.octokit, ctx, log),
    });
    if (r.action === 'kept') log.info(`perf-gate left the comment ${r.url ?? `#${r.id}`} as it is: ${r.keptBecause}.`);
  } catch (error) {
    log.warning(permissionWarning(`comment on pull request #${ctx.prNumber}`, error, ctx, opts.summaryPath !== undefined));
  }
}
