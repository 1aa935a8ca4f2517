// Reads k6 output files into `Results`: `--out json` NDJSON (plain or gzip, detected by magic bytes;
// several files are shards of one run and merge exactly) or one end-of-test summary JSON.
// Large plain files are split into byte ranges parsed in parallel by worker threads; the worker runs
// the parser from its own source text, so it needs no separate file (works from a single bundle).
import { closeSync, fstatSync, openSync, readSync, createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createGunzip, gunzipSync, type ZlibOptions } from 'node:zlib';
import { InputError } from '../errors.js';
import type { IngestDiagnostics, Results } from '../model.js';
import { EXACT_CAP, INV_LOG_GAMMA, MAX_BLOCKS, MAX_BUCKETS } from '../metrics/histogram.js';
import { NdjsonResults } from '../metrics/results.js';
import { mergePartials } from '../metrics/store.js';
import { bucketAdd, bucketCoarsen, bucketIndex, bucketSpan, createNdjsonParser, distAdd, distToHist, histKeyOf, packPartial, unpackPartial, type NdjsonParser, type PackedPartial, type ParserConfig, type PartialAggregates } from './ndjson.js';
import { isSummaryJson, locateInSummary, summaryProblem, SummaryResults } from './summary.js';
import { jsonSyntaxError, lineColumn } from '../json-syntax.js';
import { gunzipLenient, headBytes, isGzipDataError, probeFile, type GzipEnd } from './head.js';

/** Tags indexed by default. `url` and `name` are not: their cardinality is unbounded. */
export const DEFAULT_TAG_KEYS: readonly string[] = ['scenario', 'endpoint', 'tenant', 'status', 'expected_response', 'method', 'group', 'check'];

export interface IngestOptions {
  /** Extra tag keys to index (selectable in tag filters, listed by `tagValues`). */
  tagKeys?: string[];
  /** Time bucket of the aggregates, seconds (default 1): the resolution of windows and timelines. */
  bucketSeconds?: number;
  /** Threads used for one large plain file (default: 2 with 4 or more cores, else 1); 1 = no workers, 2 or more = one worker. */
  threads?: number;
  /** Plain files smaller than this are read on the calling thread (default 16 MiB). */
  workerMinBytes?: number;
  /** A .gz is parsed this many inflated bytes per turn of the event loop (default 256 KiB). */
  gzipSliceBytes?: number;
  /** zlib is paused while this many inflated bytes of a .gz wait to be parsed (default 8 MiB). */
  gzipQueueBytes?: number;
  /**
   * Metrics whose points are counted but not read (see `unreadMetrics`): measuring one answers
   * no-data saying so. Their Metric lines are still read.
   */
  skipMetrics?: string[];
  /**
   * How a file is named in the diagnostics the report shows (lines skipped, files cut short or
   * empty), e.g. relative to the working directory; the file itself is read at its path. Default:
   * the path as given.
   */
  displayName?: (path: string) => string;
  /**
   * Set: a file that cannot be read as k6 output (unreadable, not k6 output, damaged gzip, a summary
   * value out of range) is handed here and left out, and the others are read — evaluate-only writes
   * its report from them. Unset: that error is thrown. Files that do not go together (two summaries,
   * a summary beside NDJSON, a run and its differing .gz) are refused whole either way.
   */
  leaveOut?: (path: string, error: InputError) => void;
}

const MAX_EXAMPLES = 5;
/** Bytes of a file's (decompressed) start read to tell NDJSON from a summary. */
const HEAD_BYTES = 64 * 1024;
// Read buffer: 1 MiB measured as fast as 4 MiB, with a peak RSS 3–6 MB lower (docs/performance.md).
const CHUNK = 1 << 20;

export type FileKind = 'ndjson' | 'summary';

interface Classified {
  path: string;
  kind: FileKind;
  gzip: boolean;
  size: number;
  summary?: unknown;
  /** Where a file that starts like a summary stops being JSON (1-based), what is wrong, and whether it ends there (cut short). */
  jsonError?: { line: number; column: number; why: string; atEnd: boolean };
  /** A gzip stream cut short before its whole text could be tried as a summary. */
  cutEarly?: boolean;
  /** Whether its (decompressed) text starts like a k6 `--out json` line. */
  k6Start?: boolean;
  /** A summary's gzip: bytes after its data, or a failing check (NDJSON files report theirs when read). */
  gzipEnd?: GzipEnd;
}

/** Files larger than this (on disk) are not tried as one summary JSON document: k6's summaries are small. */
const SUMMARY_MAX_BYTES = 64 << 20;
/** The start of a k6 `--out json` line. */
const K6_LINE_START = /^\{"(?:metric|type)":/;

/** Text without a leading UTF-8 byte order mark (Windows editors and PowerShell's `Out-File` add one). */
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function unreadable(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ESPIPE') {
    // `--results <(zcat run.ndjson.gz)`: files are read by position (and plain ones by two threads)
    return new InputError('cannot read k6 results from a pipe: they are read from a file', path, 'write the output to a file first (k6 run --out json=run.ndjson.gz), then pass that file');
  }
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((err as Error)?.message ?? err);
  return new InputError(`cannot read k6 results: ${why}`, path, 'pass the path of a k6 --out json file (.json/.ndjson, optionally .gz) or a k6 summary JSON');
}

