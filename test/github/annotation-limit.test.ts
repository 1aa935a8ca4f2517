// The runner shows at most 10 error annotations per step, and a failed step's message is one of them:
// with many failing rules the rules' annotations must leave room for it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { annotationsFor } from '../../src/github/annotations.js';
import type { Evaluation } from '../../src/model.js';
import { criterion, gateDouble } from '../support/gate-double.js';
import { GITHUB_ACTIONS_BOT, startGithubServer, webhookPayload, type GithubServer } from '../support/github-server.js';
import { cleanup, FAST_CLIENT, runAction, type ActionRun } from './harness.js';

const RESULTS = { 'out/run.ndjson': '{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}\n' };

/** `rules` failing rules on distinct lines of thresholds.yml, one criterion each. */
function failingRules(rules: number): Evaluation {
  const criteria = Array.from({ length: rules }, (_, i) =>
    criterion({ metric: `http_req_duration{name:r${i}}`, expression: 'p(95)<300', status: 'fail', actual: 400 + i, limit: 300, pos: { file: 'thresholds.yml', line: 5 + i, column: 7 } }),
  );
  return { verdict: 'NOT_APPROVED', failOn: 'fail', scenarios: [{ name: 'target-capacity', criteria, notes: [] }], rationale: `${rules} blocking criteria failed.` };
}

let server: GithubServer;
const runs: ActionRun[] = [];
beforeEach(async () => {
  server = await startGithubServer();
  server.tokens.set('gh-test-token', { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
});
afterEach(async () => {
  await server.close();
  for (const r of runs.splice(0)) await cleanup(r);
});

async function act(rules: number, inputs: Record<string, string> = {}): Promise<ActionRun> {
  const r = await runAction({
    server,
    event: 'pull_request',
    payload: webhookPayload('pull_request', (p) => p.action === 'opened'),
    files: RESULTS,
    inputs: { results: 'out/*.ndjson', ...inputs },
    deps: { gate: gateDouble(failingRules(rules)), client: FAST_CLIENT },
  });
  runs.push(r);
  return r;
}

describe('error annotations and the failed step', () => {
  it('11 failing rules: 9 rule annotations (the last folding the rest) plus the failure message = 10 errors', async () => {
    const r = await act(11);
    const errors = r.commands.filter((c) => c.command === 'error');
    expect(errors).toHaveLength(10);
    const onRules = errors.filter((c) => c.props.file);
    expect(onRules).toHaveLength(9);
    expect(onRules[8]!.props.title).toBe('perf-gate: 3 more failed criteria');
    expect(onRules.flatMap((c) => c.message.split('\n'))).toHaveLength(11);
    // the failure message is the last error and is complete
    expect(errors.at(-1)!.props).toEqual({});
    expect(r.failed?.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(11);
  });

  it('exactly 10 failing rules also leave room for the message', async () => {
    const r = await act(10);
    expect(r.commands.filter((c) => c.command === 'error')).toHaveLength(10);
    expect(r.failed).toContain('10 criteria failed');
  });

  it('fail-workflow: false does not fail the step, so all 10 go to the rules', async () => {
    const r = await act(11, { 'fail-workflow': 'false' });
    expect(r.failed).toBeUndefined();
    const errors = r.commands.filter((c) => c.command === 'error');
    expect(errors).toHaveLength(10);
    expect(errors.every((c) => c.props.file === 'thresholds.yml')).toBe(true);
  });

  it('annotationsFor with a smaller limit', () => {
    expect(annotationsFor(failingRules(9), undefined, 9)).toHaveLength(9);
    const a = annotationsFor(failingRules(12), undefined, 9);
    expect(a).toHaveLength(9);
    expect(a[8]!.title).toBe('perf-gate: 4 more failed criteria');
  });
});
