// Charts GitHub renders natively in comments and job summaries: Mermaid `xychart-beta` blocks built
// from the run's own per-bucket series (Results.timeline). Latency percentiles over time, the VU ramp
// (a chart of its own: xychart-beta has one y-axis, and VUs on a millisecond axis would mislead), and
// the error rate over time. Downsampled by re-bucketing (percentiles recomputed over the wider bucket,
// never averaged) to at most ~60 points, so each chart stays far below the comment size limit.
import type { ReportSection, Results, TimelinePoint, TimeWindow } from '../model.js';
import { offsetText } from './window.js';

export interface ChartOptions {
  title?: string;
  /** Points per series at most (default 60). */
  maxPoints?: number;
}

/** Per-chart size budget (characters); a chart that would exceed it is drawn with fewer points. */
export const CHART_BUDGET = 3000;

/** Line colours, in series order, with the emoji squares the legend uses for them. */
const COLOURS = {
  p50: { hex: '#2f9e44', square: '🟩' },
  p95: { hex: '#f08c00', square: '🟧' },
  p99: { hex: '#e03131', square: '🟥' },
  vus: { hex: '#1971c2', square: '🟦' },
  errors: { hex: '#e03131', square: '🟥' },
} as const;

const NICE_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400];

interface Series {
  points: readonly TimelinePoint[];
  bucketSeconds: number;
}

/** The timeline in the smallest "nice" bucket that gives at most `maxPoints` points. */
function series(results: Results, maxPoints: number): Series | undefined {
  const span = results.span;
  if (!span || span.end <= span.start) return undefined;
  const seconds = (span.end - span.start) / 1000;
  const want = Math.max(1, Math.ceil(seconds / Math.max(2, maxPoints)));
  let start = NICE_BUCKETS.findIndex((b) => b >= want);
  if (start < 0) start = NICE_BUCKETS.length - 1;
  for (let i = start; i < NICE_BUCKETS.length; i++) {
    const bucketSeconds = NICE_BUCKETS[i]!;
    const points = results.timeline(bucketSeconds);
    if (points.length === 0) return undefined;
    // Bucket alignment can add one partial bucket at either end.
    if (points.length <= maxPoints || i === NICE_BUCKETS.length - 1) return { points, bucketSeconds };
  }
  return undefined;
}

