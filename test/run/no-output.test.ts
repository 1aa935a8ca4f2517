// A scenario whose k6 writes no output file (an init error) is judged like any incomplete run: the
// gate fails with k6's reason in a normal report, and the other scenarios are still judged.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { emptyResults } from '../../src/k6/ingest.js';
import { cliIo, K6_DOUBLE, previewWithScripts } from './helpers.js';

let preview: Awaited<ReturnType<typeof previewWithScripts>>;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  preview = await previewWithScripts('no-output', ['broken', 'fine']);
  ({ baseUrl, dir } = preview);
});
afterAll(() => preview.close());

describe('emptyResults', () => {
  it('answers no data for every metric and has no span', () => {
    const r = emptyResults();
    expect(r.span).toBeUndefined();
    expect(r.metrics.size).toBe(0);
    expect(r.diagnostics.files).toEqual([]);
    expect(r.measure({ raw: 'http_reqs', metric: 'http_reqs', tags: [] }, { kind: 'count' })).toHaveProperty('noData');
  });
});

describe('perf-gate run, a scenario whose k6 writes no output', () => {
  it('exit 107 at start: the gate fails (1) with k6 exit meaning in the report; the other scenario is judged', async () => {
    const file = join(dir, 'thresholds.yml');
    await writeFile(
      file,
      [
        'version: 1',
        'thresholds:',
        '  http_reqs: ["count>0"]',
        'scenarios:',
        '  broken:',
        '    script: k6/broken-test.ts',
        '    env:',
        '      K6_DOUBLE_FAIL_AT_START: "1"',
        '      K6_DOUBLE_EXIT: "107"',
        '  fine:',
        '    script: k6/fine-test.ts',
        '',
      ].join('\n'),
    );
    const t = cliIo(dir);
    const json = join(dir, 'report.json');
    const markdown = join(dir, 'report.md');
    const code = await main(['run', '--thresholds', file, '--base-url', baseUrl, '--k6-path', K6_DOUBLE, '--json', json, '--markdown', markdown, '-q'], t.io);
    const err = t.err.join('');
    expect(err).not.toContain('no k6 results files given');
    expect(code).toBe(1);
    const report = JSON.parse(await readFile(json, 'utf8')) as { verdict: string; criteria: { scenario: string; metric: string; status: string; actual: number | null; reason?: string }[] };
    expect(report.verdict).toBe('NOT_APPROVED');
    const incomplete = report.criteria.find((c) => c.scenario === 'broken' && c.metric === 'k6 run completed');
    expect(incomplete?.status).toBe('fail');
    expect(incomplete?.reason).toContain('the script threw an exception (107)');
    const fine = report.criteria.find((c) => c.scenario === 'fine' && c.metric === 'http_reqs');
    expect(fine).toMatchObject({ status: 'pass', actual: 322 });
    const md = await readFile(markdown, 'utf8');
    expect(md).toContain('the script threw an exception (107)');
    // the k6 that ran, as `k6 version` reports it (the test double answers as 2.3.0)
    expect(md).toContain('| Load testing tool | k6 v2.3.0 |');
    expect(err).toContain('the script threw an exception (107)');
  });
});

describe('perf-gate run, a complete k6 run whose output cannot be judged', () => {
  async function runWith(brokenEnv: string[], k6Path: string) {
    const file = join(dir, 'thresholds-unusable.yml');
    await writeFile(
      file,
      ['version: 1', 'thresholds:', '  http_req_duration: ["p(99)<100000"]', 'scenarios:', '  broken:', '    script: k6/broken-test.ts', '    env:', ...brokenEnv, '  fine:', '    script: k6/fine-test.ts', ''].join('\n'),
    );
    const t = cliIo(dir);
    const json = join(dir, 'unusable.json');
    const code = await main(['run', '--thresholds', file, '--base-url', baseUrl, '--k6-path', k6Path, '--json', json, '-q'], t.io);
    const report = JSON.parse(await readFile(json, 'utf8')) as { verdict: string; criteria: { scenario: string; metric: string; status: string; reason?: string }[] };
    return { code, report, err: t.err.join('') };
  }

  it('no samples at all (k6 exit 0): the scenario fails on it, the other is judged, the report is written', async () => {
    const empty = join(dir, 'empty-sample.ndjson');
    await writeFile(empty, '');
    const { code, report, err } = await runWith([`      K6_DOUBLE_SAMPLE: "${empty}"`], K6_DOUBLE);
    expect(code).toBe(1);
    expect(report.verdict).toBe('NOT_APPROVED');
    const c = report.criteria.find((x) => x.scenario === 'broken' && x.metric === 'k6 output holds samples');
    expect(c?.status).toBe('fail');
    expect(c?.reason).toMatch(/^the k6 run completed \(.*\), but its output holds no k6 samples/);
    expect(report.criteria.find((x) => x.scenario === 'fine' && x.metric === 'http_req_duration')?.status).toBe('pass');
    expect(err).toContain('broken: the k6 run completed (exit code 0), but its output holds no k6 samples');
  });

  it('output that is not k6 output (k6 exit 0): the scenario fails with the reason, not the whole gate with exit 2', async () => {
    // A stand-in for k6 that, for the `broken` scenario only, writes garbage where k6's output goes and exits 0.
    const wrapper = join(dir, 'garbage-k6.sh');
    await writeFile(
      wrapper,
      `#!/bin/sh\nif [ "$WRITE_GARBAGE" = 1 ]; then for a in "$@"; do case "$a" in json=*) out="\${a#json=}";; esac; done; printf 'not k6 output at all\\n' | gzip > "$out"; exit 0; fi\nexec node "${K6_DOUBLE}" "$@"\n`,
    );
    await import('node:fs/promises').then((fs) => fs.chmod(wrapper, 0o755));
    const { code, report, err } = await runWith(['      WRITE_GARBAGE: "1"'], wrapper);
    expect(code).toBe(1);
    const c = report.criteria.find((x) => x.scenario === 'broken' && x.metric === 'k6 output holds samples');
    expect(c?.status).toBe('fail');
    expect(c?.reason).toMatch(/but its output cannot be read \(.*not k6 output/);
    expect(report.criteria.find((x) => x.scenario === 'fine' && x.metric === 'http_req_duration')?.status).toBe('pass');
    expect(err).not.toMatch(/fix: pass a file written by/);
    expect(err).toMatch(/NOT APPROVED — 1 criterion failed:\n {2}broken: the k6 run completed \(exit code 0\), but its output cannot be read/);
  });
});
