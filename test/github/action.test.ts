// The Action end to end: inputs via INPUT_*, real webhook payloads, Octokit's real HTTP path against the
// local GitHub API server. The pipeline is `gateUnderTest` — a test double until the real pipeline is
// wired; assertions compare with what the gate returned, so they hold for the real one too.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { marker } from '../../src/github/comment.js';
import type { GateOptions, GateResult } from '../../src/model.js';
import { evaluationOf, gateDouble, recording, type GateDoubleOptions } from '../support/gate-double.js';
import { GITHUB_ACTIONS_BOT, secondaryRateLimit, startGithubServer, webhookPayload, type GithubServer } from '../support/github-server.js';
import { cleanup, FAST_CLIENT, runAction, type ActionRun, type ActionRunOptions } from './harness.js';

const RESULTS = { 'out/run.ndjson': '{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}\n' };

/** The pipeline under test: `kind` selects the double's evaluation (a real run would use matching example files). */
function gateUnderTest(kind: 'pass' | 'marginal' | 'fail', opts: GateDoubleOptions = {}): (o: GateOptions) => Promise<GateResult> {
  return gateDouble(evaluationOf(kind), opts);
}

const TOKEN = 'gh-test-token';
let server: GithubServer;
const runs: ActionRun[] = [];

beforeEach(async () => {
  server = await startGithubServer();
  server.tokens.set(TOKEN, { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
});
afterEach(async () => {
  await server.close();
  for (const r of runs.splice(0)) await cleanup(r);
});

const prPayload = () => webhookPayload('pull_request', (p) => p.action === 'opened');
const PR = { owner: 'Codertocat', repo: 'Hello-World', number: 2, headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821' };

async function act(o: Partial<ActionRunOptions> & { gate: (o: GateOptions) => Promise<GateResult> }): Promise<ActionRun> {
  const { gate, ...rest } = o;
  const r = await runAction({
    server,
    event: 'pull_request',
    payload: prPayload(),
    files: RESULTS,
    ...rest,
    inputs: { results: 'out/*.ndjson', ...(rest.inputs ?? {}) },
    deps: { gate, client: FAST_CLIENT, ...(rest.deps ?? {}) },
  });
  runs.push(r);
  return r;
}

const ours = () => server.commentsOn(PR.owner, PR.repo, PR.number).filter((c) => c.body.startsWith(marker('default')));

describe('pull_request: the sticky comment', () => {
  it("prints the gate's warnings; one naming a thresholds.yml position is an annotation on that line", async () => {
    const r = await act({
      gate: gateUnderTest('pass', { warnings: ['default: 2 lines were not valid k6 JSON and skipped.', 'thresholds.yml:4:22: no samples of `http_req_duraton`. Did you mean `http_req_duration`?'] }),
    });
    const warnings = r.commands.filter((c) => c.command === 'warning');
    expect(warnings.find((w) => w.message === 'perf-gate: default: 2 lines were not valid k6 JSON and skipped.')).toBeDefined();
    const typo = warnings.find((w) => w.message.startsWith('perf-gate: no samples of `http_req_duraton`'));
    expect(typo?.props).toMatchObject({ file: 'thresholds.yml', line: '4', col: '22', title: 'perf-gate' });
  });

  it('first run creates one comment with the verdict, the run link and the measured head commit', async () => {
    const g = recording(gateUnderTest('fail'));
    const r = await act({ gate: g.gate });
    const comments = ours();
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.split('\n')[0]).toBe(marker('default'));
    expect(body.split('\n')[1]).toMatch(/^<sub>perf-gate · pull request #2 · commit `ec26c3e57ca3a959ca5aad62de7213c562f8c821` · \[workflow run\]\(https:\/\/github.com\/Codertocat\/Hello-World\/actions\/runs\/4242\)<\/sub>$/);
    expect(body).toContain('https://github.com/Codertocat/Hello-World/actions/runs/4242');
    expect(body).toContain(PR.headSha);
    expect(body).toContain(g.last.markdown);
    expect(comments[0]!.user.login).toBe('github-actions[bot]');
    expect(r.outputs['comment-id']).toBe(String(comments[0]!.id));
    // evaluate-only: the glob was expanded to the file in the working directory
    expect(g.calls[0]!.results).toEqual([expect.stringMatching(/workspace\/out\/run\.ndjson$/)]);
    expect(g.calls[0]!.k6?.tags).toMatchObject({ commit: PR.headSha, pr: '2', run_id: '4242' });
    expect(Object.keys(g.calls[0]!.env).filter((k) => k.startsWith('INPUT_'))).toEqual([]);
    expect(g.calls[0]!.environment).toEqual({
      commit: PR.headSha,
      ref: 'changes',
      trigger: 'pull_request (PR #2)',
      actor: 'Codertocat',
      runUrl: 'https://github.com/Codertocat/Hello-World/actions/runs/4242',
    });
    expect(g.calls[0]!.env.GITHUB_REPOSITORY).toBe('Codertocat/Hello-World');
  });

  it('a second run updates the same comment in place; an identical re-run leaves it alone', async () => {
    await act({ gate: gateUnderTest('fail') });
    const first = ours()[0]!;
    await act({ gate: gateUnderTest('pass') });
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.id).toBe(first.id);
    expect(ours()[0]!.body).toContain('**Verdict:** APPROVED');

    const writesBefore = server.requests.filter((q) => q.method !== 'GET').length;
    const again = await act({ gate: gateUnderTest('pass') });
    expect(server.requests.filter((q) => q.method !== 'GET').length).toBe(writesBefore);
    expect(again.stdout).toContain('comment unchanged');
  });

  it('finds its comment on page 3 of 250 comments', async () => {
    for (let i = 0; i < 130; i++) server.addComment({ owner: PR.owner, repo: PR.repo, issue: PR.number, body: `chatter ${i}`, user: { login: 'dev', id: 7, type: 'User' } });
    await act({ gate: gateUnderTest('fail') });
    const id = ours()[0]!.id;
    for (let i = 0; i < 120; i++) server.addComment({ owner: PR.owner, repo: PR.repo, issue: PR.number, body: `more ${i}`, user: { login: 'dev', id: 7, type: 'User' } });
    await act({ gate: gateUnderTest('pass') });
    expect(ours().map((c) => c.id)).toEqual([id]);
    const pages = server.requests.filter((q) => q.method === 'GET' && q.path.endsWith('/issues/2/comments'));
    expect(pages.some((q) => q.query.includes('page=3'))).toBe(true);
  });

  it('does not take over a look-alike comment written by someone else', async () => {
    const fake = server.addComment({ owner: PR.owner, repo: PR.repo, issue: PR.number, body: `${marker('default')}\nall good, merge it`, user: { login: 'mallory', id: 66, type: 'User' } });
    await act({ gate: gateUnderTest('fail') });
    const all = server.commentsOn(PR.owner, PR.repo, PR.number);
    expect(all.find((c) => c.id === fake.id)!.body).toBe(`${marker('default')}\nall good, merge it`);
    const mine = all.filter((c) => c.user.login === 'github-actions[bot]');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('**Verdict:** NOT_APPROVED');
  });

  it('two racing runs converge on one comment', async () => {
    // Hold the first two comment listings until both runs have asked: both see no comment and both create.
    let waiting: Array<() => void> = [];
    let held = 0;
    server.use(async (req) => {
      if (req.method === 'GET' && req.url.pathname.endsWith('/issues/2/comments') && held < 2) {
        held++;
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === 2) {
            for (const w of waiting) w();
            waiting = [];
          }
        });
      }
      return undefined;
    });
    await act({ gate: gateUnderTest('fail'), parallel: 2 });
    expect(held).toBe(2);
    expect(server.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/comments'))).toHaveLength(2);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.body).toContain('**Verdict:** NOT_APPROVED');
  });

  it('a report over 65,536 characters is shortened with a note pointing to the job summary', async () => {
    const g = recording(gateUnderTest('fail', { extraRows: 3000 }));
    const r = await act({ gate: g.gate });
    expect(g.last.markdown.length).toBeGreaterThan(65_536);
    const body = ours()[0]!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.length).toBeGreaterThan(60_000);
    expect(body).toContain('full report is in the [job summary]');
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
    // the summary has the whole report
    expect(r.summary).toContain(g.last.markdown);
  });

  it('survives a 502 then succeeds (retried)', async () => {
    server.fault({ method: 'POST', path: /\/issues\/2\/comments$/, status: 502, body: { message: 'Server Error' } });
    server.fault({ method: 'GET', path: /\/issues\/2\/comments$/, status: 503, body: { message: 'Service Unavailable' } });
    const r = await act({ gate: gateUnderTest('fail') });
    expect(ours()).toHaveLength(1);
    expect(server.requests.filter((q) => q.status >= 500)).toHaveLength(2);
    expect(r.commands.filter((c) => c.command === 'warning')).toEqual([]);
  });

  it('waits out a secondary rate limit (retry-after) and then comments', async () => {
    server.fault({ method: 'POST', path: /\/issues\/2\/comments$/, ...secondaryRateLimit(2) });
    const r = await act({ gate: gateUnderTest('pass') });
    expect(ours()).toHaveLength(1);
    expect(server.requests.filter((q) => q.method === 'POST')).toHaveLength(2);
    expect(r.stdout).toMatch(/secondary rate limit.*retrying in 2 s/);
  });

  it('gives up on a rate limit that does not end and warns, verdict unchanged', async () => {
    server.fault({ method: 'POST', path: /\/issues\/2\/comments$/, times: 10, ...secondaryRateLimit(1) });
    const g = recording(gateUnderTest('pass'));
    const r = await act({ gate: g.gate });
    expect(ours()).toHaveLength(0);
    expect(server.requests.filter((q) => q.method === 'POST').length).toBe(4); // 1 + 3 bounded retries
    expect(r.commands.some((c) => c.command === 'warning' && /rate limit/.test(c.message) && /verdict is unchanged/.test(c.message))).toBe(true);
    expect(r.outputs.verdict).toBe('APPROVED');
    expect(r.failed).toBeUndefined();
  });

  it('a primary rate limit resetting in an hour is not waited for: warning, verdict unchanged', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    server.fault({
      method: 'GET',
      path: /\/issues\/2\/comments$/,
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      body: { message: 'API rate limit exceeded for installation ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
    });
    const r = await act({ gate: gateUnderTest('fail') });
    expect(server.requests.filter((q) => q.path.endsWith('/issues/2/comments'))).toHaveLength(1);
    expect(r.commands.some((c) => c.command === 'warning' && c.message.includes('GitHub API rate limit'))).toBe(true);
    expect(r.outputs.verdict).toBe('NOT_APPROVED');
    expect(r.failed).toContain('criteria failed');
  });

  it('a results file left out as unreadable: the report is published from the rest, the step fails with the file and the fix, even with fail-workflow: false', async () => {
    const unread = 'out/junk.bin: not k6 output: no line of it is a k6 `--out json` line\n  fix: pass a file written by `k6 run --out json=FILE`';
    const writes = () => server.requests.filter((q) => (q.method === 'POST' || q.method === 'PATCH') && /\/issues\/(2\/)?comments/.test(q.path)).length;
    const before = writes();
    const saved: unknown[] = [];
    const r = await act({ gate: gateUnderTest('pass', { inputErrors: [unread] }), inputs: { 'fail-workflow': 'false' }, deps: { saveBaseline: async (b) => void saved.push(b) } });
    expect(r.failed).toBe(unread);
    expect(saved).toEqual([]); // a report lacking a results file is never a baseline
    expect(r.outputs.passed).toBe('false');
    expect(r.outputs.verdict).toBe('APPROVED');
    expect(writes()).toBeGreaterThan(before); // the comment was posted or updated
    expect(r.summary).toContain('APPROVED');
  });

  it('the failed-criteria output masks secrets in expanded URL keys, as the comment does', async () => {
    const evaluation = evaluationOf('fail');
    const first = evaluation.scenarios[0]!.criteria[0]!;
    first.metric = 'http_req_duration{url:https://api.example.com/orders?token=s3cr3tvalue123}';
    first.blocking = true;
    const r = await act({ gate: gateDouble(evaluation) });
    const failed = JSON.parse(r.outputs['failed-criteria']!) as { metric: string }[];
    expect(failed[0]!.metric).toMatch(/^http_req_duration\{url:https:\/\/api\.example\.com\/orders\?token=\*+\}$/);
    expect(r.outputs['failed-criteria']).not.toContain('s3cr3tvalue123');
  });

  it('bad input with fail-workflow: false still leaves room for the failure among the 10 error annotations', async () => {
    const evaluation = evaluationOf('fail');
    const base = evaluation.scenarios[0]!.criteria[0]!;
    evaluation.scenarios[0]!.criteria = Array.from({ length: 14 }, (_, i) => ({ ...base, expression: `p(99)<${500 + i}`, blocking: true, pos: { ...base.pos, line: 10 + i } }));
    const r = await act({ gate: gateDouble(evaluation, { inputErrors: ['out/junk.bin: not k6 output\n  fix: pass k6 output'] }), inputs: { 'fail-workflow': 'false' } });
    // the runner shows 10 error annotations per step: the rules' and the failure (setFailed's, last)
    const errors = r.commands.filter((c) => c.command === 'error');
    expect(errors.length).toBeLessThanOrEqual(10);
    expect(errors.at(-1)!.message).toContain('out/junk.bin: not k6 output');
    expect(r.failed).toContain('out/junk.bin: not k6 output');
  });

  it("many gate warnings do not push the rules' warnings past the runner's 10 warning annotations", async () => {
    // a rule-line warning after eight others still gets its annotation on the rule's line
    const warnings = [...Array.from({ length: 8 }, (_, i) => `default: problem ${i + 1}.`), 'thresholds.yml:4:22: no samples of `http_req_duraton`.'];
    const r = await act({ gate: gateUnderTest('marginal', { warnings }) });
    expect(r.commands.find((c) => c.command === 'warning' && c.message.includes('http_req_duraton'))?.props).toMatchObject({ file: 'thresholds.yml', line: '4' });
    const annotations = r.commands.filter((c) => c.command === 'warning');
    expect(annotations.length).toBeLessThanOrEqual(10);
    expect(annotations.map((a) => a.message)).toContain('perf-gate: 5 more warnings, in the log below');
    // every warning is still in the log, and the marginal rule's annotation is there
    for (const w of warnings.slice(0, 8)) expect(r.stdout).toContain(w);
    expect(annotations.some((a) => a.message.includes('p(95)<400'))).toBe(true);
  });

  it('a PR that is gone (404) is a warning naming the permission, not a failure', async () => {
    server.fault({ method: 'GET', path: /\/issues\/2\/comments$/, status: 404, body: { message: 'Not Found' } });
    const r = await act({ gate: gateUnderTest('pass') });
    const w = r.commands.find((c) => c.command === 'warning' && c.message.includes('#2 was not found'));
    expect(w?.message).toContain('pull-requests: write');
    expect(r.failed).toBeUndefined();
  });

  it('a fork PR with a read-only token: a warning naming pull-requests: write; verdict and report unchanged', async () => {
    server.tokens.set('ro-token', { user: GITHUB_ACTIONS_BOT, userEndpoint: false, readOnly: true });
    const g = recording(gateUnderTest('pass'));
    const payload = prPayload() as { pull_request: { head: { repo: Record<string, unknown> } } };
    payload.pull_request.head.repo = { ...payload.pull_request.head.repo, full_name: 'forker/Hello-World', fork: true };
    const r = await act({ gate: g.gate, token: 'ro-token', payload });
    expect(ours()).toHaveLength(0);
    const warning = r.commands.find((c) => c.command === 'warning' && c.message.includes('pull-requests: write'));
    expect(warning?.message).toContain('HTTP 403');
    expect(warning?.message).toContain('the fork forker/Hello-World');
    expect(warning?.message).toContain('workflow_run');
    expect(r.outputs.verdict).toBe(g.last.evaluation.verdict);
    expect(r.outputs.passed).toBe('true');
    expect(r.failed).toBeUndefined();
    expect(r.summary).toContain(g.last.markdown);
    expect(await readFile(r.outputs['report-markdown']!, 'utf8')).toBe(g.last.markdown);
  });

  it('comment: on-failure does not create a comment for a passing run, but updates an existing one', async () => {
    await act({ gate: gateUnderTest('pass'), inputs: { comment: 'on-failure' } });
    expect(ours()).toHaveLength(0);
    await act({ gate: gateUnderTest('fail'), inputs: { comment: 'on-failure' } });
    expect(ours()).toHaveLength(1);
    await act({ gate: gateUnderTest('pass'), inputs: { comment: 'on-failure' } });
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.body).toContain('**Verdict:** APPROVED');
  });

  it('separate comment keys keep separate comments', async () => {
    await act({ gate: gateUnderTest('fail'), inputs: { 'comment-key': 'smoke' } });
    await act({ gate: gateUnderTest('pass'), inputs: { 'comment-key': 'soak' } });
    const all = server.commentsOn(PR.owner, PR.repo, PR.number);
    expect(all.map((c) => c.body.split('\n')[0]).sort()).toEqual([marker('smoke'), marker('soak')].sort());
  });

  it('a user token (GET /user works) owns only comments of its own login', async () => {
    server.tokens.set('pat', { user: { login: 'perf-bot', id: 77, type: 'User' } });
    server.addComment({ owner: PR.owner, repo: PR.repo, issue: PR.number, body: `${marker('default')}\nold by the Actions bot`, user: GITHUB_ACTIONS_BOT });
    await act({ gate: gateUnderTest('fail'), token: 'pat' });
    const all = server.commentsOn(PR.owner, PR.repo, PR.number);
    expect(all.filter((c) => c.user.login === 'perf-bot')).toHaveLength(1);
    expect(all.find((c) => c.user.login === 'github-actions[bot]')!.body).toContain('old by the Actions bot');
    expect(server.requests.some((q) => q.path === '/user' && q.status === 200)).toBe(true);
  });
});

