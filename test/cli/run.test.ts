// `perf-gate run` end to end: preflight against a local server, the k6 test double (replaying real
// k6 output) as the k6 executable, ingestion of what it wrote, the report and the exit code.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { cliIo } from '../run/helpers.js';

const K6_DOUBLE = resolve(import.meta.dirname, '../support/k6-double.mjs');
const SMOKE = resolve(import.meta.dirname, '../../k6/smoke-test.ts');

let server: Server;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url === '/healthz' ? 200 : 404;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${addr.port}`;
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-run-cli-'));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function io() {
  return cliIo(dir, { K6_DOUBLE_DURATION_MS: '200' });
}

function thresholds(p99: number): string {
  const file = join(dir, `thresholds-${p99}.yml`);
  writeFileSync(file, `version: 1\nthresholds:\n  http_req_duration: ["p(99)<${p99}"]\n  http_reqs: ["count>0"]\nscenarios:\n  smoke:\n    script: ${SMOKE}\n`);
  return file;
}

describe('perf-gate run', () => {
  it('passes the face\'s cancellation signal to the gate: cancelled before any load, k6 never starts', async () => {
    const t = io();
    const cancelled = new AbortController();
    cancelled.abort();
    const code = await main(
      ['run', '--thresholds', thresholds(100000), '--base-url', baseUrl, '--preflight-path', '/healthz', '--k6-path', K6_DOUBLE, '--out-dir', join(dir, 'cancelled'), '-q'],
      { ...t.io, signal: cancelled.signal },
    );
    expect(code).toBe(2);
    expect(t.err.join('')).toMatch(/cancelled \(SIGINT\/SIGTERM\) before any k6 run/);
  });

  it('preflights, runs k6, judges its output and writes the reports', async () => {
    const t = io();
    const json = join(dir, 'run.json');
    const code = await main(
      ['run', '--thresholds', thresholds(100000), '--base-url', baseUrl, '--preflight-path', '/healthz', '--k6-path', K6_DOUBLE, '--json', json, '--out-dir', join(dir, 'out'), '-q'],
      t.io,
    );
    expect(t.err.join('')).toContain('APPROVED');
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { verdict: string; criteria: { scenario: string; metric: string; actual: number }[] };
    expect(report.verdict).toBe('APPROVED');
    // The double replays the real 20 s sample: 322 requests.
    const count = report.criteria.find((c) => c.metric === 'http_reqs')!;
    expect(count.scenario).toBe('smoke');
    expect(count.actual).toBe(322);
  });

  it('fails fast with exit 2 when the environment never answers', async () => {
    const t = io();
    const code = await main(
      ['run', '--thresholds', thresholds(100000), '--base-url', baseUrl, '--preflight-path', '/missing', '--preflight-timeout', '1s', '--k6-path', K6_DOUBLE, '-q'],
      t.io,
    );
    expect(code).toBe(2);
    expect(t.err.join('')).toContain('/missing');
  });

  it('exits 1 when the measured p99 misses the limit', async () => {
    const t = io();
    const code = await main(['run', '--thresholds', thresholds(1), '--base-url', baseUrl, '--preflight-path', '/healthz', '--k6-path', K6_DOUBLE, '-q'], t.io);
    expect(code).toBe(1);
    expect(t.err.join('')).toContain('p(99)<1');
  });
});

describe('perf-gate run --confirm-failures (noise guard)', () => {
  it('a failure that does not repeat on the rerun passes, and the report shows both runs', async () => {
    const t = io();
    t.io.env.K6_DOUBLE_EXIT_FIRST = '107'; // the first run dies with a script exception: incomplete → blocking
    const json = join(dir, 'guard.json');
    const markdown = join(dir, 'guard.md');
    const code = await main(
      ['run', '--thresholds', thresholds(100000), '--base-url', baseUrl, '--preflight-path', '/healthz', '--k6-path', K6_DOUBLE, '--confirm-failures', '--json', json, '--markdown', markdown, '-q'],
      t.io,
    );
    expect(code).toBe(0);
    const md = readFileSync(markdown, 'utf8');
    expect(md).toContain('Noise guard');
    expect(md).toContain('did not repeat');
    expect(md).toMatch(/❌ 1 blocking/);
    expect(md).toContain('attempt 2');
  });

  it("sets the first attempt's output aside: evaluating the output directory again judges the rerun alone", async () => {
    const t = io();
    t.io.env.K6_DOUBLE_EXIT_FIRST = '107';
    const out = join(dir, 'guard-out');
    const json = join(dir, 'guard-run.json');
    expect(
      await main(['run', '--thresholds', thresholds(100000), '--base-url', baseUrl, '--preflight-path', '/healthz', '--k6-path', K6_DOUBLE, '--confirm-failures', '--out-dir', out, '--json', json, '-q'], t.io),
    ).toBe(0);
    const names = readdirSync(out).sort();
    expect(names.filter((n) => n.endsWith('.ndjson.gz'))).toEqual([expect.stringMatching(/^smoke-attempt2-.*\.ndjson\.gz$/)]);
    expect(names.filter((n) => n.endsWith('.first-attempt.gz'))).toHaveLength(1);
    const again = join(dir, 'guard-again.json');
    const e = io();
    expect(await main(['evaluate', '--thresholds', thresholds(100000), '--scenario', 'smoke', '--results', `${out}/**/*.ndjson.gz`, '--json', again], e.io)).toBe(0);
    const count = (f: string) => (JSON.parse(readFileSync(f, 'utf8')) as { criteria: { metric: string; actual: number }[] }).criteria.find((c) => c.metric === 'http_reqs')!.actual;
    expect(count(again)).toBe(322);
    expect(count(again)).toBe(count(json));
    // the first attempt is still readable on its own
    const first = join(dir, 'guard-first.json');
    expect(await main(['evaluate', '--thresholds', thresholds(100000), '--scenario', 'smoke', '--results', join(out, names.find((n) => n.endsWith('.first-attempt.gz'))!), '--json', first], io().io)).toBe(0);
    expect(count(first)).toBe(322);
  });

  it('a failure that repeats fails the gate', async () => {
    const t = io();
    t.io.env.K6_DOUBLE_EXIT = '107';
    const markdown = join(dir, 'guard-fail.md');
    const code = await main(
      ['run', '--thresholds', thresholds(100000), '--base-url', baseUrl, '--preflight-path', '/healthz', '--k6-path', K6_DOUBLE, '--confirm-failures', '--markdown', markdown, '-q'],
      t.io,
    );
    expect(code).toBe(1);
    expect(readFileSync(markdown, 'utf8')).toContain('the failure is confirmed');
  });

  it('without the option a first-run failure fails the gate', async () => {
    const t = io();
    t.io.env.K6_DOUBLE_EXIT_FIRST = '107';
    const code = await main(['run', '--thresholds', thresholds(100000), '--base-url', baseUrl, '--preflight-path', '/healthz', '--k6-path', K6_DOUBLE, '-q'], t.io);
    expect(code).toBe(1);
  });
});

describe('perf-gate run, outputs that cannot be written', () => {
  it('writes the other report, prints the verdict and names the path with a fix, exit 2', async () => {
    const t = io();
    writeFileSync(join(dir, 'a-file'), 'not a directory\n');
    const markdown = join(dir, 'still-written.md');
    const code = await main(
      ['run', '--thresholds', thresholds(100000), '--base-url', baseUrl, '--preflight-path', '/healthz', '--k6-path', K6_DOUBLE, '--json', dir, '--markdown', markdown, '-q'],
      t.io,
    );
    const err = t.err.join('');
    expect(code).toBe(2);
    expect(err).toMatch(/^perf-gate: APPROVED$/m);
    expect(err).toContain(`perf-gate: cannot write ${dir}: it is a directory\n  fix: name a file, not a directory`);
    expect(readFileSync(markdown, 'utf8')).toContain('http_req_duration');
  });

  it('refuses an --out-dir that cannot be created before any load runs (exit 2)', async () => {
    const t = io();
    writeFileSync(join(dir, 'b-file'), 'not a directory\n');
    const code = await main(['run', '--thresholds', thresholds(100000), '--base-url', baseUrl, '--k6-path', K6_DOUBLE, '--out-dir', 'b-file/out', '-q'], t.io);
    const err = t.err.join('');
    expect(code).toBe(2);
    expect(err).toContain('perf-gate: cannot write --out-dir b-file/out: ');
    expect(err).toContain('  fix: ');
    expect(err).not.toContain('internal error');
    expect(err).not.toContain('preflight');
  });
});
