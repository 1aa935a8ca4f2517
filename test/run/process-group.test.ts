// k6 started through a wrapper script that does not `exec` it: the timeout stops the whole process
// group, not only the wrapper, so the run returns instead of waiting for k6 to finish on its own.
import { beforeAll, describe, expect, it } from 'vitest';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { K6_DOUBLE, runScript, scenarioScript, tempDir } from './helpers.js';

let dir: string;
let script: string;
let wrapper: string;

beforeAll(async () => {
  dir = await tempDir('group');
  script = await scenarioScript(dir, 'smoke');
  wrapper = join(dir, 'k6-wrapper.sh');
  // No `exec`: the shell stays k6's parent, as with many wrapper scripts.
  await writeFile(wrapper, `#!/bin/sh\n"${process.execPath}" "${K6_DOUBLE}" "$@"\necho "wrapper: k6 ended with $?"\n`);
  await chmod(wrapper, 0o755);
});

describe.skipIf(process.platform === 'win32')('runK6 through a wrapper script', () => {
  const run = (out: string, env: Record<string, string>, extra: { timeoutSeconds?: number; graceSeconds?: number } = {}) =>
    runScript({ dir, script, scenario: 'smoke', k6Path: wrapper, outDir: join(dir, out), env, extra });

  it('a run under the wrapper completes normally', async () => {
    const { log, promise } = run('out-ok', { K6_DOUBLE_DURATION_MS: '100' });
    const rec = await promise;
    expect(rec.exitCode).toBe(0);
    expect(rec.incomplete).toBeUndefined();
    expect(log.text()).toContain('wrapper: k6 ended with 0');
  });

  it('the timeout stops k6 under the wrapper (its process group), and the run is judged incomplete', { timeout: 60_000 }, async () => {
    // k6 would take 10 minutes, the test gives up long before
    const { log, promise } = run('out-timeout', { K6_DOUBLE_DURATION_MS: '600000' }, { timeoutSeconds: 1, graceSeconds: 5 });
    const rec = await promise;
    expect(rec.incomplete).toMatch(/^stopped after the 1s timeout/);
    expect(log.text()).toContain('Stopping k6 in response to signal');
    expect(rec.outputs).toHaveLength(1);
  });

  it('a wrapper whose k6 ignores SIGINT: the group is killed after the grace period', { timeout: 60_000 }, async () => {
    const { log, promise } = run('out-kill', { K6_DOUBLE_DURATION_MS: '600000', K6_DOUBLE_IGNORE_SIGINT: '1' }, { timeoutSeconds: 1, graceSeconds: 1 });
    const rec = await promise;
    expect(rec.incomplete).toContain('timeout');
    expect(log.text()).toContain('killing it');
  });
});
