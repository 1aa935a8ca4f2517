// The data-quality lines for what ingestion read despite a problem: bytes after the gzip data, a run
// given both plain and compressed. Said in the report and warned of.
import { describe, expect, it } from 'vitest';
import { dataQualityItems } from '../../src/report/quality.js';
import type { IngestDiagnostics, Results, ScenarioEvaluation } from '../../src/model.js';

const scenario = { name: 's', criteria: [], notes: [] } as unknown as ScenarioEvaluation;
const withDiagnostics = (d: Partial<IngestDiagnostics>): Results =>
  ({ diagnostics: { files: [], lines: 0, points: 0, badLines: 0, badLineExamples: [], truncatedFiles: [], ...d }, source: 'ndjson' }) as unknown as Results;

describe('data quality of gzip files and duplicate runs', () => {
  it('names each file and what was done, as a warning', () => {
    const items = dataQualityItems(scenario, withDiagnostics({ gzipTrailingFiles: ['b.ndjson.gz'], sameRunFiles: [{ file: 'run.ndjson.gz', readAs: 'run.ndjson' }] }));
    expect(items.map((i) => i.warn)).toEqual([true, true]);
    expect(items[0]!.text).toMatch(/^`b\.ndjson\.gz` has bytes after its gzip data: they were ignored/);
    expect(items[1]!.text).toBe('`run.ndjson` and `run.ndjson.gz` hold the same run (one of them compressed): only `run.ndjson` was read, so it is not counted twice.');
    expect(dataQualityItems(scenario, withDiagnostics({}))).toEqual([]);
  });

  it('names a copy as a copy, and files that do not overlap in time with their spans', () => {
    const day = Date.UTC(2026, 10, 2, 14, 0);
    const items = dataQualityItems(
      scenario,
      withDiagnostics({
        sameRunFiles: [{ file: 'b.ndjson.gz', readAs: 'a.ndjson.gz', copy: true }],
        separateRuns: [
          { file: 'a.ndjson.gz', start: day, end: day + 61_000 },
          { file: 'c.ndjson.gz', start: day + 19 * 3_600_000, end: day + 34 * 3_600_000 },
        ],
      }),
    );
    expect(items.map((i) => i.warn)).toEqual([true, true]);
    expect(items[0]!.text).toBe('`a.ndjson.gz` and `b.ndjson.gz` are copies of one file (the same bytes): only `a.ndjson.gz` was read, so it is not counted twice.');
    expect(items[1]!.text).toBe(
      'the results files do not overlap in time (`a.ndjson.gz` 2026-11-02 14:00–14:01 UTC, `c.ndjson.gz` 2026-11-03 09:00–2026-11-04 00:00 UTC): shards of one run do, so these look like separate runs, merged here as one (counts, throughput and the duration span all of them); evaluate each run on its own.',
    );
  });
});
