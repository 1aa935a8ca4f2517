// Which k6 on PATH is used: an exact version keeps searching PATH; without one, a k6 too old for the
// TypeScript scenarios (or whose version cannot be read) is passed over. Download failures are clear.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareVersions, locateOrInstallK6, MIN_K6_VERSION } from '../../src/k6/install.js';
import { InputError } from '../../src/errors.js';
import { recordingLogger, tempDir } from './helpers.js';

let root: string;
let server: Server;
let base: string;

async function fakeK6(dir: string, versionLine: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'k6');
  await writeFile(file, `#!/bin/sh\n${versionLine}\n`);
  await chmod(file, 0o755);
  return file;
}

beforeAll(async () => {
  root = await tempDir('install-path');
  (globalThis as Record<string, unknown>).TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS = 0;
  (globalThis as Record<string, unknown>).TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS = 0;
  const archive = Buffer.from('not the real archive');
  server = createServer((req, res) => {
    // /nosums/: no checksums file; /bad/: a checksums file whose sum does not match the archive
    if (req.url?.startsWith('/bad/') && req.url.endsWith('checksums.txt')) {
      res.writeHead(200).end(`${'0'.repeat(64)}  k6-v2.2.0-linux-amd64.tar.gz\n${'0'.repeat(64)}  k6-v2.3.0-linux-amd64.tar.gz\n`);
    } else if (req.url?.startsWith('/bad/') && req.url.endsWith('.tar.gz')) {
      res.writeHead(200, { 'content-length': archive.length }).end(archive);
    } else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(async () => {
  process.env.RUNNER_TOOL_CACHE = await tempDir('toolcache');
  process.env.RUNNER_TEMP = await tempDir('runnertemp');
});

describe('compareVersions', () => {
  it('orders releases numerically, a pre-release before its release', () => {
    expect(compareVersions('0.56.0', MIN_K6_VERSION)).toBeLessThan(0);
    expect(compareVersions('0.57.0', MIN_K6_VERSION)).toBe(0);
    expect(compareVersions('0.100.0', '0.57.0')).toBeGreaterThan(0);
    expect(compareVersions('v1.0.0', '0.57.0')).toBeGreaterThan(0);
    expect(compareVersions('2.3.0-rc.1', '2.3.0')).toBeLessThan(0);
    expect(MIN_K6_VERSION).toBe('0.57.0');
  });
});

describe('k6 on PATH', () => {
  it('with --k6-version, a k6 of another version first on PATH does not hide the right one later on PATH', async () => {
    const wrong = join(root, 'a');
    const right = join(root, 'b');
    await fakeK6(wrong, 'echo "k6 v1.7.1 (a)"');
    const good = await fakeK6(right, 'echo "k6 v2.3.0 (b)"');
    const log = recordingLogger();
    const got = await locateOrInstallK6({ version: '2.3.0', exactVersion: true, downloadBase: `${base}/nothing`, log, pathEnv: `${wrong}:${right}` });
    expect(got).toEqual({ path: good, version: '2.3.0', source: 'path' });
    expect(log.text()).toContain('is 1.7.1, not the requested v2.3.0');
  });

  it('without a version, a k6 older than the TypeScript minimum is passed over for a newer one later on PATH', async () => {
    const old = join(root, 'old');
    const newer = join(root, 'newer');
    await fakeK6(old, 'echo "k6 v0.49.0 (old)"');
    const good = await fakeK6(newer, 'echo "k6 v1.2.0 (newer)"');
    const log = recordingLogger();
    const got = await locateOrInstallK6({ version: '2.3.0', downloadBase: `${base}/nothing`, log, pathEnv: `${old}:${newer}` });
    expect(got).toEqual({ path: good, version: '1.2.0', source: 'path' });
    expect(log.text()).toContain(`v0.49.0 is older than v${MIN_K6_VERSION}, the oldest k6 that runs TypeScript scripts; using v2.3.0 instead`);
  });

  it('without a version, an old or unreadable k6 alone on PATH leads to the pinned release (here: its download)', async () => {
    const old = join(root, 'old2');
    const broken = join(root, 'broken');
    await fakeK6(old, 'echo "k6 v0.56.2 (old)"');
    await fakeK6(broken, 'exit 3');
    const log = recordingLogger();
    const run = locateOrInstallK6({ version: '2.3.0', downloadBase: `${base}/nothing`, platform: 'linux', arch: 'x64', log, pathEnv: `${old}:${broken}` });
    await expect(run).rejects.toThrow(/cannot download k6 v2\.3\.0/);
    expect(log.text()).toContain('v0.56.2 is older than v0.57.0');
    expect(log.text()).toContain('its version cannot be read');
    expect(log.text()).toContain('k6: downloading v2.3.0');
  });
});

describe('download failures', () => {
  // 2.2.0 is not pinned: its sums come from the release's checksums file
  it('a 404 on the checksums file names the checksums URL', async () => {
    const run = locateOrInstallK6({ version: '2.2.0', downloadBase: `${base}/nosums`, platform: 'linux', arch: 'x64', log: recordingLogger() });
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(`cannot download k6 v2.2.0: the checksums file ${base}/nosums/v2.2.0/k6-v2.2.0-checksums.txt: `);
    await expect(run).rejects.toThrow(/404/);
  });

  it('a checksum mismatch is bad input with a fix, not an internal error', async () => {
    const run = locateOrInstallK6({ version: '2.2.0', downloadBase: `${base}/bad`, platform: 'linux', arch: 'x64', log: recordingLogger() });
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/refusing k6 v2\.2\.0: SHA-256 of k6-v2\.2\.0-linux-amd64\.tar\.gz is [0-9a-f]{64}, the release's checksums file says 0{64}/);
    await expect(run).rejects.toThrow(/fix: .*k6-download-base/);
    // the pinned release: against its pinned sum, the same fix
    const pinned = locateOrInstallK6({ version: '2.3.0', downloadBase: `${base}/bad`, platform: 'linux', arch: 'x64', log: recordingLogger() });
    await expect(pinned).rejects.toThrow(/refusing k6 v2\.3\.0: SHA-256 of k6-v2\.3\.0-linux-amd64\.tar\.gz is [0-9a-f]{64}, the released archive's \(pinned in perf-gate\) is 39c3117b[0-9a-f]{56}\n\s*fix: .*k6-download-base/);
  });
});
