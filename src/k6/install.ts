// Finding k6 on the runner: a given path, PATH, the tool cache, or a download of the pinned release
// (SHA-256 checked against the sums pinned here for the default release, else against the release's
// checksums file; a mismatch is refused).
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { access, chmod, readFile, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { homedir, tmpdir } from 'node:os';
import type * as ToolCache from '@actions/tool-cache';
import { InputError } from '../errors.js';
import { maskUrl } from '../mask.js';
import type { Logger } from '../model.js';

/** The k6 release downloaded when none is given (current 2.x line). */
export const DEFAULT_K6_VERSION = '2.3.0';
export const DEFAULT_DOWNLOAD_BASE = 'https://github.com/grafana/k6/releases/download';
/**
 * SHA-256 of the release archives, as published in the release's `k6-v<version>-checksums.txt`,
 * for the versions perf-gate pins: a download of one is checked against these, not against a
 * checksums file from the same host (which a tampered mirror or proxy could rewrite too).
 */
export const PINNED_SHA256: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '2.3.0': {
    'k6-v2.3.0-linux-amd64.tar.gz': '39c3117b6af817592dcd0ce4242105c0a7af10948c2a425306f0be8f7a8a8ab1',
    'k6-v2.3.0-linux-arm64.tar.gz': '5ca3433e8201da72a284aaa241a1bb5fb47f4abb4e384d39410ddd8062f49b90',
    'k6-v2.3.0-macos-amd64.zip': 'c83bb16f54f0676afa4ea235fd757f3892d307dbd1bd201450de83af31986654',
    'k6-v2.3.0-macos-arm64.zip': 'b2417a3038edc5fe81dc178a889237724b595c5c9cfed875822008e46e862c7d',
    'k6-v2.3.0-windows-amd64.zip': '112276d495e5741c968e2bc09ea6196099c1275bd6db9ee0875d173c7148ce43',
  },
};
/**
 * The oldest k6 that runs the scenario scripts (`.ts`, importing `.ts` modules) as they are: k6 runs
 * TypeScript by default since v0.57 (before, only with `--compatibility-mode=experimental_enhanced`).
 * An older k6 found on PATH is passed over for the pinned release.
 */
export const MIN_K6_VERSION = '0.57.0';

/** Compares release versions (`1.2.3`, `v1.2.3-rc.1`): negative, 0 or positive; a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-(.+))?$/.exec(v.trim());
    return m ? { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] } : { nums: [0, 0, 0], pre: 'invalid' };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return (x.nums[i] as number) - (y.nums[i] as number);
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

export interface K6Asset {
  os: 'linux' | 'macos' | 'windows';
  arch: 'amd64' | 'arm64';
  ext: 'tar.gz' | 'zip';
  /** `k6-v2.3.0-linux-amd64.tar.gz` */
  file: string;
  /** The folder inside the archive, `k6-v2.3.0-linux-amd64`. */
  dir: string;
  /** `k6` or `k6.exe`. */
  exe: string;
  url: string;
  checksumsUrl: string;
}

/** The release asset for a platform (Node's `process.platform` / `process.arch` names). */
export function k6Asset(version: string, platform: NodeJS.Platform | string, arch: string, downloadBase = DEFAULT_DOWNLOAD_BASE): K6Asset {
  const v = version.replace(/^v/, '');
  const os = platform === 'linux' ? 'linux' : platform === 'darwin' ? 'macos' : platform === 'win32' ? 'windows' : undefined;
  if (!os) throw new InputError(`k6 has no release for the platform '${platform}'`, undefined, 'install k6 yourself and pass its path (--k6-path / k6-path)');
  const a = arch === 'x64' || arch === 'amd64' ? 'amd64' : arch === 'arm64' || arch === 'aarch64' ? 'arm64' : undefined;
  if (!a) throw new InputError(`k6 has no release for the architecture '${arch}'`, undefined, 'install k6 yourself and pass its path (--k6-path / k6-path)');
  const ext = os === 'linux' ? 'tar.gz' : 'zip';
  const dir = `k6-v${v}-${os}-${a}`;
  const base = downloadBase.replace(/\/+$/, '');
  return {
    os,
    arch: a,
    ext,
    file: `${dir}.${ext}`,
    dir,
    exe: os === 'windows' ? 'k6.exe' : 'k6',
    url: `${base}/v${v}/${dir}.${ext}`,
    checksumsUrl: `${base}/v${v}/k6-v${v}-checksums.txt`,
  };
}

