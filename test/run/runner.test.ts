import { describe, expect, it, beforeAll } from 'vitest';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { CANCEL_GRACE_SECONDS, K6_EXIT_CODES, emptyTags, exitMeaning, isComplete, k6RunArgs, lineSplitter, runK6 } from '../../src/k6/runner.js';
import { runScript, scenarioScript, tempDir } from './helpers.js';

let dir: string;
let script: string;

beforeAll(async () => {
  dir = await tempDir('runner');
  script = await scenarioScript(dir, 'target-capacity');
});

function run(env: Record<string, string>, extra: Partial<Parameters<typeof runK6>[0]> = {}) {
  return runScript({ dir, script, scenario: 'target-capacity', env: { K6_DOUBLE_DURATION_MS: '200', ...env }, extra });
}

async function lines(file: string): Promise<string[]> {
  const raw = await readFile(file);
  return gunzipSync(raw).toString('utf8').split('\n').filter((l) => l !== '');
}

describe('k6 exit codes', () => {
  it('describes every code of the table, and only 0, 99 and 110 as complete (their samples cover the whole run)', () => {
    expect(Object.keys(K6_EXIT_CODES).map(Number)).toEqual([0, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 255]);
    expect(Object.entries(K6_EXIT_CODES).filter(([, v]) => v.complete).map(([k]) => Number(k))).toEqual([0, 99, 110]);
    expect(exitMeaning(107)).toBe('the script threw an exception (107)');
    // k6's errext/exitcodes: 103 is GenericEngine, not a REST API stop
    expect(exitMeaning(103)).toBe('a generic k6 engine error (103)');
    expect(exitMeaning(42)).toBe('unexpected exit code (42)');
    expect(exitMeaning(null, 'SIGKILL')).toBe('killed by SIGKILL');
    expect(isComplete(null)).toBe(false);
    expect(isComplete(99)).toBe(true);
  });

  it('builds the argv perf-gate passes', () => {
    expect(
      k6RunArgs({ script: 's.ts', tags: { commit: 'abc', pr: '7' }, executionSegment: '0:1/2', executionSegmentSequence: '0,1/2,1' }, '/o/x.ndjson.gz'),
    ).toEqual(['run', '--no-color', '--out', 'json=/o/x.ndjson.gz', '--tag', 'commit=abc', '--tag', 'pr=7', '--execution-segment', '0:1/2', '--execution-segment-sequence', '0,1/2,1', 's.ts']);
  });
});

describe("k6's output, line by line", () => {
  it('decodes a character split between two chunks whole', () => {
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l));
    const text = Buffer.from('     ✓ portfolio: status 200\n  ✗ trades: 2 failed\n');
    for (const cut of [7, 8, 37]) {
      lines.length = 0;
      split.push(text.subarray(0, cut));
      split.push(text.subarray(cut));
      split.flush();
      expect(lines).toEqual(['     ✓ portfolio: status 200', '  ✗ trades: 2 failed']);
    }
  });
});

describe('k6 --tag values', () => {
  it('quotes a value k6 would split or refuse as one CSV field, and leaves out empty values (k6 refuses them)', () => {
    const args = k6RunArgs({ script: 's.ts', tags: { branch: 'fix,typo', title: 'say "hi"', note: 'a\nb', pr: '', commit: 'abc' } }, '/o/x.ndjson.gz');
    expect(args.slice(4, -1)).toEqual(['--tag', '"branch=fix,typo"', '--tag', '"title=say ""hi"""', '--tag', '"note=a\nb"', '--tag', 'commit=abc']);
    expect(emptyTags({ pr: '', commit: 'abc' })).toEqual(['pr']);
  });
});

