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
/** The baseline finder the Action gave the pipeline. */
const findIn = (o: GateOptions) => {
  if (typeof o.baseline !== 'function') throw new Error('no baseline finder');
  return o.baseline;
};
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
    expect(w).toContain('no comment on a pull request, the verdict and the report are unchanged');
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

describe('events that are not pull_request', () => {
  const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
  const MERGE = '0000000000000000000000000000000000000abc';
  const ourComments = (issue: number) => gh.server.commentsOn('Codertocat', 'Hello-World', issue).filter((c) => c.body.startsWith(marker('default')));
  const baselineContexts = () => {
    const seen: Array<{ baseRef?: string; sha: string; prNumber?: number }> = [];
    return { seen, findBaseline: async ({ context }: { context: { baseRef?: string; sha: string; prNumber?: number } }) => void seen.push(context) };
  };

  it('pull_request_review: comments on the pull request naming its head commit (not the merge commit in GITHUB_SHA); baselines from its base branch', async () => {
    const payload = webhookPayload('pull_request_review');
    const b = baselineContexts();
    const seen: GateOptions[] = [];
    const gate = gateDouble(evaluationOf('pass'));
    const r = await act('pull_request_review', payload, async (o) => (seen.push(o), gate(o)), { ref: 'refs/pull/2/merge', sha: MERGE, deps: { findBaseline: b.findBaseline } });
    const body = ourComments(2)[0]?.body ?? '';
    expect(body).toContain(`commit \`${HEAD}\``);
    expect(body).not.toContain(MERGE);
    expect(seen[0]!.k6?.tags).toMatchObject({ commit: HEAD, pr: '2' });
    expect(seen[0]!.environment).toMatchObject({ commit: HEAD, ref: 'changes' });
    await findIn(seen[0]!)('target-capacity');
    expect(b.seen[0]).toMatchObject({ baseRef: 'master', sha: HEAD, prNumber: 2 });
    expect(r.outputs['pr-number']).toBe('2');
  });

  it('pull_request_review from a fork with a read-only token: the fork warning', async () => {
    gh.server.tokens.set('ro', { user: GITHUB_ACTIONS_BOT, userEndpoint: false, readOnly: true });
    const payload = webhookPayload('pull_request_review') as { pull_request: { head: { repo: object } } };
    payload.pull_request.head.repo = { ...payload.pull_request.head.repo, full_name: 'forker/Hello-World' };
    const r = await act('pull_request_review', payload as unknown as Record<string, unknown>, gateDouble(evaluationOf('pass')), { token: 'ro' });
    const w = warnings(r).find((m) => m.includes('could not comment'));
    expect(w).toContain('comes from the fork forker/Hello-World');
    expect(w).toContain('GitHub gives a pull_request_review run from a fork a read-only token');
  });

  it('issue_comment on a pull request (a `/perf` command): the pull request is looked up and its head commit is named', async () => {
    const p = webhookPayload('issue_comment', (x) => x.action === 'created');
    const issue = p.issue as Record<string, unknown>;
    issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' };
    gh.server.addPull({ owner: 'Codertocat', repo: 'Hello-World', number: 1, state: 'open', headRef: 'perf-fix', headSha: 'f'.repeat(40), baseRef: 'develop' });
    const b = baselineContexts();
    const seen: GateOptions[] = [];
    const gate = gateDouble(evaluationOf('pass'));
    const r = await act('issue_comment', p, async (o) => (seen.push(o), gate(o)), { sha: MERGE, deps: { findBaseline: b.findBaseline } });
    expect(ourComments(1)[0]?.body).toContain(`commit \`${'f'.repeat(40)}\``);
    expect(seen[0]!.k6?.tags).toMatchObject({ commit: 'f'.repeat(40), pr: '1' });
    await findIn(seen[0]!)('target-capacity');
    expect(b.seen[0]).toMatchObject({ baseRef: 'develop', prNumber: 1 });
    expect(r.outputs['pr-number']).toBe('1');
  });

  it('issue_comment on a pull request that cannot be read (404): the run commit, with a note saying so', async () => {
    const p = webhookPayload('issue_comment', (x) => x.action === 'created');
    (p.issue as Record<string, unknown>).pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' };
    const r = await act('issue_comment', p, gateDouble(evaluationOf('pass')), { sha: MERGE });
    expect(r.stdout).toContain(`pull request #1 could not be read: the commit shown is the run's (${MERGE.slice(0, 7)})`);
    expect(ourComments(1)[0]?.body).toContain(`commit \`${MERGE}\``);
  });

  it('merge_group: no comment, a note saying why (naming the queued pull request); baselines from the queue base branch', async () => {
    const payload = webhookPayload('merge_group');
    const group = payload.merge_group as { head_sha: string; head_ref: string };
    const b = baselineContexts();
    const seen: GateOptions[] = [];
    const gate = gateDouble(evaluationOf('fail'));
    const r = await act('merge_group', payload, async (o) => (seen.push(o), gate(o)), { repository: 'octo-org/octo-repo', ref: group.head_ref, sha: group.head_sha, deps: { findBaseline: b.findBaseline } });
    expect(gh.server.requests.filter((q) => q.method === 'POST')).toEqual([]);
    expect(r.stdout).toContain(
      "perf-gate: no comment (no pull request to comment on: a merge_group run tests the merge queue's commit, up to pull request #104 (the verdict goes to the required check))",
    );
    await findIn(seen[0]!)('target-capacity');
    expect(b.seen[0]).toMatchObject({ baseRef: 'main', sha: group.head_sha });
    expect(r.failed).toMatch(/^perf-gate: NOT_APPROVED/);
    expect(r.summary).toContain('**Verdict:** NOT_APPROVED');
  });

  it('schedule: no comment, and the log says why', async () => {
    const r = await act('schedule', { schedule: '0 3 * * *' }, gateDouble(evaluationOf('pass')));
    expect(r.stdout).toContain('perf-gate: no comment (no pull request to comment on: a schedule run is not about a pull request)');
    expect(r.summary).toContain('**Verdict:** APPROVED');
  });
});

