// A small Prometheus HTTP API client (query and query_range) that never throws and never logs credentials.
import type { TimeWindow } from '../model.js';
import { maskUrl, scrub } from '../mask.js';
import { pause } from '../pause.js';

/**
 * `refused`: Prometheus answered, and refused the query itself (`bad_data`: it does not parse;
 * `execution`: it cannot be evaluated) — Prometheus's own words, without the URL. The expression is
 * at fault, not the connection: other queries still go through.
 */
export type PromResult<T> = { ok: true; value: T; warnings?: string[] } | { ok: false; reason: string; refused?: string };

/** A sample value as Prometheus writes it: a number, `NaN`, `+Inf` or `-Inf` (which `Number()` reads as NaN). */
export function promNumber(v: string): number {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

/** How many of `values` are NaN and ±Inf, said plainly (`3 NaN (0/0) and 2 +Inf (x/0)`); '' when all are finite. */
export function nonFiniteText(values: readonly number[]): string {
  const nan = values.filter((v) => Number.isNaN(v)).length;
  const pos = values.filter((v) => v === Infinity).length;
  const neg = values.filter((v) => v === -Infinity).length;
  return [nan ? `${nan} NaN (0/0)` : '', pos ? `${pos} +Inf (x/0)` : '', neg ? `${neg} -Inf (-x/0)` : ''].filter(Boolean).join(' and ');
}

/** Prometheus's error types that are about the query, not the server or the connection. */
const QUERY_ERRORS = new Set(['bad_data', 'execution']);

export interface RangeSeries {
  labels: Record<string, string>;
  /** [epoch ms, value] */
  points: [number, number][];
}

/** The query_range step for a window: max(window / 250, 1 s), rounded to whole seconds. */
export function stepFor(window: TimeWindow): number {
  return Math.max(1, Math.round((window.end - window.start) / 1000 / 250));
}

/** Prometheus refuses a query_range of more than 11,000 points per series. */
const MAX_POINTS = 11_000;

/**
 * The step for a series whose underlying samples come every `scrapeSeconds`: never longer than that
 * (a longer step evaluates only some of the scrapes, so a max or min can miss a spike a scrape long),
 * never longer than {@link stepFor}, and never so short that the window has more than 11,000 points.
 */
export function stepForScrapes(window: TimeWindow, scrapeSeconds: number): number {
  const base = stepFor(window);
  const floor = Math.max(1, Math.ceil((window.end - window.start) / 1000 / MAX_POINTS));
  if (!Number.isFinite(scrapeSeconds) || scrapeSeconds <= 0) return base;
  return Math.max(floor, Math.min(base, Math.floor(scrapeSeconds)));
}

/** A rate() range for a step: at least 4 steps and at least 1 minute (so a 15 s scrape interval still has points). */
export function rateRangeFor(stepSeconds: number): string {
  return `${Math.max(60, 4 * stepSeconds)}s`;
}

/** What to do about a TLS failure (by Node's error code). */
const TLS_HINTS: [RegExp, string][] = [
  [/^ERR_SSL_WRONG_VERSION_NUMBER$|^ERR_SSL_PACKET_LENGTH_TOO_LONG$/, 'the server speaks plain HTTP there: use an http:// URL'],
  [/^ERR_TLS_CERT_ALTNAME_INVALID$/, "the server's certificate is not issued for this host name: use the name it was issued for"],
  [/^CERT_HAS_EXPIRED$|^CERT_NOT_YET_VALID$/, "the server's certificate is not valid now: renew it"],
  [
    /^(?:DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)$/,
    "the server's certificate is not trusted: give its CA certificate (PEM) to the gate with the environment variable NODE_EXTRA_CA_CERTS=/path/to/ca.pem",
  ],
];

/**
 * What to do when a source's address cannot be reached (for Prometheus, PostgreSQL and Redis alike):
 * a cluster-internal name (`….svc`, `….cluster.local`) does not resolve outside the cluster, where a
 * GitHub-hosted runner is; nothing listening is a wrong host or port.
 */
function addressHint(code: string | undefined, url: string): string | undefined {
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    if (/\.svc(\.|$)|\.cluster\.local$/.test(host)) return `${host} is a name inside the Kubernetes cluster, which a runner outside it cannot resolve: run the job on a self-hosted runner in the cluster, or expose the service (an ingress or a load balancer) and use that address`;
    return `the host name ${host} does not resolve from this runner: check it`;
  }
  if (code === 'ECONNREFUSED') return `nothing listens at ${host}${new URL(url).port ? `:${new URL(url).port}` : ''}: check the host and the port`;
  return undefined;
}

