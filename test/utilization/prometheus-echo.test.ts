// A proxy in front of Prometheus that refuses the request and echoes its headers in the body: the
// reason quotes the body, but never the Basic credentials perf-gate built from the URL's user:password.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vectorOne } from '../support/prometheus-one.js';

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

describe('a refusal that echoes the Authorization header', () => {
  it('is quoted with the Basic credentials masked', async () => {
    const { said } = await vectorOne(`http://admin:${PASSWORD}@${address}`);
    expect(said).toContain('403');
    expect(said).toContain('denied: Basic ***');
    expect(said).not.toContain(Buffer.from(`admin:${PASSWORD}`).toString('base64'));
    expect(said).not.toContain(PASSWORD);
  });
});
