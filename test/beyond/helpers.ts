// Small builders shared by the tests of baselines, charts and tables.
import { zipSync, strToU8 } from 'fflate';
import type { CriterionResult, Evaluation, Logger } from '../../src/model.js';
import { toJsonReport, type JsonReport } from '../../src/report/json.js';
import { simpleRun } from '../support/fake-results.js';
import { startGithubServer, type GithubServer, type RouteHandler } from '../support/github-server.js';
import { startActionsApi, type ActionsApi } from '../support/github-actions-api.js';
import { createClient, type GitHubClient } from '../../src/github/client.js';

export function quietLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(`info: ${m}`),
    warning: (m) => void lines.push(`warning: ${m}`),
    error: (m) => void lines.push(`error: ${m}`),
    debug: (m) => void lines.push(`debug: ${m}`),
    group: (_n, fn) => fn(),
  };
}

/** A JSON report (as `--json` writes it) of one scenario whose p99 is `p99Ms`. */
export function jsonReport(scenario: string, p99Ms: number, commit = 'a'.repeat(40)): JsonReport {
  // 197 values below p99Ms / 10, then three at p99Ms: k6's p(99) (i = 0.99 · 199 = 197.01) is p99Ms
  const results = simpleRun({ n: 200, seconds: 20, duration: (i) => (i >= 197 ? p99Ms : (((i % 100) + 1) * p99Ms) / 1000) });
  const actual = (results.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'p', p: 99 }) as { value: number }).value;
  const criterion: CriterionResult = {
    scenario,
    metric: 'http_req_duration',
    expression: 'p(99)<5000',
    actual,
    limit: 5000,
    unit: 'ms',
    status: 'pass',
    blocking: false,
    kind: 'k6',
    pos: { file: 'thresholds.yml', line: 3, column: 5 },
    severity: 'error',
  };
  const evaluation: Evaluation = {
    verdict: 'APPROVED',
    failOn: 'fail',
    rationale: 'All criteria pass.',
    scenarios: [{ name: scenario, criteria: [criterion], notes: [] }],
  };
  return toJsonReport(evaluation, { results: { [scenario]: results }, generatedAt: '2026-01-01T00:00:00Z', environment: { commit } });
}

export function zipOf(files: Record<string, string | Uint8Array>): Uint8Array {
  const out: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(files)) out[k] = typeof v === 'string' ? strToU8(v) : v;
  return zipSync(out);
}

/**
 * The local GitHub API with the Actions artifact endpoints (startActionsApi), and a client for it, as
 * the baseline tests set them up; `wrap` replaces the API's handlers (e.g. to patch runs).
 */
export async function startBaselineApi(opts: { owner: string; repo: string; token: string; wrap?: (handlers: RouteHandler[]) => RouteHandler[] }): Promise<{
  api: ActionsApi;
  gh: GithubServer;
  octokit: GitHubClient;
  close(): Promise<void>;
}> {
  const api = await startActionsApi({ owner: opts.owner, repo: opts.repo, token: opts.token });
  const gh = await startGithubServer({ handlers: opts.wrap ? opts.wrap(api.handlers) : api.handlers });
  const octokit = createClient({ token: opts.token, baseUrl: gh.url, log: quietLog(), retries: 1, retryBaseMs: 1, rateLimitBaseMs: 1 });
  return {
    api,
    gh,
    octokit,
    close: async () => {
      await gh.close();
      await api.close();
    },
  };
}
