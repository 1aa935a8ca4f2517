import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { startGithubServer, type GithubServer } from '../support/github-server.js';
import { startActionsApi, runtimeToken, type ActionsApi } from '../support/github-actions-api.js';
import { createClient, type GitHubClient } from '../../src/github/client.js';
import { digestMismatch, findBaseline } from '../../src/baseline/fetch.js';
import { saveBaseline, baselineFiles } from '../../src/baseline/save.js';
import { baselineArtifactName, BASELINE_REPORT_FILE } from '../../src/baseline/name.js';
import { measurementKey } from '../../src/evaluate/keys.js';
import { actionBaselineFinder, actionBaselineSaver, workflowFileFromRef } from '../../src/baseline/action.js';
import type { BaselineSave } from '../../src/action.js';
import type { GateContext } from '../../src/github/context.js';
import { jsonReport, quietLog, startBaselineApi, zipOf } from './helpers.js';

const TOKEN = 'ghs_localtesttoken0000000000000000000001';
const OWNER = 'octo-org';
const REPO = 'octo-repo';
const NAME = baselineArtifactName('checkout', 'perf');

let gh: GithubServer;
let api: ActionsApi;
let octokit: GitHubClient;

let close: () => Promise<void>;

beforeEach(async () => {
  ({ api, gh, octokit, close } = await startBaselineApi({ owner: OWNER, repo: REPO, token: TOKEN }));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await close();
});

function find(extra: Partial<Parameters<typeof findBaseline>[0]> = {}) {
  return findBaseline({ octokit, owner: OWNER, repo: REPO, workflowId: 'perf.yml', baseBranch: 'main', artifactName: NAME, log: quietLog(), ...extra });
}

function reportZip(p99: number, commit?: string): Uint8Array {
  return zipOf({ [BASELINE_REPORT_FILE]: JSON.stringify(jsonReport('checkout', p99, commit)) });
}

