import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { checksumFor, k6Asset, locateOrInstallK6, DEFAULT_K6_VERSION, PINNED_SHA256 } from '../../src/k6/install.js';
import { InputError } from '../../src/errors.js';
import { K6_DOUBLE, recordingLogger, tempDir } from './helpers.js';

// not a pinned version: its sums come from the release's checksums file (the pinned one: below)
const V = '2.2.0';
const FAKE_K6 = (label: string) => `#!/bin/sh\necho "k6 v${V} (${label})"\n`;

let root: string;
let server: Server;
let base: string;
const files = new Map<string, Buffer>();
const requests: string[] = [];

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function tarGz(os: string, arch: string): Promise<Buffer> {
  const dir = join(root, 'build', `${os}-${arch}`);
  const inner = join(dir, `k6-v${V}-${os}-${arch}`);
  await mkdir(inner, { recursive: true });
  await writeFile(join(inner, 'k6'), FAKE_K6(`${os}-${arch}`));
  await chmod(join(inner, 'k6'), 0o755);
  await writeFile(join(inner, 'LICENSE.md'), 'license\n');
  const out = join(dir, 'archive.tar.gz');
  execFileSync('tar', ['-czf', out, '-C', dir, `k6-v${V}-${os}-${arch}`]);
  return readFile(out);
}

function zip(os: string, arch: string, exe: string): Buffer {
  const folder = `k6-v${V}-${os}-${arch}`;
  return Buffer.from(
    zipSync({
      [`${folder}/${exe}`]: [new TextEncoder().encode(FAKE_K6(`${os}-${arch}`)), { os: 3, attrs: 0o100755 << 16 }],
      [`${folder}/README.md`]: new TextEncoder().encode('readme\n'),
    }),
  );
}

function checksums(entries: [string, Buffer][]): Buffer {
  return Buffer.from(entries.map(([name, b]) => `${sha(b)}  ${name}\n`).join(''));
}

