import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { joinUrl, preflight } from '../../src/k6/preflight.js';
import { InputError } from '../../src/errors.js';
import { recordingLogger } from './helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function serve(handler: (path: string, n: number) => number, port = 0): Promise<{ port: number; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(handler(req.url ?? '', paths.length)).end('ok');
  });
  servers.push(server);
  return new Promise((r) => server.listen(port, '127.0.0.1', () => r({ port: (server.address() as { port: number }).port, paths })));
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('preflight', () => {
  it('joins base URL and path', () => {
    expect(joinUrl('http://h:1/', '/healthz')).toBe('http://h:1/healthz');
    expect(joinUrl('http://h:1/api', 'ready')).toBe('http://h:1/api/ready');
  });

  it('returns once the path answers the expected status', async () => {
    const { port, paths } = await serve(() => 200);
    const got = await preflight(`http://127.0.0.1:${port}/`, { path: '/healthz', expectStatus: 200, timeoutSeconds: 10, intervalMs: 50 }, recordingLogger());
    expect(got).toMatchObject({ url: `http://127.0.0.1:${port}/healthz`, status: 200, attempts: 1 });
    expect(paths).toEqual(['/healthz']);
  });

  it('keeps polling while the environment answers something else, then succeeds', async () => {
    const { port, paths } = await serve((_, n) => (n <= 3 ? 503 : 204));
    const got = await preflight(`http://127.0.0.1:${port}`, { path: '/ready', expectStatus: 204, timeoutSeconds: 20, intervalMs: 20 }, recordingLogger());
    expect(got.attempts).toBe(4);
    expect(got.status).toBe(204);
    expect(paths).toHaveLength(4);
  });

  it('waits for an environment that is not listening yet', async () => {
    const port = await freePort();
    const log = recordingLogger();
    let started: Promise<unknown> | undefined;
    log.debug = (m: string) => {
      if (!started && m.includes('attempt 1:')) started = serve(() => 200, port);
    };
    const got = await preflight(`http://127.0.0.1:${port}`, { path: '/', expectStatus: 200, timeoutSeconds: 20, intervalMs: 100 }, log);
    expect(started).toBeDefined();
    expect(got.attempts).toBeGreaterThan(1);
    expect(got.status).toBe(200);
  });

  it('fails fast with the last error when nothing ever answers', async () => {
    const port = await freePort();
    const run = preflight(`http://127.0.0.1:${port}`, { path: '/healthz', expectStatus: 200, timeoutSeconds: 0.5, intervalMs: 50 }, recordingLogger());
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(new RegExp(`http://127\\.0\\.0\\.1:${port}/healthz did not answer 200 within 0\\.5s \\(\\d+ attempts?, last: ECONNREFUSED\\)`));
  });

  it('fails with the last status when the environment answers the wrong one', async () => {
    const { port } = await serve(() => 404);
    const run = preflight(`http://127.0.0.1:${port}`, { path: '/health', expectStatus: 200, timeoutSeconds: 0.4, intervalMs: 50 }, recordingLogger());
    await expect(run).rejects.toThrow(/last: status 404/);
    await expect(run).rejects.toThrow(/fix: check --base-url/);
  });
});