/** A small gzip file's text; leniently (see gunzipLenient) when zlib refuses its end, saying why in `end`. */
async function gunzipWhole(path: string, raw: Buffer, end: GzipEnd): Promise<Buffer> {
  try {
    // at most a summary's size: more is not a summary (and must not be held whole)
    return gunzipSync(raw, { maxOutputLength: SUMMARY_MAX_BYTES });
  } catch (err) {
    if (isCutGzip(err)) {
      // complete data and 1–9 bytes after it (a newline appended in transfer): zlib calls that cut too
      for (let k = 1; k <= 9 && k < raw.length; k++) {
        try {
          const out = gunzipSync(raw.subarray(0, raw.length - k), { maxOutputLength: SUMMARY_MAX_BYTES });
          end.trailing = true;
          return out;
        } catch {
          // not the end of the data yet
        }
      }
    }
    if (!isGzipDataError(err)) throw err;
    const chunks: Buffer[] = [];
    let n = 0;
    const got = await gunzipLenient(path, 0, (c) => {
      chunks.push(c);
      n += c.length;
      return n <= SUMMARY_MAX_BYTES;
    });
    if (n > SUMMARY_MAX_BYTES) throw new RangeError('larger than a k6 summary');
    if (got.cut || got.damaged !== undefined || got.corrupt || !got.trailing) throw err;
    Object.assign(end, got);
    return Buffer.concat(chunks);
  }
}

const GZIP_CORRUPT_FIX = 'the file is corrupt: copy or download it again, or pass the uncompressed output';

/**
 * Whether a gzip file ends with a complete member and 1–9 bytes after it: the last member's trailer
 * (CRC-32, then the length mod 2³²) sits that far before the end and gives the `inflated` length. A
 * file cut short matches only by a 1 in 2³² chance; a file of several members does not (its trailer
 * holds the last member's length), and is reported as cut as before.
 */
function completeBeforeTail(path: string, inflated: number): boolean {
  const b = fileTail(path, 17).bytes;
  const n = b.length;
  for (let k = 1; k <= 9 && k + 8 <= n; k++) if (b.readUInt32LE(n - k - 4) === inflated % 2 ** 32) return true;
  return false;
}

/** The file's size and its last `n` bytes (fewer when it is shorter). */
function fileTail(path: string, n: number): { size: number; bytes: Buffer } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.alloc(Math.min(size, n));
    readSync(fd, bytes, 0, bytes.length, size - bytes.length);
    return { size, bytes };
  } finally {
    closeSync(fd);
  }
}

/** zlib's error for a gzip stream that stops before its end. */
function isCutGzip(err: unknown): boolean {
  return err instanceof Error && /unexpected end of file/i.test(err.message);
}

function cutGzip(path: string, what: string): InputError {
  return new InputError(`the gzip stream ends early (the file is cut short) ${what}`, path, 'copy or download the file again, or let k6 finish the run: it completes the .gz when it exits');
}

function looksLikeNdjson(h: Buffer): boolean {
  const text = stripBom(h.toString('utf8'));
  const lines = text.split('\n');
  // the last piece may be cut by the head size
  const complete = lines.length > 1 ? lines.slice(0, -1) : lines;
  for (const l of complete.slice(0, 50)) {
    const t = l.trim();
    if (t === '') continue;
    try {
      const o = JSON.parse(t) as Record<string, unknown>;
      if (o && typeof o === 'object' && (o.type === 'Point' || o.type === 'Metric') && typeof o.data === 'object') return true;
    } catch {
      // not a line of NDJSON
    }
  }
  return false;
}

/**
 * Whether the head starts with a line that is a whole JSON value and another line follows it: lines
 * of JSON (a JSON log before k6's lines), not one summary document, which is read whole.
 */
function jsonLinesFollow(head: string): boolean {
  const nl = head.indexOf('\n');
  if (nl < 0 || head.slice(nl + 1).trim() === '') return false;
  try {
    JSON.parse(head.slice(0, nl));
    return true;
  } catch {
    return false;
  }
}

