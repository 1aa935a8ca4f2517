// Which runs may supply a baseline: push, workflow_dispatch and schedule runs of the repository itself.
// GitHub's `branch` filter matches head_branch, so a fork's pull request from its own `main` is listed among
// `main`'s runs; its artifact must never become the base branch's baseline.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GitHubClient } from '../../src/github/client.js';
import { findBaseline, notABaselineRun } from '../../src/baseline/fetch.js';
import { baselineArtifactName, BASELINE_REPORT_FILE } from '../../src/baseline/name.js';
import { actionBaselineSaver } from '../../src/baseline/action.js';
import type { BaselineSave } from '../../src/action.js';
import type { GateContext } from '../../src/github/context.js';
import type { GithubServer, RouteHandler } from '../support/github-server.js';
import { runtimeToken, type ActionsApi } from '../support/github-actions-api.js';
import { jsonReport, quietLog, startBaselineApi, zipOf } from '../beyond/helpers.js';

const TOKEN = 'ghs_localtesttoken0000000000000000000002';
const OWNER = 'octo-org';
const REPO = 'octo-repo';
const NAME = baselineArtifactName('checkout', 'perf');

/** How a stored run differs from a push run of this repository, in GitHub's REST shape. */
interface RunPatch {
  event: string;
  headOwner?: string;
}

let gh: GithubServer;
let api: ActionsApi;
let octokit: GitHubClient;
const patches = new Map<number, RunPatch>();

/** The Actions routes, with `event` / `head_repository` of chosen runs rewritten as GitHub lists them. */
function patched(handlers: RouteHandler[]): RouteHandler {
  return async (req) => {
    for (const h of handlers) {
      const r = await h(req);
      if (!r) continue;
      const body = r.body as { workflow_runs?: Array<Record<string, unknown>> } | undefined;
      for (const run of body?.workflow_runs ?? []) {
        const p = patches.get(run.id as number);
        if (!p) continue;
        run.event = p.event;
        if (p.headOwner) {
          const head = run.head_repository as Record<string, unknown>;
          run.head_repository = { ...head, full_name: `${p.headOwner}/${REPO}`, owner: { ...(head.owner as object), login: p.headOwner }, fork: true };
        }
        if (p.event.startsWith('pull_request')) run.pull_requests = [];
      }
      return r;
    }
    return undefined;
  };
}

let close: () => Promise<void>;

beforeEach(async () => {
  patches.clear();
  ({ api, gh, octokit, close } = await startBaselineApi({ owner: OWNER, repo: REPO, token: TOKEN, wrap: (handlers) => [patched(handlers)] }));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await close();
});

const zip = (p99: number) => zipOf({ [BASELINE_REPORT_FILE]: JSON.stringify(jsonReport('checkout', p99)) });
const find = () => findBaseline({ octokit, owner: OWNER, repo: REPO, workflowId: 'perf.yml', baseBranch: 'main', artifactName: NAME, log: quietLog() });

