// Cancellation (SIGINT/SIGTERM in the faces): the running k6 is stopped, the remaining scenarios are
// skipped, and the gate still judges what was written and writes the report.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate } from '../../src/pipeline.js';
import { runK6 } from '../../src/k6/runner.js';
import { cancelOnSignals, type SignalSource } from '../../src/run/cancel.js';
import type { Logger } from '../../src/model.js';
import { K6_DOUBLE, previewWithScripts, recordingLogger } from './helpers.js';

let preview: Awaited<ReturnType<typeof previewWithScripts>>;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  preview = await previewWithScripts('cancel', ['first', 'second']);
  ({ baseUrl, dir } = preview);
  await writeFile(
    join(dir, 'thresholds.yml'),
    ['version: 1', 'thresholds:', '  http_reqs: ["count>0"]', 'scenarios:', '  first:', '    script: k6/first-test.ts', '  second:', '    script: k6/second-test.ts', ''].join('\n'),
  );
});
afterAll(() => preview.close());

/** A logger that calls `onProgress` once, at the first k6 progress line (k6 is running then). */
function progressLogger(onProgress: () => void): Logger & { text(): string } {
  const log = recordingLogger();
  let fired = false;
  const info = log.info;
  log.info = (m: string) => {
    info(m);
    if (!fired && /^running \(/.test(m)) {
      fired = true;
      onProgress();
    }
  };
  return log;
}

class FakeProcess extends EventEmitter implements SignalSource {
  exited: number | undefined;
  exit(code: number): never {
    this.exited = code;
    return undefined as never;
  }
}

describe('cancelling the gate', () => {
  it('stops the running k6, skips the next scenario, judges what was written and writes the report', { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    const log = progressLogger(() => controller.abort());
    const outDir = join(dir, 'out');
    const result = await gate({
      cwd: dir,
      thresholds: 'thresholds.yml',
      scenarios: [],
      baseUrl,
      k6: { path: K6_DOUBLE, preflight: { path: '/', expectStatus: 200, timeoutSeconds: 5 } },
      // k6 would run for 10 minutes
      env: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '600000' },
      log,
      outDir,
      confirmFailures: true,
      signal: controller.signal,
    });
    expect(result.evaluation.verdict).toBe('NOT_APPROVED');
    const [first, second] = result.evaluation.scenarios;
    expect(first?.name).toBe('first');
    expect(first?.run?.incomplete).toBe('cancelled');
    expect(first?.run?.exitMeaning).toBe('aborted from outside (SIGINT/SIGTERM) (105)');
    expect(first?.run?.outputs).toHaveLength(1);
    expect(second?.name).toBe('second');
    expect(second?.run?.incomplete).toBe('cancelled before it started');
    expect(second?.run?.attempt).toBe(1);
    // no noise-guard rerun after a cancellation: the first run decides, its output stays as written
    expect(log.text()).not.toContain('attempt 2');
    const md = await readFile(join(outDir, 'report.md'), 'utf8');
    expect(md).toContain('cancelled');
    expect(md).toContain('second');
    expect(md).not.toContain('Noise guard');
    expect(result.files.outputs.length).toBeGreaterThan(0);
    for (const f of result.files.outputs) expect(existsSync(f), f).toBe(true);
    expect(result.files.outputs.every((f) => f.endsWith('.ndjson.gz'))).toBe(true);
  });

  it('cancelled before any load: a clear error, k6 never starts', async () => {
    const controller = new AbortController();
    controller.abort();
    const log = recordingLogger();
    await expect(
      gate({
        cwd: dir,
        thresholds: 'thresholds.yml',
        scenarios: [],
        baseUrl,
        k6: { path: K6_DOUBLE },
        env: { PATH: process.env.PATH },
        log,
        signal: controller.signal,
      }),
    ).rejects.toThrow(/cancelled \(SIGINT\/SIGTERM\) before any k6 run/);
    expect(log.text()).not.toContain('k6 run:');
  });
});

