// With a 60 s scrape interval (Prometheus's default scrape_interval), a rate() over 60 s holds at most
// one sample and answers nothing: the default range follows the measured scrape interval (at least 2
// scrapes), so rate-based presets have data. A local HTTP server speaks the
// Prometheus API's shapes and, like Prometheus, answers a rate() whose range holds fewer than two
// scrapes with no series.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWindow } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig, UtilizationMetricConfig } from '../../src/model.js';
import { matrixBody } from '../support/fake-prometheus.js';
import { createServer, type Server } from 'node:http';

const SCRAPE = 60;
const window = { start: 1_800_000_000_000, end: 1_800_000_000_000 + 20 * 60_000 };
let server: Server;
let base = '';
const ranges: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const query = u.searchParams.get('query') ?? '';
    res.setHeader('content-type', 'application/json');
    if (u.pathname === '/api/v1/query_range') {
      const r = /\[(\d+)s\]/.exec(query);
      ranges.push(r?.[1] ?? '');
      // fewer than two scrapes in the range: rate() is empty
      if (r && Number(r[1]) < 2 * SCRAPE) return res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }));
      return res.end(matrixBody(u, 42));
    }
    // instant queries: the samples a series has over the window (one a minute), else one value
    const samples = query.startsWith('max(count_over_time(') ? (window.end - window.start) / 1000 / SCRAPE : 42;
    return res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: query.startsWith('max(timestamp(') ? [] : [{ metric: {}, value: [window.end / 1000, String(samples)] }] } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const quiet: Logger = { info() {}, warning() {}, error() {}, debug() {}, group: (_n, fn) => fn() };
const pos = { file: 'thresholds.yml', line: 1, column: 1 };
const preset = (name: string, p: string, params: Record<string, string> = {}): UtilizationMetricConfig => ({ name, preset: p, params, pos });
const cfg = (metrics: UtilizationMetricConfig[]): UtilizationConfig => ({ sources: { prometheus: { url: base } }, metrics, intervalSeconds: 1, slowQueries: false });

describe('a 60 s scrape interval', () => {
  it('rate-based presets take a range of 2 scrapes and have data; rate_window still decides when set', async () => {
    ranges.length = 0;
    const res = await collectWindow(cfg([preset('api_cpu', 'k8s.cpu', { namespace: 'preview', workload: 'api' }), preset('redis_ops', 'redis.ops')]), window, quiet);
    expect(res.measure('api_cpu', { kind: 'avg' })).toEqual({ value: 42 });
    expect(res.measure('redis_ops', { kind: 'max' })).toEqual({ value: 42 });
    expect(ranges.filter((r) => r !== '')).toContain('120');
    expect(ranges).not.toContain('60');
    ranges.length = 0;
    const own = await collectWindow(cfg([preset('redis_ops', 'redis.ops', { rate_window: '90s' })]), window, quiet);
    expect(ranges).toContain('90');
    expect('noData' in own.measure('redis_ops', { kind: 'max' })).toBe(true);
  });
});
