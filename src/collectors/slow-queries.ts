// Top statements by time spent during a run, from pg_stat_statements snapshots taken before and after.
import type { SlowQuery, SlowQueryReport } from '../model.js';

export const MISSING_EXTENSION =
  'pg_stat_statements is not installed: add it to shared_preload_libraries and CREATE EXTENSION pg_stat_statements';

/** Statements the collectors run themselves start with this comment and are left out of every figure. */
export const PROBE_TAG = '/* perf-gate probe */';

export interface StatementStat {
  query: string;
  calls: number;
  totalMs: number;
}

/** queryid (per user and database) → totals. */
export type StatementSnapshot = Map<string, StatementStat>;

/** Anything that runs SQL (a pg Client). */
export interface Queryable {
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Whether pg_stat_statements can be read here; the reason when not. */
export async function statementsAvailable(db: Queryable): Promise<{ ok: true; column: string } | { ok: false; reason: string }> {
  try {
    const ext = await db.query(`${PROBE_TAG} SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
    if (ext.rows.length === 0) return { ok: false, reason: MISSING_EXTENSION };
    // PostgreSQL 13 renamed total_time to total_exec_time.
    const cols = await db.query(
      `${PROBE_TAG} SELECT attname FROM pg_attribute WHERE attrelid = 'pg_stat_statements'::regclass AND attname IN ('total_exec_time', 'total_time')`,
    );
    const names = cols.rows.map((r) => String(r.attname));
    const column = names.includes('total_exec_time') ? 'total_exec_time' : 'total_time';
    await db.query(`${PROBE_TAG} SELECT 1 FROM pg_stat_statements LIMIT 1`);
    return { ok: true, column };
  } catch (err) {
    const msg = (err as Error).message;
    if (/shared_preload_libraries|pg_stat_statements/.test(msg)) return { ok: false, reason: MISSING_EXTENSION };
    return { ok: false, reason: `pg_stat_statements could not be read: ${msg}` };
  }
}

export async function snapshotStatements(db: Queryable, column: string): Promise<StatementSnapshot> {
  const res = await db.query(
    `${PROBE_TAG} SELECT userid::text || ':' || dbid::text || ':' || coalesce(queryid::text, md5(query)) AS id, query, calls::float8 AS calls, ${column}::float8 AS total_ms ` +
      `FROM pg_stat_statements WHERE query NOT LIKE '/* perf-gate%'`,
  );
  const snap: StatementSnapshot = new Map();
  for (const r of res.rows) {
    const id = String(r.id);
    const prev = snap.get(id);
    // toplevel true/false rows of one statement (PostgreSQL 14+) are added up.
    const calls = Number(r.calls) + (prev?.calls ?? 0);
    const totalMs = Number(r.total_ms) + (prev?.totalMs ?? 0);
    snap.set(id, { query: String(r.query), calls, totalMs });
  }
  return snap;
}

/** Collapses whitespace and cuts to `max` characters. */
export function shortenQuery(sql: string, max = 120): string {
  const one = sql.replace(/\s+/g, ' ').trim();
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

export function slowQueryReport(before: StatementSnapshot | undefined, after: StatementSnapshot | undefined, reason?: string): SlowQueryReport {
  if (!before || !after) return { available: false, reason: reason ?? MISSING_EXTENSION, rows: [] };
  return { available: true, rows: topStatements(before, after) };
}
