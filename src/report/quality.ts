// What a scenario's data lacks: lines skipped, files cut short or empty, runs that did not complete,
// and the pipeline's notes. One list, read by the Markdown report (section 5), the JSON report
// (`scenarios[].dataQuality`) and the faces (warnings), so the three never disagree.
import type { Results, ScenarioEvaluation } from '../model.js';
import { code, groupThousands } from './units.js';

export interface QualityItem {
  /** One sentence, file names in backticks. */
  text: string;
  /** Worth a warning in the log (as opposed to information the report gives). */
  warn: boolean;
}

/** The scenario note of a noise-guard rerun: information, not a problem (no warning). */
export function noiseGuardNote(attempt: number): string {
  return `attempt ${attempt}: the first run failed the gate and this rerun decides (noise guard)`;
}
const NOISE_GUARD_NOTE = /^attempt \d+: the first run failed the gate and this rerun decides \(noise guard\)$/;

export function dataQualityItems(s: ScenarioEvaluation, r: Results | undefined): QualityItem[] {
  const items: QualityItem[] = [];
  if (r) {
    const d = r.diagnostics;
    if (d.badLines > 0) {
      const examples = d.badLineExamples.length > 0 ? ` (e.g. ${d.badLineExamples.slice(0, 3).map(code).join(', ')})` : '';
      items.push({ text: `${groupThousands(d.badLines)} line${d.badLines === 1 ? ' was' : 's were'} not valid k6 JSON and skipped${examples}.`, warn: true });
    }
    const cut = new Set(d.gzipCutFiles ?? []);
    for (const f of d.truncatedFiles) {
      items.push({
        text: cut.has(f)
          ? `${code(f)} is cut short: its gzip stream ends early (k6 was stopped while writing, or the file was cut in transfer); the samples before the cut were read.`
          : `${code(f)} ends in a partial line (k6 was stopped while writing).`,
        warn: true,
      });
    }
    for (const f of d.emptyFiles ?? []) items.push({ text: `${code(f)} holds no k6 samples: k6 wrote nothing to it (or only metric definitions).`, warn: true });
    for (const f of d.gzipTrailingFiles ?? []) items.push({ text: `${code(f)} has bytes after its gzip data: they were ignored (as \`gzip -d\` does) and the data before them read.`, warn: true });
    for (const { file, readAs, copy } of d.sameRunFiles ?? []) {
      const how = copy ? 'are copies of one file (the same bytes)' : 'hold the same run (one of them compressed)';
      items.push({ text: `${code(readAs)} and ${code(file)} ${how}: only ${code(readAs)} was read, so it is not counted twice.`, warn: true });
    }
    if (d.separateRuns) {
      const list = d.separateRuns.map((f) => `${code(f.file)} ${minuteSpan(f.start, f.end)}`).join(', ');
      items.push({
        text: `the results files do not overlap in time (${list}): shards of one run do, so these look like separate runs, merged here as one (counts, throughput and the duration span all of them); evaluate each run on its own.`,
        warn: true,
      });
    }
    if (r.source === 'summary') items.push({ text: "read from k6's end-of-test summary: only the statistics k6 put in it can be judged.", warn: false });
  }
  if (s.run?.incomplete) items.push({ text: `the k6 run did not complete (${s.run.incomplete}): the results are partial.`, warn: true });
  for (const n of s.notes) items.push({ text: n, warn: !NOISE_GUARD_NOTE.test(n) });
  const noData = s.criteria.filter((c) => c.status === 'no-data');
  if (noData.length > 0) items.push({ text: `${noData.length} criteri${noData.length === 1 ? 'on has' : 'a have'} no data (see the Notes column).`, warn: false });
  return items;
}

/** `2026-11-02 14:00–14:01 UTC`, the day repeated only when the span crosses midnight. */
function minuteSpan(start: number, end: number): string {
  const a = new Date(start).toISOString();
  const b = new Date(end).toISOString();
  return `${a.slice(0, 10)} ${a.slice(11, 16)}–${a.slice(0, 10) === b.slice(0, 10) ? '' : `${b.slice(0, 10)} `}${b.slice(11, 16)} UTC`;
}
