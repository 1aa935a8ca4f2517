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
});