async function classify(path: string): Promise<Classified> {
  let size: number;
  let gzip: boolean;
  try {
    ({ size, gzip } = probeFile(path));
  } catch (err) {
    throw unreadable(path, err);
  }
  let h: Buffer;
  try {
    h = await headBytes(path, gzip, HEAD_BYTES);
  } catch (err) {
    if (gzip && isCutGzip(err)) throw cutGzip(path, 'before any data');
    throw new InputError(`cannot decompress: ${(err as Error).message}`, path, 'the file starts like gzip but is not valid gzip; re-download it or pass the uncompressed file');
  }
  const head = stripBom(h.toString('utf8'));
  if (K6_LINE_START.test(head)) return { path, kind: 'ndjson', gzip, size, k6Start: true };
  if (head.trim() === '') return { path, kind: 'ndjson', gzip, size };
  if (looksLikeNdjson(h)) return { path, kind: 'ndjson', gzip, size };
  // Anything that is not one JSON document is read as NDJSON: k6 lines after lines of something else
  // (a log, a banner) are read and the rest counted as bad lines; a file without a single k6 line is
  // refused after the read (see noK6Lines).
  if (!head.trimStart().startsWith('{') || size > SUMMARY_MAX_BYTES || jsonLinesFollow(head)) return { path, kind: 'ndjson', gzip, size };
  // Starts like a JSON document: a summary (pretty-printed, so no line of it is k6 output).
  let text: string;
  const gzipEnd: GzipEnd = { trailing: false, corrupt: false, cut: false };
  try {
    const raw = await readFile(path);
    text = stripBom((gzip ? await gunzipWhole(path, raw, gzipEnd) : raw).toString('utf8'));
  } catch (err) {
    if (gzip && isCutGzip(err)) return { path, kind: 'ndjson', gzip, size, cutEarly: true };
    return { path, kind: 'ndjson', gzip, size };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // lines that are each JSON are NDJSON, not one broken document
    const found = jsonLinesFollow(text) ? undefined : jsonSyntaxError(text);
    const jsonError = found && { ...lineColumn(text, found.offset), why: found.message, atEnd: found.offset >= text.length };
    return { path, kind: 'ndjson', gzip, size, ...(jsonError ? { jsonError } : {}) };
  }
  if (!isSummaryJson(json)) {
    throw new InputError(
      'JSON without a "metrics" object: not a k6 end-of-test summary',
      path,
      'pass a file written by `k6 run --out json=FILE`, by `--summary-export=FILE`, or handleSummary data (JSON.stringify(data))',
    );
  }
  const problem = summaryProblem(json);
  if (problem !== undefined) {
    const at = locateInSummary(text, problem.metric, problem.field);
    throw new InputError(problem.message, at ? `${path}:${at.line}:${at.column}` : path, problem.hint);
  }
  return { path, kind: 'summary', gzip, size, summary: json, gzipEnd };
}

/**
 * The error for a file read as NDJSON in which not a single line is k6 output (only unreadable lines,
 * or a partial one that does not start like k6 output), or undefined when it has one (or is empty:
 * ingestion lists empty files in `emptyFiles`).
 */
function noK6Lines(c: Classified, parts: PartialAggregates[], gzipCut: boolean): InputError | undefined {
  if (parts.some((p) => p.points + p.skippedPoints > 0 || p.metrics.length > 0)) return undefined;
  const bad = parts.reduce((n, p) => n + p.badLines, 0);
  const truncated = parts.some((p) => p.truncated);
  if (bad === 0 && !truncated) return undefined;
  if (c.jsonError !== undefined) {
    const e = c.jsonError;
    return new InputError(
      `invalid JSON at line ${e.line}, column ${e.column}: ${e.why}. The file starts like a k6 end-of-test summary (one JSON document) but cannot be read`,
      `${c.path}:${e.line}:${e.column}`,
      e.atEnd
        ? 'the file is cut short: write it again (let handleSummary / --summary-export finish) or copy it whole'
        : 'correct the JSON there (a stray or missing comma, quote or brace), or write the file again with handleSummary (JSON.stringify(data)) or --summary-export',
    );
  }
  if (bad === 0 && c.k6Start) return undefined; // one k6 line, cut short: reported as truncated
  if (c.cutEarly || gzipCut) return cutGzip(c.path, 'and what comes before the cut is not k6 output');
  const first = parts.find((p) => p.badExamples.length > 0)?.badExamples[0];
  return new InputError(
    `not k6 output: no line of it is a k6 \`--out json\` line ({"type":"Metric",…} or {"metric":…,"type":"Point",…})${first ? ` (line ${first.line}: ${first.why})` : ''}, and it is not an end-of-test summary JSON`,
    c.path,
    'pass a file written by `k6 run --out json=FILE` (or FILE.gz), by `--summary-export=FILE`, or by handleSummary',
  );
}

function parserConfig(indexKeys: string[], bucketMs: number, skipMetrics: string[]): ParserConfig {
  return { bucketMs, indexKeys, exactCap: EXACT_CAP, maxBlocks: MAX_BLOCKS, maxBuckets: MAX_BUCKETS, invLogGamma: INV_LOG_GAMMA, maxExamples: MAX_EXAMPLES, skipMetrics };
}

/**
 * Parses bytes [a, b) of a plain file (a and b on line starts) with `parser`; `atEof` when b is the
 * file's end (a last line without a newline is then a partial line). Self-contained: runs in workers too.
 */
