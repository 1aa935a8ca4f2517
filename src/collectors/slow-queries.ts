// Top statements by time spent during a run, from pg_stat_statements snapshots taken before and after.
import type { SlowQuery, SlowQueryReport } from '../model.js';

export const MISSING_EXTENSION =
  'pg_stat_statements is not installed: add it to shared_preload_libraries and CREATE EXTENSION pg_stat_statements';

/** The library is in CREATE EXTENSION but not in shared_preload_libraries: its view cannot be read. */
export const NOT_LOADED =
  'pg_stat_statements is created but not loaded: add it to shared_preload_libraries (postgresql.conf, or the managed server’s parameter group) and restart PostgreSQL';

/** Loaded by the server, but the extension was not created in the database the URL names. */
export function notCreated(database: string): string {
  return `pg_stat_statements is loaded but not created in the database \`${database.replace(/[^\w.-]/g, '?')}\` (the one utilization.sources.postgres.url names): run CREATE EXTENSION pg_stat_statements in it`;
}

/** Statements the collectors run themselves start with this comment and are left out of every figure. */
export const PROBE_TAG = '/* perf-gate probe */';

export interface StatementStat {
  query: string;
  calls: number;
  totalMs: number;
}

/**
 * queryid (per user and database) → totals. `hidden`: the totals of statements whose text the role
 * may not read (other roles' statements without pg_read_all_stats: `<insufficient privilege>`).
 */
export type StatementSnapshot = Map<string, StatementStat> & { hidden?: { calls: number; totalMs: number } };

/** What pg_stat_statements shows instead of another role's statement to a role without pg_read_all_stats. */
export const HIDDEN_STATEMENT = '<insufficient privilege>';

/** Anything that runs SQL (a pg Client). */
export interface Queryable {
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>;
}

/** How pg_stat_statements is read on this server: the total-time column, and whether `toplevel` exists (PostgreSQL 14+). */
export type StatementsAccess = { ok: true; column: string; toplevel: boolean } | { ok: false; reason: string };

