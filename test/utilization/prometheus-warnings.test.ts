// A Prometheus-compatible API (Thanos Query, Mimir) answering with `warnings` — a partial response
// when a store is down: the figures are kept, and a note says they may rest on part of the data.
// A local HTTP server speaks the query and query_range shapes, as Thanos does on a partial response.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWindow } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig } from '../../src/model.js';
import { matrixBody } from '../support/fake-prometheus.js';

const WARNING = 'receive series from Addr: 10.0.3.7:10901 LabelSets: {cluster="preview"}: rpc error: code = Unavailable desc = connection refused';
let server: Server;
let base = '';
/** Whether the server adds its warning (the partial response) to query_range answers. */
let partial = true;

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    res.writeHead(200, { 'content-type': 'application/json' });
    const warnings = partial ? { warnings: [WARNING] } : {};
    if (u.pathname === '/api/v1/query_range') {
      res.end(matrixBody(u, 12, warnings));
    } else {
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Number(u.searchParams.get('time')), '30'] }] } }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const log: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, debug: () => undefined, group: (_n, fn) => fn() };

describe('a partial response (warnings) from a Prometheus-compatible API', () => {
  const cfg = (): UtilizationConfig => ({
    sources: { prometheus: { url: base } },
    metrics: [{ name: 'queue_depth', prometheus: 'sum(queue_depth{queue="orders"})', params: {}, unit: 'count', pos: { file: 'thresholds.yml', line: 1, column: 1 } }],
    intervalSeconds: 1,
    slowQueries: false,
    scrapeWaitSeconds: 0,
  });

  it('keeps the figures and says in a note that they may rest on part of the data, with the warning', async () => {
    partial = true;
    const now = Date.now();
    const res = await collectWindow(cfg(), { start: now - 30_000, end: now }, log);
    expect(res.measure('queue_depth', { kind: 'max' })).toEqual({ value: 12 });
    expect(res.notes).toEqual([`queue_depth: Prometheus answered with a warning, so the figures may rest on part of the data: ${WARNING}`]);
  });

  it('no note without warnings', async () => {
    partial = false;
    const now = Date.now();
    const res = await collectWindow(cfg(), { start: now - 30_000, end: now }, log);
    expect(res.measure('queue_depth', { kind: 'max' })).toEqual({ value: 12 });
    expect(res.notes).toEqual([]);
  });
});
