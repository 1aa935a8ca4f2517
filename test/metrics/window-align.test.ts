// A window is measured over whole time buckets: Results snaps it to bucket edges (start up, end out)
// and measures exactly that interval, so counts, rates and percentiles speak of the same seconds.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/k6/ingest.js';
import type { Aggregation, Results, TimeWindow } from '../../src/model.js';
import { samplePath } from '../helpers/sample.js';

function value(r: Results, metric: string, a: Aggregation, w?: TimeWindow): number {
  const m = r.measure({ raw: metric, metric, tags: [] }, a, w);
  if (!('value' in m)) throw new Error(m.noData);
  return m.value;
}
function k6Pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const i = p * (s.length - 1);
  return s[Math.floor(i)]! + (s[Math.ceil(i)]! - s[Math.floor(i)]!) * (i - Math.floor(i));
}

let r: Results;
let points: { metric: string; t: number; v: number }[];
beforeAll(async () => {
  const file = samplePath('contacts-20s.ndjson.gz');
  points = gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; metric: string; data: { time: string; value: number } })
    .filter((o) => o.type === 'Point')
    .map((o) => ({ metric: o.metric, t: Date.parse(o.data.time), v: o.data.value }));
  r = await ingestFiles([file]);
});

describe('a 5 s warm-up on the sample run', () => {
  it('is measured from the first whole second after the cut: counts, rate and percentiles agree', () => {
    const span = r.span!;
    const warm = { start: span.start + 5000, end: span.end };
    expect(warm.start % 1000).not.toBe(0); // the cut lies inside a second
    const cut = Math.ceil(warm.start / 1000) * 1000;
    expect(r.alignWindow!(warm)).toEqual({ start: cut, end: span.end });
    const reqs = points.filter((p) => p.metric === 'http_reqs' && p.t >= cut);
    const exact = points.filter((p) => p.metric === 'http_reqs' && p.t >= warm.start);
    expect(reqs.length).toBeLessThanOrEqual(exact.length);
    expect(value(r, 'http_reqs', { kind: 'count' }, warm)).toBe(reqs.length);
    expect(value(r, 'http_reqs', { kind: 'rate' }, warm)).toBeCloseTo(reqs.length / ((span.end - cut) / 1000), 9);
    const durations = points.filter((p) => p.metric === 'http_req_duration' && p.t >= cut).map((p) => p.v);
    expect(value(r, 'http_req_duration', { kind: 'p', p: 95 }, warm)).toBe(k6Pct(durations, 0.95));
    expect(value(r, 'http_req_duration', { kind: 'min' }, warm)).toBe(Math.min(...durations));
  });

  it('leaves a window that starts before the first sample and ends after the last as it is; an inner end goes out to its bucket end', () => {
    const span = r.span!;
    expect(r.alignWindow!(span)).toEqual(span);
    const inner = { start: span.start, end: span.start + 7_300 };
    expect(r.alignWindow!(inner)).toEqual({ start: span.start, end: Math.ceil((span.start + 7_300) / 1000) * 1000 });
    const within = points.filter((p) => p.metric === 'http_reqs' && p.t < Math.ceil((span.start + 7_300) / 1000) * 1000).length;
    expect(value(r, 'http_reqs', { kind: 'count' }, inner)).toBe(within);
  });
});
