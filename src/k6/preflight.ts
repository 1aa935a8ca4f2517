// Before any load: wait until the environment under test answers, and fail fast when it never does.
import { InputError } from '../errors.js';
import type { Logger } from '../model.js';

export interface PreflightOptions {
  /** URL path polled, e.g. `/healthz`. */
  path: string;
  /** The status that means ready. */
  expectStatus: number;
  /** Give up after this many seconds. */
  timeoutSeconds: number;
  /** Pause between attempts (default 2000 ms). */
  intervalMs?: number;
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

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Polls `baseUrl + path` until it answers `expectStatus`. Throws an InputError naming the last status or
 * error seen when it does not within the timeout.
 */
export async function preflight(baseUrl: string, opts: PreflightOptions, log: Logger): Promise<PreflightResult> {
  const url = joinUrl(baseUrl, opts.path);
  const interval = opts.intervalMs ?? 2000;
  const started = Date.now();
  const deadline = started + opts.timeoutSeconds * 1000;
  let attempts = 0;
  let last = 'no attempt';
  log.info(`preflight: waiting for ${url} to answer ${opts.expectStatus} (up to ${opts.timeoutSeconds}s)`);
  for (;;) {
    attempts++;
    const remaining = deadline - Date.now();
    try {
      const res = await fetch(url, {
        method: 'GET',
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.max(250, Math.min(10_000, remaining))),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status === opts.expectStatus) {
        const elapsedMs = Date.now() - started;
        log.info(`preflight: ${url} answered ${res.status} after ${attempts} attempt(s)`);
        return { url, status: res.status, attempts, elapsedMs };
      }
      last = `status ${res.status}`;
    } catch (error) {
      last = describe(error);
    }
    log.debug(`preflight: attempt ${attempts}: ${last}`);
    if (Date.now() + interval >= deadline) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new InputError(
    `the environment under test is not ready: ${url} did not answer ${opts.expectStatus} within ${opts.timeoutSeconds}s ` +
      `(${attempts} attempt${attempts === 1 ? '' : 's'}, last: ${last})`,
    undefined,
    'check --base-url / base-url and that the preview deployment is up, or raise the preflight timeout / change the preflight path or status',
  );
}
