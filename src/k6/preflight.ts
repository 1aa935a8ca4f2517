// Before any load: wait until the environment under test answers, and fail fast when it never does.
import { InputError } from '../errors.js';
import { maskUrl, scrub } from '../mask.js';
import type { Logger } from '../model.js';
import { pause } from '../pause.js';

export interface PreflightOptions {
  /** URL path polled, e.g. `/healthz`. */
  path: string;
  /** The status that means ready. */
  expectStatus: number;
  /** Give up after this many seconds. */
  timeoutSeconds: number;
  /** Pause between attempts (default 2000 ms). */
  intervalMs?: number;
  /** Cancellation: the polling stops and the preflight throws. */
  signal?: AbortSignal;
  /**
   * The environment whose proxy variables the requests follow (`HTTPS_PROXY`/`https_proxy`,
   * `HTTP_PROXY`/`http_proxy`, `NO_PROXY`/`no_proxy`), as k6 and the k6 download do. Node's own
   * fetch ignores them. Without any, requests go direct.
   */
  env?: Record<string, string | undefined>;
}

/** Whether `NO_PROXY` (`localhost,.internal.example,10.0.0.1:8080`, `*`) names the host of `url`. */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((raw) => {
      if (raw === '*') return true;
      const m = /^(.*?)(?::(\d+))?$/.exec(raw.toLowerCase())!;
      const name = m[1]!.replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
      if (m[2] && m[2] !== port) return false;
      return host === name || host.endsWith(`.${name}`);
    });
}

/**
 * A fetch for `url` through the proxy `env` names for its scheme (`HTTPS_PROXY`/`https_proxy`,
 * `HTTP_PROXY`/`http_proxy`, unless `NO_PROXY`/`no_proxy` names the host), as k6 and the k6
 * download do; Node's own fetch ignores them. undici (already bundled for the GitHub client) is
 * loaded only then. A plain-http target is sent to the proxy as a forward request, not a CONNECT
 * tunnel (proxies often allow CONNECT to port 443 only).
 */
async function fetchFor(url: string, env: Record<string, string | undefined> | undefined, log: Logger): Promise<typeof fetch> {
  // upper case first, as k6 (Go's net/http) reads them
  const pick = (name: string) => env?.[name.toUpperCase()] || env?.[name] || undefined;
  const u = new URL(url);
  const given = pick(u.protocol === 'https:' ? 'https_proxy' : 'http_proxy');
  if (!given || bypassesProxy(u, pick('no_proxy'))) return fetch;
  // `proxy.corp:3128` without a scheme is http://, as curl and Go take it
  const proxy = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `http://${given}`;
  const undici = await import('undici');
  let dispatcher: InstanceType<typeof undici.ProxyAgent>;
  try {
    dispatcher = new undici.ProxyAgent({ uri: proxy, proxyTunnel: false } as ConstructorParameters<typeof undici.ProxyAgent>[0]);
  } catch (error) {
    log.warning(`preflight: the proxy ${maskUrl(given)} is not usable (${error instanceof Error ? error.message : String(error)}): asking ${maskUrl(url)} directly`);
    return fetch;
  }
  return ((input: string, init?: RequestInit) => undici.fetch(input, { ...(init as object), dispatcher } as Parameters<typeof undici.fetch>[1])) as unknown as typeof fetch;
}

export interface PreflightResult {
  url: string;
  status: number;
  attempts: number;
  elapsedMs: number;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause && typeof cause === 'object') {
      const c = cause as { code?: string; message?: string };
      if (c.code) return c.code;
      if (c.message) return c.message;
    }
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer (request timed out)';
    return error.message;
  }
  return String(error);
}

/**
 * The URL polled: `path` joined to the base URL's path (without doubling or dropping the slash), the
 * base URL's query kept (a preview URL may carry e.g. a protection-bypass token) and the path's own
 * query appended. User-info is kept here; `preflight` sends it as a header, not in the URL.
 */
