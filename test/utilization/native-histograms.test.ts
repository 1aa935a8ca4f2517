// An expression whose series hold native histograms (Prometheus answers `histograms` / `histogram`
// instead of `values` / `value`) has no number to judge: the reason says so and how to wrap it,
// instead of the collection failing on the missing field.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../src/collectors/prometheus.js';

const HISTOGRAM = { count: '12', sum: '3.4', buckets: [[0, '0.1', '0.2', '12']] };
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const t = Number(u.searchParams.get('time') ?? u.searchParams.get('start') ?? 0);
    const body =
      u.pathname === '/api/v1/query_range'
        ? { resultType: 'matrix', result: [{ metric: { job: 'api' }, histograms: [[t, HISTOGRAM]] }] }
        : u.searchParams.get('query')?.includes('[')
          ? { resultType: 'matrix', result: [{ metric: {}, histograms: [[t, HISTOGRAM]] }] }
          : { resultType: 'vector', result: [{ metric: { job: 'api' }, histogram: [t, HISTOGRAM] }] };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: body }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('a Prometheus answer of native histograms', () => {
  it('range, instant and raw samples: not ok, saying to wrap the expression — no exception', async () => {
    const client = new PrometheusClient(base);
    const window = { start: 1_767_258_000_000, end: 1_767_258_060_000 };
    for (const r of [
      await client.range('sum(rate(http_server_duration_seconds[1m]))', window),
      await client.instant('http_server_duration_seconds', window.end),
      await client.samples('http_server_duration_seconds', 60_000, window.end),
    ]) {
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(/^the expression returns native histograms, not numbers: wrap it .*histogram_quantile\(0\.99, …\)/);
    }
  });
});
