// The sticky pull-request comment: one per PR and comment key, found by a hidden marker *and* authored by
// the token's own identity (or, when that identity cannot be read, by a bot account), updated in place,
// left alone when unchanged; racing runs converge on one.
import type { Logger } from '../model.js';
import { describeApiError, errorStatus, type GitHubClient } from './client.js';

/** GitHub's limit on a comment body, in characters. */
export const COMMENT_LIMIT = 65_536;

/** The login GITHUB_TOKEN's comments are authored by (its `GET /user` answers 403, like any app installation token's). */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface UpsertResult {
  /**
   * `absent`: no comment of ours yet and `create: false` (comment: on-failure on a passing run). `kept`: the
   * comment was left as it is because `keep` gave a reason (it reports a newer commit); see `keptBecause`.
   */
  action: 'created' | 'updated' | 'unchanged' | 'absent' | 'kept';
  keptBecause?: string;
  id?: number;
  url?: string;
  /** Duplicates of ours that were removed (a race of two runs, or older leftovers). */
  deleted: number[];
}

interface CommentLike {
  id: number;
  body?: string | null;
  html_url?: string;
  user?: { login: string; type?: string } | null;
}

/** Normalises a comment key to what a marker can hold. */
export function normalizeKey(key: string): string {
  const k = key.trim().replace(/--+/g, '-').replace(/[^A-Za-z0-9._:/@+-]+/g, '_');
  return k.length ? k : 'default';
}

export function marker(key: string): string {
  return `<!-- perf-gate:${normalizeKey(key)} -->`;
}

/**
 * Identity of the token: its login from `GET /user`, or undefined when it cannot be read: an installation
 * token (GITHUB_TOKEN as `github-actions[bot]`, or a GitHub App's as `<app>[bot]`).
 */
export async function tokenLogin(octokit: GitHubClient, log: Logger): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return data.login;
  } catch (error) {
    const status = errorStatus(error);
    if (status === 403 || status === 401 || status === 404) {
      log.debug(`GET /user answered ${status}: an installation token; our comment is the bot-authored one with the marker`);
      return undefined;
    }
    throw error;
  }
}

const TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Same content apart from timestamps (a report's "generated at"): a re-run that changed nothing writes nothing. */
export function sameContent(a: string | null | undefined, b: string): boolean {
  return a === b || (typeof a === 'string' && a.replace(TIMESTAMP, '') === b.replace(TIMESTAMP, ''));
}

function isOurs(c: CommentLike, mark: string, login: string | undefined): boolean {
  if (!c.body || !c.body.startsWith(mark)) return false;
  const user = c.user;
  if (!user) return false;
  if (login) return user.login === login;
  // Identity unknown (an installation token: GITHUB_TOKEN or a GitHub App's): any bot account's comment with
  // the marker is ours. A person's account is never a Bot, so a look-alike written by a user is not taken over.
  return user.type === 'Bot';
}

async function listOurs(octokit: GitHubClient, t: CommentTarget, mark: string, login: string | undefined): Promise<CommentLike[]> {
  const all = (await octokit.paginate(octokit.rest.issues.listComments, {
    owner: t.owner,
    repo: t.repo,
    issue_number: t.issueNumber,
    per_page: 100,
  })) as CommentLike[];
  return all.filter((c) => isOurs(c, mark, login)).sort((a, b) => a.id - b.id);
}

/**
 * Removes a duplicate of ours. Housekeeping only: the report is already in the comment kept, so a duplicate
 * that cannot be removed (refused, rate-limited, API down) is a warning, never a failed comment.
 */
async function deleteQuietly(octokit: GitHubClient, t: CommentTarget, id: number, log: Logger): Promise<boolean> {
  try {
    await octokit.rest.issues.deleteComment({ owner: t.owner, repo: t.repo, comment_id: id });
    return true;
  } catch (error) {
    // The other run of a race may have deleted it first.
    if (errorStatus(error) === 404) return false;
    log.warning(`perf-gate could not remove its duplicate comment ${id} on #${t.issueNumber} (${describeApiError(error)}); the report is in the comment kept.`);
    return false;
  }
}

/**
 * Creates or updates the comment carrying `marker(key)` on the PR. `body` must not contain the marker;
 * it is put on the first line. Ours = marker at the start and authored by the token's identity (a bot
 * account when the identity cannot be read).
 */
export async function upsertComment(
  octokit: GitHubClient,
  target: CommentTarget,
  key: string,
  body: string,
  log: Logger,
  opts: {
    login?: string | null;
    create?: boolean;
    /** Asked before an existing comment is replaced: a reason to leave it as it is, or undefined to update it. */
    keep?: (existingBody: string) => Promise<string | undefined>;
  } = {},
): Promise<UpsertResult> {
  const mark = marker(key);
  const full = `${mark}\n${body}`;
  let login = opts.login === undefined ? await tokenLogin(octokit, log) : (opts.login ?? undefined);

  const existing = await listOurs(octokit, target, mark, login);
  const deleted: number[] = [];
  let keep = existing[0];
  let action: UpsertResult['action'];
  let keptBecause: string | undefined;

  if (!keep && opts.create === false) return { action: 'absent', deleted };
  if (!keep) {
    const { data } = await octokit.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.issueNumber, body: full });
    // The comment tells who the token really is (an app's installation token is not github-actions[bot]).
    login = data.user?.login ?? login;
    // Converge with a run that created its comment at the same time: the oldest one wins.
    const after = await listOurs(octokit, target, mark, login);
    const oldest = after[0];
    if (oldest && oldest.id !== data.id) {
      keep = oldest;
      if (sameContent(oldest.body, full)) action = 'unchanged';
      else if ((keptBecause = await opts.keep?.(oldest.body ?? '')) !== undefined) {
        // the racing run's comment reports a newer commit than this run measured: it stays
        action = 'kept';
      } else {
        await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: oldest.id, body: full });
        action = 'updated';
      }
    } else {
      keep = data;
      action = 'created';
    }
    for (const c of after) if (c.id !== keep.id && (await deleteQuietly(octokit, target, c.id, log))) deleted.push(c.id);
    if (after.every((c) => c.id !== data.id) && data.id !== keep.id && (await deleteQuietly(octokit, target, data.id, log))) deleted.push(data.id);
  } else {
    if (sameContent(keep.body, full)) {
      action = 'unchanged';
    } else if ((keptBecause = await opts.keep?.(keep.body ?? '')) !== undefined) {
      action = 'kept';
    } else {
      const { data } = await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: keep.id, body: full });
      keep = data;
      action = 'updated';
    }
    for (const c of existing.slice(1)) if (await deleteQuietly(octokit, target, c.id, log)) deleted.push(c.id);
  }
  if (deleted.length) log.info(`perf-gate removed ${deleted.length} duplicate comment(s) of key ${normalizeKey(key)}`);
  return { action, ...(keptBecause !== undefined ? { keptBecause } : {}), id: keep.id, ...(keep.html_url ? { url: keep.html_url } : {}), deleted };
}