/** The SHA-256 listed for `file` in a `sha256sum`-style checksums file, lowercase hex. */
export function checksumFor(checksums: string, file: string): string | undefined {
  for (const line of checksums.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line);
    if (m && m[2] === file) return (m[1] as string).toLowerCase();
  }
  return undefined;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

export interface LocateOptions {
  /** An explicit executable (k6-path). */
  path?: string;
  version: string;
  downloadBase?: string;
  platform?: NodeJS.Platform;
  arch?: string;
  log: Logger;
  /** The PATH to search; empty or undefined skips the search. */
  pathEnv?: string;
  /** The version was asked for explicitly: a k6 on PATH of another version is passed over. */
  exactVersion?: boolean;
  /**
   * Where to cache and download when not on a GitHub runner (RUNNER_TOOL_CACHE / RUNNER_TEMP unset):
   * @actions/tool-cache reads those two variables, so they are set to these directories in that case.
   */
  toolCacheDir?: string;
  tempDir?: string;
  /** The pinned sums (default PINNED_SHA256): version → archive file name → SHA-256. */
  pinned?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Stops the install between its steps (the gate failed or was cancelled meanwhile): no download
   * starts after it fires; one already in flight finishes, and nothing is extracted or cached.
   */
  signal?: AbortSignal;
}

/** @actions/tool-cache only works with RUNNER_TOOL_CACHE and RUNNER_TEMP set (a GitHub runner sets both). */
function ensureToolCacheEnv(opts: LocateOptions): void {
  if (!process.env.RUNNER_TOOL_CACHE) process.env.RUNNER_TOOL_CACHE = opts.toolCacheDir ?? join(homedir(), '.cache', 'perf-gate', 'tools');
  if (!process.env.RUNNER_TEMP) process.env.RUNNER_TEMP = opts.tempDir ?? join(tmpdir(), 'perf-gate');
}

export interface LocatedK6 {
  path: string;
  version: string;
  source: 'path' | 'cache' | 'download';
}

