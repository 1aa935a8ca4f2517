// What the comment and the warnings tell the reader must be true: where the full report is when the job
// summary is off, and why a comment was refused on a locked pull request or with Dependabot's token.
import { beforeEach, describe, expect, it } from 'vitest';
import { marker } from '../../src/github/comment.js';
import type { GateOptions, GateResult } from '../../src/model.js';
import { evaluationOf, gateDouble, recording } from '../support/gate-double.js';
import { GITHUB_ACTIONS_BOT, webhookPayload } from '../support/github-server.js';
import { type ActionRun, type ActionRunOptions, FAST_CLIENT, githubServerEachTest, runAction } from './harness.js';

const RESULTS = { 'out/run.ndjson': '{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}\n' };
const TOKEN = 'gh-test-token';
const gh = githubServerEachTest(TOKEN);
beforeEach(() => {
  gh.server.tokens.set('ro-token', { user: GITHUB_ACTIONS_BOT, userEndpoint: false, readOnly: true });
});

async function act(gate: (o: GateOptions) => Promise<GateResult>, over: Partial<ActionRunOptions> = {}): Promise<ActionRun> {
  const r = await runAction({
    server: gh.server,
    event: 'pull_request',
    payload: webhookPayload('pull_request', (p) => p.action === 'opened'),
    files: RESULTS,
    ...over,
    inputs: { results: 'out/*.ndjson', ...(over.inputs ?? {}) },
    deps: { gate, client: FAST_CLIENT },
  });
  gh.runs.push(r);
  return r;
}
const ours = () => gh.server.commentsOn('Codertocat', 'Hello-World', 2).filter((c) => c.body.startsWith(marker('default')));
const warnings = (r: ActionRun) => r.commands.filter((c) => c.command === 'warning').map((c) => c.message);

describe('a shortened comment says where the full report is', () => {
  it('summary: false → the note names the report-markdown file, not the job summary', async () => {
    const g = recording(gateDouble(evaluationOf('fail'), { extraRows: 3000 }));
    const r = await act(g.gate, { inputs: { summary: 'false' } });
    expect(r.summary).toBe('');
    const body = ours()[0]!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('The report was shortened to fit a comment');
    expect(body).not.toContain('job summary]');
    expect(body).toContain('the `report-markdown` file of the [workflow run](https://github.com/Codertocat/Hello-World/actions/runs/4242) (the job summary is turned off)');
  });

  it('with the summary on, it still points to the job summary', async () => {
    await act(gateDouble(evaluationOf('fail'), { extraRows: 3000 }));
    expect(ours()[0]!.body).toContain('the full report is in the [job summary](https://github.com/Codertocat/Hello-World/actions/runs/4242)');
  });
});

describe('a comment GitHub refuses', () => {
  it('a locked pull request (403 "issue is locked"): says locked, not "needs pull-requests: write"', async () => {
    gh.server.fault({ method: 'POST', path: /\/issues\/2\/comments$/, status: 403, body: { message: 'Unable to create comment because issue is locked.', documentation_url: 'https://docs.github.com/articles/locking-conversations/', status: '403' } });
    const r = await act(gateDouble(evaluationOf('pass')));
    const w = warnings(r).find((m) => m.includes('could not comment'));
    expect(w).toContain('conversation is locked');
    expect(w).not.toContain('pull-requests: write');
    expect(w).not.toContain('fork');
    expect(r.failed).toBeUndefined();
  });

  it('a locked pull request answered with "Resource not accessible" (read-only token): the payload says locked', async () => {
    const payload = webhookPayload('pull_request', (p) => p.action === 'opened');
    Object.assign(payload.pull_request as object, { locked: true, active_lock_reason: 'too heated' });
    const r = await act(gateDouble(evaluationOf('pass')), { payload, token: 'ro-token' });
    const w = warnings(r).find((m) => m.includes('could not comment'));
    expect(w).toContain('Resource not accessible by integration');
    expect(w).toContain('conversation is locked');
    expect(w).not.toContain('pull-requests: write');
  });

  it('a Dependabot run (read-only token): names Dependabot, and the summary only when there is one', async () => {
    const r = await act(gateDouble(evaluationOf('pass')), { token: 'ro-token', actor: 'dependabot[bot]', inputs: { summary: 'false' } });
    const w = warnings(r).find((m) => m.includes('could not comment'));
    expect(w).toContain('started by Dependabot only gets a read-only token');
    expect(w).toContain('workflow_run');
    expect(w).not.toContain('job summary and');
    expect(w).toContain('the report is in the report files');
  });
});