describe('issue_comment on a fork pull request', () => {
  it('runs with the base repository token: a 403 is a permission to add, not the fork read-only cap', async () => {
    gh.server.tokens.set('ro', { user: GITHUB_ACTIONS_BOT, userEndpoint: false, readOnly: true });
    gh.server.addPull({ owner: 'Codertocat', repo: 'Hello-World', number: 1, state: 'open', headRef: 'patch-1', headSha: 'f'.repeat(40), headOwner: 'forker' });
    const p = webhookPayload('issue_comment', (x) => x.action === 'created');
    (p.issue as Record<string, unknown>).pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' };
    const r = await act('issue_comment', p, gateDouble(evaluationOf('pass')), { token: 'ro' });
    const w = warnings(r).find((m) => m.startsWith('perf-gate could not comment on pull request #1'));
    expect(w).toContain('add `permissions: { pull-requests: write }` to the job');
    expect(w).not.toContain('fork');
  });
});

describe('the job summary limit', () => {
  it('a report full of short secret query values is masked before it is measured: still within 1 MiB', async () => {
    const { writeSummary, SUMMARY_LIMIT_BYTES } = await import('../../src/github/summary.js');
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const base = await gateDouble(evaluationOf('pass'))({} as GateOptions);
    // `?token=a` is masked as `?token=***`: each line grows by two bytes once masked
    const line = '| tenant | https://grafana.example.com/d/x?token=a |';
    const markdown = Array.from({ length: Math.ceil((SUMMARY_LIMIT_BYTES * 1.5) / (line.length + 1)) }, () => line).join('\n');
    const within = (max: number, note: string) => {
      const lines: string[] = [];
      let size = note.length + 2;
      for (const l of markdown.split('\n')) {
        if (size + l.length + 1 > max) break;
        lines.push(l);
        size += l.length + 1;
      }
      return `${lines.join('\n')}\n\n${note}`;
    };
    const dir = await mkdtemp(join(tmpdir(), 'perf-gate-summary-'));
    try {
      const path = join(dir, 'summary.md');
      const bytes = await writeSummary(path, { ...base, markdown, markdownWithin: within }, '<sub>header</sub>', '_shortened_');
      const text = await readFile(path, 'utf8');
      expect(Buffer.byteLength(text)).toBe(bytes);
      expect(bytes).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
      expect(bytes).toBeGreaterThan(SUMMARY_LIMIT_BYTES * 0.9);
      expect(text).not.toContain('token=a ');
      expect(text).toContain('token=***');
      expect(text).toContain('_shortened_');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('duplicates of the sticky comment', () => {
  const ourComments = () => gh.server.commentsOn('Codertocat', 'Hello-World', 2).filter((c) => c.body.startsWith(marker('default')));
  const pr = () => webhookPayload('pull_request', (p) => p.action === 'opened');

  it('a duplicate that cannot be removed (403 on delete): the comment kept is updated, a warning names the duplicate, outputs point at the comment', async () => {
    const kept = gh.server.addComment({ owner: 'Codertocat', repo: 'Hello-World', issue: 2, body: `${marker('default')}\nold`, user: GITHUB_ACTIONS_BOT });
    const dup = gh.server.addComment({ owner: 'Codertocat', repo: 'Hello-World', issue: 2, body: `${marker('default')}\nrace leftover`, user: GITHUB_ACTIONS_BOT });
    gh.server.fault({ method: 'DELETE', path: `/repos/Codertocat/Hello-World/issues/comments/${dup.id}`, status: 403, body: { message: 'Resource not accessible by integration' } });
    const r = await act('pull_request', pr(), gateDouble(evaluationOf('fail')));
    expect(gh.server.comments.find((c) => c.id === kept.id)!.body).toContain('**Verdict:** NOT_APPROVED');
    expect(r.outputs['comment-id']).toBe(String(kept.id));
    expect(r.outputs['comment-url']).toContain(`#issuecomment-${kept.id}`);
    const w = warnings(r);
    expect(w.some((m) => m.startsWith('perf-gate could not comment'))).toBe(false);
    expect(w.find((m) => m.includes(`duplicate comment ${dup.id}`))).toContain('HTTP 403');
    expect(r.failed).toMatch(/^perf-gate: NOT_APPROVED/);
  });

  it('a create that GitHub stored but answered 502 is retried; the retry’s duplicate is removed: one comment', async () => {
    let first = true;
    gh.server.use(async (req) => {
      if (req.method !== 'POST' || !first) return undefined;
      first = false;
      const body = (JSON.parse(req.body) as { body: string }).body;
      gh.server.addComment({ owner: 'Codertocat', repo: 'Hello-World', issue: 2, body, user: GITHUB_ACTIONS_BOT });
      return { status: 502, body: { message: 'Server Error' } };
    });
    const r = await act('pull_request', pr(), gateDouble(evaluationOf('fail')));
    expect(gh.server.requests.filter((q) => q.method === 'POST').map((q) => q.status)).toEqual([502, 201]);
    expect(ourComments()).toHaveLength(1);
    expect(ourComments()[0]!.body).toContain('**Verdict:** NOT_APPROVED');
    expect(r.outputs['comment-id']).toBe(String(ourComments()[0]!.id));
    expect(warnings(r)).toEqual([]);
  });
});

describe('a pull_request run whose event file names no pull request (a local runner)', () => {
  it('says why there is no comment instead of a bare "no pull request"', async () => {
    const r = await act('pull_request', {}, gateDouble(evaluationOf('pass')));
    expect(r.stdout).toContain(
      'perf-gate: no comment (no pull request to comment on: the pull_request event payload names no pull request (GITHUB_EVENT_PATH missing or without `pull_request`))',
    );
    expect(r.outputs.verdict).toBe('APPROVED');
  });
});

describe('the comment limit with emoji', () => {
  it('a report of ✅ ⚠️ ❌ and astral emoji rows is cut within 65,536 UTF-16 code units: within GitHub’s limit counted in characters, code points or bytes', async () => {
    const { commentBody } = await import('../../src/github/publish.js');
    const result = await gateDouble(evaluationOf('fail'), { extraRows: 6000, extraRowText: '✅ PASS ⚠️ MARGINAL ❌ FAIL 📈🚀 東京' })({} as GateOptions);
    const ctx = { kind: 'pull_request' as const, eventName: 'pull_request', owner: 'o', repo: 'r', prNumber: 1, sha: 'a'.repeat(40), ref: 'x', actor: 'me', runUrl: 'https://github.com/o/r/actions/runs/1', notes: [] };
    const full = `${marker('default')}\n${commentBody(result, ctx, 'default')}`;
    expect(result.markdown.length).toBeGreaterThan(65_536);
    expect(full.length).toBeLessThanOrEqual(65_536);
    expect([...full].length).toBeLessThanOrEqual(65_536);
    expect(Buffer.byteLength(full, 'utf8')).toBeLessThanOrEqual(262_144);
    expect(full.length).toBeGreaterThan(60_000);
    // never a lone half of a surrogate pair
    expect(full).toBe(Buffer.from(full, 'utf8').toString('utf8'));
  });
});

describe('workflow_dispatch `pr` input as people type it', () => {
  const HEAD = 'e'.repeat(40);
  const dispatch = (pr: string) => {
    const payload = webhookPayload('workflow_dispatch', (p) => p.ref === 'refs/heads/main');
    payload.inputs = { pr };
    return act('workflow_dispatch', payload, gateDouble(evaluationOf('pass')), { repository: 'octo-org/octo-repo', ref: 'refs/heads/main', inputs: { results: 'out/*.ndjson' } });
  };
  const commentOn = (n: number) => gh.server.commentsOn('octo-org', 'octo-repo', n).find((c) => c.body.startsWith(marker('default')));

  it.each(['#44', ' #44 ', 'https://github.com/octo-org/octo-repo/pull/44', 'https://github.com/octo-org/octo-repo/pull/44/files'])('`%s` is pull request #44', async (pr) => {
    gh.server.addPull({ owner: 'octo-org', repo: 'octo-repo', number: 44, state: 'open', headRef: 'feat/cache', headSha: HEAD, baseRef: 'main' });
    const r = await dispatch(pr);
    expect(r.outputs['pr-number']).toBe('44');
    expect(commentOn(44)?.body).toContain(`commit \`${HEAD}\``);
    expect(warnings(r)).toEqual([]);
  });

  it('anything else is a warning naming the input, and the branch’s open pull request is used', async () => {
    gh.server.addPull({ owner: 'octo-org', repo: 'octo-repo', number: 7, state: 'open', headRef: 'main', headSha: HEAD, baseRef: 'develop' });
    const r = await dispatch('the cache one');
    expect(warnings(r)).toContain(
      "perf-gate: the workflow_dispatch input `pr` is `the cache one`, not a pull request of octo-org/octo-repo (write 12, #12 or the pull request's URL); the pull request is looked up from the dispatched branch instead.",
    );
    expect(r.outputs['pr-number']).toBe('7');
    // said once, as a warning
    expect(r.stdout.split('the cache one').length - 1).toBe(1);
  });

  it('of several pull-request inputs, the first that names one is taken (`pr: "cache"`, `pull_request: 44`)', async () => {
    gh.server.addPull({ owner: 'octo-org', repo: 'octo-repo', number: 44, state: 'open', headRef: 'feat/cache', headSha: HEAD, baseRef: 'main' });
    const payload = webhookPayload('workflow_dispatch', (p) => p.ref === 'refs/heads/main');
    payload.inputs = { pr: 'cache', pull_request: '44' };
    const r = await act('workflow_dispatch', payload, gateDouble(evaluationOf('pass')), { repository: 'octo-org/octo-repo', ref: 'refs/heads/main', inputs: { results: 'out/*.ndjson' } });
    expect(r.outputs['pr-number']).toBe('44');
    expect(warnings(r)).toEqual([]);
  });

  it('a URL of another repository is not taken for this one', async () => {
    const r = await dispatch('https://github.com/someone/else/pull/44');
    expect(warnings(r).join('\n')).toContain('is `https://github.com/someone/else/pull/44`, not a pull request of octo-org/octo-repo');
    expect(r.outputs['pr-number']).toBeUndefined();
  });
});

describe('an API that stopped answering', () => {
  it('is not asked again once a request got no answer, retries included: the run finishes without waiting out every call', async () => {
    let attempts = 0;
    // A black-holed API: requests are accepted and never answered.
    gh.server.use(async () => {
      attempts++;
      return new Promise(() => {});
    });
    const payload = webhookPayload('workflow_dispatch', (p) => p.ref === 'refs/heads/main');
    payload.inputs = { pr: '44' };
    const r = await act('workflow_dispatch', payload, gateDouble(evaluationOf('fail')), {
      repository: 'octo-org/octo-repo',
      deps: { client: { ...FAST_CLIENT, timeoutMs: 150 } },
    });
    // the pull request lookup: 1 try + 3 retries; nothing after it (the comment's calls are not tried)
    expect(attempts).toBe(4);
    const lookup = warnings(r).find((m) => m.includes('could not look up pull request #44'));
    expect(lookup).toContain(`no answer from ${new URL(gh.server.url).origin}`);
    const comment = warnings(r).find((m) => m.startsWith('perf-gate could not comment on pull request #44'));
    expect(comment).toContain('an earlier request got no answer; not tried again');
    expect(comment).toContain('GITHUB_API_URL');
    expect(r.failed).toMatch(/^perf-gate: NOT_APPROVED/);
    expect(r.summary).toContain('**Verdict:** NOT_APPROVED');
  });

  it('an API answering 5xx is still asked again on the next call (it answers; only silence stops the calls)', async () => {
    gh.server.fault({ method: 'GET', path: '/repos/octo-org/octo-repo/pulls/44', status: 502, times: 10, body: { message: 'Bad Gateway' } });
    const payload = webhookPayload('workflow_dispatch', (p) => p.ref === 'refs/heads/main');
    payload.inputs = { pr: '44' };
    const r = await act('workflow_dispatch', payload, gateDouble(evaluationOf('fail')), { repository: 'octo-org/octo-repo' });
    expect(warnings(r).find((m) => m.includes('could not look up pull request #44'))).toContain('HTTP 502');
    expect(gh.server.commentsOn('octo-org', 'octo-repo', 44).filter((c) => c.body.startsWith(marker('default')))).toHaveLength(1);
  });
});

describe('a storage download that gets no answer', () => {
  it('does not stop later API calls (the storage host may be blocked while the API answers)', async () => {
    const { createClient } = await import('../../src/github/client.js');
    const quiet = { info: () => {}, warning: () => {}, error: () => {}, debug: () => {}, group: <T>(_n: string, fn: () => Promise<T>) => fn() };
    gh.server.use(async (req) => (/\/actions\/artifacts\/\d+\/zip$/.test(req.url.pathname) ? { status: 200, headers: { 'x-drop': 'a\nb' } } : undefined));
    gh.server.addPull({ owner: 'o', repo: 'r', number: 3, state: 'open', headRef: 'b', headSha: 'a'.repeat(40) });
    const octokit = createClient({ token: TOKEN, baseUrl: gh.server.url, log: quiet, ...FAST_CLIENT });
    await expect(
      octokit.request('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}', { owner: 'o', repo: 'r', artifact_id: 9, archive_format: 'zip' }),
    ).rejects.toMatchObject({ status: 500 });
    const { data } = await octokit.rest.pulls.get({ owner: 'o', repo: 'r', pull_number: 3 });
    expect(data.number).toBe(3);
  });
});

describe('a run of an earlier commit finishing last', () => {
  const A = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821'; // the payload's head: what this run measured
  const B = 'b'.repeat(40);
  const Z = 'c'.repeat(40);
  const shows = (sha: string, verdict: string) =>
    `${marker('default')}\n<sub>perf-gate · pull request #2 · commit \`${sha}\` · [workflow run](https://github.com/Codertocat/Hello-World/actions/runs/4300)</sub>\n\n**Verdict:** ${verdict}`;
  const pr = () => webhookPayload('pull_request', (p) => p.action === 'opened');
  const headIs = (sha: string) => gh.server.addPull({ owner: 'Codertocat', repo: 'Hello-World', number: 2, state: 'open', headRef: 'changes', headSha: sha, baseRef: 'master' });

  it('does not replace the report of the pull request’s head commit; says so; the step still fails on its own verdict', async () => {
    headIs(B);
    const newer = gh.server.addComment({ owner: 'Codertocat', repo: 'Hello-World', issue: 2, body: shows(B, 'APPROVED'), user: GITHUB_ACTIONS_BOT });
    const r = await act('pull_request', pr(), gateDouble(evaluationOf('fail')));
    expect(gh.server.comments.find((c) => c.id === newer.id)!.body).toBe(shows(B, 'APPROVED'));
    expect(gh.server.requests.filter((q) => q.method === 'PATCH' || q.method === 'POST')).toEqual([]);
    expect(r.stdout).toContain(`it reports bbbbbbb, the pull request's head commit, and this run measured ec26c3e, an earlier one. This run's report is in the job summary and the report files.`);
    expect(r.outputs['comment-id']).toBe(String(newer.id));
    expect(r.failed).toMatch(/^perf-gate: NOT_APPROVED/);
    expect(r.summary).toContain('**Verdict:** NOT_APPROVED');
  });

  it('replaces the report of an older commit when this run measured the head', async () => {
    headIs(A);
    const older = gh.server.addComment({ owner: 'Codertocat', repo: 'Hello-World', issue: 2, body: shows(Z, 'APPROVED'), user: GITHUB_ACTIONS_BOT });
    await act('pull_request', pr(), gateDouble(evaluationOf('fail')));
    expect(gh.server.comments.find((c) => c.id === older.id)!.body).toContain(`commit \`${A}\``);
  });

  it('when the head cannot be read, the comment is updated (as before)', async () => {
    const older = gh.server.addComment({ owner: 'Codertocat', repo: 'Hello-World', issue: 2, body: shows(B, 'APPROVED'), user: GITHUB_ACTIONS_BOT });
    await act('pull_request', pr(), gateDouble(evaluationOf('fail')));
    expect(gh.server.requests.some((q) => q.path === '/repos/Codertocat/Hello-World/pulls/2' && q.status === 404)).toBe(true);
    expect(gh.server.comments.find((c) => c.id === older.id)!.body).toContain('**Verdict:** NOT_APPROVED');
  });

  it('a run of an earlier commit that could not decide does not replace the head’s report either', async () => {
    headIs(B);
    const newer = gh.server.addComment({ owner: 'Codertocat', repo: 'Hello-World', issue: 2, body: shows(B, 'APPROVED'), user: GITHUB_ACTIONS_BOT });
    const r = await act('pull_request', pr(), gateDouble(evaluationOf('fail'), { throws: new Error('k6 exited 107') }));
    expect(gh.server.comments.find((c) => c.id === newer.id)!.body).toBe(shows(B, 'APPROVED'));
    expect(r.summary).toContain('perf-gate could not decide');
    expect(r.outputs.verdict).toBe('ERROR');
  });
});