async function isExecutable(file: string, windows: boolean): Promise<boolean> {
  try {
    const s = await stat(file);
    if (!s.isFile()) return false;
    if (!windows) await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The version `k6 version` reports (`k6 v2.3.0 (…)`), or undefined when it cannot be run. */
export function k6Version(executable: string): Promise<string | undefined> {
  return new Promise((done) => {
    execFile(executable, ['version'], { timeout: 15_000, windowsHide: true }, (error, stdout) => {
      if (error) return done(undefined);
      const m = /v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(String(stdout));
      done(m ? m[1] : undefined);
    });
  });
}

export async function locateOrInstallK6(opts: LocateOptions): Promise<LocatedK6> {
  const platform = opts.platform ?? process.platform;
  const windows = platform === 'win32';
  const exeName = windows ? 'k6.exe' : 'k6';
  const { log } = opts;

  if (opts.path) {
    const path = resolve(opts.path);
    if (!(await isExecutable(path, windows))) {
      throw new InputError(`k6 path '${opts.path}' is not an executable file`, undefined, 'point k6-path (the CLI\'s --k6-path) at the k6 binary, or leave it out to download k6');
    }
    const version = (await k6Version(path)) ?? 'unknown';
    log.info(`k6: using ${path} (${version})`);
    return { path, version, source: 'path' };
  }

  if (opts.pathEnv) {
    for (const dir of opts.pathEnv.split(windows ? ';' : delimiter)) {
      if (!dir) continue;
      const candidate = join(dir, exeName);
      if (await isExecutable(candidate, windows)) {
        const version = (await k6Version(candidate)) ?? 'unknown';
        const wanted = opts.version.replace(/^v/, '');
        if (opts.exactVersion && version !== wanted) {
          // Another k6 later on PATH may be the version asked for.
          log.info(`k6: ${candidate} is ${version}, not the requested v${wanted}`);
          continue;
        }
        if (!opts.exactVersion && (version === 'unknown' || compareVersions(version, MIN_K6_VERSION) < 0)) {
          const why = version === 'unknown' ? 'its version cannot be read (`k6 version`)' : `v${version} is older than v${MIN_K6_VERSION}, the oldest k6 that runs TypeScript scripts`;
          log.info(`k6: passing over ${candidate}: ${why}; using v${wanted} instead`);
          continue;
        }
        log.info(`k6: found on PATH at ${candidate} (${version})`);
        return { path: candidate, version, source: 'path' };
      }
    }
  }

  const version = opts.version.replace(/^v/, '');
  const asset = k6Asset(version, platform, opts.arch ?? process.arch, opts.downloadBase);
  ensureToolCacheEnv(opts);
  // loaded only when k6 is not on PATH: evaluate-only runs and the CLI's start-up skip it
  const tc: typeof ToolCache = await import(/* webpackMode: "eager" */ '@actions/tool-cache');
  const cached = tc.find('k6', version, asset.arch);
  if (cached && (await isExecutable(join(cached, asset.exe), windows))) {
    log.info(`k6: v${version} from the tool cache (${cached})`);
    return { path: join(cached, asset.exe), version, source: 'cache' };
  }

  const stopped = () => {
    if (opts.signal?.aborted) throw new InputError(`k6 v${version} was not installed: the gate stopped first`, undefined, 'see the error above');
  };
  stopped();
  log.info(`k6: downloading v${version} (${asset.file}) from ${maskUrl(asset.url)}`);
  // A download that fails is an environment problem with a known fix, not a bug: reported without a stack trace.
  const download = async (url: string, what: string): Promise<string> => {
    try {
      return await tc.downloadTool(url);
    } catch (error) {
      throw new InputError(
        `cannot download k6 v${version}: ${what} ${maskUrl(url)}: ${maskUrl(error instanceof Error ? error.message : String(error))}`,
        undefined,
        'check the version, the download base (k6-download-base for a mirror), or pass k6-path',
      );
    }
  };
  // A pinned release is checked against the sums pinned here; another version against its checksums file.
  const pinned = (opts.pinned ?? PINNED_SHA256)[version]?.[asset.file];
  const checksumsFile = pinned === undefined ? await download(asset.checksumsUrl, 'the checksums file') : undefined;
  stopped();
  const archive = await download(asset.url, 'the archive');
  stopped();
  const expected = pinned ?? checksumFor(await readFile(checksumsFile as string, 'utf8'), asset.file);
  if (!expected) {
    throw new InputError(
      `refusing k6 v${version}: ${maskUrl(asset.checksumsUrl)} lists no checksum for ${asset.file}`,
      undefined,
      'the download base (k6-download-base) must mirror the release with its checksums file; or pass k6-path',
    );
  }
  const actual = await sha256File(archive);
  if (actual !== expected) {
    throw new InputError(
      `refusing k6 v${version}: SHA-256 of ${asset.file} is ${actual}, ${pinned === undefined ? "the release's checksums file says" : 'the released archive\'s (pinned in perf-gate) is'} ${expected}`,
      undefined,
      'the archive is not the one released (a broken or tampered mirror, or a proxy rewriting downloads): check k6-download-base, or pass k6-path',
    );
  }
  log.info(`k6: SHA-256 verified (${actual}${pinned === undefined ? '' : ', pinned'})`);

  const extracted = asset.ext === 'tar.gz' ? await tc.extractTar(archive) : await tc.extractZip(archive);
  const inner = join(extracted, asset.dir);
  const sourceDir = (await isExecutable(join(inner, asset.exe), windows)) || (await exists(join(inner, asset.exe))) ? inner : extracted;
  if (!(await exists(join(sourceDir, asset.exe)))) {
    throw new Error(`the k6 archive ${asset.file} holds no ${asset.dir}/${asset.exe}`);
  }
  const dir = await tc.cacheDir(sourceDir, 'k6', version, asset.arch);
  const path = join(dir, asset.exe);
  if (!windows) await chmod(path, 0o755);
  log.info(`k6: v${version} installed at ${path}`);
  return { path, version, source: 'download' };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
