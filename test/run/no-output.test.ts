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