/** Whether pg_stat_statements can be read here; the reason when not. */
export async function statementsAvailable(db: Queryable): Promise<StatementsAccess> {
  try {
    const ext = await db.query(`${PROBE_TAG} SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
    if (ext.rows.length === 0) {
      // Half of the set-up may be done: the library loaded, the extension not created in this database.
      // (Reading shared_preload_libraries needs pg_read_all_settings: without it, both steps are named.)
      const preload = await db.query(`${PROBE_TAG} SELECT current_setting('shared_preload_libraries') AS libs, current_database() AS db`).catch(() => undefined);
      const row = preload?.rows[0];
      const loaded = row !== undefined && String(row.libs).split(',').some((l) => l.trim().replace(/^"|"$/g, '') === 'pg_stat_statements');
      return { ok: false, reason: loaded ? notCreated(String(row.db)) : MISSING_EXTENSION };
    }
    // PostgreSQL 13 renamed total_time to total_exec_time.
    const cols = await db.query(
      `${PROBE_TAG} SELECT attname FROM pg_attribute WHERE attrelid = 'pg_stat_statements'::regclass AND attname IN ('total_exec_time', 'total_time', 'toplevel')`,
    );
    const names = cols.rows.map((r) => String(r.attname));
    const column = names.includes('total_exec_time') ? 'total_exec_time' : 'total_time';
    await db.query(`${PROBE_TAG} SELECT 1 FROM pg_stat_statements LIMIT 1`);
    return { ok: true, column, toplevel: names.includes('toplevel') };
  } catch (err) {
    const msg = (err as Error).message;
    if (/must be loaded via shared_preload_libraries/.test(msg)) return { ok: false, reason: NOT_LOADED };
    if (/shared_preload_libraries|pg_stat_statements/.test(msg)) return { ok: false, reason: MISSING_EXTENSION };
    return { ok: false, reason: `pg_stat_statements could not be read: ${msg}` };
  }
}

/**
 * The WHERE clause for the statements that count: not the probe's own, and with
 * `pg_stat_statements.track = all` only top-level ones (a statement nested in a function would
 * otherwise count twice: once itself, once inside its caller).
 */
export function statementsFilter(toplevel: boolean): string {
  return `query NOT LIKE '/* perf-gate%'${toplevel ? ' AND toplevel' : ''}`;
}

export async function snapshotStatements(db: Queryable, column: string, toplevel = false): Promise<StatementSnapshot> {
  const res = await db.query(
    `${PROBE_TAG} SELECT userid::text || ':' || dbid::text || ':' || coalesce(queryid::text, md5(query)) AS id, query, calls::float8 AS calls, ${column}::float8 AS total_ms ` +
      `FROM pg_stat_statements WHERE ${statementsFilter(toplevel)}`,
  );
  const snap: StatementSnapshot = new Map();
  for (const r of res.rows) {
    if (String(r.query) === HIDDEN_STATEMENT) {
      snap.hidden = { calls: (snap.hidden?.calls ?? 0) + Number(r.calls), totalMs: (snap.hidden?.totalMs ?? 0) + Number(r.total_ms) };
      continue;
    }
    // Utility statements (CREATE ROLE … PASSWORD, DO $$…$$, COPY, SET…) are kept verbatim by
    // pg_stat_statements, literals and all: they never enter the table.
    if (!isDmlStatement(String(r.query))) continue;
    const id = String(r.id);
    const prev = snap.get(id);
    const calls = Number(r.calls) + (prev?.calls ?? 0);
    const totalMs = Number(r.total_ms) + (prev?.totalMs ?? 0);
    snap.set(id, { query: String(r.query), calls, totalMs });
  }
  return snap;
}

const NUMBER = /(?:0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;

function matchAt(re: RegExp, s: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(s)?.[0];
}

/**
 * The statement without anything that can carry data: comments are dropped, and quoted strings
 * (`'…'`, `E'…'`, `B'…'`, `X'…'`, `U&'…'`), dollar-quoted bodies and numeric literals become `?`.
 * Identifiers (quoted or not), keywords and `$1` parameters are kept. Whitespace is collapsed.
 */
export function sanitizeQuery(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
      out += ' ';
    } else if (c === '/' && next === '*') {
      // Block comments nest in PostgreSQL.
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      out += ' ';
    } else if (c === "'") {
      // A prefix letter (E, B, X, N, U&) belongs to the literal.
      const prefix = /(?:^|[^A-Za-z0-9_$])([EeBbXxNn]|[Uu]&)$/.exec(out);
      const backslash = prefix !== null && /^[Ee]$/.test(prefix[1]!);
      if (prefix) out = out.slice(0, out.length - prefix[1]!.length);
      i++;
      while (i < n) {
        if (backslash && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") {
          i++;
          break;
        } else i++;
      }
      out += '?';
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      const stop = end < 0 ? n : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '$' && next !== undefined && /\d/.test(next)) {
      const p = /^\$\d+/.exec(sql.slice(i))![0];
      out += p;
      i += p.length;
    } else if (c === '$' && matchAt(DOLLAR_TAG, sql, i)) {
      const tag = matchAt(DOLLAR_TAG, sql, i)!;
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
      out += '?';
    } else if (matchAt(WORD, sql, i)) {
      const w = matchAt(WORD, sql, i)!;
      out += w;
      i += w.length;
    } else if (matchAt(NUMBER, sql, i) && !(c === '.' && /[A-Za-z0-9_"]$/.test(out))) {
      i += matchAt(NUMBER, sql, i)!.length;
      out += '?';
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}

const DML = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'WITH', 'VALUES', 'TABLE']);

/** Whether a statement is a query or DML (what pg_stat_statements normalizes), not a utility statement. */
export function isDmlStatement(sql: string): boolean {
  const first = /^[\s(]*([A-Za-z]+)/.exec(sanitizeQuery(sql))?.[1]?.toUpperCase();
  return first !== undefined && DML.has(first);
}

/** Drops comments and literals ({@link sanitizeQuery}), collapses whitespace and cuts to `max` characters. */
export function shortenQuery(sql: string, max = 120): string {
  const one = sanitizeQuery(sql);
  return one.length <= max ? one : `${one.slice(0, max - 1).trimEnd()}…`;
}

/** The top `n` statements by execution time between two snapshots. */
export function topStatements(before: StatementSnapshot, after: StatementSnapshot, n = 5): SlowQuery[] {
  const deltas: { query: string; calls: number; ms: number }[] = [];
  for (const [id, a] of after) {
    const b = before.get(id);
    // An entry evicted and re-created (or a stats reset) shows smaller totals: count it from zero.
    const reset = b !== undefined && (a.calls < b.calls || a.totalMs < b.totalMs);
    const calls = a.calls - (b && !reset ? b.calls : 0);
    const ms = a.totalMs - (b && !reset ? b.totalMs : 0);
    if (calls > 0 && ms >= 0) deltas.push({ query: a.query, calls, ms });
  }
  const total = deltas.reduce((s, d) => s + d.ms, 0);
  deltas.sort((x, y) => y.ms - x.ms);
  return deltas.slice(0, n).map((d) => ({
    query: shortenQuery(d.query),
    meanMs: d.ms / d.calls,
    calls: d.calls,
    totalSeconds: d.ms / 1000,
    percent: total > 0 ? (100 * d.ms) / total : 0,
  }));
}

/** Calls and time of the statements hidden from the role between two snapshots (a reset counted from zero). */
export function hiddenBetween(before: StatementSnapshot | undefined, after: StatementSnapshot | undefined): { calls: number; totalMs: number } {
  const a = after?.hidden ?? { calls: 0, totalMs: 0 };
  const b = before?.hidden ?? { calls: 0, totalMs: 0 };
  const reset = a.calls < b.calls || a.totalMs < b.totalMs;
  return reset ? a : { calls: a.calls - b.calls, totalMs: a.totalMs - b.totalMs };
}

/** Why the table misses statements: the role may not read other roles' statement texts. */
export function hiddenStatementsReason(role: string, hidden: { calls: number; totalMs: number }): string {
  const r = role.replace(/[^A-Za-z0-9_.-]/g, '?');
  return `the role \`${r}\` may not read other roles' statements (${hidden.calls} calls, ${(hidden.totalMs / 1000).toFixed(2)} s during the run are hidden from it): GRANT pg_read_all_stats TO ${r} (or pg_monitor)`;
}

export function slowQueryReport(before: StatementSnapshot | undefined, after: StatementSnapshot | undefined, reason?: string, role?: string): SlowQueryReport {
  if (!before || !after) return { available: false, reason: reason ?? MISSING_EXTENSION, rows: [] };
  const rows = topStatements(before, after);
  const hidden = hiddenBetween(before, after);
  // Only hidden statements ran: "no statements ran" would be wrong.
  if (rows.length === 0 && hidden.calls > 0) return { available: false, reason: hiddenStatementsReason(role ?? 'current_user', hidden), rows: [] };
  return { available: true, rows };
}
