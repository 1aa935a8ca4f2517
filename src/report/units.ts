// Number formatting for the report: every value in its unit, short and readable (`12.3 ms`, `1.2 s`,
// `0.42%`, `512 req/s`, `1.5 MB`), the status badges, and escaping for Markdown table cells.
import { maskKey, maskUrl } from '../mask.js';
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
 * A line break reads `\n` (`\r`): a raw one would end the line, and the next line could start a
 * block (`<!--`, `#`, a list item) that takes the rest of the comment with it.
 */
export function code(text: string): string {
  if (text === '') return '(empty)';
  const s = visibleControls(text.replace(/\r\n|\r|\n/g, (b) => (b === '\n' ? '\\n' : b === '\r' ? '\\r' : '\\r\\n')));
  const runs = s.match(/`+/g) ?? [];
  const longest = runs.reduce((m, r) => Math.max(m, r.length), 0);
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** Bidirectional-text controls: in a tag value they would reorder how the rest of its line reads. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Bidi controls written out (`\u202e`), so a value cannot make its row read backwards. */
function visibleControls(s: string): string {
  return s.replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A metric key as inline code, with secret-looking URL parts masked (`?access_token=***`, `user:***@`):
 * an expanded `{name:*}` or `{url:*}` rule puts k6's request URLs into the key, and the report is
 * posted as a PR comment.
 */
export function metricCode(metric: string): string {
  return code(maskKey(metric));
}

/**
 * Free text from outside the report (a rationale or a reason naming tag values, a note, a scenario
 * name, k6's own words) made safe as inline Markdown in a PR comment: it reads as written and cannot
 * change the comment. Line breaks become spaces; `@name` and `#123` get a zero-width space after the
 * sign, so GitHub neither pings a person or team nor links an issue; `<` before a tag or comment
 * (`<!--`, `<details>`), emphasis and link characters and unmatched backticks are escaped; code spans
 * already in the text (`` `p(99)` ``) are kept; a URL (`https://…`) becomes an autolink (`<https://…>`),
 * so nothing in it is escaped or changed and Markdown cannot take its characters for emphasis;
 * secret-looking URL parts are masked, inside code spans and URLs too.
 */
export function inlineText(text: string): string {
  const s = visibleControls(text.replace(/\r\n|\r|\n/g, ' '));
  let out = '';
  let i = 0;
  let plain = '';
  while (i < s.length) {
    if (s[i] !== '`') {
      plain += s[i];
      i++;
      continue;
    }
    let j = i;
    while (s[j] === '`') j++;
    const fence = s.slice(i, j);
    // a code span: the next run of exactly as many backticks (CommonMark); otherwise literal backticks
    const close = new RegExp(`(?<!\`)${fence}(?!\`)`, 'g');
    close.lastIndex = j;
    const m = close.exec(s);
    if (m) {
      // maskKey: a metric key (`name{tag:value,…}`) tag by tag, anything else as maskUrl does
      out += plainInline(plain) + fence + maskKey(s.slice(j, m.index)) + fence;
      plain = '';
      i = m.index + fence.length;
    } else {
      out += plainInline(plain) + fence.replace(/`/g, '\\`');
      plain = '';
      i = j;
    }
  }
  return out + plainInline(plain);
}

/** A URL in free text: a scheme, `://`, and no space, angle bracket or backtick. */
const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s<>`]+/g;

/** Text outside code spans: each URL as an autolink (masked), the rest masked and escaped. */
function plainInline(s: string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(URL_IN_TEXT)) {
    // punctuation that ends a sentence or closes a bracket around the URL is not part of it
    const url = m[0].replace(/[.,;:!?'")\]}]+$/, '');
    out += escapeInline(maskUrl(s.slice(last, m.index))) + `<${maskUrl(url)}>`;
    last = m.index + url.length;
  }
  return out + escapeInline(maskUrl(s.slice(last)));
}

/** Plain inline text (no code spans) with what Markdown or GitHub would act on escaped. */
function escapeInline(s: string): string {
  return s
    .replace(/\\(?=[!-/:-@[-`{-~])/g, '\\\\')
    .replace(/[*~[\]]/g, (c) => `\\${c}`)
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    .replace(/<(?=[A-Za-z!/?])/g, '\\<')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;')
    .replace(/(^|[^A-Za-z0-9])(@(?=[A-Za-z0-9])|#(?=[0-9]))/g, (_m, before: string, sign: string) => `${before}${sign}&#8203;`);
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
  // 999.6 rounds to 1,000: written grouped, like the values that are 1,000
  if (a >= 1000 || Math.abs(Number(n.toFixed(extra))) >= 1000) return trimZeros(groupThousands(n, extra));
  if (a >= 100) return trimZeros(n.toFixed(extra));
  if (a >= 10) return trimZeros(n.toFixed(1 + extra));
  if (a >= 1) return trimZeros(n.toFixed(2 + extra));
  if (a >= 0.01) return trimZeros(n.toFixed(3 + extra));
  // two significant digits, written out: toPrecision writes 8.2e-9 below 1e-6
  return trimZeros(n.toFixed(Math.min(100, 1 - Math.floor(Math.log10(a)) + extra)));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/**
 * A duration given in ms: `1.5 min`, `1.23 s`, `12.3 ms`, `0.42 ms`; under 0.1 ms in µs (`42 µs`, as
 * k6 prints connection and TLS times), under 0.1 µs in ns.
 */
export function formatMs(ms: number, extra = 0): string {
  const a = Math.abs(ms);
  if (a > 0 && a < 0.0001) return `${short(ms * 1e6, extra)} ns`;
  if (a > 0 && a < 0.1) return `${short(ms * 1000, extra)} µs`;
  // The unit is chosen after rounding: 999.6 ms is `1 s` (not `1000 ms` beside a limit of `1 s`), 59,999.7 ms `1 min`.
  const seconds = (a >= 10_000 ? 1 : 2) + extra;
  if (a >= 60_000 || Number((a / 1000).toFixed(seconds)) >= 60) return `${trimZeros((ms / 60_000).toFixed(1 + extra))} min`;
  if (a >= 1000 || Number(a.toFixed(extra)) >= 1000) return `${trimZeros((ms / 1000).toFixed(seconds))} s`;
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
      ? ` (${delta >= 0 ? '+' : '−'}${unrounded(Math.abs((delta / baseline) * 100))}%)`
      : '';
  return `${sign}${abs}${rel}`;
}

/**
 * A share in percent with one decimal, or more when one would round it up to the next whole number:
 * 9.97 is `9.97`, not `10` beside a limit of +10%.
 */
function unrounded(pct: number): string {
  for (let d = 1; d < 4; d++) if (Math.floor(Number(pct.toFixed(d))) === Math.floor(pct)) return trimZeros(pct.toFixed(d));
  return trimZeros(pct.toFixed(4));
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
