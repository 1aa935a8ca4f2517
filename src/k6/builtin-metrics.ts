// The metrics k6 writes by itself (and perf-gate's derived `availability`), with their type, so
// thresholds.yml can be checked before anything runs: `p(99)` on a counter is an error at load time.
import type { MetricInfo, MetricType } from '../model.js';

const LIST: readonly MetricInfo[] = [
  // HTTP
  { name: 'http_reqs', type: 'counter', contains: 'default' },
  { name: 'http_req_duration', type: 'trend', contains: 'time' },
  { name: 'http_req_blocked', type: 'trend', contains: 'time' },
  { name: 'http_req_connecting', type: 'trend', contains: 'time' },
  { name: 'http_req_tls_handshaking', type: 'trend', contains: 'time' },
  { name: 'http_req_sending', type: 'trend', contains: 'time' },
  { name: 'http_req_waiting', type: 'trend', contains: 'time' },
  { name: 'http_req_receiving', type: 'trend', contains: 'time' },
  { name: 'http_req_failed', type: 'rate', contains: 'default' },
  // execution
  { name: 'vus', type: 'gauge', contains: 'default' },
  { name: 'vus_max', type: 'gauge', contains: 'default' },
  { name: 'iterations', type: 'counter', contains: 'default' },
  { name: 'iteration_duration', type: 'trend', contains: 'time' },
  { name: 'dropped_iterations', type: 'counter', contains: 'default' },
  { name: 'group_duration', type: 'trend', contains: 'time' },
  { name: 'checks', type: 'rate', contains: 'default' },
  { name: 'data_sent', type: 'counter', contains: 'data' },
  { name: 'data_received', type: 'counter', contains: 'data' },
  // WebSockets (k6/ws and k6/experimental/websockets)
  { name: 'ws_connecting', type: 'trend', contains: 'time' },
  { name: 'ws_session_duration', type: 'trend', contains: 'time' },
  { name: 'ws_ping', type: 'trend', contains: 'time' },
  { name: 'ws_sessions', type: 'counter', contains: 'default' },
  { name: 'ws_msgs_sent', type: 'counter', contains: 'default' },
  { name: 'ws_msgs_received', type: 'counter', contains: 'default' },
  // gRPC
  { name: 'grpc_req_duration', type: 'trend', contains: 'time' },
  { name: 'grpc_streams', type: 'counter', contains: 'default' },
  { name: 'grpc_streams_msgs_sent', type: 'counter', contains: 'default' },
  { name: 'grpc_streams_msgs_received', type: 'counter', contains: 'default' },
  // derived by perf-gate from http_reqs points: share of requests not 5xx and not failed in transport
  { name: 'availability', type: 'rate', contains: 'default' },
];

/** k6's built-in metrics by name, plus the derived `availability` (a rate). */
export const BUILTIN_METRICS: ReadonlyMap<string, MetricInfo> = new Map(LIST.map((m) => [m.name, m]));

/**
 * The aggregations a threshold may use on a metric of `type`, as k6 spells them (`p(N)` stands for any
 * percentile). k6 accepts only `value` on a gauge; perf-gate also answers `min` and `max` there (the
 * end-of-test summary reports them), so they are allowed.
 */
export function allowedAggregations(type: MetricType): string[] {
  switch (type) {
    case 'counter':
      return ['count', 'rate'];
    case 'gauge':
      return ['value', 'min', 'max'];
    case 'rate':
      return ['rate'];
    case 'trend':
      return ['avg', 'min', 'max', 'med', 'p(N)'];
  }
}

/** Aggregations over a utilization series (samples over the run window) and `value` for a whole-window figure. */
export const SERIES_AGGREGATIONS: readonly string[] = ['avg', 'min', 'max', 'med', 'p(N)', 'value'];

/**
 * k6 built-ins that nothing in perf-gate reads unless a rule names them: the six timing phases k6
 * writes for every request besides its duration, iterations and their duration, data volumes,
 * `vus_max` and group durations. On a typical `--out json` file they are over half of the lines.
 */
export const DETAIL_METRICS: readonly string[] = [
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'iterations',
  'iteration_duration',
  'data_sent',
  'data_received',
  'vus_max',
  'group_duration',
];

/** The detail metrics ingestion may pass over when the rules name only `named` metrics. */
export function unreadMetrics(named: Iterable<string>): string[] {
  const keep = new Set(named);
  return DETAIL_METRICS.filter((m) => !keep.has(m));
}
