// Number formatting for the report: every value in its unit, short and readable (`12.3 ms`, `1.2 s`,
// `0.42%`, `512 req/s`, `1.5 MB`), the status badges, and escaping for Markdown table cells.
import type { Status, Unit, Verdict } from '../model.js';

export const STATUS_BADGE: Record<Status, string> = {
  pass: '✅ PASS',
  marginal: '⚠️ MARGINAL',
  fail: '❌ FAIL',
  'no-data': '❔ NO DATA',
};

export const STATUS_ICON: Record<Status, string> = {
  pass: '✅',
  marginal: '⚠️',
  fail: '❌',
  'no-data': '❔',
};

export const VERDICT_BADGE: Record<Verdict, string> = {
  APPROVED: '✅ APPROVED',
  CONDITIONALLY_APPROVED: '⚠️ CONDITIONALLY APPROVED',
  NOT_APPROVED: '❌ NOT APPROVED',
};

/**
 * Makes any text safe inside one GFM table cell: every `|` is escaped (also inside code spans, where
 * GFM's table parser still splits on a bare `|`), and line breaks become `<br>` so a cell never
 * spills into the next row. Backslashes right before a `|` are doubled first: GFM table parsers
 * (GitHub's, micromark, marked) read `\\` as an escaped backslash, so `a\|b` written as `a\\|b` would
 * leave the `|` bare and split the row; `a\\\|b` keeps it one cell.
 */
export function escapeCell(s: string): string {
  return s.replace(/(\\*)\|/g, (_m, slashes: string) => `${slashes}${slashes}\\|`).replace(/\r\n|\r|\n/g, '<br>');
}

/**
 * Inline code that survives backticks in the text (uses a longer fence when needed). An empty text
 * (k6 writes empty tag values such as `group: ""`) reads `(empty)`: an empty code span is not one.
 */
