// action.yml and src/action.ts agree: every input read is declared (and the reverse), every output set is declared.
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { MIN_K6_VERSION } from '../../src/k6/install.js';

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
  branding: { icon: string; color: string };
}

describe('action.yml', async () => {
  const yml = parse(await readFile(new URL('../../action.yml', import.meta.url), 'utf8')) as ActionYml;
  const src = await readFile(new URL('../../src/action.ts', import.meta.url), 'utf8');
  const read = new Set([...src.matchAll(/getInput\('([a-z0-9-]+)'/g), ...src.matchAll(/bool\('([a-z0-9-]+)'/g)].map((m) => m[1]!));
  const set = new Set([...src.matchAll(/setOutput\(\s*'([a-z0-9-]+)'/g)].map((m) => m[1]!));

  it('declares exactly the inputs the Action reads, each documented', () => {
    expect([...read].sort()).toEqual(Object.keys(yml.inputs).sort());
    for (const [name, input] of Object.entries(yml.inputs)) expect(input.description.length, name).toBeGreaterThan(20);
  });

  it('declares every output the Action sets, and the contract names', () => {
    expect([...set].sort()).toEqual(Object.keys(yml.outputs).sort());
    for (const name of ['verdict', 'passed', 'report-markdown', 'report-json', 'p99-ms', 'error-rate', 'headline']) expect(yml.outputs).toHaveProperty(name);
    for (const name of ['base-url', 'scenario', 'thresholds', 'results', 'github-token', 'comment', 'comment-key', 'fail-on', 'k6-version', 'k6-path']) expect(yml.inputs).toHaveProperty(name);
  });

  it('describes what the inputs really do', () => {
    const d = (name: string) => yml.inputs[name]!.description.replace(/\s+/g, ' ');
    expect(d('scenario')).toContain('one name = every file is judged as that scenario');
    expect(d('scenario')).toContain('several names = the files are grouped by their k6 `scenario` tag and only those names are judged');
    expect(d('k6-version')).toContain(`the first k6 on PATH of v${MIN_K6_VERSION} or later`);
    expect(d('scenario')).toContain('every scenario that has a `script`');
    expect(d('k6-version')).toContain('a k6 on PATH is used only if it is that version');
    expect(d('k6-version')).toContain('Ignored when `k6-path` is set');
    expect(d('working-directory')).toContain('`thresholds`, `results` and `report-dir`');
    expect(d('working-directory')).toContain('Scenario scripts are relative to the thresholds file');
    expect(d('k6-tags')).toContain('override tags of the same name');
  });

  it('runs the bundle on node24 with the job token by default', () => {
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(yml.inputs['github-token']!.default).toBe('${{ github.token }}');
    expect(yml.inputs.thresholds!.default).toBe('thresholds.yml');
    expect(yml.branding.icon).toBeTruthy();
  });
});

describe('docs/workflows', async () => {
  const { readdir } = await import('node:fs/promises');
  const dir = new URL('../../docs/workflows/', import.meta.url);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yml')).sort();
  const yml = parse(await readFile(new URL('../../action.yml', import.meta.url), 'utf8')) as ActionYml;

  it('has the four uses (the fork-safe one is a pair) and the distributed run', () => {
    expect(files).toEqual(['distributed.yml', 'fork-evaluate.yml', 'fork-measure.yml', 'pr-check.yml', 'release-gate.yml', 'retest.yml']);
  });

  for (const file of files) {
    it(`${file}: valid YAML, minimal permissions, only declared inputs`, async () => {
      const wf = parse(await readFile(new URL(file, dir), 'utf8')) as {
        on: Record<string, unknown>;
        permissions: Record<string, string>;
        jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
      };
      expect(Object.keys(wf.on).length).toBeGreaterThan(0);
      expect(wf.permissions).toBeTypeOf('object');
      for (const [scope, level] of Object.entries(wf.permissions)) {
        expect(['contents', 'pull-requests', 'actions'], scope).toContain(scope);
        expect(['read', 'write'], scope).toContain(level);
      }
      const steps = Object.values(wf.jobs).flatMap((j) => j.steps).filter((s) => s.uses?.startsWith('perf-gate/perf-gate@'));
      expect(steps.length).toBeGreaterThan(0);
      for (const s of steps) for (const k of Object.keys(s.with ?? {})) expect(Object.keys(yml.inputs), `${file}: ${k}`).toContain(k);
      const comments = steps.every((s) => s.with?.comment === 'never');
      expect(wf.permissions['pull-requests'] === 'write', `${file}: pull-requests: write exactly when it comments`).toBe(!comments);
    });

    it(`${file}: a pull request workflow that compares with baselines also runs where baselines are kept; matrix jobs keep one baseline each`, async () => {
      const wf = parse(await readFile(new URL(file, dir), 'utf8')) as {
        on: Record<string, unknown>;
        permissions: Record<string, string>;
        jobs: Record<string, { strategy?: { matrix?: unknown }; steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
      };
      // Only push, workflow_dispatch and schedule runs keep (and supply) baselines.
      if ('pull_request' in wf.on && wf.permissions.actions === 'read') {
        expect(['push', 'schedule'].some((e) => e in wf.on), `${file}: on push or schedule too`).toBe(true);
      }
      for (const [name, job] of Object.entries(wf.jobs)) {
        if (!job.strategy?.matrix) continue;
        for (const s of job.steps.filter((x) => x.uses?.startsWith('perf-gate/perf-gate@'))) {
          // The baseline artifact is named after scenario and comment key: one key for all jobs would clash.
          expect(String(s.with?.['comment-key'] ?? ''), `${file}: job ${name} needs a comment-key per matrix job`).toContain('${{');
        }
      }
    });
  }
});