describe('findBaseline against the local GitHub API', () => {
  it('takes the newest successful run of the workflow on the base branch that kept the artifact', async () => {
    const older = api.addRun({ branch: 'main', headSha: '1'.repeat(40) });
    api.addArtifact({ runId: older.id, name: NAME, zip: reportZip(300) });
    const wanted = api.addRun({ branch: 'main', headSha: '2'.repeat(40) });
    api.addArtifact({ runId: wanted.id, name: NAME, zip: reportZip(420, '2'.repeat(40)) });
    api.addArtifact({ runId: wanted.id, name: baselineArtifactName('search', 'perf'), zip: reportZip(999) });
    // Newer, but not a baseline: no artifact, a failed run, another branch, another workflow.
    api.addRun({ branch: 'main' });
    const failed = api.addRun({ branch: 'main', conclusion: 'failure' });
    api.addArtifact({ runId: failed.id, name: NAME, zip: reportZip(1) });
    const feature = api.addRun({ branch: 'feature/x' });
    api.addArtifact({ runId: feature.id, name: NAME, zip: reportZip(2) });
    const other = api.addRun({ branch: 'main', workflowId: 99, workflowPath: '.github/workflows/other.yml' });
    api.addArtifact({ runId: other.id, name: NAME, zip: reportZip(3) });

    const r = await find();
    if (!('baseline' in r)) throw new Error(`expected a baseline, got: ${r.missing}`);
    expect(r.runId).toBe(wanted.id);
    expect(r.sha).toBe('2'.repeat(40));
    expect(r.source).toBe(`https://github.com/${OWNER}/${REPO}/actions/runs/${wanted.id}`);
    const expected = jsonReport('checkout', 420).measurements['checkout|http_req_duration|p(99)'];
    expect(expected).toBe(420);
    expect(r.parsed.scenarios.checkout?.[measurementKey('http_req_duration', 'p(99)')]).toBe(expected);
    expect((r.baseline as { schema: number }).schema).toBe(1);

    const listRuns = gh.requests.find((q) => q.path === `/repos/${OWNER}/${REPO}/actions/workflows/perf.yml/runs`);
    const query = new URLSearchParams(listRuns?.query ?? '');
    expect(query.get('branch')).toBe('main');
    expect(query.get('status')).toBe('success');
    expect(gh.requests.some((q) => q.path === `/repos/${OWNER}/${REPO}/actions/artifacts/${r.artifactId}/zip` && q.status === 302)).toBe(true);
    // The redirect leads to another origin: the token is not sent to the blob store.
    expect(api.blobRequests).toHaveLength(1);
    expect(api.blobRequests[0]?.authorization).toBeUndefined();
  });

  it('pages through the runs, within maxRuns', async () => {
    const withArtifact = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: withArtifact.id, name: NAME, zip: reportZip(250) });
    for (let i = 0; i < 105; i++) api.addRun({ branch: 'main' });

    const found = await find({ maxRuns: 150 });
    expect('runId' in found && found.runId).toBe(withArtifact.id);
    const pages = gh.requests.filter((q) => q.path.endsWith('/actions/workflows/perf.yml/runs')).map((q) => new URLSearchParams(q.query).get('page'));
    expect(pages).toEqual(['1', '2']);

    const bounded = await find({ maxRuns: 50 });
    expect(bounded).toEqual({ missing: `none of the 50 newest successful runs of workflow perf.yml on branch main kept an artifact named ${NAME}` });
  });

  it('GitHub Enterprise Server: the API under /api/v3', async () => {
    const ghesApi = await startActionsApi({ owner: OWNER, repo: REPO, token: TOKEN, apiPrefix: '/api/v3' });
    const ghes = await startGithubServer({ handlers: ghesApi.handlers, pathPrefix: '/api/v3' });
    try {
      const run = ghesApi.addRun({ branch: 'release/1.x' });
      ghesApi.addArtifact({ runId: run.id, name: NAME, zip: reportZip(310) });
      const client = createClient({ token: TOKEN, baseUrl: ghes.url, log: quietLog(), retries: 0 });
      const r = await findBaseline({ octokit: client, owner: OWNER, repo: REPO, workflowId: 161335, baseBranch: 'release/1.x', artifactName: NAME, log: quietLog() });
      expect('runId' in r && r.runId).toBe(run.id);
      expect(ghes.requests.map((q) => q.path)).toEqual([
        `/repos/${OWNER}/${REPO}/actions/workflows/161335/runs`,
        `/repos/${OWNER}/${REPO}/actions/runs/${run.id}/artifacts`,
        `/repos/${OWNER}/${REPO}/actions/artifacts/${ghesApi.artifacts[0]!.id}/zip`,
      ]);
    } finally {
      await ghes.close();
      await ghesApi.close();
    }
  });

  it('no successful run on the base branch', async () => {
    api.addRun({ branch: 'develop' });
    api.addRun({ branch: 'main', conclusion: 'failure' });
    expect(await find()).toEqual({ missing: 'no successful run of workflow perf.yml on branch main' });
  });

  it('runs without the artifact', async () => {
    const run = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: run.id, name: 'something-else', zip: reportZip(1) });
    const r = await find();
    expect('missing' in r && r.missing).toMatch(/none of the 1 newest successful runs .* kept an artifact named perf-gate-baseline-perf-checkout/);
  });

  it('an expired artifact', async () => {
    const run = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: run.id, name: NAME, zip: reportZip(1), expired: true });
    const r = await find();
    expect('missing' in r && r.missing).toMatch(/has expired/);
    expect(gh.requests.some((q) => q.path.endsWith('/zip'))).toBe(false);
  });

  it('403 (no actions: read) says which permission is missing', async () => {
    gh.fault({ path: /\/actions\/workflows\/[^/]+\/runs$/, status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/actions/workflow-runs', status: '403' } });
    const r = await find();
    expect('missing' in r && r.missing).toMatch(/HTTP 403: Resource not accessible by integration.*actions: read/);
  });

  it('an unknown workflow (404)', async () => {
    api.addRun({ branch: 'main' });
    const r = await find({ workflowId: 'nope.yml' });
    expect('missing' in r && r.missing).toMatch(/could not list the runs of workflow nope.yml on branch main: HTTP 404/);
  });

  it('a corrupt zip', async () => {
    const run = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: run.id, name: NAME, zip: new TextEncoder().encode('PK\u0003\u0004 this is not really a zip') });
    const r = await find();
    expect('missing' in r && r.missing).toMatch(/not a readable zip archive/);
  });

  it('bad JSON inside the artifact', async () => {
    const run = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: run.id, name: NAME, zip: zipOf({ [BASELINE_REPORT_FILE]: '{"schema": 1, "measurements": {' }) });
    const r = await find();
    expect('missing' in r && r.missing).toMatch(/perf-gate-report.json in artifact .* is not valid JSON/);
  });

  it('JSON that is not a perf-gate report', async () => {
    const run = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: run.id, name: NAME, zip: zipOf({ 'summary.json': JSON.stringify({ metrics: {} }) }) });
    const r = await find();
    expect('missing' in r && r.missing).toMatch(/not a perf-gate JSON report/);
  });

  it('an artifact without a JSON file', async () => {
    const run = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: run.id, name: NAME, zip: zipOf({ 'report.md': '# hi' }) });
    const r = await find();
    expect('missing' in r && r.missing).toMatch(/holds no JSON report \(files: report.md\)/);
  });

  it('an artifact whose download does not match the SHA-256 digest recorded at upload', async () => {
    const run = api.addRun({ branch: 'main' });
    const other = reportZip(999);
    const digest = `sha256:${createHash('sha256').update(other).digest('hex')}`;
    api.addArtifact({ runId: run.id, name: NAME, zip: reportZip(420), digest });
    const r = await find();
    expect('missing' in r && r.missing).toMatch(/is not what was uploaded: its SHA-256 is [0-9a-f]{64}, the digest recorded at upload is [0-9a-f]{64}; it is not used as a baseline/);
  });

  it('an artifact uploaded before upload-artifact v4 (no digest) is still used', async () => {
    const run = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: run.id, name: NAME, zip: reportZip(420), digest: null });
    const r = await find();
    if (!('baseline' in r)) throw new Error(r.missing);
    expect(r.runId).toBe(run.id);
  });

  it('reads a digest in either case and ignores one that is not SHA-256', () => {
    const bytes = new TextEncoder().encode('zip bytes');
    const hex = createHash('sha256').update(bytes).digest('hex');
    expect(digestMismatch(`sha256:${hex.toUpperCase()}`, bytes)).toBeUndefined();
    expect(digestMismatch(`sha256:${hex}`, new TextEncoder().encode('other bytes'))).toMatch(/digest recorded at upload is/);
    expect(digestMismatch('md5:0123', bytes)).toBeUndefined();
    expect(digestMismatch(null, bytes)).toBeUndefined();
  });

  it('a download that fails (500 twice)', async () => {
    const run = api.addRun({ branch: 'main' });
    api.addArtifact({ runId: run.id, name: NAME, zip: reportZip(1) });
    gh.fault({ path: /\/zip$/, status: 500, times: 2, body: { message: 'Server Error' } });
    const r = await find();
    expect('missing' in r && r.missing).toMatch(/could not download artifact .*HTTP 500/);
  });
});