export function readRange(fs: typeof import('node:fs'), path: string, a: number, b: number, atEof: boolean, parser: NdjsonParser, chunk: number, reuse?: { buf?: Buffer }): void {
  const fd = fs.openSync(path, 'r');
  try {
    let buf = reuse?.buf ?? Buffer.allocUnsafe(chunk);
    let filled = 0;
    let at = a;
    for (;;) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
        if (reuse !== undefined) reuse.buf = buf;
      }
      const want = Math.min(buf.length - filled, b - at);
      const n = want > 0 ? fs.readSync(fd, buf, filled, want, at) : 0;
      at += n;
      filled += n;
      if (n === 0) {
        const used = parser.feed(buf, 0, filled);
        if (atEof) parser.tail(buf, used, filled);
        else if (used < filled) parser.tail(buf, used, filled);
        return;
      }
      const used = parser.feed(buf, 0, filled);
      if (used > 0) {
        buf.copy(buf, 0, used, filled);
        filled -= used;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Line-start offsets splitting a plain file into `parts` ranges. */
function splitPoints(path: string, size: number, parts: number): number[] {
  const cuts = [0];
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(1 << 16);
    for (let i = 1; i < parts; i++) {
      let pos = Math.max(cuts[cuts.length - 1]!, Math.floor((size * i) / parts) - 1);
      let found = -1;
      while (pos < size && found < 0) {
        const n = readSync(fd, b, 0, b.length, pos);
        if (n <= 0) break;
        const nl = b.subarray(0, n).indexOf(10);
        if (nl >= 0) found = pos + nl + 1;
        pos += n;
      }
      if (found < 0 || found >= size) break;
      cuts.push(found);
    }
  } finally {
    closeSync(fd);
  }
  cuts.push(size);
  return cuts;
}

/**
 * Parses the chunks [cuts[i], cuts[i+1]) of a plain file that this thread claims: `ctr` counts the
 * chunks claimed by all threads; the calling thread takes them from the front (`fromBack` false) or
 * from the back, so each thread's chunks stay contiguous however fast it is. Returns the chunks
 * parsed, in order, as [chunk index, parser lines before it, …]. Self-contained: runs in workers too.
 */
export function claimChunks(fs: typeof import('node:fs'), path: string, cuts: number[], ctr: Int32Array, fromBack: boolean, parser: NdjsonParser, chunk: number): number[] {
  const n = cuts.length - 1;
  const done: number[] = [];
  const reuse: { buf?: Buffer } = { buf: Buffer.allocUnsafe(chunk) }; // one read buffer for every chunk
  let f = 0;
  let b = n - 1;
  for (;;) {
    if (Atomics.add(ctr, 0, 1) >= n) return done;
    const i = fromBack ? b-- : f++;
    done.push(i, parser.lineCount());
    readRange(fs, path, cuts[i]!, cuts[i + 1]!, i === n - 1, parser, chunk, reuse);
  }
}

let workerSource: string | undefined;
/** The worker's program: the parser and range reader from their own source text, no imports. */
export function ingestWorkerSource(): string {
  workerSource ??= [
    // helpers some compilers insert for function names; harmless otherwise
    'var __name = (f) => f;',
    "const { parentPort, workerData } = require('node:worker_threads');",
    "const fs = require('node:fs');",
    // the bucket and distribution operations the parser and packPartial call, under the names they
    // call them by (a bundler may rename them)
    ...[bucketSpan, bucketAdd, bucketCoarsen, bucketIndex, histKeyOf, distToHist, distAdd].map((f) => `const ${f.name} = ${f.toString()};`),
    `const createNdjsonParser = ${createNdjsonParser.toString()};`,
    `const readRange = ${readRange.toString()};`,
    `const claimChunks = ${claimChunks.toString()};`,
    `const packPartial = ${packPartial.toString()};`,
    'const parser = createNdjsonParser(workerData.cfg);',
    'const done = claimChunks(fs, workerData.path, workerData.cuts, new Int32Array(workerData.shared), true, parser, workerData.chunk);',
    'const packed = packPartial(parser.finish());',
    'parentPort.postMessage({ packed, done }, [packed.data.buffer]);',
  ].join('\n');
  return workerSource;
}

/** Line numbers of a part read chunk by chunk out of order (`done` as claimChunks returns it) → numbers in file order. */
export function renumber(part: PartialAggregates, done: number[]): void {
  const chunks: { i: number; l0: number; count: number; at: number }[] = [];
  for (let j = 0; j < done.length; j += 2) {
    const next = j + 3 < done.length ? done[j + 3]! : part.lines;
    chunks.push({ i: done[j]!, l0: done[j + 1]!, count: next - done[j + 1]!, at: 0 });
  }
  const inFileOrder = [...chunks].sort((x, y) => x.i - y.i);
  let at = 0;
  for (const c of inFileOrder) {
    c.at = at;
    at += c.count;
  }
  for (const ex of part.badExamples) {
    const c = chunks.find((x) => ex.line > x.l0 && ex.line <= x.l0 + x.count);
    if (c !== undefined) ex.line = c.at + (ex.line - c.l0);
  }
  part.badExamples.sort((x, y) => x.line - y.line);
}

interface WorkerJob {
  cfg: ParserConfig;
  path: string;
  cuts: number[];
  shared: SharedArrayBuffer;
  chunk: number;
}

function runWorker(data: WorkerJob): Promise<PartialAggregates> {
  return new Promise((resolve, reject) => {
    const w = new Worker(ingestWorkerSource(), { eval: true, workerData: data });
    let got: PartialAggregates | undefined;
    w.once('message', (m: { packed: PackedPartial; done: number[] }) => {
      got = unpackPartial(m.packed);
      renumber(got, m.done);
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (got) resolve(got);
      else reject(new Error(`ingestion worker exited with code ${code} without a result`));
    });
  });
}

/** Bytes per chunk claimed by one thread at a time (a file is cut into at least 4 per thread). */
const CLAIM_BYTES = 4 << 20;
/** Inflated bytes parsed per turn of the event loop when reading a .gz (see parseGzip). */
const GZ_SLICE_BYTES = 256 << 10;
/** Inflated bytes queued before zlib is paused. */
const GZ_QUEUE_BYTES = 8 << 20;
/** A tuning option when it is usable (finite, at least `min`), else its default. */
const tuning = (v: number | undefined, min: number, fallback: number): number => (v !== undefined && Number.isFinite(v) && v >= min ? v : fallback);

async function parsePlain(path: string, size: number, cfg: ParserConfig, threads: number, minBytes: number): Promise<PartialAggregates[]> {
  const fs = await import('node:fs');
  if (threads <= 1 || size < minBytes) {
    const parser = createNdjsonParser(cfg);
    readRange(fs, path, 0, size, true, parser, CHUNK);
    return [parser.finish()];
  }
  // The file is cut into chunks; this thread claims them from the front while workers start and
  // claim them from the back, so a worker that starts late or runs slowly simply gets fewer.
  const cuts = splitPoints(path, size, Math.max(threads * 4, Math.ceil(size / CLAIM_BYTES)));
  const shared = new SharedArrayBuffer(4);
  const job = runWorker({ cfg, path, cuts, shared, chunk: CHUNK });
  const first = createNdjsonParser(cfg);
  claimChunks(fs, path, cuts, new Int32Array(shared), false, first, CHUNK);
  return [first.finish(), await job];
}

/**
 * Parses a gzip file; `cut` when its compressed stream ends early (the file was cut short),
 * `trailing` when bytes after its gzip data were ignored, `corrupt` when its data fails a check.
 */
async function parseGzip(path: string, cfg: ParserConfig, sliceOpt?: number, queueOpt?: number): Promise<{ parts: PartialAggregates[] } & GzipEnd> {
  const sliceBytes = tuning(sliceOpt, 1, GZ_SLICE_BYTES);
  const queueBytes = tuning(queueOpt, 0, GZ_QUEUE_BYTES);
  const parser = createNdjsonParser(cfg);
  const end: GzipEnd = { cut: false, trailing: false, corrupt: false };
  // The pieces of a line not ended yet (zlib never writes again into a chunk it handed over), joined
  // once, when its newline comes: a line of many MiB is copied once, not once per slice.
  const rest: Buffer[] = [];
  let fed = 0; // decompressed bytes handed to the parser
  /** Parses c[from, to) after the partial line left by the chunk before; returns where it stopped (a line start). */
  const takeRange = (c: Buffer, from: number, to: number): number => {
    if (rest.length > 0) {
      const nl = c.indexOf(10, from);
      if (nl < 0 || nl >= to) {
        if (to > from) rest.push(c.subarray(from, to));
        return to;
      }
      rest.push(c.subarray(from, nl + 1));
      const joined = Buffer.concat(rest);
      rest.length = 0;
      parser.feed(joined, 0, joined.length);
      from = nl + 1;
    }
    return parser.feed(c, from, to);
  };
  /** A whole chunk: what is left after its last newline waits for the next one. */
  const take = (c: Buffer): void => {
    fed += c.length;
    const used = takeRange(c, 0, c.length);
    if (used < c.length) rest.push(c.subarray(used));
  };
  const src = createReadStream(path, { highWaterMark: 1 << 20 });
  const gz = createGunzip({ chunkSize: 1 << 20 } as ZlibOptions);
  let readError: Error | undefined;
  src.on('error', (e) => {
    readError = e;
    gz.destroy(e);
  });
  // zlib inflates on the thread pool, but each 1 MiB it inflates is handed over, and the next one
  // asked for, on this thread: parsing a whole chunk at a time would keep zlib waiting for as long as
  // each parse takes. So chunks queue up (to queueBytes, then zlib pauses) and are parsed
  // sliceBytes at a time, returning to the event loop between slices so zlib runs on meanwhile.
  const queue: Buffer[] = [];
  let queued = 0;
  let at = 0; // where the next slice of queue[0] starts
  let paused = false;
  let ended = false;
  let failure: unknown;
  let scheduled = false;
  let settle!: (err?: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    settle = (err) => (err === undefined ? res() : rej(err));
  });
  const step = (): void => {
    scheduled = false;
    try {
      let budget = sliceBytes;
      while (budget > 0 && queue.length > 0) {
        const c = queue[0]!;
        let to = Math.min(c.length, at + budget);
        let used = takeRange(c, at, to);
        if (used === at && to < c.length) {
          // a line longer than the slice: the rest of the chunk at once
          to = c.length;
          used = takeRange(c, at, to);
        }
        if (to < c.length) {
          queued -= used - at;
          at = used;
          break; // this turn's slice is parsed
        }
        // the chunk is done; what follows its last newline waits for the next chunk
        if (used < c.length) rest.push(c.subarray(used));
        budget -= c.length - at;
        queued -= c.length - at;
        fed += c.length;
        queue.shift();
        at = 0;
      }
    } catch (err) {
      gz.destroy();
      src.destroy();
      settle(err);
      return;
    }
    if (paused && queued <= queueBytes / 2) {
      paused = false;
      gz.resume();
    }
    if (queue.length > 0) schedule();
    else if (failure !== undefined) settle(failure);
    else if (ended) settle();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(step);
  };
  gz.on('data', (c: Buffer) => {
    queue.push(c);
    queued += c.length;
    if (queued > queueBytes && !paused) {
      paused = true;
      gz.pause();
    }
    schedule();
  });
  gz.once('end', () => {
    ended = true;
    schedule();
  });
  // What zlib gave before its error is parsed first: a stream cut short keeps what precedes the cut.
  // That includes what it inflated while paused, held in its buffer and never emitted after an error.
  gz.on('error', (e) => {
    if (failure === undefined) {
      for (let c = gz.read() as Buffer | null; c !== null; c = gz.read() as Buffer | null) {
        queue.push(c);
        queued += c.length;
      }
    }
    failure ??= e;
    schedule();
  });
  src.pipe(gz);
  try {
    await done;
  } catch (err) {
    src.destroy();
    if (readError !== undefined) throw unreadable(path, readError);
    const e = err as Error;
    // A gzip stream cut short (k6 killed) keeps what was read and is reported as truncated — unless
    // its data was complete and one to nine bytes follow it (too few for zlib to take them for more
    // data): zlib says "unexpected end of file" for those too. The trailer tells that at once for one
    // member; otherwise (several members, or a real cut) the rest is read member by member.
    if (isCutGzip(e) && completeBeforeTail(path, fed)) end.trailing = true;
    else if (isCutGzip(e) || isGzipDataError(err)) {
      // Bytes after the gzip data (zlib takes them for a broken next member), a failing CRC check,
      // or a cut: zlib drops its last output chunk with the error, so the rest is read member by
      // member from where it stopped.
      let lenient: GzipEnd;
      try {
        lenient = await gunzipLenient(path, fed, take);
      } catch (again) {
        throw unreadable(path, again);
      }
      // Damaged deflate data, or data failing its CRC-32 / length check (damage decodes into garbage
      // from that point on): refused, as before, rather than judging the run on a part of it.
      // (After "unexpected end of file", data that reads whole member by member is complete: zero
      // padding after the last of several members, which gzip -d ignores too.)
      const unexplained = !isCutGzip(e) && !lenient.trailing && !lenient.cut;
      const damage = lenient.damaged ?? (lenient.corrupt || unexplained ? `${e.message} (the data fails its CRC-32 or length check)` : undefined);
      if (damage !== undefined) throw new InputError(`cannot decompress: the gzip data is damaged: ${damage}`, path, GZIP_CORRUPT_FIX);
      Object.assign(end, lenient);
    } else {
      throw new InputError(`cannot decompress: ${e.message}`, path, 'the gzip data is corrupt; re-download the file or pass the uncompressed output');
    }
  }
  if (rest.length > 0) {
    const tail = Buffer.concat(rest);
    parser.tail(tail, 0, tail.length);
  }
  const part = parser.finish();
  if (end.cut) part.truncated = true;
  return { parts: [part], ...end };
}

