// The Action end to end with the REAL pipeline, evaluate-only mode: a generated k6 NDJSON file (k6's exact
// line format) and a thresholds.yml in the workspace, the local GitHub API server for the comment.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { marker } from '../../src/github/comment.js';
import { gate as pipelineGate } from '../../src/pipeline.js';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { recording } from '../support/gate-double.js';
import { GITHUB_ACTIONS_BOT, startGithubServer, webhookPayload, type GithubServer } from '../support/github-server.js';
import { cleanup, FAST_CLIENT, runAction, type ActionRun } from './harness.js';

const THRESHOLDS = `version: 1
marginal: 10%
fail-on: fail
no-data: warn
window: all
thresholds:
  http_req_duration: ["p(99)<500"]
  http_req_failed: ["rate<0.01"]
scenarios:
  target-capacity:
    thresholds:
      http_reqs: ["count>=10"]
`;

/** 200 requests of one scenario, one per 50 ms; every `latencyMs`, every `failEvery`-th one failed. */
function k6Output(latencyMs: number, failEvery = 0): string {
  const start = BigInt(Date.parse('2026-03-01T10:00:00Z')) * 1_000_000n;
  const lines = [
    metricLine({ name: 'http_reqs', type: 'counter', contains: 'default' }),
    metricLine({ name: 'http_req_duration', type: 'trend', contains: 'time' }),
    metricLine({ name: 'http_req_failed', type: 'rate', contains: 'default' }),
  ];
  for (let i = 0; i < 200; i++) {
    const failed = failEvery > 0 && i % failEvery === 0;
    const tags = { expected_response: failed ? 'false' : 'true', method: 'GET', name: 'http://preview/api/x', proto: 'HTTP/1.1', scenario: 'target-capacity', status: failed ? '503' : '200', url: 'http://preview/api/x' };
    const t = k6Time(start + BigInt(i) * 50_000_000n);
    lines.push(pointLine('http_reqs', t, 1, tags), pointLine('http_req_duration', t, latencyMs + (i % 7), tags), pointLine('http_req_failed', t, failed ? 1 : 0, tags));
  }
  return `${lines.join('\n')}\n`;
}

describe('the Action with the real pipeline (evaluate-only)', () => {
  let server: GithubServer;
  const runs: ActionRun[] = [];
  beforeEach(async () => {
    server = await startGithubServer();
    server.tokens.set('tok', { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
  });
  afterEach(async () => {
    await server.close();
    for (const r of runs.splice(0)) await cleanup(r);
  });

  async function act(latencyMs: number, failEvery: number, thresholds = THRESHOLDS) {
    const g = recording(pipelineGate);
    const r = await runAction({
      env: { GITHUB_WORKFLOW_REF: 'Codertocat/Hello-World/.github/workflows/perf.yml@refs/pull/2/merge' },
      server,
      event: 'pull_request',
      payload: webhookPayload('pull_request', (p) => p.action === 'opened'),
      token: 'tok',
      files: { 'thresholds.yml': thresholds, 'out/target-capacity.ndjson': k6Output(latencyMs, failEvery) },
      inputs: { results: 'out/*.ndjson', scenario: 'target-capacity' },
      deps: { gate: g.gate, client: FAST_CLIENT },
    });
    runs.push(r);
    return { r, g };
  }

  it('a slow, failing run: NOT_APPROVED, failed step naming the criteria, comment on the PR', async () => {
    const { r, g } = await act(600, 20);
    expect(r.outputs.verdict).toBe('NOT_APPROVED');
    expect(r.outputs.passed).toBe('false');
    expect(r.failed).toContain('http_req_duration p(99)<500');
    expect(r.failed).toContain('http_req_failed rate<0.01');
    expect(r.failed).not.toContain('http_reqs');
    const comments = server.commentsOn('Codertocat', 'Hello-World', 2);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith(marker('default'))).toBe(true);
    expect(comments[0]!.body).toContain('NOT APPROVED');
    expect(r.failed).toContain('[thresholds.yml:');
    const json = JSON.parse(await readFile(r.outputs['report-json']!, 'utf8')) as { verdict: string };
    expect(json.verdict).toBe('NOT_APPROVED');
    expect(r.summary).toContain(g.last.markdown.slice(0, 200));
    expect(Number(r.outputs['p99-ms'])).toBeGreaterThan(500);

    // The same results evaluated again (a re-run): the comment is left alone.
    const writes = server.requests.filter((q) => q.method !== 'GET').length;
    const again = await act(600, 20);
    expect(again.r.outputs.verdict).toBe('NOT_APPROVED');
    expect(server.requests.filter((q) => q.method !== 'GET').length).toBe(writes);
  });

  it('a relative threshold looks for the base branch baseline through the API; none found → no data, says why', async () => {
    const { r, g } = await act(120, 0, THRESHOLDS.replace('http_req_duration: ["p(99)<500"]', 'http_req_duration: ["p(99)<500", "p(99)<+10%"]'));
    expect(server.requests.some((q) => q.path.startsWith('/repos/Codertocat/Hello-World/actions/workflows/perf.yml/runs'))).toBe(true);
    const relative = g.last.evaluation.scenarios.flatMap((s) => s.criteria).find((c) => c.expression === 'p(99)<+10%');
    expect(relative?.status).toBe('no-data');
    expect(relative?.reason ?? '').not.toBe('');
    expect(r.outputs.verdict).toBe(g.last.evaluation.verdict);
  });

  it('a fast run: APPROVED, step passes', async () => {
    const { r } = await act(120, 0);
    expect(r.outputs.verdict).toBe('APPROVED');
    expect(r.outputs.passed).toBe('true');
    expect(r.failed).toBeUndefined();
    const body = server.commentsOn('Codertocat', 'Hello-World', 2)[0]!.body;
    expect(body).toContain('APPROVED');
    expect(body).not.toContain('NOT APPROVED');
  });
});
