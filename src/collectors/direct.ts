// Direct probes: one PostgreSQL connection and one Redis connection, sampled on an interval.
// pg and ioredis are loaded when a probe opens: a gate without a utilization section (and the CLI's
// start-up) does not pay for them.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { PgReading, RedisReading } from './presets.js';
import { PROBE_TAG, snapshotStatements, statementsAvailable, statementsFilter, type StatementsAccess, type StatementSnapshot } from './slow-queries.js';
import { maskUrl, scrub } from '../mask.js';
import { addressFix, tlsHint } from './prometheus.js';

export interface Probe<R> {
  readonly readings: R[];
  /** The last error while sampling (reachability problems after the start). */
  lastError?: string;
  sample(): Promise<void>;
  close(): Promise<void>;
}

export class PgProbe implements Probe<PgReading> {
  readonly readings: PgReading[] = [];
  lastError?: string;
  statements: StatementsAccess = { ok: false, reason: 'not checked' };
  /** The role the probe connects as, and whether it may read every role's activity (superuser or pg_read_all_stats). */
  role = '';
  seesAll = true;
  /** The most sessions of other roles seen without their details (a role without pg_read_all_stats). */
  hiddenSessions = 0;
  private maxConnections = 0;

  private constructor(
    private readonly client: pg.Client,
    private readonly url: string,
  ) {}

  /** Connects (one connection) or returns why it cannot. */
  static async open(url: string): Promise<PgProbe | { error: string }> {
    const { default: pgModule } = await import(/* webpackMode: "eager" */ 'pg');
    let client: pg.Client;
    try {
      client = new pgModule.Client({
        connectionString: url,
        connectionTimeoutMillis: 5000,
        statement_timeout: 5000,
        // the server's statement_timeout cannot end a reading from a server (or a port-forward) that
        // stopped answering: the client gives up too, and keepalive notices a dead connection
        query_timeout: 6000,
        keepAlive: true,
        application_name: 'perf-gate probe',
      });
    } catch (err) {
      return { error: badUrl('PostgreSQL', 'postgres', url, err) };
    }
    client.on('error', () => undefined);
    try {
      await client.connect();
      const probe = new PgProbe(client, url);
      const mc = await client.query(`${PROBE_TAG} SELECT current_setting('max_connections')::int AS mc`);
      probe.maxConnections = Number(mc.rows[0]?.mc);
      try {
        const who = await client.query(
          `${PROBE_TAG} SELECT current_user AS role, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS sees_all`,
        );
        probe.role = String(who.rows[0]?.role ?? '');
        probe.seesAll = who.rows[0]?.sees_all !== false;
      } catch {
        // before PostgreSQL 10 there is no pg_read_all_stats: assume it sees all
      }
      probe.statements = await statementsAvailable(client);
      return probe;
    } catch (err) {
      await client.end().catch(() => undefined);
      return { error: scrub(`PostgreSQL at ${maskUrl(url)} is unreachable (${describe(err)})${pgTlsFix(err)}${addressFix((err as { code?: string })?.code, url)}`, [url]) };
    }
  }

  async sample(): Promise<void> {
    try {
      const t = Date.now();
      const r = await this.client.query(
        // Without pg_read_all_stats another role's session shows only its database and user (its
        // backend_type is NULL): a session with both is a client connection (or one of its parallel
        // workers), counted as one beside the role's own (`hidden`, also for the note).
        `${PROBE_TAG} SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid())::int AS own, ` +
          `(SELECT count(*) FROM pg_stat_activity WHERE backend_type IS NULL AND datid IS NOT NULL AND usesysid IS NOT NULL)::int AS hidden, ` +
          `(SELECT sum(blks_hit) FROM pg_stat_database)::float8 AS hit, (SELECT sum(blks_read) FROM pg_stat_database)::float8 AS read, ` +
          `(SELECT json_object_agg(datid::text, json_build_array(blks_hit, blks_read)) FROM pg_stat_database) AS blocks`,
      );
      const row = r.rows[0] as { own: number; hidden: number; hit: number; read: number; blocks: Record<string, [number, number]> | null };
      const hidden = Number(row.hidden) || 0;
      this.hiddenSessions = Math.max(this.hiddenSessions, hidden);
      const reading: PgReading = { t, connections: Number(row.own) + hidden, maxConnections: this.maxConnections, blksHit: Number(row.hit), blksRead: Number(row.read) };
      if (row.blocks && typeof row.blocks === 'object') {
        reading.blocks = Object.fromEntries(Object.entries(row.blocks).map(([db, [h, r]]) => [db, [Number(h), Number(r)] as [number, number]]));
      }
      if (this.statements.ok) {
        const s = await this.client.query(
          `${PROBE_TAG} SELECT coalesce(sum(calls), 0)::float8 AS calls, coalesce(sum(${this.statements.column}), 0)::float8 AS ms FROM pg_stat_statements WHERE ${statementsFilter(this.statements.toplevel)}`,
        );
        reading.calls = Number(s.rows[0]?.calls);
        reading.execMs = Number(s.rows[0]?.ms);
      }
      this.readings.push(reading);
    } catch (err) {
      this.lastError = scrub(`PostgreSQL probe failed (${describe(err)})`, [this.url]);
    }
  }

