// The pieces of publishing: annotations, failure message, summary size, comment body, context edge cases.
import { afterEach, describe, expect, it } from 'vitest';
import { annotationsFor } from '../../src/github/annotations.js';
import { createClient } from '../../src/github/client.js';
import { COMMENT_LIMIT, marker, sameContent, upsertComment } from '../../src/github/comment.js';
import { resolveContext, type GateContext, type RunEnvironment } from '../../src/github/context.js';
import { describeCriterion, failureMessage, gatePassed } from '../../src/github/outcome.js';
import { RUN_COMPLETED } from '../../src/evaluate/evaluate.js';
import { commentBody } from '../../src/github/publish.js';
import { SUMMARY_LIMIT_BYTES, summaryText } from '../../src/github/summary.js';
import type { CriterionResult, Evaluation, Logger } from '../../src/model.js';
import { criterion, evaluationOf, gateDouble } from '../support/gate-double.js';
import { GITHUB_ACTIONS_BOT, startGithubServer, webhookPayload, type GithubServer } from '../support/github-server.js';

const log: Logger = { info: () => {}, warning: () => {}, error: () => {}, debug: () => {}, group: (_n, fn) => fn() };
const ctx: GateContext = { kind: 'pull_request', eventName: 'pull_request', owner: 'o', repo: 'r', prNumber: 1, sha: 'a'.repeat(40), ref: 'x', actor: 'me', runUrl: 'https://github.com/o/r/actions/runs/1', notes: [] };

let server: GithubServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function manyFailures(n: number): Evaluation {
  const criteria = Array.from({ length: n }, (_, i) =>
    criterion({ scenario: 's', metric: `http_req_duration{tenant:t${i}}`, expression: 'p(99)<500', status: 'fail', actual: 600 + i, limit: 500, pos: { file: 'perf/thresholds.yml', line: 10 + (i % 14), column: 5 } }),
  );
  return { verdict: 'NOT_APPROVED', failOn: 'fail', scenarios: [{ name: 's', criteria, notes: [] }], rationale: 'x' };
}

describe('annotations', () => {
  it('groups criteria of one rule and stays within 10 errors, the rest in the last one', () => {
    const ev = manyFailures(40); // 14 distinct rule lines
    const a = annotationsFor(ev, (f) => `svc/${f}`);
    expect(a).toHaveLength(10);
    expect(a.every((x) => x.level === 'error' && x.file === 'svc/perf/thresholds.yml')).toBe(true);
    expect(a[0]!.title).toContain('(3×)');
    const mentioned = a.flatMap((x) => x.message.split('\n'));
    expect(mentioned).toHaveLength(40);
    expect(new Set(mentioned).size).toBe(40);
    expect(a[9]!.title).toMatch(/\d+ more failed criteria/);
  });
  it('a wildcard rule failing for 500 tenants: one annotation, its message capped', () => {
    const ev = manyFailures(500);
    for (const c of ev.scenarios[0]!.criteria) c.pos = { file: 'thresholds.yml', line: 9, column: 5 };
    const a = annotationsFor(ev);
    expect(a).toHaveLength(1);
    expect(a[0]!.title).toContain('(500×)');
    const lines = a[0]!.message.split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[19]).toBe('… and 481 more');
    const msg = failureMessage(ev)!.split('\n');
    expect(msg.filter((l) => l.startsWith('- '))).toHaveLength(100);
    expect(msg.at(-1)).toBe('- … and 401 more failed criteria: see the report in the job summary');
  });
  it('no annotation for passing criteria; warnings for non-blocking marginal ones', () => {
    expect(annotationsFor(evaluationOf('pass'))).toEqual([]);
    const m = annotationsFor(evaluationOf('marginal'));
    expect(m.map((x) => x.level)).toEqual(['warning']);
  });
});

