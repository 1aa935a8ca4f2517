// k6 started through a wrapper script that does not `exec` it: the timeout stops the whole process
// group, not only the wrapper, so the run returns instead of waiting for k6 to finish on its own.
import { beforeAll, describe, expect, it } from 'vitest';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runK6 } from '../../src/k6/runner.js';
import { K6_DOUBLE, recordingLogger, tempDir } from './helpers.js';

let dir: string;
let script: string;
let wrapper: string;

beforeAll(async () => {
  dir = await tempDir('group');
  script = join(dir, 'smoke-test.ts');
  await writeFile(script, "export const options = { scenarios: { 'smoke': { executor: 'ramping-vus', stages: [] } } };\n");
  wrapper = join(dir, 'k6-wrapper.sh');
  // No `exec`: the shell stays k6's parent, as with many wrapper scripts.
  await writeFile(wrapper, `#!/bin/sh\n"${process.execPath}" "${K6_DOUBLE}" "$@"\necho "wrapper: k6 ended with $?"\n`);
  await chmod(wrapper, 0o755);
});

describe.skipIf(process.platform === 'win32')('runK6 through a wrapper script', () => {
  it('a run under the wrapper completes normally', async () => {
    const log = recordingLogger();
    const rec = await runK6({
      k6Path: wrapper,
      script,
      scenario: 'smoke',
      baseUrl: 'http://127.0.0.1:9/',
      outDir: join(dir, 'out-ok'),
      cwd: dir,
      log,
      baseEnv: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '100' },
    });
    expect(rec.exitCode).toBe(0);
    expect(rec.incomplete).toBeUndefined();
    expect(log.text()).toContain('wrapper: k6 ended with 0');
  });

  it('the timeout stops k6 under the wrapper (its process group), and the run is judged incomplete', { timeout: 60_000 }, async () => {
    const log = recordingLogger();
    const rec = await runK6({
      k6Path: wrapper,
      script,
      scenario: 'smoke',
      baseUrl: 'http://127.0.0.1:9/',
      outDir: join(dir, 'out-timeout'),
      cwd: dir,
      log,
      // k6 would take 10 minutes, the test gives up long before
      baseEnv: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '600000' },
      timeoutSeconds: 1,
      graceSeconds: 5,
    });
    expect(rec.incomplete).toMatch(/^stopped after the 1s timeout/);
    expect(log.text()).toContain('Stopping k6 in response to signal');
    expect(rec.outputs).toHaveLength(1);
  });

  it('a wrapper whose k6 ignores SIGINT: the group is killed after the grace period', { timeout: 60_000 }, async () => {
    const log = recordingLogger();
    const rec = await runK6({
      k6Path: wrapper,
      script,
      scenario: 'smoke',
      baseUrl: 'http://127.0.0.1:9/',
      outDir: join(dir, 'out-kill'),
      cwd: dir,
      log,
      baseEnv: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '600000', K6_DOUBLE_IGNORE_SIGINT: '1' },
      timeoutSeconds: 1,
      graceSeconds: 1,
    });
    expect(rec.incomplete).toContain('timeout');
    expect(log.text()).toContain('killing it');
  });
});