  async snapshot(): Promise<StatementSnapshot | undefined> {
    if (!this.statements.ok) return undefined;
    try {
      return await snapshotStatements(this.client, this.statements.column, this.statements.toplevel);
    } catch (err) {
      this.statements = { ok: false, reason: scrub(`pg_stat_statements snapshot failed (${describe(err)})`, [this.url]) };
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

export class RedisProbe implements Probe<RedisReading> {
  readonly readings: RedisReading[] = [];
  lastError?: string;
  /** INFO calls so far: each is one processed command, subtracted from the totals. */
  private infos = 0;
  /** The server's master, when INFO says it is a replica (`role:slave`). */
  replicaOf?: string;

  private constructor(
    private readonly client: Redis,
    private readonly url: string,
  ) {}

  static async open(url: string): Promise<RedisProbe | { error: string }> {
    // through the CommonJS module object: bundled, its named exports are not carried over
    const { default: ioredis } = await import(/* webpackMode: "eager" */ 'ioredis');
    let client: Redis;
    try {
      client = new ioredis.Redis(url, {
        lazyConnect: true,
        connectTimeout: 5000,
        commandTimeout: 5000,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
        enableReadyCheck: false,
        connectionName: 'perf-gate-probe',
      });
    } catch (err) {
      return { error: badUrl('Redis', 'redis', url, err) };
    }
    // ioredis resolves connect() before the server answers AUTH: a refused password only shows as an
    // 'error' event, and the first command then fails with "Connection is closed".
    let emitted: unknown;
    client.on('error', (err: unknown) => {
      emitted = err;
    });
    try {
      await client.connect();
      try {
        await client.ping();
      } catch (err) {
        throw emitted ?? err;
      }
      // The CLIENT SETNAME sent on connect and the PING are commands too, before the first reading.
      const probe = new RedisProbe(client, url);
      return probe;
    } catch (err) {
      client.disconnect();
      // ioredis rejects with "Connection is closed." and emits the cause (ECONNREFUSED, ENOTFOUND…)
      const why = describe(emitted !== undefined && /Connection is closed/i.test(String((err as Error)?.message)) ? emitted : err);
      if (/^(WRONGPASS|NOAUTH|NOPERM)\b|invalid password|invalid username-password/i.test(why)) {
        return { error: scrub(`Redis at ${maskUrl(url)} refused the probe's credentials (${why}): check the user name and password in utilization.sources.redis.url (redis://user:password@host:6379, a % in them written %25)`, [url]) };
      }
      const where = addressFix((err as { code?: string })?.code ?? (emitted as { code?: string } | undefined)?.code, url);
      return { error: scrub(`Redis at ${maskUrl(url)} is unreachable (${why})${where}`, [url]) };
    }
  }

  async sample(): Promise<void> {
    try {
      const t = Date.now();
      const info = parseInfo(await this.client.info());
      if (info.role === 'slave') this.replicaOf = `${info.master_host ?? '?'}:${info.master_port ?? '?'}`;
      const commandsSeen = Number(info.total_commands_processed) - this.infos;
      this.infos++;
      this.readings.push({
        t,
        usedMemory: Number(info.used_memory),
        maxmemory: Number(info.maxmemory ?? 0),
        commands: commandsSeen,
        hits: Number(info.keyspace_hits),
        misses: Number(info.keyspace_misses),
      });
    } catch (err) {
      const why = describe(err);
      // an ACL user allowed GET and SET but not INFO
      const fix = /^NOPERM\b.*'info'/i.test(why) ? `: allow INFO for the probe's user (ACL SETUSER ${redisUser(this.url)} +info)` : '';
      this.lastError = scrub(`Redis probe failed (${why})${fix}`, [this.url]);
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}

/**
 * What to change in a PostgreSQL URL for a TLS problem: a certificate Node does not trust (a cloud
 * database's own CA, a self-signed one), or a server that accepts only SSL connections.
 */
function pgTlsFix(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const hint = tlsHint(e?.code);
  if (hint && /not trusted/.test(hint)) {
    return ": the server's certificate is not trusted: add sslrootcert=/path/to/ca.pem to the URL (the CA bundle of the database's provider), or sslmode=no-verify to encrypt without verifying";
  }
  if (hint) return `: ${hint}`;
  if (/SSL off|SSL connection is required|no encryption/i.test(e?.message ?? '')) return ': the server accepts only SSL connections: add ?sslmode=verify-full (or sslmode=no-verify) to the URL';
  if (/does not support SSL/i.test(e?.message ?? '')) return ': the server does not speak SSL: leave sslmode out of the URL, or sslmode=disable';
  return '';
}

/** The ACL user of a Redis URL (`default` without one), for a command to copy; never the password. */
function redisUser(url: string): string {
  try {
    const u = decodeURIComponent(new URL(url).username);
    return /^[A-Za-z0-9_.@-]+$/.test(u) ? u : u ? '<user>' : 'default';
  } catch {
    return '<user>';
  }
}

/** Why a source URL could not even be parsed (a bad %-escape in the password, most often); masked. */
function badUrl(name: string, kind: string, url: string, err: unknown): string {
  const why = err instanceof URIError ? 'the user name or password has a bad %-escape: write a literal % as %25' : 'it could not be parsed';
  return scrub(`the ${name} URL (utilization.sources.${kind}.url, ${maskUrl(url)}) is not usable: ${why}`, [url]);
}

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  if (e?.errors?.[0]?.code) return e.errors[0].code;
  return e?.code && !/^\d/.test(e.code) ? `${e.code}${e.message ? `: ${e.message}` : ''}` : (e?.message ?? String(err));
}