describe('cancelOnSignals', () => {
  it('first signal aborts, the second kills k6, the third exits; dispose removes the handlers', () => {
    const proc = new FakeProcess();
    const said: string[] = [];
    const c = cancelOnSignals((m) => said.push(m), proc);
    expect(proc.listenerCount('SIGINT')).toBe(1);
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    proc.emit('SIGINT', 'SIGINT');
    expect(c.signal.aborted).toBe(true);
    expect(said[0]).toContain('SIGINT received: stopping k6');
    proc.emit('SIGTERM', 'SIGTERM');
    expect(said[1]).toContain('SIGTERM received again: killing k6');
    expect(proc.exited).toBeUndefined();
    proc.emit('SIGTERM', 'SIGTERM');
    expect(proc.exited).toBe(143);
    c.dispose();
    expect(proc.listenerCount('SIGINT')).toBe(0);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('reaches a k6 run that was not given the signal: it is stopped and marked cancelled', { timeout: 60_000 }, async () => {
    const proc = new FakeProcess();
    const c = cancelOnSignals(() => undefined, proc);
    try {
      const log = progressLogger(() => proc.emit('SIGINT', 'SIGINT'));
      const rec = await runK6({
        k6Path: K6_DOUBLE,
        script: join(dir, 'k6/first-test.ts'),
        scenario: 'first',
        baseUrl,
        outDir: join(dir, 'out-direct'),
        cwd: dir,
        log,
        baseEnv: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '600000' },
      });
      expect(rec.exitCode).toBe(105);
      expect(rec.incomplete).toMatch(/^cancelled/);
    } finally {
      c.dispose();
    }
  });
});

describe('cancellation without the signal in the options', () => {
  it('the handlers a face registered cancel the run: the next scenario is not started', { timeout: 60_000 }, async () => {
    const proc = new FakeProcess();
    const c = cancelOnSignals(() => undefined, proc);
    try {
      const log = progressLogger(() => proc.emit('SIGINT', 'SIGINT'));
      const result = await gate({
        cwd: dir,
        thresholds: 'thresholds.yml',
        scenarios: [],
        baseUrl,
        k6: { path: K6_DOUBLE },
        env: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '600000' },
        log,
      });
      const [first, second] = result.evaluation.scenarios;
      expect(first?.run?.incomplete).toMatch(/^cancelled/);
      expect(second?.run?.incomplete).toBe('cancelled before it started');
      expect(log.text()).not.toContain('k6 run: second');
    } finally {
      c.dispose();
    }
  });
});

describe('an interrupted k6 whose output cannot be read', () => {
  it('is judged incomplete on no data; the gate still reports', async () => {
    // A k6 stand-in that leaves a gzip file cut before any data and exits like an interrupted k6.
    const fake = join(dir, 'cut-k6.sh');
    await writeFile(
      fake,
      `#!/bin/sh\nfor a in "$@"; do case "$a" in json=*) out="\${a#json=}";; esac; done\nprintf '\\037\\213\\010' > "$out"\nexit 105\n`,
    );
    await import('node:fs/promises').then((fs) => fs.chmod(fake, 0o755));
    const log = recordingLogger();
    const result = await gate({
      cwd: dir,
      thresholds: 'thresholds.yml',
      scenarios: ['first'],
      baseUrl,
      k6: { path: fake },
      env: { PATH: process.env.PATH },
      log,
    });
    expect(result.evaluation.verdict).toBe('NOT_APPROVED');
    const first = result.evaluation.scenarios[0];
    expect(first?.run?.exitCode).toBe(105);
    expect(first?.notes.join(' ')).toContain('the output of the interrupted run cannot be read');
    expect(first?.criteria.find((c) => c.metric === 'k6 run completed')?.status).toBe('fail');
  });
});

describe('perf-gate run, cancelled', () => {
  it('exits 1 with the report written when SIGINT arrives while k6 runs', { timeout: 60_000 }, async () => {
    const { main } = await import('../../src/cli.js');
    const proc = new FakeProcess();
    const c = cancelOnSignals(() => undefined, proc);
    try {
      let fired = false;
      const err: string[] = [];
      const markdown = join(dir, 'cancelled.md');
      const code = await main(['run', '--thresholds', 'thresholds.yml', '--base-url', baseUrl, '--k6-path', K6_DOUBLE, '--markdown', markdown, '-q'], {
        stdout: () => undefined,
        stderr: (s: string) => {
          err.push(s);
          if (!fired && /running \(/.test(s)) {
            fired = true;
            proc.emit('SIGINT', 'SIGINT');
          }
        },
        cwd: dir,
        env: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '600000' } as NodeJS.ProcessEnv,
      });
      expect(fired).toBe(true);
      expect(code).toBe(1);
      const md = await readFile(markdown, 'utf8');
      expect(md).toContain('cancelled');
      expect(md).toContain('cancelled before it started');
      expect(err.join('')).toContain('NOT APPROVED');
    } finally {
      c.dispose();
    }
  });
});
