// Shrinks the Markdown report to a size limit (a GitHub comment holds 65,536 characters, a job
// summary 1 MiB): drop the optional sections first, then table rows, and as a last resort cut at a
// line boundary — always closing an open code fence and saying where the full report is.
import type { Aggregation, Measurement, MetricSelector, Results, TimeWindow } from '../model.js';
import type { ReportInput } from './markdown.js';
import { renderMarkdownWith } from './markdown.js';

const ROW_LIMITS = [200, 100, 50, 25, 10, 5, 3, 1];
const FENCE_CLOSE = '```\n';

/** The report within `maxChars` characters (UTF-16 code units, as JavaScript counts), ending with `note` when shrunk. */
export function fitMarkdown(report: ReportInput, maxChars: number, note: string): string {
  // The report is rendered several times while shrinking: measure each value once.
  const input: ReportInput = { ...report, results: Object.fromEntries(Object.entries(report.results).map(([k, r]) => [k, memoized(r)])) };
  const full = renderMarkdownWith(input, {});
  if (full.length <= maxChars) return full;
  const tail = `\n---\n\n> ✂️ ${note}\n`;
  if (tail.length >= maxChars) return tail.trimStart().slice(0, Math.max(0, maxChars));
  const budget = maxChars - tail.length;

  // 1. Sections, the highest dropOrder first.
  const sections = [...(input.sections ?? [])].sort((a, b) => b.dropOrder - a.dropOrder);
  const dropped = new Set<string>();
  let text = full;
  for (const s of sections) {
    dropped.add(s.id);
    text = renderMarkdownWith(input, { dropSections: dropped });
    if (text.length <= budget) return text + tail;
  }
  // 2. Table rows: the worst first, blocking criteria never (the environment table never).
  for (const maxRows of ROW_LIMITS) {
    text = renderMarkdownWith(input, { dropSections: dropped, maxRows });
    if (text.length <= budget) return text + tail;
  }
  // 2b. The blocking rows alone do not fit: trim them too (the worst first; the notes count them), so
  // the SLO comparison, the decision and the data-quality section are not cut off.
  // Fewer rows, a shorter text: the fewest first (if even that does not fit, cut), then the most that fit.
  const trimmed = (maxRows: number) => renderMarkdownWith(input, { dropSections: dropped, maxRows, trimBlocking: true });
  let hi = ROW_LIMITS.length - 1;
  text = trimmed(ROW_LIMITS[hi]!);
  if (text.length <= budget) {
    let best = text;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const t = trimmed(ROW_LIMITS[mid]!);
      if (t.length <= budget) {
        best = t;
        hi = mid;
      } else lo = mid + 1;
    }
    return best + tail;
  }
  // 3. Cut at a line boundary, closing an open fence, saying how many blocking criteria the full report has.
  const blocking = input.evaluation.scenarios.reduce((n, s) => n + s.criteria.filter((c) => c.blocking).length, 0);
  const cutNote = `\n> ✂️ Cut short here to fit the size limit${blocking > 0 ? `: the full report lists all ${blocking} blocking criteri${blocking === 1 ? 'on' : 'a'}` : ''}.\n`;
  const cutBudget = budget - FENCE_CLOSE.length - cutNote.length;
  if (cutBudget > 0) return cutAtLine(text, cutBudget) + cutNote + tail;
  return cutAtLine(text, budget - FENCE_CLOSE.length) + tail;
}

/** The longest prefix of whole lines within `limit` characters, with any open ``` fence closed. */
export function cutAtLine(text: string, limit: number): string {
  if (limit <= 0) return '';
  let cut = text.slice(0, limit);
  const nl = cut.lastIndexOf('\n');
  cut = nl >= 0 ? cut.slice(0, nl + 1) : '';
  let open = false;
  for (const line of cut.split('\n')) if (/^\s{0,3}(`{3,}|~{3,})/.test(line)) open = !open;
  return open ? cut + FENCE_CLOSE : cut;
}

/** The same Results, answering each (selector, aggregation, window) and tag lookup once. */
function memoized(r: Results): Results {
  const measures = new Map<string, Measurement>();
  const tags = new Map<string, string[]>();
  return {
    source: r.source,
    metrics: r.metrics,
    span: r.span,
    diagnostics: r.diagnostics,
    scenarios: r.scenarios,
    measure(selector: MetricSelector, aggregation: Aggregation, window?: TimeWindow): Measurement {
      const key = JSON.stringify([selector.metric, selector.tags, aggregation, window ?? null]);
      let m = measures.get(key);
      if (m === undefined) {
        m = r.measure(selector, aggregation, window);
        measures.set(key, m);
      }
      return m;
    },
    tagValues(metric: string, key: string): string[] {
      const k = JSON.stringify([metric, key]);
      let v = tags.get(k);
      if (v === undefined) {
        v = r.tagValues(metric, key);
        tags.set(k, v);
      }
      return v;
    },
    steadyWindow: () => r.steadyWindow(),
    timeline: (bucketSeconds: number) => r.timeline(bucketSeconds),
  };
}
