// Per-tag breakdown tables (per tenant, per endpoint): requests, p95, p99 and error rate for every value
// of the tag seen in the run, the worst p99 first, so a noisy neighbour or a slow endpoint stands out.
import type { Aggregation, MetricSelector, ReportSection, Results, TimeWindow } from '../model.js';
import { escapeCell, metricCode, formatMs, formatRatio, groupThousands } from './units.js';
import { clockRange, durationText } from './window.js';

export interface TagTableOptions {
  /** The tag to break down by (default `tenant`). */
  tag?: string;
  /** The latency metric (default `http_req_duration`). */
  metric?: string;
  /** The interval to measure (default: the whole run). */
  window?: TimeWindow;
  /** Rows shown at most (default 25); the rest are counted in a line below. */
  maxRows?: number;
}

export interface TagRow {
  value: string;
  requests: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number | null;
}

function selector(metric: string, tag: string, value: string | undefined): MetricSelector {
  if (value === undefined) return { raw: metric, metric, tags: [] };
  return { raw: `${metric}{${tag}:${value}}`, metric, tags: [{ key: tag, value }] };
}

function measured(results: Results, sel: MetricSelector, aggregation: Aggregation, window?: TimeWindow): number | null {
  const m = results.measure(sel, aggregation, window);
  return 'value' in m && Number.isFinite(m.value) ? m.value : null;
}

function row(results: Results, metric: string, tag: string, value: string | undefined, window?: TimeWindow): TagRow {
  return {
    value: value ?? '',
    requests: measured(results, selector('http_reqs', tag, value), { kind: 'count' }, window),
    p95: measured(results, selector(metric, tag, value), { kind: 'p', p: 95 }, window),
    p99: measured(results, selector(metric, tag, value), { kind: 'p', p: 99 }, window),
    errorRate: measured(results, selector('http_req_failed', tag, value), { kind: 'rate' }, window),
  };
}

/** The rows of the breakdown, worst p99 first (values without latency data last, by name). */
export function tagRows(results: Results, opts: TagTableOptions = {}): TagRow[] {
  const tag = opts.tag ?? 'tenant';
  const metric = opts.metric ?? 'http_req_duration';
  const values = new Set([...results.tagValues(metric, tag), ...results.tagValues('http_reqs', tag)]);
  const rows = [...values].map((v) => row(results, metric, tag, v, opts.window));
  return rows.sort((a, b) => {
    if (a.p99 === null || b.p99 === null) return a.p99 === b.p99 ? a.value.localeCompare(b.value) : a.p99 === null ? 1 : -1;
    return b.p99 - a.p99 || a.value.localeCompare(b.value);
  });
}

function cell(n: number | null, format: (n: number) => string): string {
  return n === null ? '—' : format(n);
}

/**
 * A Markdown table: one row per value of the tag (requests, p95, p99, p99 relative to all requests,
 * error rate), the worst p99 first. Empty string when the tag never occurs.
 */
export function tenantTable(results: Results, opts: TagTableOptions = {}): string {
  const tag = opts.tag ?? 'tenant';
  const metric = opts.metric ?? 'http_req_duration';
  const rows = tagRows(results, opts);
  if (rows.length === 0) return '';
  const overall = row(results, metric, tag, undefined, opts.window);
  const maxRows = opts.maxRows ?? 25;
  const label = tag.charAt(0).toUpperCase() + tag.slice(1);
  const lines = [
    `| ${escapeCell(label)} | Requests | p95 | p99 | p99 vs. all | Error rate |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows.slice(0, maxRows)) {
    const ratio = r.p99 !== null && overall.p99 !== null && overall.p99 > 0 ? `×${(r.p99 / overall.p99).toFixed(2)}` : '—';
    lines.push(
      `| ${escapeCell(metricCode(r.value))} | ${cell(r.requests, (n) => groupThousands(n))} | ${cell(r.p95, formatMs)} | ${cell(r.p99, formatMs)} | ${ratio} | ${cell(r.errorRate, formatRatio)} |`,
    );
  }
  lines.push(
    `| **all** | ${cell(overall.requests, (n) => groupThousands(n))} | ${cell(overall.p95, formatMs)} | ${cell(overall.p99, formatMs)} | ×1.00 | ${cell(overall.errorRate, formatRatio)} |`,
  );
  let md = lines.join('\n');
  if (rows.length > maxRows) md += `\n\n${rows.length - maxRows} more ${escapeCell(tag)} values not shown (the best p99s).`;
  return md;
}

function coversSpan(w: TimeWindow, span: TimeWindow | undefined): boolean {
  return span !== undefined && Math.abs(w.start - span.start) < 1000 && Math.abs(w.end - span.end) < 1000;
}

function section(kind: 'tenant' | 'endpoint', scenario: string, results: Results, opts: Omit<TagTableOptions, 'tag'>, dropOrder: number): ReportSection | undefined {
  const opts2: TagTableOptions = { ...opts, tag: kind };
  // A breakdown over one value says nothing the scenario's own numbers do not.
  if (tagRows(results, opts2).length < 2) return undefined;
  return {
    id: `${kind}s:${scenario}`,
    place: 'scenario',
    scenario,
    title: kind === 'tenant' ? 'Per tenant (worst p99 first)' : 'Per endpoint (worst p99 first)',
    markdown: opts.window && !coversSpan(opts.window, results.span)
      ? `Over the scenario's evaluated window, ${clockRange(opts.window)} (${durationText(opts.window.end - opts.window.start)}).\n\n${tenantTable(results, opts2)}`
      : tenantTable(results, opts2),
    dropOrder,
  };
}

/**
 * The per-tenant table as a scenario section, or undefined when fewer than two tenants were seen.
 * Pass the scenario's evaluated window (`ScenarioEvaluation.window`) so the table covers the same
 * seconds as the scenario's other numbers; the section then names that window.
 */
export function tenantSection(scenario: string, results: Results, opts: Omit<TagTableOptions, 'tag'> = {}): ReportSection | undefined {
  return section('tenant', scenario, results, opts, 40);
}

