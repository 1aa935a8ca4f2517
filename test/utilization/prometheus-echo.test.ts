// A proxy in front of Prometheus that refuses the request and echoes its headers in the body: the
// reason quotes the body, but never the Basic credentials perf-gate built from the URL's user:password.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWindow } from '../../src/collectors/collect.js';
import type { Logger, UtilizationConfig } from '../../src/model.js';

const PASSWORD = 'pr0xy-S3cret';
let server: Server;
let address = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = 403;
    res.setHeader('content-type', 'text/plain');
    res.end(`denied: ${req.headers.authorization ?? 'no credentials'}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  address = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const log: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, debug: () => undefined, group: (_n, fn) => fn() };

describe('a refusal that echoes the Authorization header', () => {
  it('is quoted with the Basic credentials masked', async () => {
    const cfg: UtilizationConfig = {
      sources: { prometheus: { url: `http://admin:${PASSWORD}@${address}` } },
      metrics: [{ name: 'one', prometheus: 'vector(1)', params: {}, pos: { file: 'thresholds.yml', line: 1, column: 1 } }],
      intervalSeconds: 1,
      slowQueries: false,
      scrapeWaitSeconds: 0,
    };
    const now = Date.now();
    const res = await collectWindow(cfg, { start: now - 5000, end: now }, log);
    const m = res.measure('one', { kind: 'max' });
    const said = JSON.stringify([m, res.notes]);
    expect(said).toContain('403');
    expect(said).toContain('denied: Basic ***');
    expect(said).not.toContain(Buffer.from(`admin:${PASSWORD}`).toString('base64'));
    expect(said).not.toContain(PASSWORD);
  });
});
