// The Action's baseline artifact read through findBaseline (against the local GitHub API): a report that
// is not one is no baseline (the run is judged without it, never crashes), and the reason says in plain
// words, on one line, what is wrong with it: the line and column of a JSON syntax error, the field that
// is missing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { strToU8 } from 'fflate';
import type { GitHubClient } from '../../src/github/client.js';
import { findBaseline } from '../../src/baseline/fetch.js';
import { baselineArtifactName, BASELINE_REPORT_FILE } from '../../src/baseline/name.js';
import type { ActionsApi } from '../support/github-actions-api.js';
import { jsonReport, quietLog, startBaselineApi, zipOf } from '../beyond/helpers.js';

const TOKEN = 'ghs_localtesttoken0000000000000000000003';
const OWNER = 'octo-org';
const REPO = 'octo-repo';
const NAME = baselineArtifactName('checkout', 'perf');
const REPORT = JSON.stringify(jsonReport('checkout', 420, '3'.repeat(40)), null, 2);

let api: ActionsApi;
let octokit: GitHubClient;

let close: () => Promise<void>;

beforeEach(async () => {
  ({ api, octokit, close } = await startBaselineApi({ owner: OWNER, repo: REPO, token: TOKEN }));
});
afterEach(() => close());

/** findBaseline with one push run on main whose artifact holds `content` as perf-gate-report.json. */
async function findWith(content: string | Uint8Array): Promise<{ runId: number; result: Awaited<ReturnType<typeof findBaseline>> }> {
  const run = api.addRun({ branch: 'main' });
  api.addArtifact({ runId: run.id, name: NAME, zip: zipOf({ [BASELINE_REPORT_FILE]: content }) });
  const result = await findBaseline({ octokit, owner: OWNER, repo: REPO, workflowId: 'perf.yml', baseBranch: 'main', artifactName: NAME, log: quietLog() });
  return { runId: run.id, result };
}

function missing(result: Awaited<ReturnType<typeof findBaseline>>): string {
  if (!('missing' in result)) throw new Error('a baseline was found');
  // one line, plain words, no CLI "fix:" block, no run URL repeated, none of the parser's or zod's wording
  expect(result.missing).not.toContain('\n');
  expect(result.missing).not.toMatch(/undefined|Invalid input|Unexpected|at position|received|fix:|https?:/);
  return result.missing;
}

describe('findBaseline: an artifact whose report cannot be read', () => {
  it('a report without `measurements`: names the field and that another version may have written it', async () => {
    const value = JSON.parse(REPORT) as Record<string, unknown>;
    delete value.measurements;
    const { runId, result } = await findWith(JSON.stringify(value));
    expect(missing(result)).toBe(
      `perf-gate-report.json in artifact ${NAME} of run ${runId}: not a perf-gate JSON report: the field \`measurements\` is missing: the file is another kind of JSON, or was written by another version of perf-gate; it is not used (the next push, workflow_dispatch or schedule run on main keeps a new one)`,
    );
  });

  it('JSON with a syntax error: the line and column in the report', async () => {
    const bad = REPORT.replace('"verdict": "APPROVED",', '"verdict": "APPROVED"');
    const line = bad.split('\n').findIndex((l) => l.includes('"failOn"')) + 1;
    const { runId, result } = await findWith(bad);
    expect(missing(result)).toBe(
      `perf-gate-report.json in artifact ${NAME} of run ${runId} is not valid JSON at line ${line}, column 3: expected \`,\` or \`}\` after a field's value, found \`"\`; it is not used (the next push, workflow_dispatch or schedule run on main keeps a new one)`,
    );
  });

  it('a report cut off', async () => {
    const { result } = await findWith(REPORT.slice(0, 200));
    expect(missing(result)).toMatch(/is not valid JSON at line \d+, column \d+: the file ends .* \(was it cut off\?\)/);
  });

  it('a report with a UTF-8 byte order mark is read', async () => {
    const { runId, result } = await findWith(new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8(REPORT)]));
    if ('missing' in result) throw new Error(result.missing);
    expect(result.runId).toBe(runId);
    expect(result.parsed.commit).toBe('3'.repeat(40));
    expect(Object.keys(result.parsed.scenarios)).toEqual(['checkout']);
  });
});