/** {@link addressHint} as a message's tail (`: …`), or '' when there is nothing to add. */
export function addressFix(code: string | undefined, url: string): string {
  const hint = addressHint(code, url);
  return hint ? `: ${hint}` : '';
}

/** What to do about a TLS failure by Node's error code (for Prometheus, PostgreSQL and Redis alike); undefined when it is not one. */
export function tlsHint(code: string | undefined): string | undefined {
  return TLS_HINTS.find(([re]) => re.test(code ?? ''))?.[1];
}

/**
 * Prometheus's (or a proxy's) words for an HTTP error without an API answer, and what to change:
 * ` (404 page not found): check the URL …`.
 */
function httpHint(status: number, text: string): string {
  const said = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
  let fix = '';
  if (status === 401 || status === 403) fix = 'check the credentials: Basic ones in the URL (https://user:pass@host/…), anything else (a bearer token) under utilization.sources.prometheus.headers';
  else if (status === 404) fix = "check the URL: Prometheus's base URL, with the path prefix it is served under if any (--web.route-prefix, e.g. http://host:9090/prometheus), without /api/v1 or /graph";
  else if (status === 400 && /HTTPS server/i.test(text)) fix = 'the server speaks HTTPS: use an https:// URL';
  return `${said ? ` (${said})` : ''}${fix ? `: ${fix}` : ''}`;
}

