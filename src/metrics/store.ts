// Aggregates per metric × indexed tag set, merged from the partial aggregates of one or more parsers
// (files, shards of one run, byte ranges of one file read by worker threads):
//   - per time bucket (1 s by default), fixed-size scalars: count, sum, min, max, non-zero, last,
//     columnar; at most MAX_BUCKETS per series, buckets double in width past it;
//   - per block of 2^shift buckets, the value distribution (trends): exact values while small, then
//     the log histogram. A series keeps at most MAX_BLOCKS blocks; blocks double in length as the
//     run grows, so memory does not grow with the run's length.
import { BUCKET_FIELDS, bucketMerge, distAdd, type BucketData, type DistData, type PartialAggregates } from '../k6/ndjson.js';
import { EXACT_CAP, INV_LOG_GAMMA, MAX_BLOCKS, MAX_BUCKETS } from './histogram.js';

/** The value distribution of one block of buckets. */
export interface StoreDist {
  k: number;
  /** Exact values (a Float64Array when handed over by a worker, until something is added). */
  vals: number[] | Float64Array | null;
  hist: Map<number, number> | null;
  zeros: number;
}

export interface StoreSeries {
  metric: string;
  tags: Record<string, string>;
  /** Columnar time buckets (see BucketData; iterate with forBuckets). */
  buckets: BucketData;
  /** Blocks are 2^shift buckets long: block k covers buckets [k·2^shift, (k+1)·2^shift). */
  shift: number;
  blocks: Map<number, StoreDist>;
}

function fromData(d: DistData): StoreDist {
  let hist: Map<number, number> | null = null;
  if (d.hist !== null) {
    hist = new Map();
    for (let i = 0; i < d.hist.length; i += 2) hist.set(d.hist[i]!, d.hist[i + 1]!);
  }
  // Takes ownership of d.vals: partial aggregates are not used after merging.
  return { k: d.k, vals: d.vals, hist, zeros: d.zeros };
}

/**
 * Calls `fn` for every non-empty bucket of `s` that overlaps base buckets [lo, hi], with the data
 * array, the bucket's offset in it (fields B_N, B_SUM, … from k6/ndjson.ts) and the base buckets it
 * covers, [first, last].
 */
export function forBuckets(s: StoreSeries, lo: number, hi: number, fn: (d: Float64Array, o: number, first: number, last: number) => void): void {
  const bk = s.buckets;
  const w = 2 ** bk.shift;
  const d = bk.data;
  const i0 = Math.max(0, Math.floor(lo / w) - bk.b0);
  const i1 = Math.min(bk.nb - 1, Math.floor(hi / w) - bk.b0);
  for (let i = i0; i <= i1; i++) {
    const o = i * BUCKET_FIELDS;
    if (d[o] === 0) continue;
    const first = (bk.b0 + i) * w;
    fn(d, o, first, first + w - 1);
  }
}

/** Adds a distribution of block `k` at `shift` to a series (coarsening whichever side is finer). */
function addDist(s: StoreSeries, shift: number, d: StoreDist): void {
  while (s.shift < shift) coarsen(s);
  let k = d.k;
  for (let i = shift; i < s.shift; i++) k = Math.floor(k / 2);
  d.k = k;
  const have = s.blocks.get(k);
  if (have === undefined) s.blocks.set(k, d);
  else distAdd(have, d.vals, d.hist, d.zeros, EXACT_CAP, INV_LOG_GAMMA);
}

/** Doubles the block length of a series, merging pairs of blocks. */
function coarsen(s: StoreSeries): void {
  const old = s.blocks;
  s.shift++;
  s.blocks = new Map();
  for (const d of old.values()) {
    d.k = Math.floor(d.k / 2);
    const have = s.blocks.get(d.k);
    if (have === undefined) s.blocks.set(d.k, d);
    else distAdd(have, d.vals, d.hist, d.zeros, EXACT_CAP, INV_LOG_GAMMA);
  }
}

function blockSpan(s: StoreSeries): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const k of s.blocks.keys()) {
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  return hi - lo + 1;
}

export interface MergedStore {
  bucketMs: number;
  series: StoreSeries[];
  byMetric: Map<string, StoreSeries[]>;
  metricInfo: Map<string, { name: string; type: string; contains: string }>;
  minT: number;
  maxT: number;
  /**
   * The earliest `iteration_duration` sample's time minus its value (when its iteration began), ms:
   * from parsers that report it (PartialAggregates.iterationStart), undefined when none does.
   */
  iterationStart?: number;
}

/** Merges partial aggregates (taking ownership of their value arrays). */
export function mergePartials(parts: PartialAggregates[], bucketMs: number, maxBlocks: number = MAX_BLOCKS, maxBuckets: number = MAX_BUCKETS): MergedStore {
  const byKey = new Map<string, StoreSeries>();
  const metricInfo = new Map<string, { name: string; type: string; contains: string }>();
  let minT = Infinity;
  let maxT = -Infinity;
  let iterationStart: number | undefined;
  for (const p of parts) {
    if (p.bucketMs !== bucketMs) throw new Error(`partial aggregates with bucket ${p.bucketMs} ms cannot merge into ${bucketMs} ms`);
    for (const m of p.metrics) if (!metricInfo.has(m.name)) metricInfo.set(m.name, m);
    if (p.minT < minT) minT = p.minT;
    if (p.maxT > maxT) maxT = p.maxT;
    const began = p.iterationStart;
    if (began !== undefined && Number.isFinite(began) && !(iterationStart !== undefined && iterationStart <= began)) iterationStart = began;
    for (const s of p.series) {
      const key = `${s.metric}\u0000${s.tags.join('\u0000')}`;
      let into = byKey.get(key);
      if (into === undefined) {
        const tags: Record<string, string> = {};
        for (let i = 0; i < s.tags.length; i += 2) tags[s.tags[i]!] = s.tags[i + 1]!;
        // the buckets are taken over: partial aggregates are not used after merging
        into = { metric: s.metric, tags, buckets: s.buckets, shift: s.shift, blocks: new Map() };
        byKey.set(key, into);
      } else bucketMerge(into.buckets, s.buckets, maxBuckets);
      for (const d of s.blocks) addDist(into, s.shift, fromData(d));
    }
  }
  const series = [...byKey.values()];
  for (const s of series) {
    while (s.blocks.size > 1 && blockSpan(s) > maxBlocks) coarsen(s);
  }
  const byMetric = new Map<string, StoreSeries[]>();
  for (const s of series) {
    let l = byMetric.get(s.metric);
    if (l === undefined) byMetric.set(s.metric, (l = []));
    l.push(s);
  }
  const merged: MergedStore = { bucketMs, series, byMetric, metricInfo, minT, maxT };
  if (iterationStart !== undefined) merged.iterationStart = iterationStart;
  return merged;
}
