import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { k6Time, metricLine, pointLine } from '../src/k6/format.js';
import { samplePath as sample } from './helpers/sample.js';

const samplePath = sample('contacts-20s.ndjson.gz');

/** Parse a k6 time into [epoch ns, offset minutes] to rewrite it. */
function parseK6Time(t: string): [bigint, number] {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|([+-])(\d\d):(\d\d))$/.exec(t);
  if (!m) throw new Error(`bad time ${t}`);
  const offset = m[3] === 'Z' ? 0 : (m[4] === '-' ? -1 : 1) * (Number(m[5]) * 60 + Number(m[6]));
  const localMs = Date.parse(`${m[1]}Z`);
  const ns = BigInt(localMs) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0') - BigInt(offset) * 60_000_000_000n;
  return [ns, offset];
}

describe('k6 line writers', () => {
  it('rewrite every line of the real k6 sample byte for byte', () => {
    const lines = gunzipSync(readFileSync(samplePath)).toString('utf8').split('\n').filter(Boolean);
    expect(lines.length).toBe(3597);
    for (const line of lines) {
      const o = JSON.parse(line);
      let again: string;
      if (o.type === 'Metric') {
        again = metricLine(o.data);
      } else {
        const [ns, off] = parseK6Time(o.data.time);
        again = pointLine(o.metric, k6Time(ns, off), o.data.value, o.data.tags, o.data.metadata);
      }
      expect(again).toBe(line);
    }
  });

  it('writes times with trimmed nanoseconds and a Z for UTC', () => {
    expect(k6Time(1_700_000_000_000_000_000n)).toBe('2023-11-14T22:13:20Z');
    expect(k6Time(1_700_000_000_120_000_000n, 120)).toBe('2023-11-15T00:13:20.12+02:00');
    expect(k6Time(1_700_000_000_000_000_001n, -330)).toBe('2023-11-14T16:43:20.000000001-05:30');
  });

  it('escapes like Go', () => {
    expect(pointLine('m', 't', 1e-7, { url: 'a?b=1&c=<d>' })).toBe(
      '{"metric":"m","type":"Point","data":{"time":"t","value":1e-7,"tags":{"url":"a?b=1\\u0026c=\\u003cd\\u003e"}}}',
    );
  });
});