/** Connection errors after which no later request can succeed either. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export class PrometheusClient {
  /**
   * Why Prometheus cannot be reached, once a connection failed (refused, no such host, no route) or
   * two requests in a row timed out: later requests answer the same at once instead of each waiting
   * out the timeout (a black-holed address made every query of every metric wait 15 s). One slow
   * query alone does not stop the others.
   */
  private unreachable: string | undefined;
  private timeoutsInARow = 0;
  /** Requests sent so far, and the number of the last one sent before an answer arrived. */
  private sent = 0;
  private answeredUpTo = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 15_000,
    /** Sent with every query (`Authorization: Bearer …`, `X-Scope-OrgID`…); never logged. */
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  /** Removes the header values (secrets) from a message: the configured ones and the Basic header made of the URL's credentials (a proxy may echo it). */
  private hide(message: string): string {
    let out = scrub(message, [this.baseUrl]);
    const req = this.request('', {});
    const basic = 'headers' in req ? req.headers.authorization?.replace(/^Basic /, '') : undefined;
    if (basic) out = out.split(basic).join('***');
    for (const v of Object.values(this.extraHeaders)) {
      for (const part of [v, ...v.split(/\s+/)]) if (part.length >= 4) out = out.split(part).join('***');
    }
    return out;
  }

  get safeUrl(): string {
    return maskUrl(this.baseUrl);
  }

  /** The request URL without credentials and its headers, or why the source URL cannot be used. */
  private request(path: string, params: Record<string, string>): { url: URL; headers: Record<string, string> } | { reason: string } {
    let u: URL;
    try {
      u = new URL(this.baseUrl.replace(/\/+$/, '') + path);
    } catch {
      return { reason: `the Prometheus URL (utilization.sources.prometheus.url, ${this.safeUrl}) is not a valid URL` };
    }
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    // Credentials in the URL become a Basic header (fetch refuses URLs with credentials).
    const headers: Record<string, string> = {};
    if (u.username || u.password) {
      let user: string;
      let pass: string;
      try {
        user = decodeURIComponent(u.username);
        pass = decodeURIComponent(u.password);
      } catch {
        return { reason: `the user name or password in the Prometheus URL (utilization.sources.prometheus.url, ${this.safeUrl}) has a bad %-escape: write a literal % as %25` };
      }
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      u.username = '';
      u.password = '';
    }
    // Configured headers win over the URL's credentials (an explicit Authorization replaces Basic).
    for (const [name, value] of Object.entries(this.extraHeaders)) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
      headers[name] = value;
    }
    return { url: u, headers };
  }

  private async get(path: string, params: Record<string, string>): Promise<PromResult<unknown>> {
    if (this.unreachable !== undefined) return { ok: false, reason: this.unreachable };
    const seq = ++this.sent;
    try {
      const req = this.request(path, params);
      if ('reason' in req) return { ok: false, reason: req.reason };
      const { url: u, headers } = req;
      const res = await fetch(u, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
      this.timeoutsInARow = 0; // it answered
      this.answeredUpTo = Math.max(this.answeredUpTo, this.sent);
      const text = await res.text();
      let body: { status?: string; data?: unknown; error?: string; errorType?: string; warnings?: unknown } | undefined;
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        body = undefined;
      }
      if (body === undefined && res.ok) {
        // An auth proxy or SSO gateway answers 200 with its login page.
        const html = /html/i.test(res.headers.get('content-type') ?? '') || /^\s*</.test(text);
        return { ok: false, reason: `Prometheus at ${this.safeUrl} gave not a Prometheus API answer${html ? ' (HTML)' : ''}: check the URL and credentials` };
      }
      if (!res.ok || body?.status !== 'success') {
        const why = body?.error ? `${body.errorType ?? 'error'}: ${body.error}` : `HTTP ${res.status}${httpHint(res.status, text)}`;
        const reason = this.hide(`Prometheus at ${this.safeUrl} answered ${why}`);
        return body?.error && QUERY_ERRORS.has(body.errorType ?? '') ? { ok: false, reason, refused: this.hide(why) } : { ok: false, reason };
      }
      // Thanos, Mimir or a remote-read Prometheus answer with warnings when part of the data is missing
      // (a store down, a partial response): the figures are then computed from part of the data.
      const warnings = Array.isArray(body.warnings) ? body.warnings.map((w) => this.hide(String(w))) : [];
      return warnings.length > 0 ? { ok: true, value: body.data, warnings } : { ok: true, value: body.data };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.cause?.code ?? e.cause?.message ?? e.message;
      const tls = tlsHint(e.cause?.code);
      const timedOut = e.name === 'TimeoutError' || e.cause?.code === 'UND_ERR_CONNECT_TIMEOUT';
      // A connection made but not answered in time is a slow Prometheus (or a query too heavy for it), not an unreachable one.
      const reason = this.hide(
        e.name === 'TimeoutError'
          ? `Prometheus at ${this.safeUrl} did not answer within ${Number((this.timeoutMs / 1000).toFixed(2))} s (overloaded, or a query too heavy for it: a narrower selector helps, or a longer \`sources.prometheus.timeout\`)`
          : `Prometheus at ${this.safeUrl} is unreachable (${why})${tls ? `: ${tls}` : ''}${addressFix(e.cause?.code, this.baseUrl)}`,
      );
      // Queries run a few at a time: a timeout counts towards "in a row" only when no answer came
      // after this request was sent (two heavy queries timing out together beside answered ones do not).
      if (!timedOut) this.timeoutsInARow = 0;
      else if (this.answeredUpTo < seq) this.timeoutsInARow++;
      // a TLS failure is the same for every request: later ones answer at once too
      if (CONNECT_ERRORS.has(e.cause?.code ?? '') || tls !== undefined || this.timeoutsInARow >= 2) this.unreachable = reason;
      return { ok: false, reason };
    }
  }

  async range(query: string, window: TimeWindow, stepSeconds = stepFor(window)): Promise<PromResult<RangeSeries[]>> {
    const r = await this.get('/api/v1/query_range', {
      query,
      start: (window.start / 1000).toFixed(3),
      end: (window.end / 1000).toFixed(3),
      step: `${stepSeconds}s`,
    });
    if (!r.ok) return r;
    const data = r.value as { resultType?: string; result?: { metric: Record<string, string>; values?: [number, string][] }[] };
    if (data.resultType !== 'matrix' || !Array.isArray(data.result)) return { ok: false, reason: `unexpected query_range result type ${String(data.resultType)}` };
    if (data.result.some((s) => !Array.isArray(s.values))) return { ok: false, reason: NATIVE_HISTOGRAMS };
    return {
      ok: true,
      value: data.result.map((s) => ({ labels: s.metric, points: s.values!.map(([t, v]) => [Math.round(t * 1000), promNumber(v)] as [number, number]) })),
      ...(r.warnings ? { warnings: r.warnings } : {}),
    };
  }

  /** The raw samples of `selector` over the `rangeMs` before `time` (epoch ms): one point list per series. */
  async samples(selector: string, rangeMs: number, time: number): Promise<PromResult<[number, number][][]>> {
    const r = await this.get('/api/v1/query', { query: `${selector}[${Math.max(1, Math.round(rangeMs))}ms]`, time: (time / 1000).toFixed(3) });
    if (!r.ok) return r;
    const data = r.value as { resultType?: string; result?: { values?: [number, string][] }[] };
    if (data.resultType !== 'matrix' || !Array.isArray(data.result)) return { ok: false, reason: `unexpected query result type ${String(data.resultType)}` };
    if (data.result.some((s) => !Array.isArray(s.values))) return { ok: false, reason: NATIVE_HISTOGRAMS };
    return { ok: true, value: data.result.map((s) => s.values!.map(([t, v]) => [Math.round(t * 1000), promNumber(v)] as [number, number])) };
  }

  /** One instant value per series at `time` (epoch ms). */
  async instant(query: string, time: number): Promise<PromResult<{ labels: Record<string, string>; value: number }[]>> {
    const r = await this.get('/api/v1/query', { query, time: (time / 1000).toFixed(3) });
    if (!r.ok) return r;
    const data = r.value as { resultType?: string; result?: { metric: Record<string, string>; value?: [number, string] }[] };
    if (data.resultType === 'scalar') {
      const v = (data as unknown as { result: [number, string] }).result;
      return { ok: true, value: [{ labels: {}, value: promNumber(v[1]) }] };
    }
    if (data.resultType !== 'vector' || !Array.isArray(data.result)) return { ok: false, reason: `unexpected query result type ${String(data.resultType)}` };
    if (data.result.some((s) => !Array.isArray(s.value))) return { ok: false, reason: NATIVE_HISTOGRAMS };
    return { ok: true, value: data.result.map((s) => ({ labels: s.metric, value: promNumber(s.value![1]) })), ...(r.warnings ? { warnings: r.warnings } : {}) };
  }
}