describe('runs that may supply a baseline', () => {
  it('skips a newer fork pull request run from the fork’s own main; uses the same-repository push run', async () => {
    const push = api.addRun({ branch: 'main', headSha: '1'.repeat(40) });
    api.addArtifact({ runId: push.id, name: NAME, zip: zip(300) });
    const fork = api.addRun({ branch: 'main', headSha: '6'.repeat(40) });
    api.addArtifact({ runId: fork.id, name: NAME, zip: zip(5) });
    patches.set(fork.id, { event: 'pull_request', headOwner: 'mallory' });

    const r = await find();
    if (!('baseline' in r)) throw new Error(r.missing);
    expect(r.runId).toBe(push.id);
    expect(r.sha).toBe('1'.repeat(40));
    // the fork's artifact was not even listed
    expect(gh.requests.some((q) => q.path === `/repos/${OWNER}/${REPO}/actions/runs/${fork.id}/artifacts`)).toBe(false);
  });

  it('skips pull_request and pull_request_target runs of the repository itself, and a fork’s push-like run', async () => {
    const same = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: same.id, name: NAME, zip: zip(5) });
    patches.set(same.id, { event: 'pull_request' });
    const target = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: target.id, name: NAME, zip: zip(6) });
    patches.set(target.id, { event: 'pull_request_target', headOwner: 'mallory' });
    const odd = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: odd.id, name: NAME, zip: zip(7) });
    patches.set(odd.id, { event: 'push', headOwner: 'mallory' });

    const r = await find();
    expect(r).toEqual({ missing: `none of the 3 newest successful runs of workflow perf.yml on branch main is a push, workflow_dispatch or schedule run of ${OWNER}/${REPO} (pull request runs are never baselines)` });
  });

  it('workflow_dispatch and schedule runs of the repository are baselines', async () => {
    const scheduled = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: scheduled.id, name: NAME, zip: zip(310) });
    patches.set(scheduled.id, { event: 'schedule' });
    const r = await find();
    expect('runId' in r && r.runId).toBe(scheduled.id);
    expect(notABaselineRun({ id: 1, event: 'workflow_dispatch', head_repository: { full_name: 'Octo-Org/Octo-Repo' } }, OWNER, REPO)).toBeUndefined();
    expect(notABaselineRun({ id: 1, event: 'workflow_run', head_repository: { full_name: `${OWNER}/${REPO}` } }, OWNER, REPO)).toBe('a workflow_run run');
    expect(notABaselineRun({ id: 1, event: 'push', head_repository: null }, OWNER, REPO)).toBe('a run of an unknown repository');
  });
});

describe('keeping a baseline', () => {
  const result = { evaluation: { scenarios: [{ name: 'checkout' }] }, json: jsonReport('checkout', 300) } as unknown as BaselineSave['result'];
  const base = { owner: OWNER, repo: REPO, sha: '4'.repeat(40), actor: 'octocat', runUrl: 'x', notes: [] };

  it('a pull request (or workflow_run) run keeps no baseline artifact; a push run does', async () => {
    const run = api.addRun({ branch: 'main', backendId: 'run-1' });
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', runtimeToken('run-1', 'job-1'));
    vi.stubEnv('ACTIONS_RESULTS_URL', gh.url);
    vi.stubEnv('GITHUB_SERVER_URL', 'https://github.com');
    const save = actionBaselineSaver({ env: process.env });
    for (const kind of ['pull_request', 'pull_request_target', 'workflow_run'] as const) {
      const log = quietLog();
      const context = { ...base, kind, eventName: kind, ref: 'refs/pull/7/merge', prNumber: 7, baseRef: 'main' } as GateContext;
      await save({ context, commentKey: 'perf', result, octokit, log });
      expect(log.lines.join('\n')).toContain(`Baseline not kept: ${kind}'s runs are never used as baselines`);
    }
    expect(api.artifacts).toEqual([]);
    // a manual retest of a PR, dispatched on main (the Run workflow form's default): it measured the PR
    const log = quietLog();
    const retest = { ...base, kind: 'workflow_dispatch', eventName: 'workflow_dispatch', ref: 'refs/heads/main', branch: 'feature-x', prNumber: 12, baseRef: 'main', retest: { actor: 'octocat' } } as GateContext;
    await save({ context: retest, commentKey: 'perf', result, octokit, log });
    expect(log.lines.join('\n')).toContain('Baseline not kept: this manual run measured pull request #12');
    expect(api.artifacts).toEqual([]);

    const push = { ...base, kind: 'push', eventName: 'push', ref: 'refs/heads/main', branch: 'main' } as GateContext;
    await save({ context: push, commentKey: 'perf', result, octokit, log: quietLog() });
    expect(api.artifacts.map((a) => [a.runId, a.name])).toEqual([[run.id, NAME]]);
  });
});
