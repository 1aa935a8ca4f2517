// Damaged or unusual k6 output: what is still read, what is reported, and the messages of what is refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import type { Results } from '../../src/model.js';

const dir = mkdtempSync(join(tmpdir(), 'perf-gate-robust-'));
const t = (s: number) => k6Time(1_767_258_000_000_000_000n + BigInt(s) * 1_000_000_000n);
const duration = metricLine({ name: 'http_req_duration', type: 'trend', contains: 'time' });
/** k6 lines: the Metric line and `n` points of http_req_duration valued 1…n. */
function k6Lines(n: number): string[] {
  const out = [duration];
  for (let i = 1; i <= n; i++) out.push(pointLine('http_req_duration', t(i % 30), i, { status: '200' }));
  return out;
}
function count(r: Results): number {
  const m = r.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'count' });
  if (!('value' in m)) throw new Error(m.noData);
  return m.value;
}
describe('values out of range', () => {
  it('counts a value that overflows a double (1e400) as a bad line, fast path or not', async () => {
    const f = join(dir, 'overflow.ndjson');
    const lines = k6Lines(3);
    lines.push(pointLine('http_req_duration', t(4), 7, { status: '200' }).replace('"value":7', '"value":1e400'));
    lines.push(pointLine('http_req_duration', t(5), 7, { status: '200' }).replace('"value":7', '"value":-2E+999'));
    // other key order: read by JSON.parse
    lines.push(`{"type":"Point","metric":"http_req_duration","data":{"value":1e309,"time":"${t(6)}","tags":{}}}`);
    writeFileSync(f, `${lines.join('\n')}\n`);
    const r = await ingestFiles([f]);
    expect(r.diagnostics.badLines).toBe(3);
    expect(r.diagnostics.badLineExamples).toEqual([`${f}:5`, `${f}:6`, `${f}:7`]);
    expect(count(r)).toBe(3);
    const max = r.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'max' });
    expect(max).toEqual({ value: 3 });
  });
});
