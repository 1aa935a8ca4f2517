// The k6 `--out json` reader. `createNdjsonParser` turns bytes into partial aggregates (per metric ×
// indexed tag set × time bucket). It is written as ONE self-contained function (no imports, no
// references to anything outside its body) because worker threads run it from its own source text
// (`createNdjsonParser.toString()`), which also works when src/ is bundled into a single file.
//
// Fast path: a Point line in k6's usual key order
//   {"metric":"…","type":"Point","data":{"time":"…","value":…,"tags":{…}}}   (optionally ,"metadata":{…} after the tags)
// is scanned on the raw bytes (escapes checked in place; strings decoded only when first interned), the timestamp is
// parsed by hand and numbers are parsed exactly (integer mantissa ÷ power of ten, both exact, so the
// division rounds exactly as JSON.parse does; anything longer goes through Number()). Any line that
// deviates in the slightest goes through JSON.parse, so every valid JSON line reads as JSON.parse reads it.

/**
 * The time buckets of one series, columnar in one Float64Array: bucket `b0 + i` covers the base
 * buckets [(b0 + i)·2^shift, (b0 + i + 1)·2^shift) (base bucket = floor(time ms / bucket ms)) and
 * holds BUCKET_FIELDS scalars at data[i·BUCKET_FIELDS …]: count, sum, min, max, non-zero count
 * (rates), time (ms) and value of the latest sample (gauges). A bucket with count 0 is empty.
 * At most `maxBuckets` per series: past that, buckets double in width (see bucketIndex).
 */
export interface BucketData {
  shift: number;
  b0: number;
  /** Buckets `data` has room for (up to about twice the used span, which bucketSpan finds). */
  nb: number;
  data: Float64Array;
}

export const BUCKET_FIELDS = 7;
export const B_N = 0;
export const B_SUM = 1;
export const B_MIN = 2;
export const B_MAX = 3;
export const B_NZ = 4;
export const B_LAST_T = 5;
export const B_LAST = 6;

// The bucket operations below are self-contained (no references outside their bodies but each
// other) because worker threads run them from their source text along with the parser.

/** The used span [lo, hi] of bucket indexes (lo > hi when empty). */
export function bucketSpan(bk: BucketData): [number, number] {
  const d = bk.data;
  let lo = 0;
  while (lo < bk.nb && d[lo * 7] === 0) lo++;
  let hi = bk.nb - 1;
  while (hi >= lo && d[hi * 7] === 0) hi--;
  return [bk.b0 + lo, bk.b0 + hi];
}

/** Adds the scalars of src[so…] into dst[o…] (src non-empty). */
export function bucketAdd(dst: Float64Array, o: number, src: Float64Array | number[], so: number): void {
  if (dst[o] === 0) {
    for (let f = 0; f < 7; f++) dst[o + f] = src[so + f]!;
    return;
  }
  dst[o]! += src[so]!;
  dst[o + 1]! += src[so + 1]!;
  if (src[so + 2]! < dst[o + 2]!) dst[o + 2] = src[so + 2]!;
  if (src[so + 3]! > dst[o + 3]!) dst[o + 3] = src[so + 3]!;
  dst[o + 4]! += src[so + 4]!;
  if (src[so + 5]! >= dst[o + 5]!) {
    dst[o + 5] = src[so + 5]!;
    dst[o + 6] = src[so + 6]!;
  }
}

/** Doubles the width of the buckets (pairs merged), in place. */
export function bucketCoarsen(bk: BucketData): void {
  const [lo, hi] = bucketSpan(bk);
  const nlo = Math.floor(lo / 2);
  const nb = Math.max(16, Math.floor(hi / 2) - nlo + 1);
  const data = new Float64Array(nb * 7);
  const old = bk.data;
  for (let c = lo; c <= hi; c++) {
    const so = (c - bk.b0) * 7;
    if (old[so] !== 0) bucketAdd(data, (Math.floor(c / 2) - nlo) * 7, old, so);
  }
  bk.shift++;
  bk.b0 = nlo;
  bk.nb = nb;
  bk.data = data;
}

/**
 * The index in bk.data (in buckets) of base bucket `base`, making room for it: the array grows
 * (doubling, towards the side that needs it) and, when the series would span more than maxBuckets,
 * the buckets double in width until it does not.
 */
export function bucketIndex(bk: BucketData, base: number, maxBuckets: number): number {
  for (;;) {
    const c = Math.floor(base / 2 ** bk.shift);
    const i = c - bk.b0;
    if (i >= 0 && i < bk.nb) return i;
    const [ulo, uhi] = bucketSpan(bk);
    const lo = ulo <= uhi ? Math.min(ulo, c) : c;
    const hi = ulo <= uhi ? Math.max(uhi, c) : c;
    if (hi - lo + 1 > maxBuckets) {
      bucketCoarsen(bk);
      continue;
    }
    const nb = Math.min(Math.max(16, 2 * bk.nb, hi - lo + 1), Math.max(maxBuckets, hi - lo + 1));
    const b0 = c < bk.b0 ? hi - nb + 1 : lo;
    const data = new Float64Array(nb * 7);
    if (ulo <= uhi) data.set(bk.data.subarray((ulo - bk.b0) * 7, (uhi - bk.b0 + 1) * 7), (ulo - b0) * 7);
    bk.b0 = b0;
    bk.nb = nb;
    bk.data = data;
  }
}

/** Adds every bucket of `from` into `into` (either may be the finer; the result is the coarser). */
export function bucketMerge(into: BucketData, from: BucketData, maxBuckets: number): void {
  while (into.shift < from.shift) bucketCoarsen(into);
  const [lo, hi] = bucketSpan(from);
  for (let c = lo; c <= hi; c++) {
    const so = (c - from.b0) * 7;
    if (from.data[so] === 0) continue;
    const i = bucketIndex(into, c * 2 ** from.shift, maxBuckets);
    bucketAdd(into.data, i * 7, from.data, so);
  }
}

/**
 * A distribution of values: exact values while there are few, then a histogram of log buckets
 * (keys from histKeyOf) with zeros counted apart. Parser blocks, merged store blocks and query
 * aggregates all are one; the functions below are the one way to fill them.
 */
export interface ValueDist {
  vals: number[] | Float64Array | null;
  hist: Map<number, number> | null;
  zeros: number;
}

/** Histogram key of a non-zero value: 2·idx for v > 0, 2·idx + 1 for v < 0, idx = floor(ln|v| / ln gamma). */
export function histKeyOf(v: number, invLogGamma: number): number {
  if (v > 0) return 2 * Math.floor(Math.log(v) * invLogGamma);
  return 2 * Math.floor(Math.log(-v) * invLogGamma) + 1;
}

