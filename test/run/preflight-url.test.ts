// The preflight with base URLs that carry credentials or a query, and redirects; what it logs.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { bypassesProxy, fetchTarget, joinUrl, preflight } from '../../src/k6/preflight.js';
import { maskUrl, urlSecrets } from '../../src/mask.js';
import { InputError } from '../../src/errors.js';
import { recordingLogger } from './helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function serve(handler: (req: IncomingMessage) => { status: number; headers?: Record<string, string> }): Promise<{ port: number; seen: { url: string; auth?: string }[] }> {
  const seen: { url: string; auth?: string }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
    const { status, headers } = handler(req);
    res.writeHead(status, headers).end('ok');
  });
  servers.push(server);
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ port: (server.address() as { port: number }).port, seen })));
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('preflight URL', () => {
  it('joins the path to the base path and keeps the base query', () => {
    expect(joinUrl('http://h/?token=abc', '/healthz')).toBe('http://h/healthz?token=abc');
    expect(joinUrl('http://h/api/?x-vercel-protection-bypass=s&lang=en', 'ready')).toBe('http://h/api/ready?x-vercel-protection-bypass=s&lang=en');
    expect(joinUrl('http://h/api?a=1', '/ready?deep=1')).toBe('http://h/api/ready?a=1&deep=1');
    expect(joinUrl('http://u:p@h:8080', '/')).toBe('http://u:p@h:8080/');
  });

  it('sends user-info as Basic authorization, not in the URL', () => {
    expect(fetchTarget('http://alice:s3cret@h/healthz')).toEqual({ url: 'http://h/healthz', headers: { authorization: basic('alice', 's3cret') } });
    expect(fetchTarget('http://al%40ce:p%3Ass@h/')).toEqual({ url: 'http://h/', headers: { authorization: basic('al@ce', 'p:ss') } });
    expect(fetchTarget('http://h/x?y=1')).toEqual({ url: 'http://h/x?y=1', headers: {} });
  });
});

describe('masking', () => {
  it('masks user-info and secret-looking query parameters, keeps the others', () => {
    expect(maskUrl('http://alice:s3cret@h/healthz')).toBe('http://***@h/healthz');
    expect(maskUrl('https://p.vercel.app/?x-vercel-protection-bypass=abc&page=2&api_key=k&access_token=t&lang=en')).toBe(
      'https://p.vercel.app/?x-vercel-protection-bypass=***&page=2&api_key=***&access_token=***&lang=en',
    );
    expect(maskUrl('GET http://h/healthz?token=abc failed; see http://h/?password=pw&sig=s&user=bob')).toBe(
      'GET http://h/healthz?token=*** failed; see http://h/?password=***&sig=***&user=bob',
    );
  });

  it('lists the user name and password of a URL as secrets, decoded too, without empty ones', () => {
    expect(urlSecrets('http://alice:s3cret@h/')).toEqual(['alice', 's3cret']);
    expect(urlSecrets('http://:p%40ss@h/')).toEqual(['p%40ss', 'p@ss']);
    expect(urlSecrets('http://h/')).toEqual([]);
    expect(urlSecrets('not a url')).toEqual([]);
  });
});

describe('preflight against a local server', () => {
  it('a base URL with credentials: fetch gets them as a header; nothing logged shows them', async () => {
    const { port, seen } = await serve((req) => ({ status: req.headers.authorization === basic('alice', 's3cret') ? 200 : 401 }));
    const log = recordingLogger();
    const got = await preflight(`http://alice:s3cret@127.0.0.1:${port}/`, { path: '/healthz', expectStatus: 200, timeoutSeconds: 5, intervalMs: 20 }, log);
    expect(got.status).toBe(200);
    expect(got.url).toBe(`http://***@127.0.0.1:${port}/healthz`);
    expect(seen).toEqual([{ url: '/healthz', auth: basic('alice', 's3cret') }]);
    expect(log.text()).toContain(`http://***@127.0.0.1:${port}/healthz`);
    expect(log.text()).not.toContain('s3cret');
    expect(log.text()).not.toContain('alice');
  });

  it('the error of a failing preflight masks credentials and secret query parameters', async () => {
    const { port } = await serve(() => ({ status: 503 }));
    const log = recordingLogger();
    const run = preflight(`http://alice:s3cret@127.0.0.1:${port}/?token=abc123&lang=en`, { path: '/healthz', expectStatus: 200, timeoutSeconds: 0.3, intervalMs: 50 }, log);
    const error = await run.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error?.message).toContain(`http://***@127.0.0.1:${port}/healthz?token=***&lang=en did not answer 200`);
    expect(error?.message).toContain('last: status 503');
    for (const text of [error?.message ?? '', log.text()]) {
      expect(text).not.toContain('s3cret');
      expect(text).not.toContain('abc123');
    }
  });

  it('a base URL with a query polls the path with that query', async () => {
    const { port, seen } = await serve((req) => ({ status: req.url === '/healthz?token=abc' ? 200 : 404 }));
    const log = recordingLogger();
    const got = await preflight(`http://127.0.0.1:${port}/?token=abc`, { path: '/healthz', expectStatus: 200, timeoutSeconds: 5, intervalMs: 20 }, log);
    expect(got.status).toBe(200);
    expect(seen.map((s) => s.url)).toEqual(['/healthz?token=abc']);
    expect(log.text()).toContain('/healthz?token=***');
    expect(log.text()).not.toContain('abc');
  });

  it('follows redirects, as k6 does', async () => {
    const { port, seen } = await serve((req) =>
      req.url === '/healthz' ? { status: 301, headers: { location: '/healthz/' } } : req.url === '/healthz/' ? { status: 302, headers: { location: '/ready' } } : { status: 200 },
    );
    const got = await preflight(`http://127.0.0.1:${port}`, { path: '/healthz', expectStatus: 200, timeoutSeconds: 5, intervalMs: 20 }, recordingLogger());
    expect(got).toMatchObject({ status: 200, attempts: 1 });
    expect(seen.map((s) => s.url)).toEqual(['/healthz', '/healthz/', '/ready']);
  });
});

