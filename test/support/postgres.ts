// A PostgreSQL of its own for a test file that needs one set up differently from the shared services
// (no preloaded pg_stat_statements, SSL only…): initdb into a temp dir, start on a free loopback port,
// wait until it answers, stop and remove it afterwards. As root (CI) it runs as the `postgres` user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findBinaries, freePort } from './services.js';

/** Why PostgreSQL cannot be started here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  const { missing } = findBinaries();
  return missing.includes('initdb') || missing.includes('postgres') ? 'PostgreSQL is not installed (scripts/ci-services.sh)' : undefined;
}

/** The `postgres` user's ids when running as root, for files the server must own. */
export function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

export interface OwnPostgres {
  port: number;
  /** The temp directory (the data directory is `data` in it). */
  root: string;
  stop(): Promise<void>;
}

/**
 * Starts a PostgreSQL. `prepare` runs after initdb and returns extra `postgres` arguments (`-c name=value`
 * pairs); `probeUrl` is the URL a client reaches it with once up (e.g. with `?sslmode=no-verify`).
 */
export async function startPostgres(opts: {
  name: string;
  prepare?: (root: string, owner: { uid: number; gid: number } | undefined) => string[];
  probeUrl: (port: number) => string;
}): Promise<OwnPostgres> {
  const { found } = findBinaries();
  const root = mkdtempSync(join(tmpdir(), `perf-gate-${opts.name}-`));
  chmodSync(root, 0o755);
  const ids = postgresOwner();
  const data = join(root, 'data');
  mkdirSync(data);
  if (ids) chownSync(data, ids.uid, ids.gid);
  const init = spawnSync(found.initdb!, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync'], { encoding: 'utf8', cwd: root, ...(ids ?? {}) });
  if (init.status !== 0) throw new Error(`initdb: ${init.stderr}`);
  const extra = opts.prepare?.(root, ids) ?? [];
  const port = await freePort();
  const server: ChildProcess = spawn(
    found.postgres!,
    ['-D', data, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', 'unix_socket_directories=', '-c', 'fsync=off', ...extra],
    { stdio: 'ignore', ...(ids ?? {}) },
  );
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: opts.probeUrl(port), connectionTimeoutMillis: 1000 });
    const up = await c.connect().then(
      () => true,
      () => false,
    );
    await c.end().catch(() => undefined);
    if (up) break;
    if (i > 300 || server.exitCode !== null) {
      await stop();
      throw new Error(`PostgreSQL (${opts.name}) did not start`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, root, stop };
}