/** Diagnostics of files not read yet: every count zero, every list empty. */
function noDiagnostics(files: string[]): IngestDiagnostics {
  return { files: [...files], lines: 0, points: 0, skippedPoints: 0, badLines: 0, badLineExamples: [], truncatedFiles: [], gzipCutFiles: [], emptyFiles: [], gzipTrailingFiles: [] };
}

/** The gzip trailer's uncompressed size (of the last member, modulo 2^32), or undefined when it cannot be read. */
function gzipStoredSize(path: string): number | undefined {
  try {
    const { size, bytes } = fileTail(path, 4);
    return size < 18 ? undefined : bytes.readUInt32LE(0);
  } catch {
    return undefined;
  }
}

/**
 * `run.ndjson` and `run.ndjson.gz` both given (a glob matching a run and its compressed copy), or two
 * files with the same bytes: read as shards they would count the run twice. When the .gz holds as many bytes as the plain file, the
 * plain file is read (faster, and in parallel) and the pair reported; when not, they are not one run
 * saved twice, and which one is meant cannot be told: an `InputError` naming both.
 */
async function sameRunTwins(paths: string[]): Promise<{ read: string[]; twins: { file: string; readAs: string; copy?: true }[] }> {
  const byResolved = new Map(paths.map((p) => [resolve(p), p]));
  const twins: { file: string; readAs: string; copy?: true }[] = [];
  for (const gz of paths) {
    if (!/\.gz$/i.test(gz)) continue;
    const plain = byResolved.get(resolve(gz.slice(0, -3)));
    if (plain === undefined || plain === gz) continue;
    let plainSize: number;
    let plainGzip: boolean;
    let gzIsGzip: boolean;
    let gzSize: number;
    try {
      ({ size: plainSize, gzip: plainGzip } = probeFile(plain));
      ({ size: gzSize, gzip: gzIsGzip } = probeFile(gz));
    } catch {
      continue; // unreadable: classify names it
    }
    if (plainGzip) continue;
    // The .gz's uncompressed length: its own size when it is not gzip after all (a download already
    // decompressed), the trailer's when it has one member, else counted (several members: rare)
    let held: number | undefined = gzIsGzip ? gzipStoredSize(gz) : gzSize;
    if (held === undefined) continue;
    if (gzIsGzip && held !== plainSize % 2 ** 32) held = await gunzippedLength(gz);
    if (held === undefined) continue;
    if (held % 2 ** 32 !== plainSize % 2 ** 32) {
      throw new InputError(
        `\`${plain}\` and \`${gz}\` are named as one run saved uncompressed and compressed, but they differ (the .gz holds ${held} bytes uncompressed, the plain file ${plainSize}); read together they would be taken as two shards of one run`,
        gz,
        `pass only one of them (e.g. narrow the glob to \`*.ndjson.gz\`), or rename one if they are different runs`,
      );
    }
    twins.push({ file: gz, readAs: plain });
  }
  const skip = new Set(twins.map((t) => t.file));
  const rest = paths.filter((p) => !skip.has(p));
  // A byte-for-byte copy (an artifact downloaded twice, a file copied beside itself) is not a shard:
  // merged, it would double every count and the throughput. Read once, and said.
  const bySize = new Map<number, string[]>();
  for (const p of rest) {
    let size: number;
    try {
      size = probeFile(p).size;
    } catch {
      continue; // unreadable: classify names it
    }
    const same = bySize.get(size);
    const original = same?.find((o) => sameBytes(o, p, size));
    if (original !== undefined) twins.push({ file: p, readAs: original, copy: true });
    else bySize.set(size, [...(same ?? []), p]);
  }
  const copies = new Set(twins.map((t) => t.file));
  return { read: rest.filter((p) => !copies.has(p)), twins };
}

