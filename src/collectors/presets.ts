// Utilization presets: what each measures, its unit, and how it is read — directly from the server
// (PostgreSQL over one connection, Redis INFO) or from exporter metrics in Prometheus.
import type { Unit } from '../model.js';
import { PRESET_NAMES, type PresetName } from './presets-list.js';

export { PRESET_NAMES, type PresetName };

export type Family = 'k8s' | 'postgres' | 'redis';

/** One reading of a direct probe. */
export interface PgReading {
  t: number;
  connections: number;
  maxConnections: number;
  blksHit: number;
  blksRead: number;
  /**
   * blks_hit and blks_read per database (by datid): increases are taken per database, so a database
   * dropped (or its statistics reset) mid-run is not read as a reset of the sum.
   */
  blocks?: Record<string, [hit: number, read: number]>;
  /** pg_stat_statements totals (absent when the extension is not available). */
  calls?: number;
  execMs?: number;
}

export interface RedisReading {
  t: number;
  usedMemory: number;
  maxmemory: number;
  /** total_commands_processed, with the probe's own INFO calls already subtracted. */
  commands: number;
  hits: number;
  misses: number;
}

/**
 * A whole-window value from counters: scale × Σincrease(numerator) ÷ (Σincrease(denominator), or the
 * window's seconds). Each entry is a counter selector; its increase over the window is
 * `sum(increase(<selector>[<window>]))` at the window's end, which counts resets per series.
 */
export interface CounterValue {
  numerator: string[];
  denominator: string[] | 'seconds';
  scale: number;
  /** What a zero denominator means for this figure (`no keyspace lookups: 0 hits, 0 misses`). */
  idle?: string;
}

/** What a zero denominator means, per ratio preset: said in the no-data reason. */
export const IDLE = {
  hitRate: 'no keyspace lookups: 0 hits, 0 misses — nothing was read from this Redis',
  cacheHit: 'no buffer accesses: 0 hits, 0 reads',
  latency: 'no statements: 0 calls',
} as const;

/** The no-data reason of a ratio whose denominator did not move over `where` ('window', 'rule’s window'). */
export function noActivity(idle: string | undefined, where = 'window'): string {
  return `no activity in the ${where} (${idle ?? 'the counters did not move'})`;
}

export interface PromPlan {
  /** The series, evaluated with query_range over the window. */
  series: string;
  /** For counter-based presets: the whole-window value from the counters' increase over the window. */
  value?: CounterValue;
  /** What Prometheus must have for this to work (said in the no-data reason). */
  needs: string;
  /** When the series is empty: a query (range over the window) that tells a more precise reason when it is empty too. */
  ifEmpty?: { query: string; reason: string };
}