describe('preflight through a proxy', () => {
  it('goes through the proxy the environment names (Node’s fetch alone ignores HTTP_PROXY), and direct for NO_PROXY hosts', async () => {
    // a forward proxy: it answers for any absolute-form request it is sent
    const proxy = await serve(() => ({ status: 200 }));
    const env = { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, https_proxy: `http://127.0.0.1:${proxy.port}` };
    const log = recordingLogger();
    const r = await preflight('http://preview.internal.example/app/', { path: '/healthz', expectStatus: 200, timeoutSeconds: 5, intervalMs: 50, env }, log);
    expect(r.status).toBe(200);
    expect(proxy.seen.map((s) => s.url)).toEqual(['http://preview.internal.example/app/healthz']);
    // a host under NO_PROXY is asked directly: the environment itself answers
    const direct = await serve(() => ({ status: 200 }));
    const d = await preflight(`http://127.0.0.1:${direct.port}/`, { path: '/', expectStatus: 200, timeoutSeconds: 5, intervalMs: 50, env: { ...env, NO_PROXY: '127.0.0.1' } }, log);
    expect(d.status).toBe(200);
    expect(direct.seen).toHaveLength(1);
    expect(proxy.seen).toHaveLength(1);
  });

  it('a proxy given without a scheme (proxy.corp:3128) is http://, as curl and k6 take it; an unusable one is a warning, and the request goes direct', async () => {
    const proxy = await serve(() => ({ status: 200 }));
    const log = recordingLogger();
    const r = await preflight('http://preview.internal.example/', { path: '/', expectStatus: 200, timeoutSeconds: 5, intervalMs: 50, env: { HTTP_PROXY: `127.0.0.1:${proxy.port}` } }, log);
    expect(r.status).toBe(200);
    expect(proxy.seen.map((s) => s.url)).toEqual(['http://preview.internal.example/']);
    const direct = await serve(() => ({ status: 200 }));
    const d = await preflight(`http://127.0.0.1:${direct.port}/`, { path: '/', expectStatus: 200, timeoutSeconds: 5, intervalMs: 50, env: { HTTP_PROXY: 'http://[not a host' } }, log);
    expect(d.status).toBe(200);
    expect(log.text()).toMatch(/preflight: the proxy .* is not usable \(.*\): asking http:\/\/127\.0\.0\.1:\d+\/ directly/);
  });

  it('NO_PROXY as curl reads it: names, domain suffixes, ports, *', () => {
    const u = (s: string) => new URL(s);
    expect(bypassesProxy(u('http://api.internal.example/'), 'localhost,.internal.example')).toBe(true);
    expect(bypassesProxy(u('http://internal.example/'), '.internal.example')).toBe(true);
    expect(bypassesProxy(u('http://notinternal.example/'), 'internal.example')).toBe(false);
    expect(bypassesProxy(u('https://10.0.0.1:8443/'), '10.0.0.1:8443')).toBe(true);
    expect(bypassesProxy(u('https://10.0.0.1/'), '10.0.0.1:8443')).toBe(false);
    expect(bypassesProxy(u('http://anything/'), '*')).toBe(true);
    expect(bypassesProxy(u('http://x.example/'), undefined)).toBe(false);
  });
});