/** A title safe inside Mermaid's double quotes (no quotes, no line breaks, bounded length). */
function safeTitle(s: string): string {
  const clean = s.replace(/["`\\]/g, "'").replace(/[\r\n\t]+/g, ' ').replace(/[{}[\]<>#;%]/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

/** A compact number for chart data: integers from 10 up, one decimal below (two below 1). */
function n(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const a = Math.abs(v);
  const s = a >= 10 ? Math.round(v).toString() : a >= 1 ? v.toFixed(1) : v.toFixed(2);
  return s.includes('.') ? s.replace(/\.?0+$/, '') || '0' : s;
}

/** An axis maximum a little above `max`, rounded to 1, 2, 2.5 or 5 × 10^k. */
function niceMax(max: number, floor = 1): number {
  const m = Math.max(max, floor);
  const exp = 10 ** Math.floor(Math.log10(m));
  for (const f of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (f * exp >= m * 1.05) return Number((f * exp).toPrecision(3));
  return 10 * exp;
}

/** The x-axis: elapsed time from the first bucket, in seconds or minutes. */
function xAxis(s: Series): string {
  const totalSeconds = s.points.length * s.bucketSeconds;
  if (totalSeconds <= 180) return `  x-axis "seconds into the run" 0 --> ${n(totalSeconds)}`;
  if (totalSeconds <= 3 * 3600) return `  x-axis "minutes into the run" 0 --> ${n(totalSeconds / 60)}`;
  return `  x-axis "hours into the run" 0 --> ${n(totalSeconds / 3600)}`;
}

function every(bucketSeconds: number): string {
  if (bucketSeconds < 60) return `${bucketSeconds} s`;
  if (bucketSeconds < 3600) return `${bucketSeconds / 60} min`;
  return `${bucketSeconds / 3600} h`;
}

function fence(lines: string[]): string {
  return ['```mermaid', ...lines, '```'].join('\n');
}

function palette(...hex: string[]): string {
  return `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${hex.join(', ')}"}}}}%%`;
}

/** Shrinks the point budget until `build` fits the chart budget. */
function withinBudget(results: Results, maxPoints: number, build: (s: Series) => string): string {
  let points = maxPoints;
  for (;;) {
    const s = series(results, points);
    if (!s) return '';
    const out = build(s);
    if (out.length <= CHART_BUDGET || points <= 10) return out;
    points = Math.floor(points * 0.75);
  }
}

function latencyBlock(s: Series, title: string): string {
  const pts = s.points;
  const gaps = pts.filter((p) => p.p50 === null).length;
  const val = (v: number | null) => (v === null ? 0 : v);
  const max = Math.max(0, ...pts.map((p) => val(p.p99 ?? p.p95 ?? p.p50)));
  const chart = fence([
    palette(COLOURS.p50.hex, COLOURS.p95.hex, COLOURS.p99.hex),
    'xychart-beta',
    `  title "${safeTitle(title)}"`,
    xAxis(s),
    `  y-axis "latency (ms)" 0 --> ${n(niceMax(max))}`,
    `  line [${pts.map((p) => n(val(p.p50))).join(', ')}]`,
    `  line [${pts.map((p) => n(val(p.p95))).join(', ')}]`,
    `  line [${pts.map((p) => n(val(p.p99))).join(', ')}]`,
  ]);
  const legend = `${COLOURS.p50.square} p50 · ${COLOURS.p95.square} p95 · ${COLOURS.p99.square} p99, ms; one point per ${every(s.bucketSeconds)}${
    gaps > 0 ? ` (${gaps} ${gaps === 1 ? 'interval' : 'intervals'} without requests drawn at 0)` : ''
  }.`;
  return `${chart}\n\n${legend}`;
}

function vuBlock(s: Series): string {
  const pts = s.points;
  const max = Math.max(0, ...pts.map((p) => p.vus));
  const chart = fence([
    palette(COLOURS.vus.hex),
    'xychart-beta',
    '  title "Virtual users"',
    xAxis(s),
    `  y-axis "VUs" 0 --> ${n(niceMax(max))}`,
    `  line [${pts.map((p) => n(p.vus)).join(', ')}]`,
  ]);
  return `${chart}\n\n${COLOURS.vus.square} VUs (the highest in each ${every(s.bucketSeconds)}), on the same time axis as the latency above.`;
}

/**
 * p50/p95/p99 over time (one chart, three lines) followed by the VU ramp on the same time axis (a
 * second chart: xychart-beta has a single y-axis). Empty string when the results have no time series.
 */
export function latencyChart(results: Results, opts: ChartOptions = {}): string {
  const title = opts.title ?? 'Latency over time';
  const maxPoints = opts.maxPoints ?? 60;
  const latency = withinBudget(results, maxPoints, (s) => latencyBlock(s, title));
  if (!latency) return '';
  const vus = withinBudget(results, maxPoints, vuBlock);
  const anyVus = (series(results, maxPoints)?.points ?? []).some((p) => p.vus > 0);
  return anyVus && vus ? `${latency}\n\n${vus}` : latency;
}

/** An edge bucket holds "very few" requests below this share of the median bucket's requests. */
export const SPARSE_EDGE_SHARE = 0.25;

/**
 * The share of failed requests (`http_req_failed`) per interval, in percent. Empty when there is no
 * series. The first and last intervals are often partial (the run starts or stops within them): one
 * with fewer requests than a quarter of the median interval is left out of the y-axis scale, so one
 * failure in five requests does not stretch the axis to 20% while the run fails 0.04%. Such a bar
 * is drawn capped at the top of the axis and the legend gives its real share and counts.
 */
export function errorRateChart(results: Results, opts: ChartOptions = {}): string {
  const title = opts.title ?? 'Error rate over time';
  return withinBudget(results, opts.maxPoints ?? 60, (s) => {
    const pts = s.points;
    const pct = pts.map((p) => (p.requests > 0 ? (100 * p.failed) / p.requests : 0));
    const counts = pts.map((p) => p.requests).filter((r) => r > 0).sort((a, b) => a - b);
    const median = counts.length > 0 ? counts[Math.floor(counts.length / 2)]! : 0;
    const sparse = (i: number) => (i === 0 || i === pts.length - 1) && pts.length > 2 && pts[i]!.requests > 0 && pts[i]!.requests < median * SPARSE_EDGE_SHARE;
    const scaled = pct.filter((_, i) => !sparse(i));
    const top = niceMax(Math.max(0, ...(scaled.length > 0 ? scaled : pct)), 1);
    const capped: string[] = [];
    const drawn = pct.map((v, i) => {
      if (!sparse(i) || v <= top) return v;
      const p = pts[i]!;
      capped.push(
        `the ${i === 0 ? 'first' : 'last'} ${every(s.bucketSeconds)} holds only ${p.requests} request${p.requests === 1 ? '' : 's'} (${p.failed} failed, ${n(v)}%): left out of the axis scale and drawn capped at ${n(top)}%`,
      );
      return top;
    });
    const chart = fence([
      palette(COLOURS.errors.hex),
      'xychart-beta',
      `  title "${safeTitle(title)}"`,
      xAxis(s),
      `  y-axis "failed requests (%)" 0 --> ${n(top)}`,
      `  bar [${drawn.map(n).join(', ')}]`,
    ]);
    const note = capped.length > 0 ? ` ${capped.map((c) => c.charAt(0).toUpperCase() + c.slice(1)).join('. ')}.` : '';
    return `${chart}\n\n${COLOURS.errors.square} share of requests that failed (\`http_req_failed\`) per ${every(s.bucketSeconds)}.${note}`;
  });
}

/**
 * When the criteria are measured over part of the run (`window: steady`, a warm-up), where that part
 * lies on the charts' time axis, which always shows the whole run; else ''.
 */
export function evaluatedWindowNote(results: Results, window: TimeWindow | undefined): string {
  const s = series(results, 60);
  const span = results.span;
  if (!s || !span || !window || s.points.length === 0) return '';
  const origin = s.points[0]!.t;
  const bucketMs = s.bucketSeconds * 1000;
  // a window within a bucket of the run's edges is the whole run, as drawn
  if (window.start - span.start < bucketMs && span.end - window.end < bucketMs) return '';
  return `The criteria are measured from ${offsetText(window.start - origin)} to ${offsetText(window.end - origin)} into the run (the evaluated window); the charts show the whole run.`;
}

/**
 * The charts of one scenario as report sections inside the scenario. They are the first thing dropped
 * when the comment must shrink (highest dropOrder). The error chart is left out when nothing failed.
 * `window`: the scenario's evaluated window, marked in a line under the charts when it is not the whole run.
 */
export function chartSections(scenario: string, results: Results, window?: TimeWindow): ReportSection[] {
  const out: ReportSection[] = [];
  const chart = latencyChart(results);
  const note = chart ? evaluatedWindowNote(results, window) : '';
  const latency = note ? `${chart}\n\n${note}` : chart;
  if (latency) out.push({ id: `charts:latency:${scenario}`, place: 'scenario', scenario, title: 'Latency and load over time', markdown: latency, dropOrder: 90 });
  const anyFailed = (series(results, 60)?.points ?? []).some((p) => p.failed > 0);
  if (anyFailed) {
    const errors = errorRateChart(results);
    if (errors) out.push({ id: `charts:errors:${scenario}`, place: 'scenario', scenario, title: 'Errors over time', markdown: errors, dropOrder: 95 });
  }
  return out;
}