function sameRunList(twins: { file: string; readAs: string; copy?: true }[], shown: (path: string) => string): NonNullable<IngestDiagnostics['sameRunFiles']> {
  return twins.map((t) => ({ file: shown(t.file), readAs: shown(t.readAs), ...(t.copy ? { copy: true as const } : {}) }));
}

/** Whether two files of `size` bytes hold the same bytes (their first and last 64 KiB first, the whole only when those agree). */
function sameBytes(a: string, b: string, size: number): boolean {
  if (size === 0) return false; // empty files: nothing to count twice, each is reported as empty
  const fa = openSync(a, 'r');
  try {
    const fb = openSync(b, 'r');
    try {
      const window = 1 << 16;
      const x = Buffer.allocUnsafe(Math.min(size, 1 << 20));
      const y = Buffer.allocUnsafe(x.length);
      const equalAt = (pos: number, n: number) => readSync(fa, x, 0, n, pos) === n && readSync(fb, y, 0, n, pos) === n && x.subarray(0, n).equals(y.subarray(0, n));
      if (!equalAt(0, Math.min(size, window)) || !equalAt(Math.max(0, size - window), Math.min(size, window))) return false;
      for (let pos = 0; pos < size; pos += x.length) if (!equalAt(pos, Math.min(x.length, size - pos))) return false;
      return true;
    } finally {
      closeSync(fb);
    }
  } catch {
    return false;
  } finally {
    closeSync(fa);
  }
}