/** Why a series without float samples (`histograms` / `histogram` instead of `values` / `value`) has no data. */
const NATIVE_HISTOGRAMS =
  'the expression returns native histograms, not numbers: wrap it so it gives one number per series, e.g. histogram_quantile(0.99, …) or histogram_avg(…)';

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'atan2', 'inf', 'nan']);
const STR = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/.source;
const MATCHERS_OR_STRING = new RegExp(`\\{(?:[^{}"'\u0060]|${STR})*\\}|${STR}`, 'g');

/**
 * The series selectors of a PromQL expression (`name{matchers}`, `name`, `{matchers}`), without
 * functions, keywords, grouping labels, ranges or strings: what must have been scraped for the
 * expression to say anything about a window.
 */
export function selectorsOf(expr: string): string[] {
  // Matchers are set aside first (a regex in them may hold [ ] or keywords); other strings are dropped.
  const blocks: string[] = [];
  const s = expr
    .replace(MATCHERS_OR_STRING, (m) => (m.startsWith('{') ? `\u0000${blocks.push(m) - 1}\u0000` : ' '))
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+-?[0-9a-z]+/gi, ' ')
    .replace(/@\s*(?:[0-9.]+|start\(\)|end\(\))/g, ' ');
  const out = new Set<string>();
  const token = /(?<![\w.:])([a-zA-Z_:][\w:]*)?\s*(\u0000\d+\u0000)?/g;
  for (let m = token.exec(s); m !== null; m = token.exec(s)) {
    if (m[0] === '') {
      token.lastIndex++;
      continue;
    }
    const [, name, block] = m;
    if (!name && !block) continue;
    if (name && !block) {
      if (PROMQL_KEYWORDS.has(name.toLowerCase())) continue;
      if (/^\s*\(/.test(s.slice(token.lastIndex))) continue;
    }
    out.add(`${name ?? ''}${block ? blocks[Number(block.slice(1, -1))] : ''}`);
  }
  return [...out];
}