beforeAll(async () => {
  root = await tempDir('install');
  (globalThis as Record<string, unknown>).TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS = 0;
  (globalThis as Record<string, unknown>).TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS = 0;
  const assets: [string, Buffer][] = [
    [`k6-v${V}-linux-amd64.tar.gz`, await tarGz('linux', 'amd64')],
    [`k6-v${V}-linux-arm64.tar.gz`, await tarGz('linux', 'arm64')],
    [`k6-v${V}-windows-amd64.zip`, zip('windows', 'amd64', 'k6.exe')],
    [`k6-v${V}-macos-arm64.zip`, zip('macos', 'arm64', 'k6')],
  ];
  for (const [name, b] of assets) files.set(`/good/v${V}/${name}`, b);
  files.set(`/good/v${V}/k6-v${V}-checksums.txt`, checksums(assets));
  // A mirror whose linux archive does not match the checksums file.
  const [linuxName, linux] = assets[0] as [string, Buffer];
  files.set(`/tampered/v${V}/${linuxName}`, Buffer.concat([linux, Buffer.from('x')]));
  files.set(`/tampered/v${V}/k6-v${V}-checksums.txt`, checksums(assets));
  // A mirror whose checksums file does not list the asset.
  files.set(`/unlisted/v${V}/${linuxName}`, linux);
  files.set(`/unlisted/v${V}/k6-v${V}-checksums.txt`, checksums(assets.slice(1)));
  // A mirror of the pinned release that swapped the archive and rewrote its checksums file to match.
  const swapped = Buffer.from('not the released archive');
  const pinnedName = `k6-v${DEFAULT_K6_VERSION}-linux-amd64.tar.gz`;
  files.set(`/swapped/v${DEFAULT_K6_VERSION}/${pinnedName}`, swapped);
  files.set(`/swapped/v${DEFAULT_K6_VERSION}/k6-v${DEFAULT_K6_VERSION}-checksums.txt`, checksums([[pinnedName, swapped]]));
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

beforeEach(async () => {
  process.env.RUNNER_TOOL_CACHE = await tempDir('toolcache');
  process.env.RUNNER_TEMP = await tempDir('runnertemp');
  requests.length = 0;
});

describe('k6Asset', () => {
  it('names the release asset for each OS and architecture', () => {
    const cases: [NodeJS.Platform, string, string][] = [
      ['linux', 'x64', `k6-v${V}-linux-amd64.tar.gz`],
      ['linux', 'arm64', `k6-v${V}-linux-arm64.tar.gz`],
      ['darwin', 'x64', `k6-v${V}-macos-amd64.zip`],
      ['darwin', 'arm64', `k6-v${V}-macos-arm64.zip`],
      ['win32', 'x64', `k6-v${V}-windows-amd64.zip`],
      ['win32', 'arm64', `k6-v${V}-windows-arm64.zip`],
    ];
    for (const [platform, arch, file] of cases) {
      const a = k6Asset(V, platform, arch);
      expect(a.file).toBe(file);
      expect(a.url).toBe(`https://github.com/grafana/k6/releases/download/v${V}/${file}`);
      expect(a.checksumsUrl).toBe(`https://github.com/grafana/k6/releases/download/v${V}/k6-v${V}-checksums.txt`);
    }
    expect(k6Asset(`v${V}`, 'win32', 'x64', 'https://ghes.example/mirror/').url).toBe(`https://ghes.example/mirror/v${V}/k6-v${V}-windows-amd64.zip`);
    expect(k6Asset(V, 'win32', 'x64').exe).toBe('k6.exe');
    expect(() => k6Asset(V, 'aix', 'x64')).toThrow(InputError);
    expect(() => k6Asset(V, 'linux', 'ia32')).toThrow(/architecture 'ia32'/);
    expect(DEFAULT_K6_VERSION).toMatch(/^2\.\d+\.\d+$/);
  });

  it('reads sha256sum-style checksum files', () => {
    const text = `${'a'.repeat(64)}  k6-v2.3.0-linux-amd64.tar.gz\n${'B'.repeat(64)} *k6-v2.3.0-windows-amd64.zip\r\n`;
    expect(checksumFor(text, 'k6-v2.3.0-linux-amd64.tar.gz')).toBe('a'.repeat(64));
    expect(checksumFor(text, 'k6-v2.3.0-windows-amd64.zip')).toBe('b'.repeat(64));
    expect(checksumFor(text, 'k6-v2.3.0-macos-arm64.zip')).toBeUndefined();
  });
});

describe('the pinned release', () => {
  it('has its published SHA-256 pinned for every archive k6 releases', () => {
    for (const [platform, arch] of [['linux', 'x64'], ['linux', 'arm64'], ['darwin', 'x64'], ['darwin', 'arm64'], ['win32', 'x64']] as const) {
      expect(PINNED_SHA256[DEFAULT_K6_VERSION]?.[k6Asset(DEFAULT_K6_VERSION, platform, arch).file], `${platform}-${arch}`).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('is checked against the pinned sum, not the mirror’s checksums file: a swapped archive with a matching checksums file is refused', async () => {
    const opts = { version: DEFAULT_K6_VERSION, downloadBase: `${base}/swapped`, platform: 'linux' as const, arch: 'x64', log: recordingLogger() };
    const run = locateOrInstallK6(opts);
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(
      new RegExp(`refusing k6 v2\\.3\\.0: SHA-256 of k6-v2\\.3\\.0-linux-amd64\\.tar\\.gz is ${sha(Buffer.from('not the released archive'))}, the released archive's \\(pinned in perf-gate\\) is ${PINNED_SHA256['2.3.0']!['k6-v2.3.0-linux-amd64.tar.gz']}`),
    );
    // the mirror's checksums file is never asked for
    expect(requests).toEqual([`/swapped/v${DEFAULT_K6_VERSION}/k6-v${DEFAULT_K6_VERSION}-linux-amd64.tar.gz`]);
  });

  it('a pinned archive that matches installs without a checksums file', async () => {
    const name = `k6-v${V}-linux-amd64.tar.gz`;
    const log = recordingLogger();
    const got = await locateOrInstallK6({ version: V, downloadBase: `${base}/good`, platform: 'linux', arch: 'x64', log, pinned: { [V]: { [name]: sha(files.get(`/good/v${V}/${name}`)!) } } });
    expect(got.source).toBe('download');
    expect(requests).toEqual([`/good/v${V}/${name}`]);
    expect(log.text()).toMatch(/SHA-256 verified \([0-9a-f]{64}, pinned\)/);
  });
});

describe('locateOrInstallK6', () => {
  it('downloads, verifies and caches the linux tar.gz, then finds it in the cache', async () => {
    const log = recordingLogger();
    const got = await locateOrInstallK6({ version: V, downloadBase: `${base}/good`, platform: 'linux', arch: 'x64', log });
    expect(got.source).toBe('download');
    expect(got.version).toBe(V);
    expect(got.path.startsWith(process.env.RUNNER_TOOL_CACHE as string)).toBe(true);
    expect(got.path.endsWith('/k6')).toBe(true);
    expect(execFileSync(got.path, ['version']).toString()).toBe(`k6 v${V} (linux-amd64)\n`);
    expect(requests).toEqual([`/good/v${V}/k6-v${V}-checksums.txt`, `/good/v${V}/k6-v${V}-linux-amd64.tar.gz`]);
    expect(log.text()).toContain('SHA-256 verified');

    requests.length = 0;
    const again = await locateOrInstallK6({ version: V, downloadBase: `${base}/good`, platform: 'linux', arch: 'x64', log });
    expect(again).toEqual({ path: got.path, version: V, source: 'cache' });
    expect(requests).toEqual([]);
  });

  it('works off a GitHub runner: RUNNER_TOOL_CACHE and RUNNER_TEMP default to the given directories', async () => {
    delete process.env.RUNNER_TOOL_CACHE;
    delete process.env.RUNNER_TEMP;
    const cache = await tempDir('local-cache');
    const temp = await tempDir('local-temp');
    const got = await locateOrInstallK6({ version: V, downloadBase: `${base}/good`, platform: 'linux', arch: 'x64', log: recordingLogger(), toolCacheDir: cache, tempDir: temp });
    expect(got.source).toBe('download');
    expect(got.path.startsWith(cache)).toBe(true);
    expect(process.env.RUNNER_TOOL_CACHE).toBe(cache);
  });

  it('installs the arm64 build for an arm64 runner', async () => {
    const got = await locateOrInstallK6({ version: V, downloadBase: `${base}/good`, platform: 'linux', arch: 'arm64', log: recordingLogger() });
    expect(execFileSync(got.path, ['version']).toString()).toContain('linux-arm64');
  });

  it('extracts the Windows zip layout (k6.exe)', async () => {
    const got = await locateOrInstallK6({ version: V, downloadBase: `${base}/good`, platform: 'win32', arch: 'x64', log: recordingLogger() });
    expect(got.source).toBe('download');
    expect(got.path.endsWith('k6.exe')).toBe(true);
    expect(await readFile(got.path, 'utf8')).toContain('windows-amd64');
  });

  it('extracts the macOS zip layout', async () => {
    const got = await locateOrInstallK6({ version: V, downloadBase: `${base}/good`, platform: 'darwin', arch: 'arm64', log: recordingLogger() });
    expect(got.path.endsWith('/k6')).toBe(true);
    expect(await readFile(got.path, 'utf8')).toContain('macos-arm64');
    expect((await stat(got.path)).mode & 0o111).not.toBe(0);
  });

  it('refuses an archive whose SHA-256 does not match the checksums file, and caches nothing', async () => {
    const opts = { version: V, downloadBase: `${base}/tampered`, platform: 'linux' as const, arch: 'x64', log: recordingLogger() };
    await expect(locateOrInstallK6(opts)).rejects.toThrow(/refusing k6 v2\.2\.0: SHA-256 of k6-v2\.2\.0-linux-amd64\.tar\.gz is [0-9a-f]{64}, the release's checksums file says [0-9a-f]{64}/);
    await expect(locateOrInstallK6({ ...opts, downloadBase: `${base}/good` })).resolves.toMatchObject({ source: 'download' });
  });

  it('refuses an archive the checksums file does not list', async () => {
    await expect(
      locateOrInstallK6({ version: V, downloadBase: `${base}/unlisted`, platform: 'linux', arch: 'x64', log: recordingLogger() }),
    ).rejects.toThrow(/lists no checksum for k6-v2\.2\.0-linux-amd64\.tar\.gz/);
  });

  it('fails clearly on an unknown version (404) and an unreachable server', async () => {
    await expect(
      locateOrInstallK6({ version: '9.9.9', downloadBase: `${base}/good`, platform: 'linux', arch: 'x64', log: recordingLogger() }),
    ).rejects.toThrow(/cannot download k6 v9\.9\.9: .*404/);
    // reported as bad input with its fix (the CLI prints no stack trace for it)
    await expect(
      locateOrInstallK6({ version: '9.9.9', downloadBase: `${base}/good`, platform: 'linux', arch: 'x64', log: recordingLogger() }),
    ).rejects.toBeInstanceOf(InputError);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    await expect(
      locateOrInstallK6({ version: V, downloadBase: `http://127.0.0.1:${port}`, platform: 'linux', arch: 'x64', log: recordingLogger() }),
    ).rejects.toThrow(/cannot download k6 v2\.2\.0: .*ECONNREFUSED/);
  });

  it('uses an explicit path and asks it for its version', async () => {
    const got = await locateOrInstallK6({ path: K6_DOUBLE, version: V, log: recordingLogger() });
    expect(got).toEqual({ path: K6_DOUBLE, version: '2.3.0', source: 'path' });
    await expect(locateOrInstallK6({ path: join(root, 'nope'), version: V, log: recordingLogger() })).rejects.toThrow(InputError);
  });

  it('finds k6 on PATH before downloading', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'k6'), '#!/bin/sh\necho "k6 v1.7.1 (path)"\n');
    await chmod(join(bin, 'k6'), 0o755);
    const got = await locateOrInstallK6({ version: V, downloadBase: `${base}/good`, log: recordingLogger(), pathEnv: `${join(root, 'empty')}:${bin}` });
    expect(got).toEqual({ path: join(bin, 'k6'), version: '1.7.1', source: 'path' });
    expect(requests).toEqual([]);
    // An explicitly requested version passes over a k6 of another version on PATH.
    const log = recordingLogger();
    const pinned = await locateOrInstallK6({ version: V, exactVersion: true, downloadBase: `${base}/good`, platform: 'linux', arch: 'x64', log, pathEnv: bin });
    expect(pinned.source).toBe('download');
    expect(log.text()).toContain(`is 1.7.1, not the requested v${V}`);
    await writeFile(join(bin, 'k6'), `#!/bin/sh\necho "k6 v${V} (path)"\n`);
    const same = await locateOrInstallK6({ version: V, exactVersion: true, downloadBase: `${base}/good`, log: recordingLogger(), pathEnv: bin });
    expect(same).toEqual({ path: join(bin, 'k6'), version: V, source: 'path' });
  });
});
