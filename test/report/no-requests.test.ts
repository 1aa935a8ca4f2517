// A k6 run that made no HTTP request (the script failed before its first one): written in k6's line
// format and ingested, so the results answer as they do for a real run — a rate without samples has no value.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { toJsonReport } from '../../src/report/json.js';
import { headlineFor, renderMarkdown } from '../../src/report/markdown.js';
import { config, rule } from '../evaluate/rules.js';

const dir = mkdtempSync(join(tmpdir(), 'perf-gate-no-requests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a run without a single HTTP request', () => {
  it('has no error rate in the summary, the JSON headline or the Action outputs — not a clean 0.00%', async () => {
    const lines = [metricLine({ name: 'iterations', type: 'counter', contains: 'default', thresholds: [], submetrics: null })];
    for (let i = 0; i < 3; i++) lines.push(pointLine('iterations', k6Time(1_764_000_000_000_000_000n + BigInt(i) * 1_000_000_000n, 330), 1, { group: '', scenario: 'smoke' }));
    writeFileSync(join(dir, 'run.ndjson'), `${lines.join('\n')}\n`);
    const results = await ingestFiles([join(dir, 'run.ndjson')]);
    // what the results answer: a rate without samples has none (k6's summary shows NaN)
    const failed = results.measure({ raw: 'http_req_failed', metric: 'http_req_failed', tags: [] }, { kind: 'rate' });
    expect(failed).toEqual({ noData: 'no samples of http_req_failed in the k6 output' });

    expect(headlineFor(results).errorRate).toBeNull();
    const evaluation = evaluate({ config: config(), scenarios: [{ name: 'smoke', results, rules: [rule('iterations', 'count>=1')] }] });
    expect(toJsonReport(evaluation, { results: { smoke: results } }).scenarios[0]!.headline.errorRate).toBeNull();
    const md = renderMarkdown({ evaluation, results: { smoke: results } });
    expect(md).toContain('- **smoke**: no HTTP requests were made, so there is no latency, error rate or throughput to show');
    expect(md).not.toContain('error rate 0.00%');
  });
});
