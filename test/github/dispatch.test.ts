// Manual retests (workflow_dispatch) and comment events: which commit and PR a run is about, and dispatch
// inputs that override the step's inputs saying so in the log.
import { describe, expect, it } from 'vitest';
import { marker } from '../../src/github/comment.js';
import { resolveContext, type RunEnvironment } from '../../src/github/context.js';
import type { GateOptions, GateResult, Logger } from '../../src/model.js';
import { evaluationOf, gateDouble, recording } from '../support/gate-double.js';
import { webhookPayload } from '../support/github-server.js';
import { type ActionRun, type ActionRunOptions, FAST_CLIENT, githubServerEachTest, runAction } from './harness.js';

const log: Logger = { info: () => {}, warning: () => {}, error: () => {}, debug: () => {}, group: (_n, fn) => fn() };
const TOKEN = 'gh-test-token';
const MAIN_SHA = '0'.repeat(39) + 'a';
const HEAD_SHA = 'e'.repeat(40);
const gh = githubServerEachTest(TOKEN);

async function dispatch(inputs: Record<string, string>, withInputs: Record<string, string>, gate: (o: GateOptions) => Promise<GateResult>, over: Partial<ActionRunOptions> = {}): Promise<ActionRun> {
  const payload = webhookPayload('workflow_dispatch', (p) => p.ref === 'refs/heads/main');
  payload.inputs = inputs;
  const r = await runAction({
    server: gh.server,
    event: 'workflow_dispatch',
    payload,
    repository: 'octo-org/octo-repo',
    ref: 'refs/heads/main',
    sha: MAIN_SHA,
    actor: 'octocat',
    inputs: { results: '', ...withInputs },
    deps: { gate, client: FAST_CLIENT },
    ...over,
  });
  gh.runs.push(r);
  return r;
}

describe('workflow_dispatch with a `pr` input', () => {
  it('labels the PR head commit and branch, not the dispatched ref’s commit', async () => {
    gh.server.addPull({ owner: 'octo-org', repo: 'octo-repo', number: 44, state: 'open', headRef: 'feat/cache', headSha: HEAD_SHA, baseRef: 'main' });
    const g = recording(gateDouble(evaluationOf('pass')));
    const r = await dispatch({ pr: '44', 'base-url': 'https://pr-44.preview.example.com' }, {}, g.gate);
    const comment = gh.server.commentsOn('octo-org', 'octo-repo', 44).find((c) => c.body.startsWith(marker('default')));
    expect(comment?.body).toContain(`commit \`${HEAD_SHA}\``);
    expect(comment?.body).not.toContain(MAIN_SHA);
    expect(g.calls[0]!.environment).toMatchObject({ commit: HEAD_SHA, ref: 'feat/cache' });
    expect(g.calls[0]!.k6?.tags).toMatchObject({ commit: HEAD_SHA, pr: '44' });
    expect(r.outputs['pr-number']).toBe('44');
  });

  it('a PR that cannot be read keeps the dispatched commit, with a note', async () => {
    const env: RunEnvironment = { eventName: 'workflow_dispatch', payload: { ref: 'refs/heads/main', inputs: { pr: '45' } }, repository: 'octo-org/octo-repo', sha: MAIN_SHA, ref: 'refs/heads/main', actor: 'me', serverUrl: 'https://github.com', runId: '1' };
    const { createClient } = await import('../../src/github/client.js');
    const c = await resolveContext(env, createClient({ token: TOKEN, baseUrl: gh.server.url, log, retries: 0 }), log);
    expect(c).toMatchObject({ prNumber: 45, sha: MAIN_SHA, branch: 'main' });
    expect(c.notes.join()).toContain('#45 could not be read');
  });
});

describe('dispatch inputs overriding the step’s inputs', () => {
  it('logs one line per overridden input, naming the dispatch input and the value it replaced', async () => {
    const g = recording(gateDouble(evaluationOf('pass')));
    const r = await dispatch(
      { scenario: 'smoke, checkout', base_url: 'https://u:s3cret@pr-9.preview.example.com' },
      { scenario: 'target-capacity', 'base-url': 'https://staging.example.com' },
      g.gate,
    );
    expect(g.calls[0]!.scenarios).toEqual(['smoke', 'checkout']);
    expect(g.calls[0]!.baseUrl).toBe('https://u:s3cret@pr-9.preview.example.com');
    const lines = r.stdout.split('\n');
    expect(lines).toContain("perf-gate: the workflow_dispatch input `scenario` (smoke, checkout) overrides the step's `scenario` input (target-capacity)");
    expect(lines).toContain("perf-gate: the workflow_dispatch input `base_url` (https://***@pr-9.preview.example.com) overrides the step's `base-url` input (https://staging.example.com)");
    expect(r.stdout.replace('::add-mask::s3cret', '')).not.toContain('s3cret');
  });

  it('an input the step did not set is reported as not set; no line without an override', async () => {
    const g = recording(gateDouble(evaluationOf('pass')));
    const r = await dispatch({ 'base-url': 'https://pr-9.preview.example.com' }, { scenario: 'target-capacity' }, g.gate);
    expect(r.stdout.split('\n')).toContain("perf-gate: the workflow_dispatch input `base-url` (https://pr-9.preview.example.com) overrides the step's `base-url` input (not set)");
    expect(r.stdout).not.toContain('input `scenario`');
    expect(g.calls[0]!.scenarios).toEqual(['target-capacity']);
  });
});

describe('issue_comment events', () => {
  const env = (payload: Record<string, unknown>): RunEnvironment => ({ eventName: 'issue_comment', payload, repository: 'Codertocat/Hello-World', sha: MAIN_SHA, ref: 'refs/heads/main', actor: 'Codertocat', serverUrl: 'https://github.com', runId: '3' });

  it('a comment on a plain issue is not a pull request', async () => {
    const p = webhookPayload('issue_comment', (x) => x.action === 'created');
    expect((p.issue as { pull_request?: unknown }).pull_request).toBeUndefined();
    const c = await resolveContext(env(p), undefined, log);
    expect(c.prNumber).toBeUndefined();
    expect(c.notes.join()).toContain('#1 is an issue, not a pull request');
  });

  it('a comment on a pull request is', async () => {
    const p = webhookPayload('issue_comment', (x) => x.action === 'created');
    const issue = p.issue as Record<string, unknown>;
    issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1', html_url: 'https://github.com/Codertocat/Hello-World/pull/1' };
    const c = await resolveContext(env(p), undefined, log);
    expect(c.prNumber).toBe(1);
  });
});
