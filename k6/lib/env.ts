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

/** The service under test, without a trailing slash. */
export function baseUrl(): string {
  const url = env('BASE_URL');
  if (!url) throw new Error('BASE_URL is not set: run with -e BASE_URL=https://your-preview.example.com');
  if (!/^https?:\/\//.test(url)) throw new Error(`BASE_URL=${url} must start with http:// or https://`);
  return url.replace(/\/+$/, '');
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