/** Turns d's exact values into its histogram (once); returns the histogram. */
export function distToHist(d: ValueDist, invLogGamma: number): Map<number, number> {
  if (d.hist === null) {
    const vs = d.vals;
    d.vals = null;
    d.hist = new Map();
    if (vs !== null) distAdd(d, vs, null, 0, 0, invLogGamma); // d is a histogram now: counted into it
  }
  return d.hist;
}

/**
 * Adds another distribution to d — its exact values `vals`, or its histogram `hist` (a Map or flat
 * [key, count, …]) and `zeros` — exactly as if d had read those samples: d stays exact while it
 * would hold at most `cap` values.
 */
export function distAdd(
  d: ValueDist,
  vals: ArrayLike<number> | null,
  hist: ReadonlyMap<number, number> | ArrayLike<number> | null,
  zeros: number,
  cap: number,
  invLogGamma: number,
): void {
  if (vals !== null) {
    if (d.vals !== null && d.vals.length + vals.length <= cap) {
      if (!Array.isArray(d.vals)) d.vals = Array.from(d.vals);
      const into = d.vals as number[];
      for (let i = 0; i < vals.length; i++) into.push(vals[i]!);
      return;
    }
    const h = distToHist(d, invLogGamma);
    for (let i = 0; i < vals.length; i++) {
      const x = vals[i]!;
      if (x === 0) d.zeros++;
      else {
        const k = histKeyOf(x, invLogGamma);
        h.set(k, (h.get(k) ?? 0) + 1);
      }
    }
    return;
  }
  if (hist === null) return;
  const h = distToHist(d, invLogGamma);
  d.zeros += zeros;
  if (hist instanceof Map) {
    for (const [k, c] of hist) h.set(k, (h.get(k) ?? 0) + c);
  } else {
    const flat = hist as ArrayLike<number>;
    for (let i = 0; i < flat.length; i += 2) h.set(flat[i]!, (h.get(flat[i]!) ?? 0) + flat[i + 1]!);
  }
}

/** The value distribution of one block of buckets (trends and metrics of unknown type). */
export interface DistData {
  /** Block index: floor(bucket index / 2^shift). */
  k: number;
  /** Exact values while the block is small (a Float64Array when unpacked from a worker). */
  vals: number[] | Float64Array | null;
  /** Log-bucketed histogram once it is not: flat [key, count, key, count, …]; see histKeyOf. */
  hist: number[] | Float64Array | null;
  /** Zero values counted outside `hist`. */
  zeros: number;
}

export interface SeriesData {
  metric: string;
  /** Indexed tags of the series, flat [key, value, …], sorted by key. */
  tags: string[];
  buckets: BucketData;
  /** Value distributions per block of 2^shift buckets (empty for counters, gauges, rates). */
  shift: number;
  blocks: DistData[];
}

export interface PartialAggregates {
  bucketMs: number;
  metrics: { name: string; type: string; contains: string }[];
  series: SeriesData[];
  lines: number;
  points: number;
  /** Point lines of skipped metrics (ParserConfig.skipMetrics): counted, not read. */
  skippedPoints: number;
  badLines: number;
  /** Line numbers (1-based, relative to where this parser started) of a few bad lines, with why. */
  badExamples: { line: number; why: string }[];
  /** A trailing partial line was seen (and dropped). */
  truncated: boolean;
  minT: number;
  maxT: number;
  /** The earliest iteration start seen (an `iteration_duration` sample's time minus its value, ms); Infinity when none. */
  iterationStart?: number;
}

export interface ParserConfig {
  bucketMs: number;
  indexKeys: string[];
  /** Exact values kept per distribution block before switching to the histogram. */
  exactCap: number;
  /** Most distribution blocks per series (default 64): blocks double in length as the run grows. */
  maxBlocks?: number;
  /** Most time buckets per series (default 1024): buckets double in width past it. */
  maxBuckets?: number;
  /** 1 / ln(gamma) of the histogram (relative bucket width gamma − 1). */
  invLogGamma: number;
  maxExamples: number;
  /**
   * Metrics whose Point lines are counted and passed over after their name (a line of one must still
   * end in `}}`); their Metric lines are read, so they stay known. Skipping what no rule or report
   * reads saves most of the parsing: k6 writes six timing phases per request besides its duration.
   */
  skipMetrics?: string[];
}

export interface NdjsonParser {
  /** Parses the complete lines in buf[start, end); returns the offset just past the last newline consumed. */
  feed(buf: Uint8Array, start: number, end: number): number;
  /** The bytes after the last newline of the input: a partial line unless empty. */
  tail(buf: Uint8Array, start: number, end: number): void;
  finish(): PartialAggregates;
  /** Lines read so far. */
  lineCount(): number;
  /** Tag objects read key by key so far (those the tag cache did not hold). */
  tagReads(): number;
  /** Tag objects looked up by hash (not the previous line's, nor the one its metric followed last time). */
  tagLookups(): number;
  /** Lines so far that were not in k6's own layout, read by JSON.parse instead (blank and bad lines included). */
  slowLines(): number;
}

