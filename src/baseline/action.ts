// The Action's baseline hooks (ActionDeps.findBaseline / saveBaseline): find the scenario's baseline
// on the pull request's base branch (on a push: the previous successful run of the same branch), and
// keep this run's report as the scenario's baseline artifact (only on push, workflow_dispatch and
// schedule runs: the others, pull requests' among them, are never baselines).
import type { BaselineLookup, BaselineSave } from '../action.js';
import type { Baseline } from '../model.js';
import { BASELINE_EVENTS, findBaseline } from './fetch.js';
import { baselineArtifactName } from './name.js';
import { baselineFiles, saveBaseline } from './save.js';

/** The workflow file from GITHUB_WORKFLOW_REF (`octo/repo/.github/workflows/perf.yml@refs/heads/main` → `perf.yml`). */
export function workflowFileFromRef(workflowRef: string | undefined): string | undefined {
  if (!workflowRef) return undefined;
  const m = /\/\.github\/workflows\/([^@/]+)@/.exec(workflowRef);
  return m?.[1];
}

export interface FinderOptions {
  /** The workflow's file name or id (see `workflowFileFromRef`). */
  workflowId: string | number | undefined;
  maxRuns?: number;
}

/** `ActionDeps.findBaseline`: the baseline of one scenario, or why there is none. */
export function actionBaselineFinder(opts: FinderOptions): (lookup: BaselineLookup) => Promise<Baseline | { missing: string }> {
  return async ({ context, scenario, commentKey, octokit, log }) => {
    if (!octokit) return { missing: 'no GitHub token: the baseline artifact cannot be read (pass github-token with `actions: read`)' };
    if (opts.workflowId === undefined || opts.workflowId === '') return { missing: 'the workflow of this run is unknown (GITHUB_WORKFLOW_REF is not set)' };
    // A push compares with its own branch's previous run (a release branch with its last release
    // branch run), even when the branch has an open pull request (whose base is then in baseRef).
    const pushed = context.ref.startsWith('refs/heads/') ? context.ref.slice('refs/heads/'.length) : undefined;
    const branch = context.eventName === 'push' ? pushed : (context.baseRef ?? pushed);
    if (!branch) return { missing: `no base branch to compare with for a ${context.eventName} event on ${context.ref}` };
    const found = await findBaseline({
      octokit,
      owner: context.owner,
      repo: context.repo,
      workflowId: opts.workflowId,
      baseBranch: branch,
      artifactName: baselineArtifactName(scenario, commentKey),
      log,
      ...(opts.maxRuns !== undefined ? { maxRuns: opts.maxRuns } : {}),
    });
    return 'missing' in found ? found : found.parsed;
  };
}

interface ReportLike {
  scenarios?: { name?: string }[];
  criteria?: { scenario?: string }[];
  measurements?: Record<string, number>;
}

/** The JSON report narrowed to one scenario (its criteria, headline and measurements). */
export function reportForScenario(report: unknown, scenario: string): unknown {
  if (!report || typeof report !== 'object') return report;
  const r = report as ReportLike & Record<string, unknown>;
  return {
    ...r,
    ...(Array.isArray(r.scenarios) ? { scenarios: r.scenarios.filter((s) => s.name === scenario) } : {}),
    ...(Array.isArray(r.criteria) ? { criteria: r.criteria.filter((c) => c.scenario === scenario) } : {}),
    ...(r.measurements && typeof r.measurements === 'object'
      ? { measurements: Object.fromEntries(Object.entries(r.measurements).filter(([k]) => k.startsWith(`${scenario}|`))) }
      : {}),
  };
}

export interface SaverOptions {
  retentionDays?: number;
  /** The environment the artifact client reads (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** `ActionDeps.saveBaseline`: one artifact per scenario (`baselineArtifactName(scenario, commentKey)`). */
export function actionBaselineSaver(opts: SaverOptions = {}): (save: BaselineSave) => Promise<void> {
  return async ({ context, commentKey, result, log }) => {
    // Only push, workflow_dispatch and schedule runs of the repository are ever used as baselines (see
    // findBaseline): a pull request's run (or a workflow_run evaluation) keeping its report would only
    // fill the artifact storage.
    if (!BASELINE_EVENTS.includes(context.eventName)) {
      log.info(`Baseline not kept: ${context.eventName || 'this event'}'s runs are never used as baselines (only ${BASELINE_EVENTS.join(', ')} runs of the base branch are)`);
      return;
    }
    // A manual retest of a pull request measured that PR's preview, whatever branch it was dispatched
    // on (the Run workflow form starts on the default branch): kept, it would become the base branch's
    // baseline, and later PRs' relative limits would compare with the PR under test.
    if (context.eventName === 'workflow_dispatch' && context.prNumber !== undefined) {
      log.info(`Baseline not kept: this manual run measured pull request #${context.prNumber}, not the ${context.branch ?? 'dispatched'} branch`);
      return;
    }
    for (const s of result.evaluation.scenarios) {
      const artifactName = baselineArtifactName(s.name, commentKey);
      const saved = await saveBaseline({
        artifactName,
        files: baselineFiles(reportForScenario(result.json, s.name)),
        log,
        ...(opts.retentionDays !== undefined ? { retentionDays: opts.retentionDays } : {}),
        ...(opts.env ? { env: opts.env } : {}),
      });
      if ('skipped' in saved) log.info(`Baseline of ${s.name} not kept: ${saved.skipped}`);
    }
  };
}
