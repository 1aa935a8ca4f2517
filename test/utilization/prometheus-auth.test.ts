// Prometheus behind authentication: configured headers (bearer token, tenant) are sent with every query
// and never shown; an auth proxy's HTML login page (HTTP 200) is no-data saying so. A local HTTP server
// speaks the Prometheus HTTP API's shapes (query, query_range) for the requests it authorizes.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWindow } from '../../src/collectors/collect.js';
import { loadConfig } from '../../src/config/load.js';
import type { Logger } from '../../src/model.js';
import { matrixBody } from '../support/fake-prometheus.js';

const TOKEN = 'pr0m-t0ken-s3cret';
let server: Server;
let base = '';
const seen: { path: string; authorization?: string; org?: string }[] = [];

function authorized(req: IncomingMessage): boolean {
  return req.headers.authorization === `Bearer ${TOKEN}` && req.headers['x-scope-orgid'] === 'tenant-a';
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: u.pathname, authorization: req.headers.authorization, org: req.headers['x-scope-orgid'] as string | undefined });
    if (!authorized(req)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><body><form action="/oauth2/start">Sign in</form></body></html>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (u.pathname === '/api/v1/query_range') {
      res.end(matrixBody(u, 7));
    } else if (u.pathname === '/api/v1/query') {
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Number(u.searchParams.get('time')), '3'] }] } }));
    } else {
      res.end(JSON.stringify({ status: 'error', errorType: 'not_found', error: 'no such endpoint' }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

function memLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warning: (m) => lines.push(m), error: (m) => lines.push(m), debug: (m) => lines.push(m), group: (_n, fn) => fn() };
}

const yml = `version: 1
utilization:
  sources:
    prometheus:
      url: "\${PROMETHEUS_URL}"
      headers:
        Authorization: "Bearer \${PROM_TOKEN}"
        X-Scope-OrgID: tenant-a
  metrics:
    api_up: { prometheus: 'sum(up{job="api"})', unit: count }
`;

describe('Prometheus behind authentication', () => {
  it('sends the configured headers with every query, with ${VAR} expanded', async () => {
    const cfg = loadConfig('thresholds.yml', { text: yml, env: { PROMETHEUS_URL: base, PROM_TOKEN: TOKEN } }).utilization!;
    const now = Date.now();
    seen.length = 0;
    const log = memLog();
    const res = await collectWindow(cfg, { start: now - 120_000, end: now }, log);
    expect(res.measure('api_up', { kind: 'max' })).toEqual({ value: 7 });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((r) => r.authorization === `Bearer ${TOKEN}` && r.org === 'tenant-a')).toBe(true);
    expect(JSON.stringify([res.notes, log.lines])).not.toContain(TOKEN);
  });

  it('an HTML login page answered with 200 is no-data saying so, without the token', async () => {
    const cfg = loadConfig('thresholds.yml', { text: yml, env: { PROMETHEUS_URL: base, PROM_TOKEN: 'wrong-token-value' } }).utilization!;
    const now = Date.now();
    const log = memLog();
    const res = await collectWindow(cfg, { start: now - 120_000, end: now }, log);
    expect(res.measure('api_up', { kind: 'max' })).toEqual({ noData: `Prometheus at ${base} gave not a Prometheus API answer (HTML): check the URL and credentials` });
    expect(JSON.stringify([res.notes, log.lines])).not.toContain('wrong-token-value');
  });

  it('a header whose variable is unset makes the source unavailable, naming the variable', async () => {
    const cfg = loadConfig('thresholds.yml', { text: yml, env: { PROMETHEUS_URL: base } }).utilization!;
    const now = Date.now();
    const res = await collectWindow(cfg, { start: now - 120_000, end: now }, memLog());
    expect(res.measure('api_up', { kind: 'max' })).toEqual({ noData: 'Prometheus source unavailable: PROM_TOKEN is not set (utilization.sources.prometheus.headers.Authorization)' });
  });
});