describe('saveBaseline through the @actions/artifact protocol', () => {
  it('skips outside GitHub Actions', async () => {
    const r = await saveBaseline({ artifactName: NAME, files: baselineFiles({}), log: quietLog(), env: {} });
    expect(r).toEqual({ skipped: expect.stringMatching(/not running in GitHub Actions/) as unknown as string });
  });

  it('rejects file names with paths', async () => {
    const r = await saveBaseline({ artifactName: NAME, files: [{ name: '../x.json', content: '{}' }], log: quietLog(), env: { ACTIONS_RUNTIME_TOKEN: 'x', ACTIONS_RESULTS_URL: 'http://127.0.0.1:1' } });
    expect('skipped' in r && r.skipped).toMatch(/cannot be kept/);
  });

  it('uploads the report; a later run on a PR finds it on the base branch', async () => {
    const run = api.addRun({ branch: 'main', backendId: 'ce7f54c7-61c7-4aae-887f-30da475f5f1a', headSha: '3'.repeat(40) });
    const token = runtimeToken('ce7f54c7-61c7-4aae-887f-30da475f5f1a', 'ca395085-040a-526b-2ce8-bdc85f692774');
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', token);
    vi.stubEnv('ACTIONS_RESULTS_URL', `${gh.url}/`);
    vi.stubEnv('GITHUB_SERVER_URL', 'https://github.com');
    vi.stubEnv('GITHUB_RETENTION_DAYS', '');
    const report = jsonReport('checkout', 480, '3'.repeat(40));
    const log = quietLog();
    const saved = await saveBaseline({ artifactName: NAME, files: baselineFiles(report), retentionDays: 30, log, env: process.env });
    if (!('id' in saved)) throw new Error(`upload skipped: ${JSON.stringify(saved)} ${log.lines.join('\n')}`);
    expect(saved.id).toBe(api.artifacts[0]?.id);

    const create = api.twirpCalls.find((c) => c.method === 'CreateArtifact');
    expect(create?.body.name).toBe(NAME);
    expect(create?.body.workflow_run_backend_id).toBe('ce7f54c7-61c7-4aae-887f-30da475f5f1a');
    expect(create?.authorization).toBe(`Bearer ${token}`);
    expect(typeof create?.body.expires_at).toBe('string');
    // the client sends the zip's SHA-256 when it finalizes; GitHub reports it as the artifact's digest
    const finalize = api.twirpCalls.find((c) => c.method === 'FinalizeArtifact');
    expect(finalize?.body.hash).toBe(`sha256:${createHash('sha256').update(api.artifacts[0]!.zip).digest('hex')}`);
    expect(api.artifacts[0]!.digest).toBe(finalize?.body.hash);
    const kept = unzipSync(api.artifacts[0]!.zip);
    expect(Object.keys(kept)).toEqual([BASELINE_REPORT_FILE]);
    expect(JSON.parse(strFromU8(kept[BASELINE_REPORT_FILE]!))).toEqual(report);

    const found = await find();
    if (!('baseline' in found)) throw new Error(found.missing);
    expect(found.runId).toBe(run.id);
    expect(found.baseline).toEqual(report);
    expect(found.parsed.commit).toBe('3'.repeat(40));
  });
});

