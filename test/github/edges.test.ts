// What a platform engineer meets at the edges of GitHub: a token without the permission a lookup needs,
// an API that cannot be reached, fork pull requests, and events that are not about a pull request.
import { describe, expect, it } from 'vitest';
import type { GateOptions, GateResult } from '../../src/model.js';
import { evaluationOf, gateDouble } from '../support/gate-double.js';
import { GITHUB_ACTIONS_BOT, startGithubServer, webhookPayload } from '../support/github-server.js';
import { describeApiError } from '../../src/github/client.js';
import { marker } from '../../src/github/comment.js';
import { type ActionRun, type ActionRunOptions, FAST_CLIENT, githubServerEachTest, runAction } from './harness.js';

const RESULTS = { 'out/run.ndjson': '{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}\n' };
const TOKEN = 'gh-test-token';
const gh = githubServerEachTest(TOKEN);

async function act(event: string, payload: Record<string, unknown>, gate: (o: GateOptions) => Promise<GateResult>, over: Partial<ActionRunOptions> = {}): Promise<ActionRun> {
  const r = await runAction({
    server: gh.server,
    event,
    payload,
    files: RESULTS,
    ...over,
    inputs: { results: 'out/*.ndjson', ...(over.inputs ?? {}) },
    deps: { gate, client: FAST_CLIENT, ...(over.deps ?? {}) },
  });
  gh.runs.push(r);
  return r;
}
const warnings = (r: ActionRun) => r.commands.filter((c) => c.command === 'warning').map((c) => c.message);

describe('a lookup the token is not allowed to make', () => {
  it('push to a release branch with a token that cannot read pull requests: the warning names `pull-requests: read`', async () => {
    gh.server.fault({
      method: 'GET',
      path: /\/pulls$/,
      status: 403,
      headers: { 'x-accepted-github-permissions': 'pull_requests=read' },
      body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests', status: '403' },
    });
    const payload = { ...webhookPayload('push', (x) => x.ref === 'refs/heads/master'), ref: 'refs/heads/release/2' };
    const r = await act('push', payload, gateDouble(evaluationOf('fail')), { ref: 'refs/heads/release/2' });
    const w = warnings(r).find((m) => m.includes('could not look up the open pull request of release/2'));
    expect(w).toContain('HTTP 403');
    expect(w).toContain('`pull-requests: read`');
    expect(w).toContain('the report goes to the job summary only');
    // the gate still decides, the report still lands
    expect(r.outputs.verdict).toBe('NOT_APPROVED');
    expect(r.failed).toContain('criteria failed');
    expect(r.summary).toContain('**Verdict:** NOT_APPROVED');
  });

  it('a lookup refused by a rate limit is not called a missing permission', async () => {
    gh.server.fault({
      method: 'GET',
      path: /\/pulls$/,
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) },
      body: { message: 'API rate limit exceeded for installation ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
    });
    const payload = { ...webhookPayload('push', (x) => x.ref === 'refs/heads/master'), ref: 'refs/heads/release/2' };
    const r = await act('push', payload, gateDouble(evaluationOf('pass')), { ref: 'refs/heads/release/2' });
    const w = warnings(r).find((m) => m.includes('could not look up the open pull request of release/2'));
    expect(w).toContain('rate limit');
    expect(w).not.toContain('pull-requests: read');
  });
});

