// Names of the utilization presets, so thresholds.yml can be checked before anything is collected.
// Each preset is a measurement the load-testing report's section 3.3 needs, without the user writing PromQL.
export const PRESET_NAMES = [
  'k8s.cpu', // API pods: CPU % of limit (cAdvisor + kube-state-metrics)
  'k8s.memory', // API pods: memory % of limit
  'k8s.pods', // API pods: ready pod count
  'postgres.connections', // active connections
  'postgres.connections_pct', // active connections, % of max_connections
  'postgres.query_latency', // mean statement time during the run, ms
  'postgres.cache_hit', // buffer cache hit ratio during the run, 0–1
  'redis.memory', // used memory, % of maxmemory
  'redis.ops', // commands per second
  'redis.hit_rate', // keyspace hit ratio during the run, 0–1
] as const;

export type PresetName = (typeof PRESET_NAMES)[number];