export function joinUrl(baseUrl: string, path: string): string {
  const url = new URL(baseUrl);
  const q = path.indexOf('?');
  const pathPart = (q >= 0 ? path.slice(0, q) : path).replace(/#.*$/s, '');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${pathPart.replace(/^\/+/, '')}`;
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(path.slice(q + 1).replace(/#.*$/s, ''))) url.searchParams.append(k, v);
  }
  url.hash = '';
  return url.href;
}

/**
 * What fetch gets for a URL: the URL without user-info (fetch refuses URLs with credentials) and,
 * when there was user-info, the `Authorization: Basic` header k6 would send for it.
 */
export function fetchTarget(url: string): { url: string; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url: u.href, headers: {} };
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const credentials = `${decode(u.username)}:${decode(u.password)}`;
  u.username = '';
  u.password = '';
  return { url: u.href, headers: { authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` } };
}

/**
 * Polls `baseUrl + path` until it answers `expectStatus`, following redirects (as k6 does). Throws an
 * InputError naming the last status or error seen when it does not within the timeout. URLs in the
 * log and in the error are masked (user-info, secret-looking query parameters).
 */
export async function preflight(baseUrl: string, opts: PreflightOptions, log: Logger): Promise<PreflightResult> {
  let full: string;
  try {
    full = joinUrl(baseUrl, opts.path);
  } catch {
    throw new InputError(`the base URL is not a URL: ${maskUrl(baseUrl)}`, undefined, 'write the full URL, e.g. https://pr-42.preview.example.com');
  }
  const url = maskUrl(full);
  const target = fetchTarget(full);
  const clean = (text: string) => scrub(text, [baseUrl, full]);
  const interval = opts.intervalMs ?? 2000;
  const get = await fetchFor(target.url, opts.env, log);
  const started = Date.now();
  const deadline = started + opts.timeoutSeconds * 1000;
  let attempts = 0;
  let last = 'no attempt';
  const cancel = opts.signal;
  const requestSignal = (ms: number) => (cancel ? AbortSignal.any([AbortSignal.timeout(ms), cancel]) : AbortSignal.timeout(ms));
  const cancelled = () =>
    new InputError(`cancelled (SIGINT/SIGTERM) while waiting for ${url} to answer ${opts.expectStatus}: nothing was measured`, undefined, 'run the gate again');
  log.info(`preflight: waiting for ${url} to answer ${opts.expectStatus} (up to ${opts.timeoutSeconds}s)`);
  for (;;) {
    if (cancel?.aborted) throw cancelled();
    attempts++;
    const remaining = deadline - Date.now();
    try {
      const res = await get(target.url, {
        method: 'GET',
        headers: target.headers,
        // Redirects are followed, as k6 follows them (up to 10): a 301 to the canonical host is ready.
        redirect: 'follow',
        signal: requestSignal(Math.max(250, Math.min(10_000, remaining))),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status === opts.expectStatus) {
        const elapsedMs = Date.now() - started;
        log.info(`preflight: ${url} answered ${res.status} after ${attempts} attempt(s)`);
        return { url, status: res.status, attempts, elapsedMs };
      }
      last = `status ${res.status}`;
    } catch (error) {
      last = clean(describe(error));
    }
    log.debug(`preflight: attempt ${attempts}: ${last}`);
    if (cancel?.aborted) throw cancelled();
    if (Date.now() + interval >= deadline) break;
    await pause(interval, cancel);
  }
  throw new InputError(
    `the environment under test is not ready: ${url} did not answer ${opts.expectStatus} within ${opts.timeoutSeconds}s ` +
      `(${attempts} attempt${attempts === 1 ? '' : 's'}, last: ${last})`,
    undefined,
    'check --base-url / base-url and that the preview deployment is up, or raise the preflight timeout / change the preflight path or status',
  );
}