/** The length of a gzip file's data, counted by inflating it (streamed); undefined when zlib refuses it. */
async function gunzippedLength(path: string): Promise<number | undefined> {
  let n = 0;
  const gz = createGunzip({ chunkSize: 1 << 20 } as ZlibOptions);
  createReadStream(path, { highWaterMark: 1 << 20 }).on('error', (e) => gz.destroy(e)).pipe(gz);
  try {
    for await (const c of gz as AsyncIterable<Buffer>) n += c.length;
    return n;
  } catch {
    return undefined;
  }
}

/** Reads k6 output files (shards of one run, or one summary) into `Results`. */
export async function ingestFiles(paths: string[], opts: IngestOptions = {}): Promise<Results> {
  if (paths.length === 0) throw new InputError('no k6 results files given', undefined, 'pass at least one --results FILE');
  const shown = opts.displayName ?? ((path: string) => path);
  const { read, twins } = await sameRunTwins(paths);
  /** A file's own error: left out when the caller asks for that, else thrown. */
  const refuse = (path: string, error: InputError): void => {
    if (!opts.leaveOut) throw error;
    opts.leaveOut(path, error);
  };
  const classified: Classified[] = [];
  for (const p of read) {
    try {
      classified.push(await classify(p));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      refuse(p, err);
    }
  }
  const summaries = classified.filter((c) => c.kind === 'summary');
  if (summaries.length > 0) {
    if (summaries.length !== classified.length) {
      const nd = classified.filter((c) => c.kind === 'ndjson').map((c) => c.path);
      throw new InputError(
        `k6 summary JSON mixed with --out json output (${nd.join(', ')})`,
        summaries[0]!.path,
        'pass either the --out json files of one run (shards merge) or one summary file, not both',
      );
    }
    if (summaries.length > 1) {
      throw new InputError(
        `several k6 summary files given (${summaries.map((s) => s.path).join(', ')}): their percentiles cannot be merged`,
        summaries[1]!.path,
        'pass one summary file, or the --out json files of every shard',
      );
    }
    const s = summaries[0]!;
    const results = new SummaryResults(shown(s.path), s.summary);
    if (s.gzipEnd?.trailing) results.diagnostics.gzipTrailingFiles = [shown(s.path)];
    if (twins.length > 0) results.diagnostics.sameRunFiles = sameRunList(twins, shown);
    return results;
  }
  const indexKeys = [...new Set([...DEFAULT_TAG_KEYS, ...(opts.tagKeys ?? [])])];
  const bucketMs = Math.max(1, Math.round((opts.bucketSeconds ?? 1) * 1000));
  const skipMetrics = [...new Set(opts.skipMetrics ?? [])];
  const cfg = parserConfig(indexKeys, bucketMs, skipMetrics);
  // A worker pays off only with a core to spare beyond the two threads and V8's GC helpers: on two
  // cores, two parsing threads measured slower than one (see docs/performance.md).
  const threads = Math.max(1, Math.floor(opts.threads ?? Math.min(2, Math.max(1, availableParallelism() - 2))));
  const minBytes = opts.workerMinBytes ?? 16 << 20;
  const parts: PartialAggregates[] = [];
  const diagnostics = noDiagnostics(paths.map(shown));
  if (twins.length > 0) diagnostics.sameRunFiles = sameRunList(twins, shown);
  const spans: { file: string; start: number; end: number }[] = [];
  for (const c of classified) {
    let fileParts: PartialAggregates[];
    let gzipCut = false;
    try {
      if (c.gzip) {
        const read = await parseGzip(c.path, cfg, opts.gzipSliceBytes, opts.gzipQueueBytes);
        fileParts = read.parts;
        gzipCut = read.cut;
        if (read.trailing) diagnostics.gzipTrailingFiles!.push(shown(c.path));
      } else fileParts = await parsePlain(c.path, c.size, cfg, threads, minBytes);
    } catch (err) {
      refuse(c.path, err instanceof InputError ? err : unreadable(c.path, err));
      continue;
    }
    const notK6 = noK6Lines(c, fileParts, gzipCut);
    if (notK6 !== undefined) {
      refuse(c.path, notK6);
      continue;
    }
    if (gzipCut) diagnostics.gzipCutFiles!.push(shown(c.path));
    if (fileParts.every((p) => p.points + p.skippedPoints === 0)) {
      diagnostics.emptyFiles!.push(shown(c.path));
      // its compressed copy, not read, holds no sample either
      for (const t of twins) if (t.readAs === c.path) diagnostics.emptyFiles!.push(shown(t.file));
    }
    const span = { file: shown(c.path), start: Infinity, end: -Infinity };
    let lineOffset = 0;
    for (const p of fileParts) {
      span.start = Math.min(span.start, p.minT);
      span.end = Math.max(span.end, p.maxT);
      diagnostics.lines += p.lines;
      diagnostics.points += p.points;
      diagnostics.skippedPoints! += p.skippedPoints;
      diagnostics.badLines += p.badLines;
      for (const ex of p.badExamples) {
        if (diagnostics.badLineExamples.length < MAX_EXAMPLES) diagnostics.badLineExamples.push(`${shown(c.path)}:${ex.line + lineOffset}`);
      }
      if (p.truncated && !diagnostics.truncatedFiles.includes(shown(c.path))) diagnostics.truncatedFiles.push(shown(c.path));
      lineOffset += p.lines;
      parts.push(p);
    }
    if (span.start <= span.end) spans.push(span);
  }
  if (apart(spans)) diagnostics.separateRuns = spans.sort((a, b) => a.start - b.start);
  return new NdjsonResults(mergePartials(parts, bucketMs), diagnostics, indexKeys, skipMetrics);
}

/** Whether files' sample times leave a gap (a file starts after all the earlier ones ended): shards of one run overlap. */
function apart(spans: { start: number; end: number }[]): boolean {
  if (spans.length < 2) return false;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let reach = sorted[0]!.end;
  for (const s of sorted.slice(1)) {
    if (s.start > reach) return true;
    reach = Math.max(reach, s.end);
  }
  return false;
}

/**
 * Results that hold no sample: for a run whose k6 wrote no output file (an init error, exit 104/107),
 * so the run is still judged (every rule has no data; the incomplete run fails) instead of the whole
 * gate stopping. `files` are the files that were expected (usually none).
 */
export function emptyResults(files: string[] = [], opts: Pick<IngestOptions, 'tagKeys' | 'bucketSeconds' | 'skipMetrics'> = {}): Results {
  const indexKeys = [...new Set([...DEFAULT_TAG_KEYS, ...(opts.tagKeys ?? [])])];
  const bucketMs = Math.max(1, Math.round((opts.bucketSeconds ?? 1) * 1000));
  return new NdjsonResults(mergePartials([], bucketMs), noDiagnostics(files), indexKeys, [...new Set(opts.skipMetrics ?? [])]);
}
