// Aggregates per metric × indexed tag set × time bucket, merged from the partial aggregates of one
// or more parsers (files, shards of one run, byte ranges of one file read by worker threads).
import type { BucketData, PartialAggregates } from '../k6/ndjson.js';
import { EXACT_CAP, histKey } from './histogram.js';

export interface StoreBucket {
  b: number;
  n: number;
  sum: number;
  min: number;
  max: number;
  nz: number;
  lastT: number;
  last: number;
  vals: number[] | null;
  hist: Map<number, number> | null;
  zeros: number;
}

export interface StoreSeries {
  metric: string;
  tags: Record<string, string>;
  buckets: Map<number, StoreBucket>;
}

function toHist(bk: StoreBucket): Map<number, number> {
  if (bk.hist === null) {
    const h = new Map<number, number>();
    for (const v of bk.vals ?? []) {
      if (v === 0) bk.zeros++;
      else {
        const k = histKey(v);
        h.set(k, (h.get(k) ?? 0) + 1);
      }
    }
    bk.hist = h;
    bk.vals = null;
  }
  return bk.hist;
}

function fromData(d: BucketData): StoreBucket {
  let hist: Map<number, number> | null = null;
  if (d.hist !== null) {
    hist = new Map();
    for (let i = 0; i < d.hist.length; i += 2) hist.set(d.hist[i]!, d.hist[i + 1]!);
  }
  // Takes ownership of d.vals: partial aggregates are not used after merging.
  return { b: d.b, n: d.n, sum: d.sum, min: d.min, max: d.max, nz: d.nz, lastT: d.lastT, last: d.last, vals: d.vals, hist, zeros: d.zeros };
}

/** Merges `d` into `into` exactly as if their samples had been read by one parser. */
function mergeBucket(into: StoreBucket, d: BucketData): void {
  into.n += d.n;
  into.sum += d.sum;
  if (d.min < into.min) into.min = d.min;
  if (d.max > into.max) into.max = d.max;
  into.nz += d.nz;
  if (d.lastT >= into.lastT) {
    into.lastT = d.lastT;
    into.last = d.last;
  }
  if (d.vals === null && d.hist === null) return;
  if (d.vals !== null && into.vals !== null && into.vals.length + d.vals.length <= EXACT_CAP) {
    for (const v of d.vals) into.vals.push(v);
    return;
  }
  if (into.vals === null && into.hist === null) {
    // `into` kept no values (should not happen for one metric type); adopt d's.
    into.vals = d.vals === null ? null : d.vals.slice();
    if (d.hist !== null) {
      into.hist = new Map();
      for (let i = 0; i < d.hist.length; i += 2) into.hist.set(d.hist[i]!, d.hist[i + 1]!);
      into.zeros += d.zeros;
    }
    return;
  }
  const h = toHist(into);
  if (d.vals !== null) {
    for (const v of d.vals) {
      if (v === 0) into.zeros++;
      else {
        const k = histKey(v);
        h.set(k, (h.get(k) ?? 0) + 1);
      }
    }
  } else if (d.hist !== null) {
    into.zeros += d.zeros;
    for (let i = 0; i < d.hist.length; i += 2) h.set(d.hist[i]!, (h.get(d.hist[i]!) ?? 0) + d.hist[i + 1]!);
  }
}

export interface MergedStore {
  bucketMs: number;
  series: StoreSeries[];
  byMetric: Map<string, StoreSeries[]>;
  metricInfo: Map<string, { name: string; type: string; contains: string }>;
  minT: number;
  maxT: number;
}

/** Merges partial aggregates (taking ownership of their value arrays). */
export function mergePartials(parts: PartialAggregates[], bucketMs: number): MergedStore {
  const byKey = new Map<string, StoreSeries>();
  const metricInfo = new Map<string, { name: string; type: string; contains: string }>();
  let minT = Infinity;
  let maxT = -Infinity;
  for (const p of parts) {
    if (p.bucketMs !== bucketMs) throw new Error(`partial aggregates with bucket ${p.bucketMs} ms cannot merge into ${bucketMs} ms`);
    for (const m of p.metrics) if (!metricInfo.has(m.name)) metricInfo.set(m.name, m);
    if (p.minT < minT) minT = p.minT;
    if (p.maxT > maxT) maxT = p.maxT;
    for (const s of p.series) {
      const key = `${s.metric}\u0000${s.tags.join('\u0000')}`;
      let into = byKey.get(key);
      if (into === undefined) {
        const tags: Record<string, string> = {};
        for (let i = 0; i < s.tags.length; i += 2) tags[s.tags[i]!] = s.tags[i + 1]!;
        into = { metric: s.metric, tags, buckets: new Map() };
        byKey.set(key, into);
      }
      for (const d of s.buckets) {
        const have = into.buckets.get(d.b);
        if (have === undefined) into.buckets.set(d.b, fromData(d));
        else mergeBucket(have, d);
      }
    }
  }
  const series = [...byKey.values()];
  const byMetric = new Map<string, StoreSeries[]>();
  for (const s of series) {
    let l = byMetric.get(s.metric);
    if (l === undefined) byMetric.set(s.metric, (l = []));
    l.push(s);
  }
  return { bucketMs, series, byMetric, metricInfo, minT, maxT };
}