export function createNdjsonParser(cfg: ParserConfig): NdjsonParser {
  const bucketMs = cfg.bucketMs;
  const exactCap = cfg.exactCap;
  const maxBlocks = Math.max(1, cfg.maxBlocks ?? 64);
  const maxBuckets = Math.max(2, cfg.maxBuckets ?? 1024);
  const invLogGamma = cfg.invLogGamma;
  const nIdx = cfg.indexKeys.length;
  const decoder = new TextDecoder();

  // ── interning of strings (metric names, tag keys and values) by their bytes ──
  interface Str {
    id: number;
    str: string;
    bytes: Uint8Array;
    /** A view of `bytes` for 8-byte comparisons. */
    view: DataView;
    /** Index in cfg.indexKeys when this string is an indexed tag key, else -1. */
    kidx: number;
    /** Metric kind when used as a metric name: 0 unknown, 1 counter, 2 gauge, 3 rate, 4 trend. */
    kind: number;
    /** A metric whose Point lines are skipped. */
    skip: boolean;
    /** Dense index among the strings used as metric names (-1 until used as one). */
    midx: number;
    /** The metric of the line that followed this metric's line last time (k6 repeats its order). */
    next: Str | null;
    /** As a tag key: the key that followed it last time (k6 writes tag keys sorted). */
    nextKey: Str | null;
    /** Series of this metric for the tag set numbered `stamp` (consecutive lines share tags). */
    stamp: number;
    cached: unknown;
  }
  const byHash = new Map<number, Str[]>();
  const byString = new Map<string, Str>();
  const strs: Str[] = [];
  const metricInfo = new Map<string, { name: string; type: string; contains: string }>();
  const kinds: Record<string, number> = { counter: 1, gauge: 2, rate: 3, trend: 4 };
  const skipSet = new Set(cfg.skipMetrics ?? []);
  let skippedPoints = 0;

  function strFromString(s: string): Str {
    let e = byString.get(s);
    if (e === undefined) {
      const info = metricInfo.get(s);
      const none = new Uint8Array(0);
      e = { id: strs.length, str: s, bytes: none, view: new DataView(none.buffer), kidx: cfg.indexKeys.indexOf(s), kind: info ? (kinds[info.type] ?? 0) : 0, skip: skipSet.has(s), midx: -1, next: null, nextKey: null, stamp: -1, cached: null };
      strs.push(e);
      byString.set(s, e);
    }
    return e;
  }
  /** The interned string written as buf[s, e) (between its quotes; `esc`: it has escapes), found by its bytes. */
  function strFromBytes(buf: Uint8Array, s: number, e: number, h: number, esc: boolean): Str {
    const len = e - s;
    let list = byHash.get(h);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const c = list[i]!;
        if (c.bytes.length === len && sameAs(c.view, 0, buf, s, len)) return c;
      }
    } else {
      list = [];
      byHash.set(h, list);
    }
    const str = esc ? (JSON.parse(decoder.decode(buf.subarray(s - 1, e + 1))) as string) : decoder.decode(buf.subarray(s, e));
    const ent = strFromString(str);
    if (ent.bytes.length === 0 && len > 0) {
      ent.bytes = new Uint8Array(buf.subarray(s, e)); // a copy: buf is reused
      ent.view = new DataView(ent.bytes.buffer);
    }
    list.push(ent);
    return ent;
  }

  // ── series and buckets ──
  interface Dist {
    k: number;
    vals: number[] | null;
    hist: Map<number, number> | null;
    zeros: number;
  }
  interface Series {
    metric: Str;
    vals: Int32Array;
    buckets: BucketData;
    keepValues: boolean;
    /** `iteration_duration`: its samples also give the run's earliest iteration start. */
    iteration: boolean;
    /** Block length in buckets (2^shift) and the blocks by index, with their index range. */
    shift: number;
    blockLen: number;
    blocks: Map<number, Dist>;
    kMin: number;
    kMax: number;
    lastK: number;
    lastDist: Dist | null;
  }
  const seriesByHash = new Map<number, Series[]>();
  const allSeries: Series[] = [];
  const scratch = new Int32Array(nIdx);

  /** Numbers the tag set in `scratch`: a fresh number whenever scratch gets a new tag set. */
  let tagStamp = 0;
  let stampCounter = 0;
  /** Tag objects seen (raw bytes → indexed tag ids), bounded. */
  interface TagSet {
    /** Where its bytes are in tagBytes. */
    off: number;
    len: number;
    ids: Int32Array;
    stamp: number;
    /** Series by metric id for this tag set. */
    series: unknown[];
    /**
     * By metric id: the tag set the next line of that metric had last time after a line with this
     * one. Once the cache starts over, no earlier tag set is current again, so a guess never points
     * at bytes since overwritten.
     */
    next: (TagSet | null)[];
  }
  /** The cached tag set `scratch` holds, or null. */
  let curTags: TagSet | null = null;
  // open addressing: 8,192 slots for at most 4,096 tag objects, found by hash then compared in full
  // with their bytes, kept together in one buffer (a typed array of its own made every new tag
  // object cost more than parsing its line)
  const TAG_BYTES = 1 << 20;
  const tagBytes = new DataView(new ArrayBuffer(TAG_BYTES));
  const tagBytesU8 = new Uint8Array(tagBytes.buffer);
  let tagBytesUsed = 0;
  let tagReads = 0;
  let tagLookups = 0;
  let slowLines = 0;
  const TAG_SLOTS = 8192;
  const tagTable: (TagSet | null)[] = new Array<TagSet | null>(TAG_SLOTS).fill(null);
  const tagHashes = new Int32Array(TAG_SLOTS);
  let tagCacheSize = 0;
  let metricCount = 0;
  function findSeries(metric: Str): Series {
    if (curTags !== null) {
      // the tag object is cached: its series per metric are kept with it
      // indexed densely: tag-value ids run into the thousands and would make a sparse (slow) array
      let mi = metric.midx;
      if (mi < 0) metric.midx = mi = metricCount++;
      const list = curTags.series;
      while (list.length <= mi) list.push(undefined);
      let sr = list[mi] as Series | undefined;
      if (sr === undefined) {
        scratch.set(curTags.ids);
        list[mi] = sr = lookupSeries(metric);
      }
      return sr;
    }
    if (metric.stamp === tagStamp) return metric.cached as Series;
    const found = lookupSeries(metric);
    metric.stamp = tagStamp;
    metric.cached = found;
    return found;
  }
  function lookupSeries(metric: Str): Series {
    let h = metric.id | 0;
    for (let i = 0; i < nIdx; i++) h = (Math.imul(h, 0x9e3779b1) ^ (scratch[i]! + 2)) | 0;
    let list = seriesByHash.get(h);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const s = list[i]!;
        if (s.metric !== metric) continue;
        let j = 0;
        while (j < nIdx && s.vals[j] === scratch[j]) j++;
        if (j === nIdx) return s;
      }
    } else {
      list = [];
      seriesByHash.set(h, list);
    }
    const kind = metric.kind;
    const s: Series = {
      metric,
      vals: scratch.slice(),
      buckets: { shift: 0, b0: 0, nb: 0, data: new Float64Array(0) },
      keepValues: kind === 0 || kind === 4,
      iteration: metric.str === 'iteration_duration',
      shift: 0,
      blockLen: 1,
      blocks: new Map(),
      kMin: Infinity,
      kMax: -Infinity,
      lastK: NaN,
      lastDist: null,
    };
    list.push(s);
    allSeries.push(s);
    return s;
  }

  let points = 0;
  let minT = Infinity;
  let maxT = -Infinity;
  let iterationStart = Infinity;

  /** Doubles the block length of a series, merging pairs of blocks. */
  function coarsen(s: Series): void {
    const old = s.blocks;
    s.shift++;
    s.blockLen *= 2;
    s.blocks = new Map();
    s.kMin = Infinity;
    s.kMax = -Infinity;
    for (const d of old.values()) {
      const k = Math.floor(d.k / 2);
      const have = s.blocks.get(k);
      if (have === undefined) {
        d.k = k;
        s.blocks.set(k, d);
        if (k < s.kMin) s.kMin = k;
        if (k > s.kMax) s.kMax = k;
      } else distAdd(have, d.vals, d.hist, d.zeros, exactCap, invLogGamma);
    }
    s.lastK = NaN;
    s.lastDist = null;
  }
  function distFor(s: Series, b: number): Dist {
    let k = Math.floor(b / s.blockLen);
    if (k === s.lastK) return s.lastDist!;
    let d = s.blocks.get(k);
    if (d === undefined) {
      while (Math.max(s.kMax, k) - Math.min(s.kMin, k) + 1 > maxBlocks) {
        coarsen(s);
        k = Math.floor(b / s.blockLen);
      }
      d = s.blocks.get(k);
      if (d === undefined) {
        d = { k, vals: [], hist: null, zeros: 0 };
        s.blocks.set(k, d);
        if (k < s.kMin) s.kMin = k;
        if (k > s.kMax) s.kMax = k;
      }
    }
    s.lastK = k;
    s.lastDist = d;
    return d;
  }

  function addPoint(s: Series, t: number, v: number): void {
    const b = Math.floor(t / bucketMs);
    const bk = s.buckets;
    let i = (bk.shift === 0 ? b : Math.floor(b / 2 ** bk.shift)) - bk.b0;
    if (i < 0 || i >= bk.nb) i = bucketIndex(bk, b, maxBuckets);
    const d = bk.data;
    const o = i * 7;
    const n = d[o]!;
    if (n === 0) {
      d[o] = 1;
      d[o + 1] = v;
      d[o + 2] = v;
      d[o + 3] = v;
      d[o + 4] = v !== 0 ? 1 : 0;
      d[o + 5] = t;
      d[o + 6] = v;
    } else {
      d[o] = n + 1;
      d[o + 1]! += v;
      if (v < d[o + 2]!) d[o + 2] = v;
      if (v > d[o + 3]!) d[o + 3] = v;
      if (v !== 0) d[o + 4]!++;
      if (t >= d[o + 5]!) {
        d[o + 5] = t;
        d[o + 6] = v;
      }
    }
    if (s.keepValues) {
      const d = distFor(s, b);
      if (d.vals !== null) {
        d.vals.push(v);
        if (d.vals.length > exactCap) distToHist(d, invLogGamma);
      } else if (v === 0) d.zeros++;
      else {
        const h = d.hist!;
        const k = histKeyOf(v, invLogGamma);
        h.set(k, (h.get(k) ?? 0) + 1);
      }
    }
    points++;
    if (t < minT) minT = t;
    if (t > maxT) maxT = t;
    if (s.iteration && t - v < iterationStart) iterationStart = t - v;
  }

  // ── time ──
  function daysFromCivil(y: number, m: number, d: number): number {
    y -= m <= 2 ? 1 : 0;
    const era = Math.floor(y / 400);
    const yoe = y - era * 400;
    const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
  }
  const timeRe = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d\d):(\d\d))$/;
  /** A k6 time string → epoch ms (fractional), or NaN. */
  function parseTimeString(t: string): number {
    const m = timeRe.exec(t);
    if (m === null) return NaN;
    const mo = +m[2]!;
    const d = +m[3]!;
    const hh = +m[4]!;
    const mi = +m[5]!;
    const ss = +m[6]!;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 59) return NaN;
    const frac = m[7] === undefined ? 0 : +m[7].padEnd(9, '0');
    const off = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (+m[10]! * 60 + +m[11]!);
    return (daysFromCivil(+m[1]!, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - off * 60) * 1000 + frac / 1e6;
  }

  // ── diagnostics ──
  let lineNo = 0;
  let badLines = 0;
  let truncated = false;
  const badExamples: { line: number; why: string }[] = [];
  function bad(why: string): void {
    badLines++;
    if (badExamples.length < cfg.maxExamples) badExamples.push({ line: lineNo, why });
  }

  // ── the slow path: JSON.parse ──
  function slowLine(buf: Uint8Array, s: number, e: number): string | null {
    const text = decoder.decode(buf.subarray(s, e));
    if (text.trim() === '') return null; // blank line: not a sample, not garbage
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      return 'not JSON';
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return 'not a k6 JSON object';
    const r = o as Record<string, unknown>;
    const data = r.data as Record<string, unknown> | null | undefined;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'no "data" object';
    if (r.type === 'Metric') {
      const name = data.name;
      const type = data.type;
      const contains = data.contains;
      if (typeof name !== 'string' || typeof type !== 'string' || !(type in kinds)) return 'Metric line without name/type';
      const c = contains === 'time' || contains === 'data' ? contains : 'default';
      if (!metricInfo.has(name)) metricInfo.set(name, { name, type, contains: c });
      const ent = strFromString(name);
      if (ent.kind === 0) ent.kind = kinds[type] ?? 0;
      return null;
    }
    if (r.type === 'Point') {
      const metric = r.metric;
      const time = data.time;
      const value = data.value;
      const tags = data.tags;
      if (typeof metric !== 'string') return 'Point without "metric"';
      if (typeof time !== 'string') return 'Point without "time"';
      if (typeof value !== 'number') return 'Point without a numeric "value"';
      if (value === Infinity || value === -Infinity) return '"value" out of range';
      const t = parseTimeString(time);
      if (Number.isNaN(t)) return 'unreadable "time"';
      const metricStr = strFromString(metric);
      if (metricStr.skip) {
        skippedPoints++;
        return null;
      }
      scratch.fill(-1);
      curTags = null;
      tagStamp = ++stampCounter;
      prevTagLen = -1;
      if (tags !== null && tags !== undefined) {
        if (typeof tags !== 'object' || Array.isArray(tags)) return '"tags" is not an object';
        for (const k of Object.keys(tags)) {
          const v = (tags as Record<string, unknown>)[k];
          if (typeof v !== 'string') return `tag "${k}" is not a string`;
          const ke = strFromString(k);
          if (ke.kidx >= 0) scratch[ke.kidx] = strFromString(v).id;
        }
      }
      addPoint(findSeries(metricStr), t, value);
      return null;
    }
    return 'neither a Metric nor a Point line';
  }

  // ── the fast path ──
  interface Pattern {
    len: number;
    view: DataView;
  }
  const pattern = (x: string): Pattern => {
    const bytes = new Uint8Array(Array.from(x, (c) => c.charCodeAt(0)));
    return { len: bytes.length, view: new DataView(bytes.buffer) };
  };
  const P_METRIC = pattern('{"metric":"');
  const P_MID = pattern('","type":"Point","data":{"time":"');
  const P_VALUE = pattern('","value":');
  const P_TAGS = pattern(',"tags":');
  const P_META = pattern(',"metadata":');
  const POW10: number[] = [];
  for (let i = 0; i <= 22; i++) POW10.push(Math.pow(10, i));

  /** Whether buf[p, p + pat.length) holds the pattern's bytes (8 at a time, see sameAs). */
  function match(buf: Uint8Array, p: number, pat: Pattern): boolean {
    if (p + pat.len > buf.length) return false;
    return sameAs(pat.view, 0, buf, p, pat.len);
  }

  let pos = 0; // scanning position shared by the fast-path helpers
  let hash = 0;

  /** Whether the string scanString last read has escapes (its text is then not its bytes). */
  let escaped = false;
  /**
   * Scans a JSON string starting after its opening quote; sets pos after the closing quote, hash (of
   * its bytes as written) and escaped. Escapes are checked, not decoded: k6 writes `&`, `<`, `>` as
   * \u0026, \u003c, \u003e (Go's encoder), so URLs with a query string have them in every HTTP line.
   * A control character or a malformed escape is left to JSON.parse.
   */
  function scanString(buf: Uint8Array, p: number, end: number): boolean {
    let h = 0x811c9dc5 | 0;
    let esc = false;
    while (p < end) {
      const c = buf[p]!;
      if (c === 34) {
        pos = p + 1;
        hash = h;
        escaped = esc;
        return true;
      }
      if (c < 32) return false;
      if (c === 92) {
        const n = buf[p + 1]!;
        let len = 2;
        if (n === 117) {
          for (let k = 2; k < 6; k++) {
            const x = buf[p + k]! | 32; // a hex digit, either case
            if (!((x >= 48 && x <= 57) || (x >= 97 && x <= 102))) return false;
          }
          len = 6;
        } else if (n !== 34 && n !== 92 && n !== 47 && n !== 98 && n !== 102 && n !== 110 && n !== 114 && n !== 116) return false;
        if (p + len > end) return false;
        for (let k = 0; k < len; k++) h = Math.imul(h ^ buf[p + k]!, 0x01000193);
        p += len;
        esc = true;
        continue;
      }
      h = Math.imul(h ^ c, 0x01000193);
      p++;
    }
    return false;
  }

  let num = 0;
  /** Parses a JSON number at pos; sets num and pos. */
  function scanNumber(buf: Uint8Array, p: number, end: number): boolean {
    const start = p;
    let neg = false;
    if (buf[p] === 45) {
      neg = true;
      p++;
    }
    let mant = 0;
    let digits = 0;
    let c = buf[p]!;
    if (c === 48) {
      p++;
      c = buf[p]!;
      if (c >= 48 && c <= 57) return false;
    } else if (c >= 49 && c <= 57) {
      while (p < end && c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        digits++;
        c = buf[++p]!;
      }
    } else return false;
    let frac = 0;
    if (c === 46) {
      c = buf[++p]!;
      if (!(c >= 48 && c <= 57)) return false;
      while (p < end && c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        digits++;
        frac++;
        c = buf[++p]!;
      }
    }
    let slow = digits > 15 || frac > 22;
    if (c === 101 || c === 69) {
      c = buf[++p]!;
      if (c === 43 || c === 45) c = buf[++p]!;
      if (!(c >= 48 && c <= 57)) return false;
      while (p < end && c >= 48 && c <= 57) c = buf[++p]!;
      slow = true;
    }
    if (p >= end) return false;
    if (slow) {
      let s = '';
      for (let i = start; i < p; i++) s += String.fromCharCode(buf[i]!);
      num = Number(s);
      // `1e400` overflows to Infinity: not a value k6 can write, left to the validating path
      if (num === Infinity || num === -Infinity) return false;
    } else {
      const v = frac === 0 ? mant : mant / POW10[frac]!;
      num = neg ? -v : v;
    }
    pos = p;
    return true;
  }

  function d2(buf: Uint8Array, p: number): number {
    const a = buf[p]! - 48;
    const b = buf[p + 1]! - 48;
    if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
    return a * 10 + b;
  }

  // Cache of the last date (year-month-day) → epoch days.
  let lastYmd = -1;
  let lastDays = 0;
  let tms = 0;
  /** Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)"` at p; sets tms (epoch ms) and pos past the quote. */
  function scanTime(buf: Uint8Array, p: number, end: number): boolean {
    if (p + 21 > end) return false;
    const y1 = d2(buf, p);
    const y2 = d2(buf, p + 2);
    const mo = d2(buf, p + 5);
    const d = d2(buf, p + 8);
    const hh = d2(buf, p + 11);
    const mi = d2(buf, p + 14);
    const ss = d2(buf, p + 17);
    if (y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59) return false;
    if (buf[p + 4] !== 45 || buf[p + 7] !== 45 || buf[p + 10] !== 84 || buf[p + 13] !== 58 || buf[p + 16] !== 58) return false;
    p += 19;
    let fracNs = 0;
    if (buf[p] === 46) {
      p++;
      let n = 0;
      let c = buf[p]!;
      while (c >= 48 && c <= 57 && n < 10) {
        fracNs = fracNs * 10 + (c - 48);
        n++;
        c = buf[++p]!;
      }
      if (n === 0 || n > 9) return false;
      for (let i = n; i < 9; i++) fracNs *= 10;
    }
    let off = 0;
    const z = buf[p];
    if (z === 90) p++;
    else if (z === 43 || z === 45) {
      const oh = d2(buf, p + 1);
      const om = d2(buf, p + 4);
      if (oh < 0 || om < 0 || buf[p + 3] !== 58) return false;
      off = (z === 45 ? -1 : 1) * (oh * 60 + om);
      p += 6;
    } else return false;
    if (buf[p] !== 34) return false;
    const ymd = ((y1 * 100 + y2) * 100 + mo) * 100 + d;
    if (ymd !== lastYmd) {
      lastYmd = ymd;
      lastDays = daysFromCivil(y1 * 100 + y2, mo, d);
    }
    tms = (lastDays * 86400 + hh * 3600 + mi * 60 + ss - off * 60) * 1000 + fracNs / 1e6;
    pos = p + 1;
    return true;
  }

  /** A view of the current input for 8-byte comparisons (set by feed and tail). */
  let view: DataView = new DataView(new ArrayBuffer(8));
  /**
   * Whether buf[a, a+len) equals buf[b, b+len), 8 bytes at a time. The range at `a` was read and
   * validated before (JSON text without NUL bytes), so its 8-byte words are never ±0 and equal
   * doubles mean equal bits; a NaN pattern only makes it answer "different" (the slow way is taken).
   * Cheaper than Buffer#compare with offsets, whose argument checks cost more than the comparison.
   */
  function sameBytes(buf: Uint8Array, a: number, b: number, len: number): boolean {
    const dv = view;
    let i = 0;
    for (; i + 8 <= len; i += 8) if (dv.getFloat64(a + i, true) !== dv.getFloat64(b + i, true)) return false;
    if (i === len) return true;
    // the last (partial) word: compare the 8 bytes that end there, overlapping the previous word
    if (len >= 8) return dv.getFloat64(a + len - 8, true) === dv.getFloat64(b + len - 8, true);
    for (; i < len; i++) if (buf[a + i] !== buf[b + i]) return false;
    return true;
  }

  /** Whether the validated bytes behind `ref` from offset `a` equal buf[b, b+len); as sameBytes. */
  function sameAs(ref: DataView, a: number, buf: Uint8Array, b: number, len: number): boolean {
    const dv = view;
    let i = 0;
    for (; i + 8 <= len; i += 8) if (ref.getFloat64(a + i, true) !== dv.getFloat64(b + i, true)) return false;
    if (i === len) return true;
    if (len >= 8) return ref.getFloat64(a + len - 8, true) === dv.getFloat64(b + len - 8, true);
    for (; i < len; i++) if (ref.getUint8(a + i) !== buf[b + i]) return false;
    return true;
  }

  /**
   * Scans a JSON object of strings (`{}` or `{"k":"v",…}`, as k6 writes tags) at p; returns the offset after it, or
   * -1. With `tags`, the values of indexed keys go to scratch as string ids.
   */
  /** The first key of the last tag object read key by key. */
  let firstKey: Str | null = null;
  function scanStringObject(buf: Uint8Array, p: number, e: number, tags: boolean): number {
    if (buf[p] !== 123) return -1;
    p++;
    if (buf[p] === 125) return p + 1;
    let prevKey: Str | null = null;
    for (;;) {
      if (buf[p] !== 34) return -1;
      const ks = p + 1;
      let key: Str | null = null;
      if (tags) {
        // try the key that followed the previous one last time (a validated string: its closing quote ends it)
        const g: Str | null = prevKey === null ? firstKey : prevKey.nextKey;
        const n = g === null ? 0 : g.bytes.length;
        if (n > 0 && ks + n < e && buf[ks + n] === 34 && sameAs(g!.view, 0, buf, ks, n)) {
          key = g;
          pos = ks + n + 1;
        } else {
          if (!scanString(buf, ks, e)) return -1;
          key = strFromBytes(buf, ks, pos - 1, hash, escaped);
          if (prevKey === null) firstKey = key;
          else prevKey.nextKey = key;
        }
        prevKey = key;
      } else if (!scanString(buf, ks, e)) return -1;
      p = pos;
      if (buf[p] !== 58 || buf[p + 1] !== 34) return -1;
      const vs = p + 2;
      if (!scanString(buf, vs, e)) return -1;
      if (key !== null && key.kidx >= 0) scratch[key.kidx] = strFromBytes(buf, vs, pos - 1, hash, escaped).id;
      p = pos;
      const c = buf[p];
      if (c === 44) p++;
      else if (c === 125) return p + 1;
      else return -1;
    }
  }

  /**
   * The hash of the tag object at buf[p, p+len), which finds it in the tag cache. Every word counts:
   * tag objects that differ only in an id inside a URL must not share a hash (a sample of words did,
   * and each lookup then compared against all of them).
   */
  function tagHashOf(buf: Uint8Array, p: number, len: number): number {
    let h = len;
    if (len >= 16) {
      // four independent chains, so the multiplies overlap; the last 16 bytes overlap the loop's
      const dv = view;
      let h1 = 0x9e3779b9;
      let h2 = 0x85ebca6b;
      let h3 = 0xc2b2ae35;
      const last = p + len - 16;
      for (let o = p; ; o += 16) {
        if (o > last) o = last;
        h = Math.imul(h ^ dv.getInt32(o, true), 0x01000193);
        h1 = Math.imul(h1 ^ dv.getInt32(o + 4, true), 0x01000193);
        h2 = Math.imul(h2 ^ dv.getInt32(o + 8, true), 0x01000193);
        h3 = Math.imul(h3 ^ dv.getInt32(o + 12, true), 0x01000193);
        if (o === last) break;
      }
      h = Math.imul(Math.imul(Math.imul(h, 0x01000193) ^ h1, 0x01000193) ^ h2, 0x01000193) ^ h3;
    } else for (let j = 0; j < len; j++) h = Math.imul(h ^ buf[p + j]!, 0x01000193);
    // a multiply carries a difference only upwards: mix the high bits into the low ones, which pick the slot
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h;
  }

  /** The cached tag set whose bytes equal buf[p, p+len) (hash h), or null; candidates are compared in full. */
  function findTags(buf: Uint8Array, p: number, len: number, h: number): TagSet | null {
    for (let slot = h & (TAG_SLOTS - 1); ; slot = (slot + 1) & (TAG_SLOTS - 1)) {
      const c = tagTable[slot]!;
      if (c === null) return null;
      if (tagHashes[slot] === h && c.len === len && sameAs(tagBytes, c.off, buf, p, len)) return c;
    }
  }

  /** Caches the tag object at [start, start+len) of the current input (hash h), read into scratch. */
  function cacheTags(start: number, len: number, h: number): void {
    // Full: start over rather than stop caching. Runs whose URLs carry ids (no `name` tag) make a new
    // tag object per request; a table that kept the first 4,096 of them would send every later line
    // with a repeated tag object (checks, custom trends) the slow way.
    if (tagCacheSize >= TAG_SLOTS / 2 || tagBytesUsed + len > TAG_BYTES) {
      tagTable.fill(null);
      tagCacheSize = 0;
      tagBytesUsed = 0;
    }
    // copied 4 bytes at a time, the last word overlapping (a subarray to copy from cost more than the copy)
    const o = tagBytesUsed;
    const dv = view;
    if (len >= 4) {
      for (let i = 0; i + 4 <= len; i += 4) tagBytes.setInt32(o + i, dv.getInt32(start + i, true), true);
      tagBytes.setInt32(o + len - 4, dv.getInt32(start + len - 4, true), true);
    } else for (let i = 0; i < len; i++) tagBytesU8[o + i] = dv.getUint8(start + i);
    curTags = { off: o, len, ids: scratch.slice(), stamp: tagStamp, series: [], next: [] };
    tagBytesUsed += len;
    let slot = h & (TAG_SLOTS - 1);
    while (tagTable[slot] !== null) slot = (slot + 1) & (TAG_SLOTS - 1);
    tagTable[slot] = curTags;
    tagHashes[slot] = h;
    tagCacheSize++;
  }

  /**
   * The tag object at buf[p, p+rest) of a line of `metric` when it differs from the previous line's:
   * sets the current tag set (or reads it into scratch); returns the offset after it, or -1. Apart
   * from fastLine, whose optimized code it would otherwise enlarge (and delay) for a path taken by
   * only some lines.
   */
  function lineTags(buf: Uint8Array, p: number, e: number, rest: number, metric: Str): number {
    const tagStart = p;
    // The tags a line has follow from the previous line's and its metric (k6 writes the samples of
    // one request in a fixed order): try the tag set that followed last time before hashing.
    const from = curTags;
    let mi = metric.midx;
    if (mi < 0) metric.midx = mi = metricCount++;
    const guess = from === null || mi >= from.next.length ? null : from.next[mi]!;
    let found = guess !== null && guess.len === rest && sameAs(tagBytes, guess.off, buf, p, rest) ? guess : null;
    let h = 0;
    if (found === null) {
      tagLookups++;
      h = tagHashOf(buf, p, rest);
      found = findTags(buf, p, rest, h);
      if (found === null) {
        // a tag object not seen before, or one followed by metadata: read it into scratch
        tagReads++;
        prevTagLen = -1;
        curTags = null;
        tagStamp = ++stampCounter;
        for (let i = 0; i < nIdx; i++) scratch[i] = -1;
        if (buf[p] === 110) {
          // null
          if (buf[p + 1] !== 117 || buf[p + 2] !== 108 || buf[p + 3] !== 108) return -1;
          p += 4;
        } else if ((p = scanStringObject(buf, p, e, true)) < 0) return -1;
        const tlen = p - tagStart;
        if (p === e - 2 || buf[p] === 44) {
          prevTagStart = tagStart;
          prevTagLen = tlen;
          let known: TagSet | null = null;
          if (p !== e - 2) {
            // with metadata after it, the tag object itself may be cached after all
            h = tagHashOf(buf, tagStart, tlen);
            known = findTags(buf, tagStart, tlen, h);
          }
          if (known !== null) {
            curTags = known;
            tagStamp = known.stamp;
          } else if (tlen <= TAG_BYTES >> 4) cacheTags(tagStart, tlen, h);
        }
      }
      // remember which tag set followed `from` for this metric (not needed when the guess was right)
      const next = found ?? curTags;
      if (from !== null && next !== null) {
        const nx = from.next;
        while (nx.length <= mi) nx.push(null);
        nx[mi] = next;
      }
    }
    if (found !== null) {
      curTags = found; // its ids are copied to scratch only when a series is looked up
      tagStamp = found.stamp;
      prevTagStart = p;
      prevTagLen = rest;
      p += rest;
    }
    return p;
  }

  /** Returns true when the line was fully handled by the fast path. */
  function fastLine(buf: Uint8Array, s: number, e: number): boolean {
    if (!match(buf, s, P_METRIC)) return false;
    let p = s + P_METRIC.len;
    const ms = p;
    // k6 writes the metrics of one request in a fixed order: try the metric that followed the
    // previous line's metric last time before scanning and hashing the name
    let metric: Str | null = null;
    const guess = prevMetric === null ? null : prevMetric.next;
    if (guess !== null) {
      const n = guess.bytes.length;
      if (n > 0 && ms + n < e && buf[ms + n] === 34 && sameAs(guess.view, 0, buf, ms, n)) {
        metric = guess;
        pos = ms + n + 1;
      }
    }
    if (metric === null) {
      if (!scanString(buf, p, e)) return false;
      metric = strFromBytes(buf, ms, pos - 1, hash, escaped);
    }
    if (prevMetric !== null) prevMetric.next = metric;
    prevMetric = metric;
    if (metric.skip) {
      // passed over: only its frame is checked (anything else goes the slow way, which validates)
      if (buf[e - 1] !== 125 || buf[e - 2] !== 125 || !match(buf, pos - 1, P_MID)) return false;
      skippedPoints++;
      return true;
    }
    p = pos - 1;
    // Samples of one request share their time: when the bytes from the metric name's closing quote
    // to the value equal the previous line's, so does the time (compared 8 bytes at a time).
    const hs = p;
    let t: number;
    if (prevHdrLen > 0 && p + prevHdrLen <= e && sameBytes(buf, prevHdrStart, p, prevHdrLen)) {
      p += prevHdrLen;
      t = prevTms;
    } else {
      if (!match(buf, p, P_MID)) return false;
      p += P_MID.len;
      if (!scanTime(buf, p, e)) return false;
      p = pos - 1;
      if (!match(buf, p, P_VALUE)) return false;
      p += P_VALUE.len;
      prevHdrStart = hs;
      prevHdrLen = p - hs;
      prevTms = tms;
      t = tms;
    }
    if (!scanNumber(buf, p, e)) return false;
    const value = num;
    p = pos;
    if (!match(buf, p, P_TAGS)) return false;
    p += P_TAGS.len;
    // The tag object runs to the line's closing `}}`, unless k6 wrote "metadata" after it (tracing
    // adds a trace id per request to every HTTP line).
    const rest = e - 2 - p;
    if (rest <= 0) return false; // no room for a tag object: not k6's layout
    const pl = prevTagLen;
    if (pl > 0 && pl <= rest && sameBytes(buf, prevTagStart, p, pl) && (pl === rest || buf[p + pl] === 44)) {
      // Samples of one request share their tags: the previous line's tag object again (a complete
      // object, so it ends where that one did)
      p += pl;
    } else if ((p = lineTags(buf, p, e, rest, metric)) < 0) return false;
    if (buf[p] === 44) {
      // optional "metadata": an object of strings
      if (!match(buf, p, P_META)) return false;
      if ((p = scanStringObject(buf, p + P_META.len, e, false)) < 0) return false;
    }
    if (buf[p] !== 125 || buf[p + 1] !== 125 || p + 2 !== e) return false;
    addPoint(findSeries(metric), t, value);
    return true;
  }

  function line(buf: Uint8Array, s: number, e: number): void {
    lineNo++;
    try {
      if (buf[s + 2] === 109 && fastLine(buf, s, e)) return;
    } catch {
      // the fast path only reads; anything unexpected is left to JSON.parse
    }
    prevHdrLen = -1;
    prevTagLen = -1;
    prevMetric = null;
    slowLines++;
    const why = slowLine(buf, s, e);
    if (why !== null) bad(why);
  }

  // Caches of the previous line's time and tags, valid within one feed call (one stable buffer).
  let prevHdrStart = 0;
  let prevHdrLen = -1;
  let prevTms = 0;
  let prevTagStart = 0;
  let prevTagLen = -1;
  let prevMetric: Str | null = null;

  function feed(input: Uint8Array, start: number, end: number): number {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    prevHdrLen = -1;
    prevTagLen = -1;
    let s = start;
    for (;;) {
      const nl = buf.indexOf(10, s);
      if (nl < 0 || nl >= end) return s;
      line(buf, s, nl);
      s = nl + 1;
    }
  }

  function tail(input: Uint8Array, start: number, end: number): void {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    prevHdrLen = -1;
    prevTagLen = -1;
    if (start >= end) return;
    let blank = true;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c !== 32 && c !== 9 && c !== 13) blank = false;
    }
    if (blank) return;
    // A final line without its newline: k6 writes one after every line, so this was cut short.
    // Use it if it is complete JSON nonetheless; otherwise report the file as truncated.
    lineNo++;
    if (buf[start + 2] === 109 && fastLine(buf, start, end)) return;
    slowLines++;
    let ok = false;
    try {
      JSON.parse(decoder.decode(buf.subarray(start, end)));
      ok = true;
    } catch {
      ok = false;
    }
    if (ok) {
      const why = slowLine(buf, start, end);
      if (why !== null) bad(why);
    } else truncated = true;
  }

  function finish(): PartialAggregates {
    const series: SeriesData[] = [];
    for (const s of allSeries) {
      const tags: string[] = [];
      const pairs: [string, string][] = [];
      for (let i = 0; i < nIdx; i++) if (s.vals[i]! >= 0) pairs.push([cfg.indexKeys[i]!, strs[s.vals[i]!]!.str]);
      pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [k, v] of pairs) tags.push(k, v);
      // handed over as they are (at most half unused, by doubling): a trimmed copy would only leave
      // the original behind as garbage until the next full GC, raising peak memory
      const buckets = s.buckets;
      const blocks: DistData[] = [];
      for (const d of s.blocks.values()) {
        let hist: number[] | null = null;
        if (d.hist !== null) {
          hist = [];
          for (const [k, c] of d.hist) hist.push(k, c);
        }
        blocks.push({ k: d.k, vals: d.vals, hist, zeros: d.zeros });
      }
      series.push({ metric: s.metric.str, tags, buckets, shift: s.shift, blocks });
    }
    return {
      bucketMs,
      metrics: [...metricInfo.values()],
      series,
      lines: lineNo,
      points,
      skippedPoints,
      badLines,
      badExamples,
      truncated,
      minT,
      maxT,
      iterationStart,
    };
  }

  return { feed, tail, finish, lineCount: () => lineNo, tagReads: () => tagReads, tagLookups: () => tagLookups, slowLines: () => slowLines };
}