export function code(s: string): string {
  if (s === '') return '(empty)';
  const runs = s.match(/`+/g) ?? [];
  const longest = runs.reduce((m, r) => Math.max(m, r.length), 0);
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** Digits grouped by thousands with commas, independent of the machine's locale. */
export function groupThousands(n: number, decimals = 0): string {
  const fixed = Math.abs(n).toFixed(decimals);
  const [int, frac] = fixed.split('.');
  const grouped = (int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 && Number(fixed) !== 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/**
 * About three significant digits: 0.123, 1.23, 12.3, 123, 1,234. `extra` adds that many decimals
 * (used to tell two close values apart, see `formatPair`).
 */
export function short(n: number, extra = 0): string {
  const a = Math.abs(n);
  if (a === 0) return '0';
  if (a >= 1000) return trimZeros(groupThousands(n, extra));
  if (a >= 100) return trimZeros(n.toFixed(extra));
  if (a >= 10) return trimZeros(n.toFixed(1 + extra));
  if (a >= 1) return trimZeros(n.toFixed(2 + extra));
  if (a >= 0.01) return trimZeros(n.toFixed(3 + extra));
  return trimZeros(n.toPrecision(2 + extra));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

export function formatMs(ms: number, extra = 0): string {
  const a = Math.abs(ms);
  if (a >= 60_000) return `${trimZeros((ms / 60_000).toFixed(1 + extra))} min`;
  if (a >= 1000) return `${trimZeros((ms / 1000).toFixed((a >= 10_000 ? 1 : 2) + extra))} s`;
  return `${short(ms, extra)} ms`;
}

/**
 * A percentage with at least `minDecimals` decimals and as many more as it takes never to round a
 * value below 100 up to 100, or a value above 0 down to 0 (0.9999999 → 99.99999%, never 100%).
 */
function edgeSafePercent(pct: number, minDecimals: number, keep: number): string {
  for (let decimals = minDecimals; decimals <= 12; decimals++) {
    const s = pct.toFixed(decimals);
    const n = Number(s);
    const roundsToEdge = (n === 100 && pct < 100) || (n === 0 && pct > 0) || (n === -100 && pct > -100) || (n === 0 && pct < 0);
    if (!roundsToEdge) return trimZerosKeep(s, keep);
  }
  // Closer to the edge than 12 decimals can show.
  if (pct > 0 && pct < 100) return pct < 50 ? '>0' : '<100';
  return trimZerosKeep(pct.toFixed(minDecimals), keep);
}

/** A 0–1 ratio as a percentage with enough decimals not to round 0.9999 to 100% or 0.00001 to 0%. */
export function formatRatio(r: number, extra = 0): string {
  return `${edgeSafePercent(r * 100, 2 + extra, 2)}%`;
}

/** Trims trailing zeros but keeps at least `min` decimals (so 0.42% and 99.90% read as percentages). */
function trimZerosKeep(s: string, min: number): string {
  const [int, frac = ''] = s.split('.');
  let f = frac;
  while (f.length > min && f.endsWith('0')) f = f.slice(0, -1);
  return f ? `${int}.${f}` : (int ?? s);
}

export function formatBytes(b: number, extra = 0): string {
  const a = Math.abs(b);
  const units: [number, string][] = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [size, name] of units) if (a >= size) return `${short(b / size, extra)} ${name}`;
  return `${short(b, extra)} B`;
}

/** What "per second" counts for a metric: requests for `http_reqs`, iterations for `iterations`. */
function perSecondLabel(metric?: string): string {
  const base = metric?.replace(/\{.*$/, '');
  if (base === 'http_reqs') return ' req/s';
  if (base === 'iterations') return ' it/s';
  return '/s';
}

/** A value in its unit. `metric` refines the label (`req/s` for `http_reqs`); `extra` adds decimals. */
export function formatValue(value: number | null | undefined, unit: Unit, metric?: string, extra = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  switch (unit) {
    case 'ms':
      return formatMs(value, extra);
    case 'ratio':
      return formatRatio(value, extra);
    case 'bytes':
      return formatBytes(value, extra);
    case 'count':
      return groupThousands(value, Number.isInteger(value) ? 0 : 1 + extra);
    case 'per-second':
      return `${short(value, extra)}${perSecondLabel(metric)}`;
    case 'percent': {
      const a = Math.abs(value);
      const decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
      return `${edgeSafePercent(value, decimals + extra, 0)}%`;
    }
    case 'number':
      return short(value, extra);
  }
}

/**
 * Two values of one unit (an actual and its limit), with as many more decimals as it takes for
 * them to read differently when they are not equal: 0.027% and 0.03%, not 0.03% and 0.03%.
 */
export function formatPair(a: number | null | undefined, b: number | null | undefined, unit: Unit, metric?: string): [string, string] {
  let x = formatValue(a, unit, metric);
  let y = formatValue(b, unit, metric);
  if (a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || a === b) return [x, y];
  for (let extra = 1; x === y && extra <= 10; extra++) {
    x = formatValue(a, unit, metric, extra);
    y = formatValue(b, unit, metric, extra);
  }
  return [x, y];
}

/**
 * A signed change in the value's unit. A ratio's change is in percentage points (`+0.02 pp`); other
 * units add the relative change when the base is not zero: `+12.3 ms (+8.1%)`.
 */
export function formatDelta(delta: number | null | undefined, baseline: number | null | undefined, unit: Unit, metric?: string): string {
  if (delta === null || delta === undefined || Number.isNaN(delta)) return '—';
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  if (unit === 'ratio') return `${sign}${delta === 0 ? '0' : edgeSafePercent(Math.abs(delta) * 100, 2, 0)} pp`;
  const abs = formatValue(Math.abs(delta), unit, metric);
  const rel =
    baseline !== null && baseline !== undefined && baseline !== 0 && Number.isFinite(baseline)
      ? ` (${delta >= 0 ? '+' : '−'}${trimZeros(Math.abs((delta / baseline) * 100).toFixed(1))}%)`
      : '';
  return `${sign}${abs}${rel}`;
}

/** A duration in seconds as `2m 30s`, `45s`, `1h 2m`. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s || parts.length === 0) parts.push(`${s}s`);
  return parts.join(' ');
}

/** An epoch-ms instant as ISO 8601 UTC without milliseconds. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