describe('outputs, summary, annotations and the failed check', () => {
  it('a failing gate fails the step with exactly the failed criteria, and annotates the rules', async () => {
    const g = recording(gateUnderTest('fail'));
    const r = await act({ gate: g.gate });
    const failed = g.last.evaluation.scenarios.flatMap((s) => s.criteria.filter((c) => c.blocking));
    expect(failed.length).toBeGreaterThan(0);
    expect(r.failed).toBeDefined();
    const listed = r.failed!.split('\n').filter((l) => l.startsWith('- '));
    expect(listed).toHaveLength(failed.length);
    for (const c of failed) expect(r.failed).toContain(`${c.metric} ${c.expression}`);
    expect(r.failed).toContain('[thresholds.yml:');
    for (const c of g.last.evaluation.scenarios.flatMap((s) => s.criteria.filter((x) => !x.blocking))) {
      expect(r.failed).not.toContain(`${c.metric} ${c.expression}`);
    }
    const annotations = r.commands.filter((c) => c.command === 'error' && c.props.file);
    expect(annotations).toHaveLength(new Set(failed.map((c) => `${c.pos.file}:${c.pos.line}`)).size);
    expect(annotations[0]!.props.file).toBe('thresholds.yml');
    expect(Number(annotations[0]!.props.line)).toBe(failed[0]!.pos.line);
  });

  it('sets verdict, passed, report files and headline outputs', async () => {
    const g = recording(gateUnderTest('marginal'));
    const r = await act({ gate: g.gate });
    expect(r.outputs.verdict).toBe(g.last.evaluation.verdict);
    expect(r.outputs.passed).toBe('true');
    expect(r.failed).toBeUndefined();
    expect(JSON.parse(r.outputs.headline!)).toEqual(g.last.headline);
    const h = Object.values(g.last.headline)[0]!;
    expect(r.outputs['p95-ms']).toBe(h.p95 === null ? '' : String(h.p95));
    expect(r.outputs['error-rate']).toBe(h.errorRate === null ? '' : String(h.errorRate));
    expect(JSON.parse(await readFile(r.outputs['report-json']!, 'utf8'))).toEqual(g.last.json);
    expect(await readFile(r.outputs['report-markdown']!, 'utf8')).toBe(g.last.markdown);
    expect(r.summary).toContain(g.last.markdown);
    expect(r.summary).toContain('[workflow run](https://github.com/Codertocat/Hello-World/actions/runs/4242)');
  });

  it('fail-workflow: false reports a failing gate without failing the step', async () => {
    const r = await act({ gate: gateUnderTest('fail'), inputs: { 'fail-workflow': 'false' } });
    expect(r.failed).toBeUndefined();
    expect(r.outputs.passed).toBe('false');
    expect(r.commands.some((c) => c.command === 'warning' && c.message.includes('NOT_APPROVED'))).toBe(true);
  });

  it('bad input fails with the input error, and a non-Error throw from the pipeline still fails clearly', async () => {
    const bad = await act({ gate: gateUnderTest('pass'), inputs: { comment: 'sometimes' } });
    expect(bad.failed).toContain('input `comment` is `sometimes`');
    expect(bad.failed).toContain('always, on-failure, never');
    const missing = await act({ gate: gateUnderTest('pass'), inputs: { results: 'nowhere/*.json' } });
    expect(missing.failed).toContain('no file matches `nowhere/*.json`');
    // known before the error: a step that uploads it with `if: always()` still has a path
    expect(missing.outputs['report-dir']).toMatch(/perf-gate/);
    expect(bad.outputs['report-dir']).toBeUndefined();
    const weird = await act({ gate: gateDouble(evaluationOf('pass'), { throws: { code: 42 } }) });
    expect(weird.failed).toBe('perf-gate failed: {"code":42}');
    expect(weird.outputs.verdict).toBe('ERROR');
  });

  it('when the gate cannot run, the PR comment and the summary say so instead of showing an old verdict', async () => {
    await act({ gate: gateUnderTest('pass') });
    const id = ours()[0]!.id;
    const r = await act({ gate: gateDouble(evaluationOf('pass'), { throws: new Error('preflight: https://u:pw@preview.example.com answered 502 for 120 s') }) });
    expect(ours().map((c) => c.id)).toEqual([id]);
    expect(ours()[0]!.body).toContain('perf-gate could not decide');
    expect(ours()[0]!.body).toContain('answered 502');
    expect(ours()[0]!.body).not.toContain('pw@');
    expect(r.summary).toContain('perf-gate could not decide');
    expect(r.failed).toContain('preflight: https://***@preview.example.com answered 502');
  });

  it('baseline hooks get the PR context; a failing finder or saver only warns', async () => {
    const lookups: Array<{ scenario: string; pr?: number; baseRef?: string; key: string }> = [];
    const saved: string[] = [];
    const g = recording(gateUnderTest('pass'));
    const r = await act({
      gate: async (o) => {
        const found = typeof o.baseline === 'function' ? await o.baseline('target-capacity') : undefined;
        const broken = typeof o.baseline === 'function' ? await o.baseline('explodes') : 'not a function';
        expect(found && 'source' in found ? found.source : found).toBe('artifact of run 1');
        expect(broken).toEqual({ missing: 'could not load a baseline for explodes: artifact store unreachable' });
        return g.gate(o);
      },
      inputs: { 'comment-key': 'smoke' },
      deps: {
        findBaseline: async (l) => {
          if (l.scenario === 'explodes') throw 'artifact store unreachable';
          lookups.push({ scenario: l.scenario, pr: l.context.prNumber, baseRef: l.context.baseRef, key: l.commentKey });
          return { source: 'artifact of run 1', scenarios: {} };
        },
        saveBaseline: async (s) => {
          saved.push(s.result.evaluation.verdict);
          throw new Error('quota exceeded');
        },
      },
    });
    expect(lookups).toEqual([{ scenario: 'target-capacity', pr: 2, baseRef: 'master', key: 'smoke' }]);
    expect(saved).toEqual([g.last.evaluation.verdict]);
    const warnings = r.commands.filter((c) => c.command === 'warning').map((c) => c.message);
    expect(warnings.some((w) => w.includes('baseline for explodes') && w.includes('artifact store unreachable'))).toBe(true);
    expect(warnings.some((w) => w.includes('quota exceeded'))).toBe(true);
    expect(r.failed).toBeUndefined();
  });

  it('working-directory, k6-env, k6-tags, timeout and fail-on reach the pipeline; bad ones are input errors', async () => {
    const g = recording(gateUnderTest('pass'));
    await act({
      gate: g.gate,
      files: { 'svc/perf/out/a.ndjson': RESULTS['out/run.ndjson'] },
      inputs: {
        'working-directory': 'svc/perf',
        results: 'out/a.ndjson',
        thresholds: 'limits.yml',
        'k6-env': 'API_KEY=abc=def\n# comment\nTENANTS=5',
        'k6-tags': 'team=payments',
        timeout: '1h30m',
        'fail-on': 'marginal',
      },
    });
    const o = g.calls[0]!;
    expect(o.cwd).toMatch(/workspace\/svc\/perf$/);
    expect(o.thresholds).toBe('limits.yml');
    expect(o.results).toEqual([expect.stringMatching(/svc\/perf\/out\/a\.ndjson$/)]);
    expect(o.k6?.env).toEqual({ API_KEY: 'abc=def', TENANTS: '5' });
    expect(o.k6?.tags).toMatchObject({ team: 'payments', pr: '2' });
    expect(o.k6?.timeoutSeconds).toBe(5400);
    expect(o.k6?.preflight).toBeUndefined(); // evaluate-only
    expect(o.failOn).toBe('marginal');

    const badEnv = await act({ gate: gateUnderTest('pass'), inputs: { 'k6-env': 'not a pair' } });
    expect(badEnv.failed).toContain('input `k6-env`, line 1');
    const badTimeout = await act({ gate: gateUnderTest('pass'), inputs: { timeout: 'soon' } });
    expect(badTimeout.failed).toContain('input `timeout` is `soon`');
    // the same durations as the CLI's flags: more than 0, k6's units
    for (const [name, value] of [
      ['timeout', '0'],
      ['preflight-timeout', '0s'],
    ] as const) {
      const zero = await act({ gate: gateUnderTest('pass'), inputs: { [name]: value } });
      expect(zero.failed).toContain(`input \`${name}\` is \`${value}\`\n  fix: write a duration of more than 0`);
    }
    const units = recording(gateUnderTest('pass'));
    expect((await act({ gate: units.gate, inputs: { results: '', 'base-url': 'https://preview.example', timeout: '1.5m', 'preflight-timeout': '500ms' } })).failed).toBeUndefined();
    expect(units.calls[0]!.k6?.timeoutSeconds).toBe(90);
    expect(units.calls[0]!.k6?.preflight?.timeoutSeconds).toBe(0.5);
    const noSlash = await act({ gate: gateUnderTest('pass'), inputs: { 'base-url': 'https://preview.example', 'preflight-path': 'healthz' } });
    expect(noSlash.failed).toContain('input `preflight-path` is `healthz`: it must start with /');
    // choices are read in any case, as boolean inputs are
    const upper = recording(gateUnderTest('pass'));
    const cased = await act({ gate: upper.gate, inputs: { 'fail-on': 'Marginal', comment: 'Never' } });
    expect(cased.failed).toBeUndefined();
    expect(upper.calls[0]!.failOn).toBe('marginal');
    expect(cased.outputs['comment-url']).toBeUndefined(); // `Never`: no comment
    expect((await act({ gate: gateUnderTest('pass') })).outputs['comment-url']).toMatch(/^https:\/\//);
    const badFailOn = await act({ gate: gateUnderTest('pass'), inputs: { 'fail-on': 'warn' } });
    expect(badFailOn.failed).toContain('use one of: fail, marginal');
    const badSegment = await act({ gate: gateUnderTest('pass'), inputs: { 'execution-segment': '5:1' } });
    expect(badSegment.failed).toContain("input execution-segment '5:1' is not a share of the run");
  });

  it('run mode: base URL, scenarios and preflight defaults; credentials in the URL are masked', async () => {
    const g = recording(gateUnderTest('pass'));
    // A report that shows the target URL as given (the real one has a Target row).
    const showsTarget = async (o: GateOptions) => {
      const res = await g.gate(o);
      const markdown = `${res.markdown}\n\n| Target | \`${o.baseUrl}\` |\n`;
      return { ...res, markdown, markdownWithin: () => markdown };
    };
    const r = await act({ gate: showsTarget, inputs: { results: '', 'base-url': 'https://user:hunter2@pr-2.preview.example.com', scenario: 'a, b\nc', 'preflight-path': '/healthz' } });
    expect(ours()[0]!.body).toContain('`https://***@pr-2.preview.example.com`');
    const o = g.calls[0]!;
    expect(o.baseUrl).toBe('https://user:hunter2@pr-2.preview.example.com');
    expect(o.scenarios).toEqual(['a', 'b', 'c']);
    expect(o.results).toBeUndefined();
    expect(o.k6?.preflight).toMatchObject({ path: '/healthz', expectStatus: 200 });
    expect(o.k6?.preflight?.timeoutSeconds).toBeGreaterThan(0);
    expect(r.stdout).toContain('::add-mask::hunter2');
    expect(ours()[0]!.body).not.toContain('hunter2');
    expect(r.summary).not.toContain('hunter2');
    expect(r.stdout.replace('::add-mask::hunter2', '')).not.toContain('hunter2');
    expect(r.commands.some((c) => c.command === 'warning' && c.message.includes('k6-version'))).toBe(false);
  });

  it('run mode: k6-version beside k6-path is a warning (the binary is used as it is)', async () => {
    const r = await act({ gate: gateUnderTest('pass'), inputs: { results: '', 'base-url': 'https://pr-2.preview.example.com', 'k6-path': '/opt/k6/k6', 'k6-version': '1.0.0' } });
    expect(r.failed).toBeUndefined();
    expect(r.commands.find((c) => c.command === 'warning' && c.message.includes('`k6-version: 1.0.0` is ignored'))?.message).toContain('`k6-path` is set');
  });

  it('never prints the token', async () => {
    const r = await act({ gate: gateUnderTest('fail') });
    const withoutMask = r.stdout.replace(`::add-mask::${TOKEN}`, '');
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(withoutMask).not.toContain(TOKEN);
    expect(ours()[0]!.body).not.toContain(TOKEN);
    expect(r.summary).not.toContain(TOKEN);
  });
});

describe('each event kind', () => {
  it('push to a release branch comments on the open PR of that branch', async () => {
    const payload = webhookPayload('push', (p) => p.ref === 'refs/heads/master');
    payload.ref = 'refs/heads/release/2.0';
    server.addPull({ owner: PR.owner, repo: PR.repo, number: 31, state: 'open', headRef: 'release/2.0', headSha: payload.after as string, baseRef: 'master' });
    server.addPull({ owner: PR.owner, repo: PR.repo, number: 30, state: 'closed', headRef: 'release/2.0', headSha: 'aaa' });
    const g = recording(gateUnderTest('pass'));
    const r = await act({ gate: g.gate, event: 'push', payload, ref: 'refs/heads/release/2.0', sha: payload.after as string });
    const comments = server.commentsOn(PR.owner, PR.repo, 31);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('push to `release/2.0`');
    expect(comments[0]!.body).toContain(payload.after as string);
    expect(r.outputs['pr-number']).toBe('31');
  });

  it('push to a branch without a PR gates the commit and writes only the summary', async () => {
    const payload = webhookPayload('push', (p) => p.ref === 'refs/heads/master');
    const g = recording(gateUnderTest('fail'));
    const r = await act({ gate: g.gate, event: 'push', payload, ref: 'refs/heads/master' });
    expect(server.comments).toHaveLength(0);
    expect(r.summary).toContain(g.last.markdown);
    expect(r.failed).toBeDefined();
    expect(r.stdout).toContain('no open pull request for master');
  });

  it('workflow_dispatch: a manual retest of the ref updates its PR comment, naming who asked, with input overrides', async () => {
    const payload = webhookPayload('workflow_dispatch', (p) => p.ref === 'refs/heads/main');
    payload.ref = 'refs/heads/feature-x';
    payload.inputs = { scenario: 'smoke, checkout', 'base-url': 'https://pr-9.preview.example.com' };
    server.addPull({ owner: 'octo-org', repo: 'octo-repo', number: 9, state: 'open', headRef: 'feature-x', headSha: 'f'.repeat(40) });
    server.addComment({ owner: 'octo-org', repo: 'octo-repo', issue: 9, body: `${marker('default')}\nolder result`, user: GITHUB_ACTIONS_BOT });
    const g = recording(gateUnderTest('pass'));
    await act({
      gate: g.gate,
      event: 'workflow_dispatch',
      payload,
      repository: 'octo-org/octo-repo',
      ref: 'refs/heads/feature-x',
      sha: 'f'.repeat(40),
      actor: 'octocat',
      inputs: { results: '', 'base-url': 'https://staging.example.com', scenario: 'target-capacity' },
    });
    const comments = server.commentsOn('octo-org', 'octo-repo', 9);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('manual retest by @octocat');
    expect(g.calls[0]!.scenarios).toEqual(['smoke', 'checkout']);
    expect(g.calls[0]!.baseUrl).toBe('https://pr-9.preview.example.com');
    expect(g.calls[0]!.results).toBeUndefined();
  });

  it('workflow_run: comments on the PR listed in the triggering run, for its head SHA', async () => {
    const payload = webhookPayload('workflow_run', (p) => (p.workflow_run as { pull_requests: unknown[] }).pull_requests.length > 0);
    // the run of the listed PR's head (the example lists a PR into the run's branch instead, see below)
    const run = payload.workflow_run as { head_sha: string; head_branch: string; pull_requests: { head: { sha: string; ref: string } }[] };
    run.head_branch = run.pull_requests[0]!.head.ref;
    run.head_sha = run.pull_requests[0]!.head.sha;
    const r = await act({ gate: gateUnderTest('fail'), event: 'workflow_run', payload, repository: 'octo-org/octo-repo' });
    const comments = server.commentsOn('octo-org', 'octo-repo', 2);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(run.head_sha);
    expect(r.outputs['pr-number']).toBe('2');
  });

  it('workflow_run: a listed PR whose head is not the run (GitHub lists PRs into the run\'s branch too) gets no comment', async () => {
    // the example as GitHub sent it: a run on master at 3484a3f listing PR #2 (head `changes` at ec26c3e, base master)
    const payload = webhookPayload('workflow_run', (p) => (p.workflow_run as { pull_requests: unknown[] }).pull_requests.length > 0);
    const run = payload.workflow_run as { head_sha: string; head_branch: string; pull_requests: { number: number; head: { sha: string; ref: string } }[] };
    expect(run.pull_requests[0]!.head.sha).not.toBe(run.head_sha);
    const before = server.commentsOn('octo-org', 'octo-repo', 2).length;
    const r = await act({ gate: gateUnderTest('pass'), event: 'workflow_run', payload, repository: 'octo-org/octo-repo' });
    expect(server.commentsOn('octo-org', 'octo-repo', 2)).toHaveLength(before);
    expect(r.outputs['pr-number']).toBeUndefined();
  });

  it('workflow_run from a fork (no pull_requests in the payload): finds the PR by the head branch of the fork', async () => {
    const payload = webhookPayload('workflow_run', (p) => p.action === 'completed' && (p.workflow_run as { conclusion: unknown }).conclusion === 'success');
    const run = payload.workflow_run as { head_sha: string; head_branch: string; pull_requests: unknown[]; head_repository: { owner: { login: string } } };
    run.pull_requests = [];
    run.head_repository.owner.login = 'forker';
    server.addPull({ owner: 'octo-org', repo: 'octo-repo', number: 12, state: 'open', headRef: run.head_branch, headSha: 'b'.repeat(40), headOwner: 'forker' });
    server.addPull({ owner: 'octo-org', repo: 'octo-repo', number: 13, state: 'open', headRef: run.head_branch, headSha: run.head_sha, headOwner: 'forker' });
    await act({ gate: gateUnderTest('pass'), event: 'workflow_run', payload, repository: 'octo-org/octo-repo' });
    expect(server.commentsOn('octo-org', 'octo-repo', 13)).toHaveLength(1);
    expect(server.commentsOn('octo-org', 'octo-repo', 12)).toHaveLength(0);
    expect(server.commentsOn('octo-org', 'octo-repo', 13)[0]!.body).toContain(run.head_sha);
  });

  it('workflow_run: falls back to the PRs of the head commit', async () => {
    const payload = webhookPayload('workflow_run', (p) => p.action === 'completed' && (p.workflow_run as { conclusion: unknown }).conclusion === 'success');
    const run = payload.workflow_run as { head_sha: string; head_branch: string; pull_requests: unknown[] };
    run.pull_requests = [];
    run.head_branch = 'renamed-since';
    server.addPull({ owner: 'octo-org', repo: 'octo-repo', number: 21, state: 'open', headRef: 'other', headSha: run.head_sha });
    await act({ gate: gateUnderTest('pass'), event: 'workflow_run', payload, repository: 'octo-org/octo-repo' });
    expect(server.commentsOn('octo-org', 'octo-repo', 21)).toHaveLength(1);
    expect(server.requests.some((q) => q.path === `/repos/octo-org/octo-repo/commits/${run.head_sha}/pulls`)).toBe(true);
  });
});