/** One instant query at the window's end: how many series of `selectors` have a sample inside the window. */
export function inWindowQuery(selectors: readonly string[], window: TimeWindow): string {
  const ms = Math.max(1, Math.round(window.end - window.start));
  return `count(${selectors.map((sel) => `count_over_time(${sel}[${ms}ms])`).join(' or ')})`;
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** The longest range (`[5m]`, a subquery's `[10m:1m]`) an expression reads back, in ms; 0 without one. */
export function maxRangeMs(expr: string): number {
  const outside = expr.replace(MATCHERS_OR_STRING, ' ');
  let max = 0;
  for (const m of outside.matchAll(/\[([^\]:]*)(?::[^\]]*)?\]/g)) {
    let ms = 0;
    for (const d of m[1]!.trim().matchAll(DURATION_PART)) ms += Number(d[1]) * UNIT_MS[d[2]!]!;
    max = Math.max(max, ms);
  }
  return max;
}

/** How far back Prometheus's instant queries look for a series' latest sample (its default lookback). */
const LOOKBACK_MS = 5 * 60_000;

export interface ScrapeWait {
  /** Each selector has a series with a sample at or after the end (or nothing to wait for). */
  caughtUp: boolean;
  waitedMs: number;
  /** The selectors still behind when the wait gave up. */
  behind: string[];
}

export interface ScrapeWaitOptions {
  /** Give up after this long (default 60 s, Prometheus's default scrape interval). */
  maxWaitMs?: number;
  /** Between two looks (default 1 s). */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Stops the wait (the gate is cancelled): the figures are computed from what is there. */
  signal?: AbortSignal;
}

/**
 * Waits until Prometheus has scraped past `end` (epoch ms): until each of `selectors` has a series
 * with a sample at or after `end` (`max(timestamp(sel))`: its target was scraped since; one series
 * scraped rarely, or carrying its exporter's own old timestamps, does not hold the wait). Right after
 * a run, the run's last scrape interval is not in Prometheus yet; judged at once, a max would miss a
 * spike at the end and an increase() would lose up to one interval of counts. Returns at once for a
 * window that ended long ago, for selectors without a live series, and when Prometheus does not
 * answer (the queries that follow say why); never throws.
 */
export async function awaitScrapePast(client: PrometheusClient, selectors: readonly string[], end: number, opts: ScrapeWaitOptions = {}): Promise<ScrapeWait> {
  const now = opts.now ?? Date.now;
  const signal = opts.signal;
  const sleep = opts.sleep ?? ((ms: number) => pause(ms, signal));
  const maxWaitMs = opts.maxWaitMs ?? 60_000;
  const pollMs = opts.pollMs ?? 1000;
  const t0 = now();
  if (t0 - end > LOOKBACK_MS) return { caughtUp: true, waitedMs: 0, behind: [] };
  let pending = [...new Set(selectors)];
  for (;;) {
    const behind: string[] = [];
    for (const sel of pending) {
      const r = await client.instant(`max(timestamp(${sel}))`, now());
      // A selector Prometheus refuses (from an expression it cannot parse; that metric's own query
      // says why) is not waited for; the others still are.
      if (!r.ok && r.refused !== undefined) continue;
      if (!r.ok) return { caughtUp: true, waitedMs: now() - t0, behind: [] };
      if (r.value.length === 0) continue;
      const last = r.value[0]!.value * 1000;
      // a latest sample older than the lookback before the end is not a series still scraped
      if (Number.isFinite(last) && last < end && last > end - LOOKBACK_MS) behind.push(sel);
    }
    pending = behind;
    const waitedMs = now() - t0;
    if (pending.length === 0) return { caughtUp: true, waitedMs, behind: [] };
    if (waitedMs >= maxWaitMs || signal?.aborted) return { caughtUp: false, waitedMs, behind: pending };
    await sleep(Math.min(pollMs, maxWaitMs - waitedMs));
  }
}