describe('failure message', () => {
  it('lists exactly the blocking criteria, with values in their units', () => {
    const ev = evaluationOf('fail');
    ev.scenarios[0]!.criteria.push(criterion({ metric: 'checks', expression: 'rate>0.99', status: 'fail', severity: 'warn', blocking: false, actual: 0.5, limit: 0.99, unit: 'ratio' }));
    const msg = failureMessage(ev)!;
    expect(msg.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(2);
    expect(msg).toContain('http_req_duration p(99)<500 — 612 ms, limit 500 ms [thresholds.yml:7]');
    expect(msg).toContain('http_req_failed rate<0.01 — 3.40%, limit 1.00%');
    expect(msg).not.toContain('checks');
    expect(failureMessage(evaluationOf('marginal'))).toBeUndefined();
    expect(gatePassed(evaluationOf('marginal'))).toBe(true);
  });
  it('fail-on marginal: a blocking marginal criterion fails the gate', () => {
    const ev = evaluationOf('marginal');
    ev.scenarios[0]!.criteria[0]!.blocking = true;
    expect(gatePassed(ev)).toBe(false);
    expect(failureMessage(ev)).toContain('p(95)<400 — 390 ms, limit 400 ms, marginal');
  });
  it('writes values as the report does, with the decimals that keep a failing value from reading like its limit', () => {
    const line = (over: Partial<CriterionResult> & Pick<CriterionResult, 'metric' | 'expression'>) => describeCriterion(criterion({ status: 'fail', blocking: true, ...over }));
    expect(line({ metric: 'http_req_failed', expression: 'rate<0.001', actual: 0.001004, limit: 0.001, unit: 'ratio' })).toContain('— 0.1004%, limit 0.10%');
    expect(line({ metric: 'http_reqs', expression: 'rate>=500', actual: 480.04, limit: 500, unit: 'per-second' })).toMatch(/— 480 req\/s, limit 500 req\/s$/);
    expect(line({ metric: 'http_req_duration', expression: 'p(99)<500', actual: 1234.56, limit: 500, unit: 'ms' })).toContain('— 1.23 s, limit 500 ms');
    expect(line({ metric: 'data_received', expression: 'count<2000000', actual: 2_100_000, limit: 2_000_000, unit: 'bytes' })).toContain('— 2.1 MB, limit 2 MB');
    // an expanded {url:*} key carries request URLs: the check's message and annotations mask them as the report does
    const secret = line({ metric: 'http_req_duration{url:https://api.example.com/a?access_token=s3cr3t,method:GET}', expression: 'p(95)<500', actual: 900, limit: 500, unit: 'ms' });
    expect(secret).toContain('http_req_duration{url:https://api.example.com/a?access_token=***,method:GET} p(95)<500 — 900 ms');
    expect(line({ metric: 'http_req_duration{url:*}', expression: 'p(95)<500', status: 'no-data', actual: null, reason: 'no samples of url=https://x/?token=s3cr3t' })).not.toContain('s3cr3t');
    expect(line({ metric: 'portfolio_latency', expression: 'p(99)<500', status: 'no-data', actual: null, reason: 'no samples' })).toMatch(/— no data \(no samples\), no-data$/);
  });
});

describe('size limits', () => {
  it('summary stays within 1 MiB in bytes even with multi-byte rows', async () => {
    const result = await gateDouble(evaluationOf('fail'), { extraRows: 20_000, extraRowText: '✅ ≥ 500 req/s — 東京 tenant' })({} as never);
    expect(Buffer.byteLength(result.markdown)).toBeGreaterThan(SUMMARY_LIMIT_BYTES);
    const text = summaryText(result, '## header', 'note: shortened');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(Buffer.byteLength(text)).toBeGreaterThan(SUMMARY_LIMIT_BYTES * 0.8);
    expect(text).toContain('note: shortened');
  });
  it('comment body plus marker fits 65,536 characters; a short report is kept whole', async () => {
    const long = await gateDouble(evaluationOf('fail'), { extraRows: 5000 })({} as never);
    const body = commentBody(long, ctx, 'k');
    expect(`${marker('k')}\n${body}`.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('job summary');
    const short = await gateDouble(evaluationOf('fail'))({} as never);
    expect(commentBody(short, ctx, 'k')).toContain(short.markdown);
  });
  it('a report whose shrinking ignores the limit is still cut to fit, fences closed', async () => {
    const r = await gateDouble(evaluationOf('fail'))({} as never);
    const huge = '```text\n' + 'x'.repeat(80).concat('\n').repeat(2000);
    const body = commentBody({ ...r, markdown: huge, markdownWithin: () => huge }, ctx, 'k');
    expect(body.length + marker('k').length + 1).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
  });
});

describe('comment upsert', () => {
  it('bodies that differ only in timestamps are the same content; other changes are not', () => {
    expect(sameContent('Generated 2026-11-27T03:26:51.047Z, p99 606 ms', 'Generated 2026-11-28T10:00:00Z, p99 606 ms')).toBe(true);
    expect(sameContent('Generated 2026-11-27T03:26:51.047Z, p99 606 ms', 'Generated 2026-11-27T03:26:51.047Z, p99 607 ms')).toBe(false);
    expect(sameContent(null, 'x')).toBe(false);
  });

  it('two runs with different bodies racing: one comment remains, holding one of the bodies', async () => {
    server = await startGithubServer();
    server.tokens.set('t', { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
    const gate: Array<() => void> = [];
    let held = 0;
    server.use(async (req) => {
      if (req.method === 'GET' && req.url.pathname.endsWith('/comments') && held < 2) {
        held++;
        await new Promise<void>((resolve) => {
          gate.push(resolve);
          if (gate.length === 2) for (const g of gate.splice(0)) g();
        });
      }
      return undefined;
    });
    const a = createClient({ token: 't', baseUrl: server.url, log, writeSpacingMs: 0, retryBaseMs: 1 });
    const b = createClient({ token: 't', baseUrl: server.url, log, writeSpacingMs: 0, retryBaseMs: 1 });
    const t = { owner: 'o', repo: 'r', issueNumber: 5 };
    const [ra, rb] = await Promise.all([upsertComment(a, t, 'k', 'body A', log), upsertComment(b, t, 'k', 'body B', log)]);
    const left = server.commentsOn('o', 'r', 5);
    expect(held).toBe(2);
    expect(server.requests.filter((q) => q.method === 'POST')).toHaveLength(2);
    expect(left).toHaveLength(1);
    expect([`${marker('k')}\nbody A`, `${marker('k')}\nbody B`]).toContain(left[0]!.body);
    expect(ra.id).toBe(left[0]!.id);
    expect(rb.id).toBe(left[0]!.id);
  });
  it('losing a create race to a comment that reports a newer commit: that comment is kept, as on the update path', async () => {
    const gh = await startGithubServer();
    server = gh;
    gh.tokens.set('t', { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
    let raced = false;
    gh.use(async (req) => {
      // just before this run's comment is created, another run (of the PR's head) creates its own
      if (req.method === 'POST' && req.url.pathname.endsWith('/comments') && !raced) {
        raced = true;
        gh.addComment({ owner: 'o', repo: 'r', issue: 5, body: `${marker('k')}\nreport of the head commit`, user: GITHUB_ACTIONS_BOT });
      }
      return undefined;
    });
    const octokit = createClient({ token: 't', baseUrl: gh.url, log, writeSpacingMs: 0, retryBaseMs: 1 });
    const asked: string[] = [];
    const r = await upsertComment(octokit, { owner: 'o', repo: 'r', issueNumber: 5 }, 'k', 'report of an older commit', log, {
      keep: async (existing) => {
        asked.push(existing);
        return existing.includes('head commit') ? 'it reports a newer commit' : undefined;
      },
    });
    const left = gh.commentsOn('o', 'r', 5);
    expect(left).toHaveLength(1);
    expect(left[0]!.body).toBe(`${marker('k')}\nreport of the head commit`);
    expect(r).toMatchObject({ action: 'kept', keptBecause: 'it reports a newer commit', id: left[0]!.id });
    expect(asked).toHaveLength(1);
  });

  it('an older duplicate of ours is cleaned up on update', async () => {
    server = await startGithubServer();
    server.tokens.set('t', { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
    const first = server.addComment({ owner: 'o', repo: 'r', issue: 5, body: `${marker('k')}\nold`, user: GITHUB_ACTIONS_BOT });
    server.addComment({ owner: 'o', repo: 'r', issue: 5, body: `${marker('k')}\nolder dup`, user: GITHUB_ACTIONS_BOT });
    const octokit = createClient({ token: 't', baseUrl: server.url, log, writeSpacingMs: 0 });
    const r = await upsertComment(octokit, { owner: 'o', repo: 'r', issueNumber: 5 }, 'k', 'new', log);
    expect(r.action).toBe('updated');
    expect(server.commentsOn('o', 'r', 5).map((c) => [c.id, c.body])).toEqual([[first.id, `${marker('k')}\nnew`]]);
  });
});

describe('context', () => {
  const env = (eventName: string, payload: Record<string, unknown>, over: Partial<RunEnvironment> = {}): RunEnvironment => ({
    eventName, payload, repository: 'Codertocat/Hello-World', sha: 'c'.repeat(40), ref: 'refs/heads/main', actor: 'Codertocat', serverUrl: 'https://ghe.example.com/', runId: '9', runAttempt: '2', ...over,
  });
  it('pull_request: the head commit, not the merge commit; run link with attempt on the server host', async () => {
    const c = await resolveContext(env('pull_request', webhookPayload('pull_request', (p) => p.action === 'opened')), undefined, log);
    expect(c).toMatchObject({ kind: 'pull_request', prNumber: 2, sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', ref: 'refs/heads/main', branch: 'changes', baseRef: 'master' });
    expect(c.runUrl).toBe('https://ghe.example.com/Codertocat/Hello-World/actions/runs/9/attempts/2');
  });
  it('pull_request_target is handled like pull_request', async () => {
    const c = await resolveContext(env('pull_request_target', webhookPayload('pull_request', (p) => p.action === 'opened')), undefined, log);
    expect(c).toMatchObject({ kind: 'pull_request_target', prNumber: 2 });
  });
  it('push of a tag: no pull request, with a note', async () => {
    const p = webhookPayload('push', (x) => x.ref === 'refs/tags/simple-tag' && !/^0+$/.test(x.after as string));
    const c = await resolveContext(env('push', p), undefined, log);
    expect(c.prNumber).toBeUndefined();
    expect(c.sha).toBe(p.after);
    expect(c.notes.join()).toContain('not a branch');
    expect(c.ref).toBe('refs/tags/simple-tag');
    expect(c.branch).toBeUndefined();
  });
  it('push to a branch: the full ref and the branch, the pushed commit', async () => {
    const p = webhookPayload('push', (x) => x.ref === 'refs/heads/master');
    p.ref = 'refs/heads/release/2.0';
    const c = await resolveContext(env('push', p), undefined, log);
    expect(c).toMatchObject({ kind: 'push', ref: 'refs/heads/release/2.0', branch: 'release/2.0', sha: p.after });
  });
  it('workflow_dispatch with a `pr` input targets that PR', async () => {
    server = await startGithubServer();
    server.tokens.set('t', { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
    server.addPull({ owner: 'octo-org', repo: 'octo-repo', number: 44, state: 'open', headRef: 'feat', headSha: 'd'.repeat(40), baseRef: 'develop' });
    const p = webhookPayload('workflow_dispatch');
    p.inputs = { pr: '44' };
    const octokit = createClient({ token: 't', baseUrl: server.url, log });
    const c = await resolveContext(env('workflow_dispatch', p, { repository: 'octo-org/octo-repo' }), octokit, log);
    // the PR's head is what was retested, not the dispatched ref's commit
    expect(c).toMatchObject({ prNumber: 44, baseRef: 'develop', ref: 'refs/heads/main', branch: 'feat', sha: 'd'.repeat(40), retest: { actor: (p.sender as { login: string }).login } });
  });
  it('a failing lookup does not stop the gate: no PR, a note', async () => {
    server = await startGithubServer();
    server.tokens.set('t', { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
    server.fault({ path: /\/pulls$/, status: 404, body: { message: 'Not Found' } });
    const warnings: string[] = [];
    const octokit = createClient({ token: 't', baseUrl: server.url, log });
    const c = await resolveContext(env('push', webhookPayload('push', (x) => x.ref === 'refs/heads/master')), octokit, { ...log, warning: (m) => void warnings.push(m) });
    expect(c.prNumber).toBeUndefined();
    expect(warnings.join()).toContain('HTTP 404');
  });
});

describe('describeCriterion', () => {
  it('names an incomplete k6 run by its reason, not as a value against a limit', () => {
    const c = criterion({
      metric: RUN_COMPLETED,
      expression: 'completed',
      status: 'fail',
      actual: null,
      limit: Number.NaN,
      unit: 'count',
      reason: 'the k6 run did not complete (exit 107; k6: a script exception): the results are partial',
    });
    expect(describeCriterion(c)).toBe('target-capacity: the k6 run did not complete (exit 107; k6: a script exception): the results are partial');
    expect(describeCriterion(criterion({ metric: 'http_req_duration', expression: 'p(99)<500', status: 'fail', actual: 612 }))).toBe(
      'target-capacity: http_req_duration p(99)<500 — 612 ms, limit 500 ms',
    );
  });
});
