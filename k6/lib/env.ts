// Environment knobs shared by the scenarios: BASE_URL, the scale factors, pagination.
import type { Stage } from 'k6/options';

/** A variable given with `-e NAME=value` or the environment; undefined when empty. */
export function env(name: string): string | undefined {
  const v = __ENV[name];
  return v === undefined || v === '' ? undefined : v;
}

function positiveNumber(name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw} must be a positive number`);
  return n;
}

/** The service under test, as given (`https://pr-42.example.com/app/?x-vercel-protection-bypass=…`). */
export function baseUrl(): string {
  const url = env('BASE_URL');
  if (!url) throw new Error('BASE_URL is not set: run with -e BASE_URL=https://your-preview.example.com');
  if (!/^https?:\/\//.test(url)) throw new Error(`BASE_URL=${url} must start with http:// or https://`);
  return url;
}

/** BASE_URL split into its root (scheme, credentials, host, path prefix; no trailing slash) and its query. */
function splitBase(base: string): { root: string; query: string } {
  const hash = base.indexOf('#');
  const noHash = hash < 0 ? base : base.slice(0, hash);
  const q = noHash.indexOf('?');
  return { root: (q < 0 ? noHash : noHash.slice(0, q)).replace(/\/+$/, ''), query: q < 0 ? '' : noHash.slice(q + 1) };
}

/**
 * An API URL under BASE_URL: the path after BASE_URL's own path, the request's query and then
 * BASE_URL's (a preview's protection-bypass token rides along on every request):
 * `apiUrl('https://x.example/app/?bypass=1', '/api/trades', 'page=2')` → `https://x.example/app/api/trades?page=2&bypass=1`.
 */
export function apiUrl(base: string, path: string, query = ''): string {
  const { root, query: baseQuery } = splitBase(base);
  const all = [query, baseQuery].filter((x) => x !== '').join('&');
  return `${root}${path}${all === '' ? '' : `?${all}`}`;
}

/**
 * How a request is named in k6's `name` tag (one series per endpoint in the output): its URL without
 * credentials and without BASE_URL's query — k6 blanks a password in its `url` tag, not in a `name` tag
 * it is given, and the output is uploaded as an artifact.
 */
export function apiName(base: string, path: string, queryShape = ''): string {
  // user-info runs to the last @ before the host (a password may hold a raw @), as k6 reads the URL
  const root = splitBase(base).root.replace(/^(https?:\/\/)[^/?#]*@/, '$1');
  return `${root}${path}${queryShape}`;
}

/** Parses `90s`, `2m`, `1h30m`, `500ms` into seconds. */
export function durationSeconds(d: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(d)) !== null) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'ms' ? n / 1000 : unit === 's' ? n : unit === 'm' ? n * 60 : n * 3600;
    consumed += m[0].length;
  }
  if (consumed !== d.length || d.length === 0) throw new Error(`'${d}' is not a duration`);
  return total;
}

/**
 * Shrinks (or stretches) a scenario while keeping its shape: every stage's duration is multiplied by
 * PERF_GATE_SCALE (default 1, never below 1s) and every VU target by PERF_GATE_VU_SCALE (default 1,
 * rounded, a non-zero target stays at least 1).
 */
export function scaleStages(stages: Stage[]): Stage[] {
  const time = positiveNumber('PERF_GATE_SCALE', 1);
  const vus = positiveNumber('PERF_GATE_VU_SCALE', 1);
  return stages.map((s) => ({
    duration: time === 1 ? s.duration : `${Math.max(1, Math.round(durationSeconds(s.duration) * time))}s`,
    target: s.target === 0 ? 0 : Math.max(1, Math.round(s.target * vus)),
  }));
}

/** Page size and highest page of the paginated list endpoints (`?page=&limit=`). */
export function pagination(): { limit: number; maxPage: number } {
  return { limit: Math.round(positiveNumber('PERF_GATE_PAGE_LIMIT', 50)), maxPage: Math.round(positiveNumber('PERF_GATE_MAX_PAGE', 5)) };
}
