// What the workflow run is about: which event, which commit was measured, which pull request to report on.
// Takes the event name and payload as values (src/action.ts reads them from the runner's environment).
import type { Logger } from '../model.js';
import { describeApiError, errorStatus, type GitHubClient } from './client.js';

export type EventKind = 'pull_request' | 'pull_request_target' | 'push' | 'workflow_dispatch' | 'workflow_run' | 'other';

/** The runner's description of the run (GITHUB_* variables and the event payload). */
export interface RunEnvironment {
  eventName: string;
  payload: Record<string, unknown>;
  /** `owner/repo` (GITHUB_REPOSITORY). */
  repository: string;
  /** GITHUB_SHA and GITHUB_REF. */
  sha: string;
  ref: string;
  actor: string;
  /** https://github.com or the GHES host (GITHUB_SERVER_URL). */
  serverUrl: string;
  runId: string;
  runAttempt?: string;
}

export interface Retest {
  /** Who started the manual run. */
  actor: string;
  /** Dispatch inputs that override the Action's inputs. */
  scenario?: string;
  baseUrl?: string;
  /** The dispatch input each override came from (`scenario`, `base-url` or `base_url`). */
  sources?: { scenario?: string; baseUrl?: string };
}

export interface GateContext {
  kind: EventKind;
  eventName: string;
  owner: string;
  repo: string;
  /** The pull request to comment on, if any. */
  prNumber?: number;
  /** The commit that was measured. */
  sha: string;
  /** The full git ref of the run (`refs/heads/release/2`, `refs/tags/v1`, `refs/pull/2/merge`). */
  ref: string;
  /** The branch measured, when it is one (a PR's head branch, the pushed branch). */
  branch?: string;
  /** The pull request's base branch (for baselines), when known. */
  baseRef?: string;
  /**
   * A pull request from a fork: the head repository (`owner/repo`, or `a deleted fork`). Its `pull_request`
   * runs get a read-only token whatever the workflow's `permissions:` say. Undefined: not a fork, or unknown.
   */
  fork?: string;
  /** Whether the payload told if the pull request comes from a fork (`fork` is then set or known to be absent). */
  forkKnown?: boolean;
  /** The pull request's conversation is locked (from the event payload): comments may be refused. */
  locked?: boolean;
  actor: string;
  /** Link to this workflow run. */
  runUrl: string;
  retest?: Retest;
  /** Why no pull request was found, etc. */
  notes: string[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
};
/** `#12` or `https://github.com/owner/repo/pull/12` (this repository's) → 12. */
function pullNumberOf(text: string, owner: string, repo: string): number | undefined {
  const t = text.trim();
  const hash = /^#(\d+)$/.exec(t);
  if (hash) return num(hash[1]);
  const url = /^https?:\/\/[^/\s]+\/([^/\s]+)\/([^/\s]+)\/pull\/(\d+)(?:[/?#]\S*)?$/.exec(t);
  if (url && url[1]!.toLowerCase() === owner.toLowerCase() && url[2]!.toLowerCase() === repo.toLowerCase()) return num(url[3]);
  return undefined;
}
const branchOf = (ref: string): string | undefined => (ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined);

interface PullLike {
  number: number;
  head: { sha: string; ref: string };
  base?: { ref: string };
}

/** The open pull request whose head is `headOwner:branch` (newest first when several). */
async function openPullForBranch(octokit: GitHubClient, owner: string, repo: string, headOwner: string, branch: string): Promise<PullLike[]> {
  const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: 'open', head: `${headOwner}:${branch}`, per_page: 100 });
  return (pulls as PullLike[]).sort((a, b) => b.number - a.number);
}

async function pullsForCommit(octokit: GitHubClient, owner: string, repo: string, sha: string): Promise<Array<PullLike & { state?: string }>> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha, per_page: 100 });
  return data as Array<PullLike & { state?: string }>;
}

