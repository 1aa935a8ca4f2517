// Mergeable value aggregates for trends: exact values while small, then a log-bucketed histogram
// whose buckets are GAMMA − 1 = 0.01% wide (relative). A bucket is represented by its geometric
// middle, so every value read back from the histogram is within 0.005% of a value that was in it.
// k6's percentile interpolates between two neighbouring values (i = p·(n−1)); with both neighbours
// within 0.005%, the interpolated result is within 0.005% too — well inside the 0.1% promise.
//
// The distribution operations themselves (histKeyOf, distToHist, distAdd) live with the parser in
// src/k6/ndjson.ts, because worker threads run them from their source text there.
import { distAdd } from '../k6/ndjson.js';

/** Relative width of a histogram bucket. */
export const GAMMA = 1.0001;
export const INV_LOG_GAMMA = 1 / Math.log(GAMMA);
/** Exact values kept per series and distribution block before it switches to the histogram. */
export const EXACT_CAP = 1024;
/** Most distribution blocks per series: blocks double in length (1 s, 2 s, 4 s, …) as the run grows. */
export const MAX_BLOCKS = 64;
/** Most time buckets per series: 1 s buckets up to 17 min of run, then 2 s, 4 s, … (bounded memory). */
export const MAX_BUCKETS = 1024;
/** Exact values a query keeps before merging into a histogram. */
export const QUERY_EXACT_LIMIT = 200_000;

/** The value a histogram key stands for (geometric middle of its bucket). */
export function histValue(key: number): number {
  const neg = (key & 1) === 1;
  const idx = neg ? (key - 1) / 2 : key / 2;
  const mag = Math.exp((idx + 0.5) / INV_LOG_GAMMA);
  return neg ? -mag : mag;
}

/** k6's percentile on sorted values: linear interpolation at i = p·(n−1) (p in 0–1). */
export function k6Percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0]!;
  const i = p * (n - 1);
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  const j = sorted[lo]!;
  const k = sorted[hi]!;
  return j + (k - j) * (i - lo);
}

/** A mutable, mergeable aggregate of samples (one series × bucket, or the merge of many). */
export class Aggregate {
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  nz = 0;
  lastT = -Infinity;
  last = NaN;
  /** Exact values (null once merged into `hist`); a Float64Array when gathered in one go (setExact). */
  vals: number[] | Float64Array | null = [];
  hist: Map<number, number> | null = null;
  zeros = 0;

  /** `vals` when it is known sorted (this aggregate's own array, sorted by percentile()). */
  private sortedVals: Float64Array | null = null;
  /** The histogram as sorted [value, count] pairs, built by percentile() until values are added. */
  private histEntries: [number, number][] | null = null;

  constructor(private readonly exactLimit = QUERY_EXACT_LIMIT) {}

  /** Adds the scalar parts of another aggregate (count, sum, min, max, non-zero, last). */
  addScalars(n: number, sum: number, min: number, max: number, nz: number, lastT: number, last: number): void {
    this.n += n;
    this.sum += sum;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
    this.nz += nz;
    if (lastT >= this.lastT) {
      this.lastT = lastT;
      this.last = last;
    }
  }

  /** Adds the value distribution of another aggregate: exact values or histogram entries. */
  addValues(vals: ArrayLike<number> | null, hist: ReadonlyMap<number, number> | ArrayLike<number> | null, zeros: number): void {
    this.histEntries = null;
    distAdd(this, vals, hist, zeros, this.exactLimit, INV_LOG_GAMMA);
  }

  /**
   * Makes the distribution the exact values of `lists`, gathered into one Float64Array sized once
   * (instead of pushing them one by one into a growing array), when the aggregate has no values yet
   * and their total is within the exact limit. Returns false, changing nothing, otherwise.
   */
  setExact(lists: readonly ArrayLike<number>[]): boolean {
    if (this.vals === null || this.vals.length > 0) return false;
    let n = 0;
    for (const l of lists) n += l.length;
    if (n > this.exactLimit) return false;
    const all = new Float64Array(n);
    let o = 0;
    for (const l of lists) {
      all.set(l, o);
      o += l.length;
    }
    this.vals = all;
    return true;
  }

  /** Whether the value distribution is exact. */
  get exact(): boolean {
    return this.vals !== null;
  }

  /** Values in the distribution (exact values, or histogram counts). */
  get valueCount(): number {
    if (this.vals !== null) return this.vals.length;
    let c = this.zeros;
    for (const v of this.hist!.values()) c += v;
    return c;
  }

  /** The histogram (and zeros) as [value, count] pairs sorted by value. */
  private sortedHist(): [number, number][] {
    const entries: [number, number][] = [];
    for (const [k, c] of this.hist!) entries.push([histValue(k), c]);
    if (this.zeros > 0) entries.push([0, this.zeros]);
    return entries.sort((a, b) => a[0] - b[0]);
  }

  /**
   * k6's percentile (p in 0–1) of the values; NaN when there are none. The values are sorted once
   * and kept sorted (their order carries nothing), so asking for several percentiles costs one sort.
   */
  percentile(p: number): number {
    if (this.vals !== null) {
      if (this.vals !== this.sortedVals) {
        // this aggregate's own Float64Array (setExact) is sorted in place; an array becomes one
        const own = this.vals instanceof Float64Array ? this.vals : Float64Array.from(this.vals);
        this.vals = this.sortedVals = own.sort();
      }
      return k6Percentile(this.sortedVals!, p);
    }
    const entries = this.histEntries ?? (this.histEntries = this.sortedHist());
    let n = 0;
    for (const e of entries) n += e[1];
    if (n === 0) return NaN;
    const clamp = (v: number) => (v < this.min ? this.min : v > this.max ? this.max : v);
    const at = (rank: number): number => {
      let cum = 0;
      for (const [v, c] of entries) {
        cum += c;
        if (rank < cum) return clamp(v);
      }
      return clamp(entries[entries.length - 1]![0]);
    };
    if (n === 1) return at(0);
    const i = p * (n - 1);
    const lo = Math.floor(i);
    const j = at(lo);
    const k = at(Math.ceil(i));
    return j + (k - j) * (i - lo);
  }
}