describe('the Action hooks', () => {
  it('the workflow file from GITHUB_WORKFLOW_REF', () => {
    expect(workflowFileFromRef('octo-org/octo-repo/.github/workflows/perf.yml@refs/heads/main')).toBe('perf.yml');
    expect(workflowFileFromRef('octo-org/octo-repo/.github/workflows/perf.yml@refs/pull/7/merge')).toBe('perf.yml');
    expect(workflowFileFromRef(undefined)).toBeUndefined();
  });

  it('a push on main keeps one artifact per scenario; a PR against main finds its scenario', async () => {
    const main = api.addRun({ branch: 'main', backendId: 'run-main', headSha: '4'.repeat(40) });
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', runtimeToken('run-main', 'job-1'));
    vi.stubEnv('ACTIONS_RESULTS_URL', gh.url);
    vi.stubEnv('GITHUB_SERVER_URL', 'https://github.com');
    const a = jsonReport('checkout', 300, '4'.repeat(40));
    const b = jsonReport('search', 900, '4'.repeat(40));
    const both = { ...a, scenarios: [...a.scenarios, ...b.scenarios], criteria: [...a.criteria, ...b.criteria], measurements: { ...a.measurements, ...b.measurements } };
    const result = { evaluation: { scenarios: [{ name: 'checkout' }, { name: 'search' }] }, json: both } as unknown as BaselineSave['result'];
    const context = { kind: 'push', eventName: 'push', owner: OWNER, repo: REPO, sha: '4'.repeat(40), ref: 'refs/heads/main', actor: 'octocat', runUrl: 'x', notes: [] } as GateContext;
    await actionBaselineSaver({ env: process.env })({ context, commentKey: 'perf', result, octokit, log: quietLog() });
    expect(api.artifacts.map((x) => [x.runId, x.name])).toEqual([
      [main.id, 'perf-gate-baseline-perf-checkout'],
      [main.id, 'perf-gate-baseline-perf-search'],
    ]);

    const pr = { ...context, kind: 'pull_request', eventName: 'pull_request', ref: 'refs/pull/7/merge', baseRef: 'main', prNumber: 7 } as GateContext;
    const finder = actionBaselineFinder({ workflowId: 'perf.yml' });
    const search = await finder({ context: pr, scenario: 'search', commentKey: 'perf', thresholds: 'thresholds.yml', octokit, log: quietLog() });
    if ('missing' in search) throw new Error(search.missing);
    expect(Object.keys(search.scenarios)).toEqual(['search']);
    expect(search.scenarios.search?.['http_req_duration|p(99)']).toBe(b.measurements['search|http_req_duration|p(99)']);
    expect(search.commit).toBe('4'.repeat(40));
    expect(search.source).toContain(`/actions/runs/${main.id}`);

    const other = await finder({ context: pr, scenario: 'checkout', commentKey: 'nightly', thresholds: 'thresholds.yml', octokit, log: quietLog() });
    expect('missing' in other && other.missing).toMatch(/perf-gate-baseline-nightly-checkout/);
    const noToken = await finder({ context: pr, scenario: 'search', commentKey: 'perf', thresholds: 'thresholds.yml', log: quietLog() });
    expect('missing' in noToken && noToken.missing).toMatch(/actions: read/);

    // A push to a release branch with an open pull request into main compares with the release
    // branch's own previous run, not with main's.
    const release = { ...context, ref: 'refs/heads/release/1.2', baseRef: 'main', prNumber: 9 } as GateContext;
    const own = await finder({ context: release, scenario: 'search', commentKey: 'perf', thresholds: 'thresholds.yml', octokit, log: quietLog() });
    expect('missing' in own && own.missing).toMatch(/release\/1\.2/);
  });
});