export async function resolveContext(env: RunEnvironment, octokit: GitHubClient | undefined, log: Logger): Promise<GateContext> {
  const [owner = '', repo = ''] = env.repository.split('/');
  const payload = env.payload;
  const kinds: EventKind[] = ['pull_request', 'pull_request_target', 'push', 'workflow_dispatch', 'workflow_run'];
  const kind: EventKind = (kinds as string[]).includes(env.eventName) ? (env.eventName as EventKind) : 'other';
  const ctx: GateContext = {
    kind,
    eventName: env.eventName,
    owner,
    repo,
    sha: env.sha,
    ref: env.ref,
    ...(branchOf(env.ref) ? { branch: branchOf(env.ref) } : {}),
    actor: env.actor,
    runUrl: `${env.serverUrl.replace(/\/+$/, '')}/${owner}/${repo}/actions/runs/${env.runId}${env.runAttempt && env.runAttempt !== '1' ? `/attempts/${env.runAttempt}` : ''}`,
    notes: [],
  };

  // A lookup failing (permissions, API down) must not stop the gate: measure and report without a PR.
  const lookup = async <T>(what: string, fn: (o: GitHubClient) => Promise<T>): Promise<T | undefined> => {
    if (!octokit) {
      ctx.notes.push(`no GitHub token: cannot look up ${what}`);
      return undefined;
    }
    try {
      return await fn(octokit);
    } catch (error) {
      const detail = describeApiError(error);
      const status = errorStatus(error);
      // A token without access to pull requests (`permissions:` that leave out pull-requests) answers 403.
      const fix =
        (status === 403 || status === 401) && !/rate limit/i.test(detail)
          ? ': the token needs the `pull-requests: read` permission to find the pull request (`pull-requests: write` to comment on it too; add it to the job\'s `permissions:`)'
          : '';
      log.warning(`perf-gate could not look up ${what} (${detail})${fix}; no comment on a pull request, the verdict and the report are unchanged.`);
      ctx.notes.push(`lookup of ${what} failed`);
      return undefined;
    }
  };

  /** The open pull request of a branch of this repository, if there is one, becomes the one to comment on. */
  const attachOpenPull = async (branch: string | undefined): Promise<void> => {
    if (!branch) {
      ctx.notes.push(`${ctx.ref || 'the ref'} is not a branch: no pull request to comment on`);
      return;
    }
    const pulls = await lookup(`the open pull request of ${branch}`, (o) => openPullForBranch(o, owner, repo, owner, branch));
    const pr = pulls?.[0];
    if (pr) {
      ctx.prNumber = pr.number;
      ctx.baseRef = pr.base?.ref;
    } else if (pulls) {
      ctx.notes.push(`no open pull request for ${branch}`);
    }
  };

  /** Marks a pull request whose head repository is not the base repository (a fork, or a fork since deleted). */
  const fromFork = (pr: Json): void => {
    if (!('head' in pr)) return;
    const headRepo = obj(pr.head).repo;
    const baseRepo = str(obj(obj(pr.base).repo).full_name) ?? env.repository;
    if (headRepo === null) {
      ctx.fork = 'a deleted fork';
    } else {
      const name = str(obj(headRepo).full_name);
      if (name === undefined) return;
      if (name.toLowerCase() !== baseRepo.toLowerCase()) ctx.fork = name;
    }
    ctx.forkKnown = true;
  };

  /** The commit, branches, lock and fork of a pull request object (from a payload or the API). */
  const usePull = (pr: Json): void => {
    const head = obj(pr.head);
    ctx.sha = str(head.sha) ?? ctx.sha;
    ctx.branch = str(head.ref) ?? ctx.branch;
    ctx.baseRef = str(obj(pr.base).ref) ?? ctx.baseRef;
    if (pr.locked === true) ctx.locked = true;
    fromFork(pr);
  };

  switch (kind) {
    case 'pull_request':
    case 'pull_request_target': {
      const pr = obj(payload.pull_request);
      ctx.prNumber = num(payload.number) ?? num(pr.number);
      // The PR's head commit, not the merge commit GitHub builds for pull_request (GITHUB_SHA).
      usePull(pr);
      if (ctx.prNumber === undefined) {
        // A local runner (act) or a step that cannot read the event file: GITHUB_EVENT_PATH has no pull request.
        ctx.notes.push(`the ${env.eventName} event payload names no pull request (GITHUB_EVENT_PATH missing or without \`pull_request\`)`);
      }
      break;
    }
    case 'push': {
      ctx.sha = str(payload.after) && !/^0+$/.test(payload.after as string) ? (payload.after as string) : env.sha;
      ctx.ref = str(payload.ref) ?? env.ref;
      const branch = branchOf(ctx.ref);
      ctx.branch = branch;
      await attachOpenPull(branch);
      break;
    }
    case 'workflow_dispatch': {
      const inputs = obj(payload.inputs);
      ctx.ref = str(payload.ref) ?? env.ref;
      const branch = branchOf(ctx.ref);
      ctx.branch = branch;
      const scenario = str(inputs.scenario)?.trim() || undefined;
      const baseUrlKey = str(inputs['base-url'])?.trim() ? 'base-url' : str(inputs.base_url)?.trim() ? 'base_url' : undefined;
      const baseUrl = baseUrlKey ? (inputs[baseUrlKey] as string).trim() : undefined;
      ctx.retest = {
        actor: str(obj(payload.sender).login) ?? env.actor,
        scenario,
        baseUrl,
        sources: { ...(scenario ? { scenario: 'scenario' } : {}), ...(baseUrlKey ? { baseUrl: baseUrlKey } : {}) },
      };
      // The `pr` input as people type it: `12`, `#12`, or the pull request's URL. The first input that
      // names a pull request is taken; when some are given and none does, that is said, not ignored.
      const prKeys = ['pr', 'pull-request', 'pull_request'].filter((k) => num(inputs[k]) !== undefined || str(inputs[k])?.trim());
      const prOf = (k: string) => num(inputs[k]) ?? pullNumberOf(String(inputs[k]), owner, repo);
      const prKey = prKeys.find((k) => prOf(k) !== undefined) ?? prKeys[0];
      const prRaw = prKey === undefined ? undefined : inputs[prKey];
      const explicit = prKey === undefined ? undefined : prOf(prKey);
      if (prKey !== undefined && explicit === undefined) {
        const why = `the workflow_dispatch input \`${prKey}\` is \`${String(prRaw).trim().slice(0, 100)}\`, not a pull request of ${owner}/${repo} (write 12, #12 or the pull request's URL)`;
        log.warning(`perf-gate: ${why}; the pull request is looked up from the dispatched branch instead.`);
      }
      if (explicit) {
        ctx.prNumber = explicit;
        const pr = await lookup(`pull request #${explicit}`, async (o) => (await o.rest.pulls.get({ owner, repo, pull_number: explicit })).data);
        if (pr) {
          // The PR's head is what is being retested (its preview), not the commit the workflow was dispatched on.
          ctx.sha = pr.head.sha;
          ctx.branch = pr.head.ref;
          ctx.baseRef = pr.base.ref;
        } else {
          ctx.notes.push(`pull request #${explicit} could not be read: the commit shown is the dispatched ref's (${env.sha.slice(0, 7)})`);
        }
        break;
      }
      await attachOpenPull(branch);
      break;
    }
    case 'workflow_run': {
      const run = obj(payload.workflow_run);
      const headSha = str(run.head_sha) ?? env.sha;
      const headBranch = str(run.head_branch);
      const headOwner = str(obj(obj(run.head_repository).owner).login) ?? owner;
      ctx.sha = headSha;
      if (headBranch) {
        ctx.ref = `refs/heads/${headBranch}`;
        ctx.branch = headBranch;
      }
      const listed = (Array.isArray(run.pull_requests) ? run.pull_requests : []).map(obj) as unknown as PullLike[];
      // The payload lists PRs of the same repository only (empty for forks): then look it up. A listed PR
      // counts only when the run is of its head: GitHub also lists PRs whose *base* is the run's branch (a
      // run on main lists the PRs into main), and commenting there would report a commit not in them.
      let pr: PullLike | undefined = listed.find((p) => p.head?.sha === headSha) ?? listed.find((p) => headBranch !== undefined && p.head?.ref === headBranch);
      if (!pr && headBranch) {
        const pulls = await lookup(`the pull request of ${headOwner}:${headBranch}`, (o) => openPullForBranch(o, owner, repo, headOwner, headBranch));
        pr = pulls?.find((p) => p.head.sha === headSha) ?? pulls?.[0];
      }
      if (!pr) {
        const pulls = await lookup(`the pull request of commit ${headSha.slice(0, 7)}`, (o) => pullsForCommit(o, owner, repo, headSha));
        pr = pulls?.find((p) => p.state === undefined || p.state === 'open');
      }
      if (pr) {
        ctx.prNumber = pr.number;
        ctx.baseRef = pr.base?.ref;
      } else {
        ctx.notes.push(`no pull request found for ${headOwner}:${headBranch ?? '?'} at ${headSha.slice(0, 7)}`);
      }
      break;
    }
    default: {
      const pull = obj(payload.pull_request);
      const issue = obj(payload.issue);
      if (num(pull.number) !== undefined) {
        // pull_request_review, pull_request_review_comment, pull_request_review_thread: the payload holds the
        // pull request; GITHUB_SHA is the merge commit GitHub builds, so the head commit is what was measured.
        ctx.prNumber = num(pull.number);
        usePull(pull);
      } else if (issue.pull_request && num(issue.number) !== undefined) {
        // issue_comment on a pull request (a `/perf` command): GITHUB_SHA is the default branch's commit; the
        // pull request's head (what its preview runs) is looked up.
        const number = num(issue.number)!;
        ctx.prNumber = number;
        if (issue.locked === true) ctx.locked = true;
        const pr = await lookup(`pull request #${number}`, async (o) => (await o.rest.pulls.get({ owner, repo, pull_number: number })).data);
        if (pr) usePull(pr as unknown as Json);
        else ctx.notes.push(`pull request #${number} could not be read: the commit shown is the run's (${env.sha.slice(0, 7)}), not the pull request's head`);
      } else if (num(issue.number) !== undefined) {
        ctx.notes.push(`#${num(issue.number)} is an issue, not a pull request: no comment`);
      } else if (env.eventName === 'merge_group') {
        // The merge queue's temporary branch: its base is what relative limits compare with. The queued pull
        // requests are not commented on; the verdict goes to the required check.
        const group = obj(payload.merge_group);
        ctx.sha = str(group.head_sha) ?? env.sha;
        const base = str(group.base_ref);
        if (base) ctx.baseRef = branchOf(base) ?? base;
        const queued = /\/pr-(\d+)-[0-9a-f]+$/.exec(str(group.head_ref) ?? ctx.ref)?.[1];
        ctx.notes.push(
          `a merge_group run tests the merge queue's commit${queued ? `, up to pull request #${queued}` : ''} (the verdict goes to the required check)`,
        );
      } else {
        ctx.notes.push(`a ${env.eventName || 'local'} run is not about a pull request`);
      }
    }
  }
  return ctx;
}

/** What started the run, as the comment says it: `manual retest by @octocat`, `push to \`release/2\``. */
export function describeTrigger(ctx: GateContext): string {
  if (ctx.retest) return `manual retest by @${ctx.retest.actor}`;
  switch (ctx.kind) {
    case 'push':
      return `push to \`${ctx.branch ?? ctx.ref}\``;
    case 'workflow_run':
      return `evaluated after the measuring workflow run`;
    case 'pull_request':
    case 'pull_request_target':
      return `pull request #${ctx.prNumber ?? '?'}`;
    default:
      return ctx.eventName || 'run';
  }
}
