// gateWarnings, the warnings the faces print (stderr, annotations) and the JSON report keeps: an
// expanded key (`{url:*}`) may hold a request URL with a token, which must never be printed as it is.
import { describe, expect, it } from 'vitest';
import { gateWarnings } from '../../src/pipeline.js';
import type { Evaluation, Results } from '../../src/model.js';
import { criterion } from '../support/gate-double.js';

describe('gateWarnings', () => {
  it('an aggregation a custom metric lacks, on an expanded URL key: the warning masks the secret', () => {
    const metric = 'errors{url:https://api.example.com/orders?token=s3cr3tvalue123}';
    const c = criterion({ scenario: 'smoke', metric, expression: 'p(95)<1', status: 'no-data', actual: null, kind: 'k6', pos: { file: 'thresholds.yml', line: 4, column: 12 } });
    const evaluation: Evaluation = { verdict: 'CONDITIONALLY_APPROVED', failOn: 'fail', rationale: '', scenarios: [{ name: 'smoke', criteria: [c], notes: [] }] };
    const results = {
      source: 'ndjson',
      metrics: new Map([['errors', { name: 'errors', type: 'rate', contains: 'default' }]]),
      diagnostics: { files: [], lines: 0, points: 0, badLines: 0, badLineExamples: [], truncatedFiles: [] },
      tagValues: () => ['x'],
    } as unknown as Results;
    const warnings = gateWarnings(evaluation, { smoke: results });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^thresholds\.yml:4:12: `p\(95\)<1` on `errors\{url:https:\/\/api\.example\.com\/orders\?token=\*+\}` in smoke: a rate metric has only rate/);
    expect(warnings.join('\n')).not.toContain('s3cr3tvalue123');
  });
});