describe('runK6 with the k6 double', () => {
  it('exit 0: a complete run, a gzip NDJSON output with the scenario and run tags, output streamed in a group', async () => {
    const record = join(dir, 'record-0.json');
    const { log, promise } = run(
      { K6_DOUBLE_RECORD: record },
      { tags: { commit: 'abc123', pr: '42', run_id: '99' }, env: { PERF_GATE_SCALE: '0.1' }, executionSegment: '0:1/2', executionSegmentSequence: '0,1/2,1' },
    );
    const rec = await promise;
    expect(rec.exitCode).toBe(0);
    expect(rec.exitMeaning).toBe('ok (0)');
    expect(rec.incomplete).toBeUndefined();
    expect(rec.attempt).toBe(1);
    expect(rec.window.end).toBeGreaterThanOrEqual(rec.window.start);
    expect(rec.outputs).toHaveLength(1);
    expect(rec.outputs[0]).toMatch(/target-capacity-.*\.ndjson\.gz$/);
    const out = await lines(rec.outputs[0] as string);
    expect(out.length).toBeGreaterThan(1500); // half of the sample: this run is segment 0:1/2
    const point = out.map((l) => JSON.parse(l)).find((o) => o.type === 'Point' && o.metric === 'http_req_duration');
    expect(point.data.tags).toMatchObject({ scenario: 'target-capacity', commit: 'abc123', pr: '42', run_id: '99' });
    const t = Date.parse(point.data.time);
    expect(t).toBeGreaterThanOrEqual(rec.window.start - 1000);
    expect(t).toBeLessThanOrEqual(rec.window.end + 1000);

    const seen = JSON.parse(await readFile(record, 'utf8'));
    expect(seen.env.BASE_URL).toBe('http://127.0.0.1:9/');
    expect(seen.env.K6_NO_USAGE_REPORT).toBe('true');
    expect(seen.env.PERF_GATE_SCALE).toBe('0.1');
    expect(seen.argv).toContain('--execution-segment');
    expect(seen.segment).toEqual({ segment: '0:1/2', sequence: '0,1/2,1' });

    const group = log.lines.find((l) => l.level === 'group');
    expect(group?.message).toBe('k6 run: target-capacity');
    const progress = log.lines.filter((l) => /^running \(/.test(l.message));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((l) => l.groups.includes('k6 run: target-capacity'))).toBe(true);
  });

  it('exit 99: thresholds crossed in k6 itself — the results are complete and judged by perf-gate', async () => {
    const { log, promise } = run({ K6_DOUBLE_EXIT: '99' });
    const rec = await promise;
    expect(rec.exitCode).toBe(99);
    expect(rec.exitMeaning).toBe("the script's own thresholds failed (99)");
    expect(rec.incomplete).toBeUndefined();
    expect(rec.outputs).toHaveLength(1);
    expect(log.text()).toContain('the gate decides from the thresholds file');
  });

  it('exit 110 (the script marked the test failed): complete, its output whole, a warning', async () => {
    const { log, promise } = run({ K6_DOUBLE_EXIT: '110', K6_DOUBLE_DURATION_MS: '50' });
    const rec = await promise;
    expect(rec.exitCode).toBe(110);
    expect(rec.incomplete).toBeUndefined();
    expect(rec.outputs).toHaveLength(1);
    expect(log.lines.some((l) => l.level === 'warning' && l.message.includes('the run is complete, and the gate fails on it'))).toBe(true);
  });

  it.each([97, 98, 100, 101, 102, 103, 105, 106, 107, 108, 109, 255])(
    'exit %i after output: incomplete with k6 meaning, the partial output kept',
    async (code) => {
      const { promise } = run({ K6_DOUBLE_EXIT: String(code), K6_DOUBLE_DURATION_MS: '50' });
      const rec = await promise;
      expect(rec.exitCode).toBe(code);
      expect(rec.incomplete).toBe(`k6 ended early: ${exitMeaning(code)}`);
      expect(rec.outputs).toHaveLength(1);
    },
  );

  it.each([104, 107])('exit %i at start: incomplete, no output file', async (code) => {
    const { log, promise } = run({ K6_DOUBLE_EXIT: String(code), K6_DOUBLE_FAIL_AT_START: '1' });
    const rec = await promise;
    expect(rec.exitCode).toBe(code);
    expect(rec.outputs).toEqual([]);
    expect(rec.incomplete).toContain(exitMeaning(code));
    expect(rec.incomplete).toContain('no output file');
    expect(log.lines.some((l) => l.level === 'warning')).toBe(true);
  });

  it('timeout: SIGINT stops k6 cleanly (105), the partial output is kept and marked incomplete', async () => {
    const { log, promise } = run({ K6_DOUBLE_DURATION_MS: '60000' }, { timeoutSeconds: 1.5, graceSeconds: 20 });
    const rec = await promise;
    expect(rec.exitCode).toBe(105);
    expect(rec.incomplete).toMatch(/^stopped after the \d+s timeout/);
    expect(rec.incomplete).toContain('aborted from outside');
    expect(rec.outputs).toHaveLength(1);
    const out = await lines(rec.outputs[0] as string);
    expect(out.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThan(3000);
    expect(log.text()).toContain('Stopping k6 in response to signal');
  });

  it('timeout: a k6 that ignores SIGINT is killed after the grace period', async () => {
    const { log, promise } = run({ K6_DOUBLE_DURATION_MS: '60000', K6_DOUBLE_IGNORE_SIGINT: '1' }, { timeoutSeconds: 1, graceSeconds: 1 });
    const rec = await promise;
    expect(rec.exitCode).toBeNull();
    expect(rec.exitMeaning).toBe('killed by SIGKILL');
    expect(rec.incomplete).toContain('timeout');
    expect(log.text()).toContain('killing it');
  });

  it("a cancel during a timeout's grace period shortens it to the cancel's", async () => {
    const abort = new AbortController();
    // a grace of a minute: only the cancel's shorter one ends this run within the test's time
    const { log, promise } = run({ K6_DOUBLE_DURATION_MS: '120000', K6_DOUBLE_IGNORE_SIGINT: '1' }, { timeoutSeconds: 1, graceSeconds: 60, signal: abort.signal });
    // cancelled once the timeout has sent SIGINT (k6 is then in the timeout's grace period)
    const stopping = setInterval(() => {
      if (log.text().includes('exceeded the 1s timeout')) {
        clearInterval(stopping);
        abort.abort();
      }
    }, 50);
    const rec = await promise.finally(() => clearInterval(stopping));
    expect(rec.exitMeaning).toBe('killed by SIGKILL');
    expect(log.text()).toContain(`cancelled while k6 was stopping: killing it if it has not stopped within ${CANCEL_GRACE_SECONDS}s`);
  }, 40_000);

  it('throws when k6 cannot be started', async () => {
    const { promise } = run({}, { k6Path: join(dir, 'no-such-k6') });
    await expect(promise).rejects.toThrow(/cannot start k6/);
  });
});
