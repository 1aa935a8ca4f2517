// Keeping this run's JSON report as a workflow artifact, so later runs on pull requests against this
// branch can compare with it. Uses @actions/artifact (v2+ protocol: the results service named by
// ACTIONS_RESULTS_URL, authorised by ACTIONS_RUNTIME_TOKEN, content uploaded to a signed blob URL).
// Outside GitHub Actions, or on GitHub Enterprise Server (which that protocol does not support),
// saving is skipped with the reason. An upload failure is a warning, never a failed gate.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import type { Logger } from '../model.js';
import { BASELINE_REPORT_FILE, baselineArtifactName } from './name.js';

export { BASELINE_REPORT_FILE, baselineArtifactName };

export interface SaveBaselineInput {
  artifactName: string;
  /** Files to keep, flat (no directories): e.g. `perf-gate-report.json` with the JSON report. */
  files: { name: string; content: string }[];
  /** Days the artifact is kept (default: the repository's setting, 90 days unless changed). */
  retentionDays?: number;
  log: Logger;
  /**
   * The environment the artifact client reads (it reads `process.env` itself); checked here only to
   * skip cleanly outside GitHub Actions. Default: `process.env`.
   */
  env?: Record<string, string | undefined>;
}

export type SaveBaselineResult = { id?: number } | { skipped: string };

/** The files of a baseline artifact for one JSON report. */
export function baselineFiles(jsonReport: unknown): { name: string; content: string }[] {
  return [{ name: BASELINE_REPORT_FILE, content: `${JSON.stringify(jsonReport, null, 2)}\n` }];
}

function badFileName(name: string): boolean {
  return name.length === 0 || name === '.' || name === '..' || /[\\/:*?"<>|\r\n\0]/.test(name);
}

export async function saveBaseline(input: SaveBaselineInput): Promise<SaveBaselineResult> {
  const { artifactName, files, log } = input;
  const env = input.env ?? process.env;
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
    return { skipped: 'not running in GitHub Actions (ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL not set): no baseline artifact kept' };
  }
  if (files.length === 0) return { skipped: 'nothing to keep: no files' };
  const bad = files.find((f) => badFileName(f.name));
  if (bad) return { skipped: `file name ${JSON.stringify(bad.name)} cannot be kept in an artifact (use a plain file name)` };

  const dir = await mkdtemp(join(tmpdir(), 'perf-gate-baseline-'));
  try {
    const paths: string[] = [];
    for (const f of files) {
      const p = join(dir, f.name);
      await writeFile(p, f.content, 'utf8');
      paths.push(p);
    }
    const client = new DefaultArtifactClient();
    const options = input.retentionDays !== undefined && input.retentionDays > 0 ? { retentionDays: Math.round(input.retentionDays) } : {};
    const res = await client.uploadArtifact(artifactName, paths, dir, options);
    log.info(`Baseline kept as artifact ${artifactName}${res.id !== undefined ? ` (id ${res.id})` : ''}`);
    return res.id !== undefined ? { id: res.id } : {};
  } catch (e) {
    const name = (e as { name?: string } | null)?.name;
    if (name === 'GHESNotSupportedError') {
      return { skipped: 'GitHub Enterprise Server does not support the artifact protocol of @actions/artifact v2+: no baseline artifact kept' };
    }
    const message = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
    log.warning(`Could not keep the baseline artifact ${artifactName}: ${message}`);
    return { skipped: `upload failed: ${message}` };
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