export interface PresetDef {
  name: PresetName;
  family: Family;
  unit: Unit;
  description: string;
  /** Direct measurement; absent for the Kubernetes presets (Prometheus only). */
  direct?: {
    /**
     * Counter-based: figures come from increases between readings, so the readings that bracket the
     * window (the last one at or before its start, the first one at or after its end) are used; a
     * gauge uses the readings inside the window only.
     */
    counters?: true;
    series(readings: readonly (PgReading | RedisReading)[]): number[];
    value?(readings: readonly (PgReading | RedisReading)[]): number | { noData: string } | undefined;
  };
  prometheus(params: Record<string, string>, rateRange: string): PromPlan | { error: string };
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
const escRe = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The characters Kubernetes uses in generated names (k8s.io/apimachinery/pkg/util/rand): no vowels,
 * no 0, 1 or 3. A Deployment's ReplicaSet hash (`pod-template-hash`) and the 5-character pod suffix
 * are drawn from it.
 */
const K8S_ALNUM = '[bcdfghjklmnpqrstvwxz2456789]';

/**
 * The pod-name regex of a workload: a Deployment's pods (`<name>-<replicaset hash>-<5 chars>`) or a
 * StatefulSet's (`<name>-<ordinal>`). Other workloads whose names start with `<name>-`
 * (`api-redis-0`, `api-migrate-x2k4q`, `api-canary-0` for `api`) do not match.
 */
export function workloadPodRegex(workload: string): string {
  return `${escRe(workload)}-(?:${K8S_ALNUM}{1,10}-${K8S_ALNUM}{5}|[0-9]+)`;
}

/** Label matchers for the workload's pods: `namespace="ns",pod=~"<workload pods>"` (Deployment or StatefulSet). */
export function podSelector(params: Record<string, string>): string | { error: string } {
  const ns = params.namespace;
  if (!ns) return { error: 'the Kubernetes presets need a `namespace` parameter' };
  const parts = [`namespace="${esc(ns)}"`];
  const regex = params.pod_regex ?? (params.workload ? workloadPodRegex(params.workload) : undefined);
  if (regex) parts.push(`pod=~"${esc(regex)}"`);
  return parts.join(',');
}

function containerSelector(params: Record<string, string>): string {
  // cAdvisor also reports the pod cgroup (container="") and the pause container (container="POD").
  return params.container ? `container="${esc(params.container)}"` : 'container!="",container!="POD"';
}

const BY_CONTAINER = 'namespace,pod,container';

/**
 * The workload's containers' limits of `resource`, for pods not known to be in another phase than
 * Running (kube_pod_status_phase; pods without that series count): one series per container.
 */
function limitsOf(pods: string, c: string, resource: 'cpu' | 'memory'): string {
  return `(kube_pod_container_resource_limits{${pods},${c},resource="${resource}"} unless on(namespace,pod) (kube_pod_status_phase{${pods},phase!="Running"} == 1))`;
}

/**
 * `100 × Σ usage ÷ Σ limit`, over the same containers: usage only of containers that have a limit
 * (matched on namespace, pod and container), limits only of pods that run.
 */
function percentOfLimits(usage: string, pods: string, c: string, resource: 'cpu' | 'memory'): string {
  const limits = limitsOf(pods, c, resource);
  return `100 * sum(sum by (${BY_CONTAINER}) (${usage}) and on(${BY_CONTAINER}) ${limits}) / sum(${limits})`;
}

function workloadName(params: Record<string, string>): string {
  return params.workload ?? (params.pod_regex ? `the pods matching ${params.pod_regex}` : `namespace ${params.namespace ?? ''}`);
}

function pairs<T extends { t: number }>(rs: readonly T[], f: (a: T, b: T) => number | undefined): number[] {
  const out: number[] = [];
  for (let i = 1; i < rs.length; i++) {
    const v = f(rs[i - 1]!, rs[i]!);
    if (v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out;
}

function ratio(num: number, den: number): number | undefined {
  return den > 0 ? num / den : undefined;
}

function hitRatio(hits: number, misses: number): number | undefined {
  return ratio(hits, hits + misses);
}

const pg = (rs: readonly (PgReading | RedisReading)[]) => rs as readonly PgReading[];
const rd = (rs: readonly (PgReading | RedisReading)[]) => rs as readonly RedisReading[];
/** A counter's increase from one reading to the next; a decrease is a reset (stats reset, restart), counted from zero. */
export function counterIncrease(a: number, b: number): number {
  return b >= a ? b - a : Math.max(0, b);
}

/**
 * Blocks hit and read between two readings: per database when both have them (a database gone from
 * the second adds nothing; one new in it adds its count), else from the sums.
 */
function blockIncrease(a: PgReading, b: PgReading): [hit: number, read: number] {
  if (!a.blocks || !b.blocks) return [counterIncrease(a.blksHit, b.blksHit), counterIncrease(a.blksRead, b.blksRead)];
  let hit = 0;
  let read = 0;
  for (const [db, [h, r]] of Object.entries(b.blocks)) {
    const [h0, r0] = a.blocks[db] ?? [0, 0];
    hit += counterIncrease(h0, h);
    read += counterIncrease(r0, r);
  }
  return [hit, read];
}

/** Blocks hit and read over consecutive readings (blockIncrease summed). */
function blocksOver(rs: readonly PgReading[]): [hit: number, read: number] {
  let hit = 0;
  let read = 0;
  for (let i = 1; i < rs.length; i++) {
    const [h, r] = blockIncrease(rs[i - 1]!, rs[i]!);
    hit += h;
    read += r;
  }
  return [hit, read];
}

/** Σ of a counter's increases over consecutive readings (resets counted from zero). */
function total<T>(rs: readonly T[], get: (r: T) => number): number {
  let sum = 0;
  for (let i = 1; i < rs.length; i++) sum += counterIncrease(get(rs[i - 1]!), get(rs[i]!));
  return sum;
}

const whole = <T extends { t: number }>(rs: readonly T[], f: (rs: readonly T[]) => number | undefined, idle?: string): number | { noData: string } => {
  if (rs.length < 2) return { noData: 'fewer than two probe readings in the window' };
  const v = f(rs);
  return v === undefined ? { noData: noActivity(idle) } : v;
};

const k8sNeeds = 'cAdvisor (container_*) and kube-state-metrics (kube_pod_*) series in Prometheus';

export const PRESETS: Record<PresetName, PresetDef> = {
  'k8s.cpu': {
    name: 'k8s.cpu',
    family: 'k8s',
    unit: 'percent',
    description: 'CPU used by the workload’s containers, % of their CPU limits',
    prometheus(params, range) {
      const pods = podSelector(params);
      if (typeof pods !== 'string') return pods;
      const c = containerSelector(params);
      return {
        series: percentOfLimits(`rate(container_cpu_usage_seconds_total{${pods},${c}}[${range}])`, pods, c, 'cpu'),
        needs: k8sNeeds,
        ifEmpty: { query: `count(${limitsOf(pods, c, 'cpu')})`, reason: `no CPU limits set on ${workloadName(params)}'s containers (kube_pod_container_resource_limits{resource="cpu"} has no series for its running pods)` },
      };
    },
  },
  'k8s.memory': {
    name: 'k8s.memory',
    family: 'k8s',
    unit: 'percent',
    description: 'working-set memory of the workload’s containers, % of their memory limits',
    prometheus(params) {
      const pods = podSelector(params);
      if (typeof pods !== 'string') return pods;
      const c = containerSelector(params);
      return {
        series: percentOfLimits(`container_memory_working_set_bytes{${pods},${c}}`, pods, c, 'memory'),
        needs: k8sNeeds,
        ifEmpty: { query: `count(${limitsOf(pods, c, 'memory')})`, reason: `no memory limits set on ${workloadName(params)}'s containers (kube_pod_container_resource_limits{resource="memory"} has no series for its running pods)` },
      };
    },
  },
  'k8s.pods': {
    name: 'k8s.pods',
    family: 'k8s',
    unit: 'count',
    description: 'ready pods of the workload',
    prometheus(params) {
      const pods = podSelector(params);
      if (typeof pods !== 'string') return pods;
      return { series: `sum(kube_pod_status_ready{${pods},condition="true"})`, needs: 'kube-state-metrics (kube_pod_status_ready) in Prometheus' };
    },
  },
  'postgres.connections': {
    name: 'postgres.connections',
    family: 'postgres',
    unit: 'count',
    description: 'client connections (pg_stat_activity, the probe’s own excluded)',
    direct: { series: (rs) => pg(rs).map((r) => r.connections) },
    prometheus: () => ({ series: 'sum(pg_stat_activity_count)', needs: 'postgres_exporter (pg_stat_activity_count) in Prometheus' }),
  },
  'postgres.connections_pct': {
    name: 'postgres.connections_pct',
    family: 'postgres',
    unit: 'percent',
    description: 'client connections, % of max_connections',
    direct: { series: (rs) => pg(rs).map((r) => (100 * r.connections) / r.maxConnections) },
    prometheus: () => ({
      series: '100 * sum(pg_stat_activity_count) / max(pg_settings_max_connections)',
      needs: 'postgres_exporter (pg_stat_activity_count, pg_settings_max_connections) in Prometheus',
    }),
  },
  'postgres.query_latency': {
    name: 'postgres.query_latency',
    family: 'postgres',
    unit: 'ms',
    description: 'mean statement execution time during the run (Δ total time ÷ Δ calls, pg_stat_statements)',
    direct: {
      counters: true,
      series: (rs) => pairs(pg(rs), (a, b) => (a.calls === undefined || b.calls === undefined ? undefined : ratio(counterIncrease(a.execMs!, b.execMs!), counterIncrease(a.calls, b.calls)))),
      value: (rs) => {
        const r = pg(rs);
        if (r[0]?.calls === undefined) return { noData: 'pg_stat_statements is not installed: add it to shared_preload_libraries and CREATE EXTENSION pg_stat_statements' };
        return whole(r, (x) => ratio(total(x, (y) => y.execMs!), total(x, (y) => y.calls!)), IDLE.latency);
      },
    },
    prometheus: (_p, range) => ({
      series: `1000 * sum(rate(pg_stat_statements_total_time_seconds[${range}])) / sum(rate(pg_stat_statements_calls[${range}]))`,
      value: { numerator: ['pg_stat_statements_total_time_seconds'], denominator: ['pg_stat_statements_calls'], scale: 1000, idle: IDLE.latency },
      needs: 'postgres_exporter with the pg_stat_statements query (examples/alphapulse-api/postgres-exporter-queries.yaml) in Prometheus',
    }),
  },
  'postgres.cache_hit': {
    name: 'postgres.cache_hit',
    family: 'postgres',
    unit: 'ratio',
    description: 'buffer cache hit ratio during the run, Δblks_hit ÷ (Δblks_hit + Δblks_read)',
    direct: {
      counters: true,
      series: (rs) => pairs(pg(rs), (a, b) => hitRatio(...blockIncrease(a, b))),
      value: (rs) => whole(pg(rs), (x) => hitRatio(...blocksOver(x)), IDLE.cacheHit),
    },
    prometheus: (_p, range) => ({
      series: `sum(rate(pg_stat_database_blks_hit[${range}])) / (sum(rate(pg_stat_database_blks_hit[${range}])) + sum(rate(pg_stat_database_blks_read[${range}])))`,
      value: { numerator: ['pg_stat_database_blks_hit'], denominator: ['pg_stat_database_blks_hit', 'pg_stat_database_blks_read'], scale: 1, idle: IDLE.cacheHit },
      needs: 'postgres_exporter (pg_stat_database_blks_hit, pg_stat_database_blks_read) in Prometheus',
    }),
  },
  'redis.memory': {
    name: 'redis.memory',
    family: 'redis',
    unit: 'percent',
    description: 'used_memory, % of maxmemory',
    direct: {
      series: (rs) => rd(rs).filter((r) => r.maxmemory > 0).map((r) => (100 * r.usedMemory) / r.maxmemory),
      value: (rs) => (rd(rs).some((r) => r.maxmemory > 0) ? undefined : { noData: 'Redis maxmemory is 0 (no limit): memory % of maxmemory is undefined; set maxmemory' }),
    },
    prometheus: () => ({
      series: 'sum(redis_memory_used_bytes) / sum(redis_memory_max_bytes > 0) * 100',
      needs: 'redis_exporter (redis_memory_used_bytes, redis_memory_max_bytes > 0, i.e. maxmemory set) in Prometheus',
    }),
  },
  'redis.ops': {
    name: 'redis.ops',
    family: 'redis',
    unit: 'per-second',
    description: 'commands processed per second (Δ total_commands_processed)',
    direct: {
      counters: true,
      series: (rs) => pairs(rd(rs), (a, b) => (b.t > a.t ? counterIncrease(a.commands, b.commands) / ((b.t - a.t) / 1000) : undefined)),
      // Over the time the readings span (last − first), not the window's length.
      value: (rs) => whole(rd(rs), (x) => {
        const seconds = (x[x.length - 1]!.t - x[0]!.t) / 1000;
        return seconds > 0 ? total(x, (y) => y.commands) / seconds : undefined;
      }),
    },
    prometheus: (_p, range) => ({
      series: `sum(rate(redis_commands_processed_total[${range}]))`,
      value: { numerator: ['redis_commands_processed_total'], denominator: 'seconds', scale: 1 },
      needs: 'redis_exporter (redis_commands_processed_total) in Prometheus',
    }),
  },
  'redis.hit_rate': {
    name: 'redis.hit_rate',
    family: 'redis',
    unit: 'ratio',
    description: 'keyspace hit ratio during the run, Δkeyspace_hits ÷ (Δhits + Δmisses)',
    direct: {
      counters: true,
      series: (rs) => pairs(rd(rs), (a, b) => hitRatio(counterIncrease(a.hits, b.hits), counterIncrease(a.misses, b.misses))),
      value: (rs) => whole(rd(rs), (x) => hitRatio(total(x, (y) => y.hits), total(x, (y) => y.misses)), IDLE.hitRate),
    },
    prometheus: (_p, range) => ({
      series: `sum(rate(redis_keyspace_hits_total[${range}])) / (sum(rate(redis_keyspace_hits_total[${range}])) + sum(rate(redis_keyspace_misses_total[${range}])))`,
      value: { numerator: ['redis_keyspace_hits_total'], denominator: ['redis_keyspace_hits_total', 'redis_keyspace_misses_total'], scale: 1, idle: IDLE.hitRate },
      needs: 'redis_exporter (redis_keyspace_hits_total, redis_keyspace_misses_total) in Prometheus',
    }),
  },
};

/**
 * Narrows every exporter metric of a PostgreSQL/Redis preset query by the optional `selector` parameter
 * (label matchers such as `instance="db:9187"`), for a Prometheus that scrapes more than one server.
 */
export function withSelector(query: string, selector: string | undefined): string {
  const extra = selector?.trim().replace(/^\{|\}$/g, '').trim();
  if (!extra) return query;
  return query.replace(/\b((?:pg|redis)_[a-z_]+)\b(?![{(\w])/g, `$1{${extra}}`);
}

export function applySelector(plan: PromPlan, selector: string | undefined): PromPlan {
  if (!selector) return plan;
  const f = (q: string) => withSelector(q, selector);
  const out: PromPlan = { ...plan, series: f(plan.series) };
  if (plan.value) {
    out.value = {
      ...plan.value,
      numerator: plan.value.numerator.map(f),
      denominator: plan.value.denominator === 'seconds' ? 'seconds' : plan.value.denominator.map(f),
    };
  }
  return out;
}

export function isPreset(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}
