// A scenario whose k6 writes no output file (an init error) is judged like any incomplete run: the
// gate fails with k6's reason in a normal report, and the other scenarios are still judged.
import { createServer, type Server } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { emptyResults } from '../../src/k6/ingest.js';
import { K6_DOUBLE, tempDir } from './helpers.js';

let server: Server;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200).end('up'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = await tempDir('no-output');
  await mkdir(join(dir, 'k6'), { recursive: true });
  for (const name of ['broken', 'fine']) {
    await writeFile(join(dir, `k6/${name}-test.ts`), `export const options = { scenarios: { '${name}': { executor: 'ramping-vus', stages: [] } } };\n`);
  }
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (s: string) => out.push(s),
      stderr: (s: string) => err.push(s),
      cwd: dir,
      env: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '100', ...env } as NodeJS.ProcessEnv,
    },
  };
}

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
    const t = io();
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
    expect(err).toContain('the script threw an exception (107)');
  });
});