/** Partial aggregates packed into one Float64Array (cheap to transfer from a worker). */
export interface PackedPartial {
  head: Omit<PartialAggregates, 'series'>;
  series: { metric: string; tags: string[]; bshift: number; b0: number; nb: number; shift: number; nd: number }[];
  data: Float64Array;
}

/** Packs partial aggregates for postMessage with a transfer list. Self-contained (runs in workers). */
export function packPartial(part: PartialAggregates): PackedPartial {
  let size = 0;
  // only the buckets in use are sent (the arrays keep room to grow); 7 = BUCKET_FIELDS, spelled out
  // because workers run this from its source text
  const spans = part.series.map((s) => bucketSpan(s.buckets));
  for (let j = 0; j < part.series.length; j++) {
    const s = part.series[j]!;
    size += Math.max(0, spans[j]![1] - spans[j]![0] + 1) * 7;
    for (const d of s.blocks) size += 4 + (d.vals === null ? 0 : d.vals.length) + (d.hist === null ? 0 : d.hist.length);
  }
  const data = new Float64Array(size);
  let o = 0;
  const series: PackedPartial['series'] = [];
  for (let j = 0; j < part.series.length; j++) {
    const s = part.series[j]!;
    const bk = s.buckets;
    const [lo, hi] = spans[j]!;
    const nb = Math.max(0, hi - lo + 1);
    series.push({ metric: s.metric, tags: s.tags, bshift: bk.shift, b0: lo, nb, shift: s.shift, nd: s.blocks.length });
    data.set(bk.data.subarray((lo - bk.b0) * 7, (lo - bk.b0 + nb) * 7), o);
    o += nb * 7;
    for (const d of s.blocks) {
      data[o++] = d.k;
      data[o++] = d.zeros;
      data[o++] = d.vals === null ? -1 : d.vals.length;
      data[o++] = d.hist === null ? -1 : d.hist.length;
      if (d.vals !== null) for (let i = 0; i < d.vals.length; i++) data[o++] = d.vals[i]!;
      if (d.hist !== null) for (let i = 0; i < d.hist.length; i++) data[o++] = d.hist[i]!;
    }
  }
  const { series: _s, ...head } = part;
  return { head, series, data };
}

export function unpackPartial(p: PackedPartial): PartialAggregates {
  const d = p.data;
  let o = 0;
  const series: SeriesData[] = [];
  for (const s of p.series) {
    // a view, not a copy: the transferred buffer is owned by the receiver
    const buckets: BucketData = { shift: s.bshift, b0: s.b0, nb: s.nb, data: d.subarray(o, o + s.nb * 7) };
    o += s.nb * 7;
    const blocks: DistData[] = new Array(s.nd);
    for (let k = 0; k < s.nd; k++) {
      const nv = d[o + 2]!;
      const nh = d[o + 3]!;
      const dist: DistData = { k: d[o]!, zeros: d[o + 1]!, vals: null, hist: null };
      o += 4;
      // views, not copies: the transferred buffer is owned by the receiver
      if (nv >= 0) {
        dist.vals = d.subarray(o, o + nv);
        o += nv;
      }
      if (nh >= 0) {
        dist.hist = d.subarray(o, o + nh);
        o += nh;
      }
      blocks[k] = dist;
    }
    series.push({ metric: s.metric, tags: s.tags, buckets, shift: s.shift, blocks });
  }
  return { ...p.head, series };
}