describe('an API that does not answer', () => {
  /** A connection the server drops without an answer (an invalid header makes the write throw: the socket is destroyed). */
  const dropConnections = (method: string, path: RegExp) =>
    gh.server.use(async (req) => (req.method === method && path.test(req.url.pathname) ? { status: 200, headers: { 'x-drop': 'a\nb' } } : undefined));

  it('connections reset on every try: retried, then a warning that says nothing answered (not "HTTP 500"), verdict and report unchanged', async () => {
    dropConnections('POST', /\/issues\/2\/comments$/);
    const r = await act('pull_request', webhookPayload('pull_request', (p) => p.action === 'opened'), gateDouble(evaluationOf('fail')));
    // 1 try + 3 retries
    expect(gh.server.requests.filter((q) => q.method === 'POST')).toHaveLength(4);
    const w = warnings(r).find((m) => m.startsWith('perf-gate could not comment on pull request #2'));
    expect(w).toBeDefined();
    expect(w).not.toContain('HTTP 500');
    expect(w).toContain(`no answer from ${new URL(gh.server.url).origin}`);
    expect(w).toContain('GITHUB_API_URL');
    expect(w).not.toContain('pull-requests: write');
    expect(r.outputs.verdict).toBe('NOT_APPROVED');
    expect(r.failed).toContain('criteria failed');
    expect(r.summary).toContain('**Verdict:** NOT_APPROVED');
  });

  it('connections reset twice, then answered: the comment is written, no warning', async () => {
    let drops = 2;
    gh.server.use(async (req) => (req.method === 'POST' && drops-- > 0 ? { status: 200, headers: { 'x-drop': 'a\nb' } } : undefined));
    const r = await act('pull_request', webhookPayload('pull_request', (p) => p.action === 'opened'), gateDouble(evaluationOf('fail')));
    expect(gh.server.commentsOn('Codertocat', 'Hello-World', 2).filter((c) => c.body.startsWith(marker('default')))).toHaveLength(1);
    expect(warnings(r)).toEqual([]);
  });

  it('a wrong GITHUB_API_URL (nothing listens): the lookup warning says nothing answered at that address', async () => {
    const gone = await startGithubServer();
    const url = gone.url;
    await gone.close();
    const payload = { ...webhookPayload('push', (x) => x.ref === 'refs/heads/master'), ref: 'refs/heads/release/2' };
    const r = await act('push', payload, gateDouble(evaluationOf('pass')), { ref: 'refs/heads/release/2', env: { GITHUB_API_URL: url } });
    const w = warnings(r).find((m) => m.includes('could not look up the open pull request of release/2'));
    expect(w).toContain(`no answer from ${url}: `);
    expect(w).toMatch(/ECONNREFUSED/);
    expect(r.outputs.verdict).toBe('APPROVED');
    expect(r.failed).toBeUndefined();
  });

  it('describeApiError keeps a real HTTP 500 an HTTP 500', () => {
    const real = Object.assign(new Error('Server Error'), { name: 'HttpError', status: 500, response: { status: 500 } });
    expect(describeApiError(real)).toBe('HTTP 500: Server Error');
    const net = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { name: 'HttpError', status: 500, request: { url: 'https://u:p@ghe.example.com/api/v3/user' } });
    expect(describeApiError(net)).toBe('no answer from https://ghe.example.com: connect ECONNREFUSED 10.0.0.1:443');
  });
});

describe('a read-only token on a pull_request run', () => {
  const prFrom = (headRepo: Record<string, unknown> | null) => {
    const p = webhookPayload('pull_request', (x) => x.action === 'opened') as { pull_request: { head: { repo: unknown } } };
    p.pull_request.head.repo = headRepo === null ? null : { ...(p.pull_request.head.repo as object), ...headRepo };
    return p as unknown as Record<string, unknown>;
  };
  const commentWarning = (r: ActionRun) => warnings(r).find((m) => m.startsWith('perf-gate could not comment on pull request #2'));

  it('from a fork: says the fork caps the token (permissions cannot help) and how to get the comment; the failing verdict still fails the step', async () => {
    gh.server.tokens.set('ro', { user: GITHUB_ACTIONS_BOT, userEndpoint: false, readOnly: true });
    const r = await act('pull_request', prFrom({ full_name: 'forker/Hello-World', fork: true }), gateDouble(evaluationOf('fail')), { token: 'ro' });
    const w = commentWarning(r);
    expect(w).toContain('HTTP 403: Resource not accessible by integration');
    expect(w).toContain('this pull request comes from the fork forker/Hello-World');
    expect(w).toContain('`pull-requests: write`');
    expect(w).toContain('whatever the workflow');
    expect(w).toContain('`comment: never`');
    expect(w).toContain('workflow_run');
    expect(w).not.toContain('add `permissions:');
    expect(r.failed).toMatch(/^perf-gate: NOT_APPROVED — 2 criteria failed/);
    expect(r.summary).toContain('**Verdict:** NOT_APPROVED');
    expect(r.outputs.verdict).toBe('NOT_APPROVED');
  });

  it('from a fork deleted since (head.repo is null): still a fork', async () => {
    gh.server.tokens.set('ro', { user: GITHUB_ACTIONS_BOT, userEndpoint: false, readOnly: true });
    const r = await act('pull_request', prFrom(null), gateDouble(evaluationOf('pass')), { token: 'ro' });
    expect(commentWarning(r)).toContain('this pull request comes from a deleted fork');
    expect(r.failed).toBeUndefined();
  });

  it('from a branch of the repository (read-only default workflow permissions): the fix is `permissions:`, no fork advice', async () => {
    gh.server.tokens.set('ro', { user: GITHUB_ACTIONS_BOT, userEndpoint: false, readOnly: true });
    const r = await act('pull_request', webhookPayload('pull_request', (x) => x.action === 'opened'), gateDouble(evaluationOf('pass')), { token: 'ro' });
    const w = commentWarning(r);
    expect(w).toContain('the token needs the `pull-requests: write` permission (add `permissions: { pull-requests: write }` to the job)');
    expect(w).not.toContain('fork');
    expect(r.failed).toBeUndefined();
    expect(r.outputs.passed).toBe('true');
  });
});
