// The GitHub API client: Octokit from @actions/github with retry and throttling, the API base of the
// workflow's server (GitHub Enterprise Server too), bounded retries and a per-request timeout.
import { maskUrl } from '../mask.js';
import { getOctokit } from '@actions/github';
import { defaults as actionsDefaults } from '@actions/github/lib/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import type { Logger } from '../model.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface ClientOptions {
  token: string;
  /** REST API base, e.g. `https://api.github.com` or `https://ghes.example.com/api/v3` (GITHUB_API_URL). */
  baseUrl: string;
  log: Logger;
  /** Retries of a failed request (5xx, network) and of rate-limited ones. Default 3. */
  retries?: number;
  /** Per-request timeout, ms. Default 30 000. */
  timeoutMs?: number;
  /** Longest wait for a rate limit before giving up, seconds. Default 120. */
  maxRateLimitWaitSeconds?: number;
  /** Milliseconds per unit of retry delay (plugin default 1000: 1 s, 4 s, 9 s…). Tests shorten it. */
  retryBaseMs?: number;
  /** Milliseconds per second of `retry-after` (1000 in real use). Tests shorten it. */
  rateLimitBaseMs?: number;
  /** Minimum spacing of write requests, ms (GitHub asks for ≥ 1 s; default 1000). */
  writeSpacingMs?: number;
  userAgent?: string;
}

function describeRequest(options: { method?: string; url?: string }): string {
  return `${options.method ?? 'GET'} ${maskUrl(options.url ?? '')}`;
}

type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** The runner's proxy-aware fetch with a fresh timeout for every attempt (retries included). */
function withTimeout(timeoutMs: number): Fetch {
  const inner = ((actionsDefaults.request as { fetch?: Fetch } | undefined)?.fetch ?? globalThis.fetch) as Fetch;
  return (url, init = {}) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return inner(url, { ...init, signal });
  };
}

export { maskUrl };

export function createClient(opts: ClientOptions): GitHubClient {
  const retries = opts.retries ?? 3;
  const maxWait = opts.maxRateLimitWaitSeconds ?? 120;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const { log } = opts;
  const spacing = opts.writeSpacingMs;
  const limiterGroups =
    spacing === undefined
      ? {}
      : {
          write: new Bottleneck.Group({ maxConcurrent: 1, minTime: spacing }),
          notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: spacing }),
        };

  const octokit = getOctokit(
    opts.token,
    {
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
      userAgent: opts.userAgent ?? 'perf-gate',
      request: { fetch: withTimeout(timeoutMs) },
      log: {
        debug: (m: string) => log.debug(maskUrl(m)),
        info: (m: string) => log.debug(maskUrl(m)),
        warn: (m: string) => log.debug(maskUrl(m)),
        error: (m: string) => log.debug(maskUrl(m)),
      },
      retry: { retries, ...(opts.retryBaseMs !== undefined ? { retryAfterBaseValue: opts.retryBaseMs } : {}) },
      throttle: {
        ...limiterGroups,
        ...(opts.rateLimitBaseMs !== undefined ? { retryAfterBaseValue: opts.rateLimitBaseMs } : {}),
        onRateLimit: (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
          const again = retryCount < retries && retryAfter <= maxWait;
          log.warning(
            `GitHub API rate limit on ${describeRequest(options)}: ${again ? `retrying in ${retryAfter} s` : `giving up (retry-after ${retryAfter} s)`}`,
          );
          return again;
        },
        onSecondaryRateLimit: (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
          const again = retryCount < retries && retryAfter <= maxWait;
          log.warning(
            `GitHub API secondary rate limit on ${describeRequest(options)}: ${again ? `retrying in ${retryAfter} s` : `giving up (retry-after ${retryAfter} s)`}`,
          );
          return again;
        },
      },
    } as Parameters<typeof getOctokit>[1],
    retry,
    throttling,
  );

  // An API that did not answer one request, retries included (down, unreachable, black-holed), is not asked
  // again in this run: every later call would wait out the same timeouts and retries (minutes each).
  // Registered after the plugins, this wrapper sees a request's final outcome.
  let silent: { url: string; message: string } | undefined;
  octokit.hook.wrap('request', async (request, options) => {
    if (silent) {
      throw Object.assign(new Error(`${silent.message} (an earlier request got no answer; not tried again)`), {
        name: 'HttpError',
        status: 500,
        request: { method: options.method, url: silent.url, headers: {} },
      });
    }
    try {
      return await request(options);
    } catch (error) {
      // A download answered by a redirect to storage (artifacts, logs, archives) can fail at the storage host
      // (a firewall that allows only the API): that says nothing about the API itself.
      const route = String((options as { url?: unknown }).url ?? '');
      if (isNetworkError(error) && !/\{archive_format\}|\/(?:logs|tarball|zipball)(?:\/|$)/.test(route)) {
        const url = (error as { request?: { url?: unknown } }).request?.url;
        silent = { url: typeof url === 'string' ? url : opts.baseUrl, message: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error) };
        log.debug(`GitHub API: no answer for ${describeRequest(options as { method?: string; url?: string })}; later calls are not tried`);
      }
      throw error;
    }
  });

  return octokit;
}

/** HTTP status of an Octokit error, if it is one. */
export function errorStatus(error: unknown): number | undefined {
  const s = (error as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * Whether the request never got an HTTP answer (connection refused or reset, DNS, TLS, proxy, timeout).
 * Octokit reports these as status 500 without a response; a real HTTP 500 has one.
 */
export function isNetworkError(error: unknown): boolean {
  const e = error as { name?: unknown; response?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  return e.name === 'HttpError' && errorStatus(e) === 500 && e.response === undefined;
}

/** A one-line description of an API error without token or credentials. */
export function describeApiError(error: unknown): string {
  const status = errorStatus(error);
  const raw = error instanceof Error ? error.message : String(error);
  const message = maskUrl(raw.split('\n')[0] ?? raw).replace(/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, '***');
  if (isNetworkError(error)) {
    // Not an HTTP status: say that nothing answered, and where the request went.
    let origin = '';
    try {
      origin = ` from ${new URL(String((error as { request?: { url?: unknown } }).request?.url)).origin}`;
    } catch {
      /* no request URL */
    }
    return `no answer${maskUrl(origin)}: ${message}`;
  }
  return status !== undefined ? `HTTP ${status}: ${message}` : message;
}
