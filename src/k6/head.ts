// The start of a k6 output file, read cheaply before the full (streaming) ingestion: whether it is
// gzip (by its magic bytes), its size, and its first bytes (decompressed when it is gzip). Used to
// tell NDJSON from a summary and to group files by their `scenario` tag.
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { createGunzip, createInflateRaw } from 'node:zlib';

/** Size and compression of a file; throws the file system's error when it cannot be read. */
export function probeFile(path: string): { size: number; gzip: boolean } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const magic = Buffer.alloc(2);
    const n = readSync(fd, magic, 0, 2, 0);
    return { size, gzip: n === 2 && magic[0] === 0x1f && magic[1] === 0x8b };
  } finally {
    closeSync(fd);
  }
}

/**
 * Up to `max` bytes of the file's start, decompressed when `gzip`. A gzip stream that breaks after
 * some bytes gives those bytes; one that gives none throws zlib's (or the file system's) error.
 */
export async function headBytes(path: string, gzip: boolean, max: number): Promise<Buffer> {
  if (!gzip) {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(max);
      return b.subarray(0, readSync(fd, b, 0, max, 0));
    } finally {
      closeSync(fd);
    }
  }
  try {
    return await gunzipHead(path, max);
  } catch (err) {
    if (!isGzipDataError(err)) throw err;
    // zlib refuses bytes after the data or a failing check, dropping its last output: read leniently
    const chunks: Buffer[] = [];
    let len = 0;
    await gunzipLenient(path, 0, (c) => {
      chunks.push(c);
      len += c.length;
      return len < max;
    });
    if (len === 0) throw err;
    return Buffer.concat(chunks).subarray(0, max);
  }
}

function gunzipHead(path: string, max: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    const src = createReadStream(path);
    const gz = createGunzip();
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      src.destroy();
      gz.destroy();
      // a data error may have dropped output before it: the caller reads such a file leniently
      if (err && (len === 0 || (len < max && isGzipDataError(err)))) reject(err);
      else resolve(Buffer.concat(chunks).subarray(0, max));
    };
    gz.on('data', (c: Buffer) => {
      chunks.push(c);
      len += c.length;
      if (len >= max) finish();
    });
    gz.on('end', () => finish());
    gz.on('error', (e) => finish(e));
    src.on('error', (e) => finish(e));
    src.pipe(gz);
  });
}

/** What the lenient gzip read found besides the data. */
export interface GzipEnd {
  /** Bytes after the last gzip member that are not another member (nor zero padding): ignored. */
  trailing: boolean;
  /** A member's data fails its CRC-32 or length check (its data was all inflated, and read). */
  corrupt: boolean;
  /** The file ends inside a member. */
  cut: boolean;
  /** zlib's reason when a member's deflate data itself is damaged: nothing after that point can be read. */
  damaged?: string;
}

/** zlib's errors for gzip data it refuses (as opposed to the file system's, or a stream cut short). */
export function isGzipDataError(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === 'Z_DATA_ERROR';
}

const PIECE = 1 << 20;

/**
 * A file read by position, a window at a time: the lenient gzip read walks a damaged file without
 * holding it in memory (its data goes to raw inflate a piece at a time).
 */
class FileBytes {
  private readonly fd: number;
  readonly size: number;
  private win: Buffer = Buffer.alloc(0);
  private winAt = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Bytes [a, b) (clipped to the file), a fresh buffer. */
  slice(a: number, b: number): Buffer {
    const n = Math.max(0, Math.min(b, this.size) - a);
    const out = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.fd, out, got, n - got, a + got);
      if (r <= 0) break;
      got += r;
    }
    return got < n ? out.subarray(0, got) : out;
  }

  at(i: number): number | undefined {
    if (i < 0 || i >= this.size) return undefined;
    if (i < this.winAt || i >= this.winAt + this.win.length) {
      this.winAt = i;
      this.win = this.slice(i, i + (64 << 10));
    }
    return this.win[i - this.winAt];
  }

  readUInt16LE(i: number): number {
    return (this.at(i) ?? 0) | ((this.at(i + 1) ?? 0) << 8);
  }

  readUInt32LE(i: number): number {
    return this.slice(i, i + 4).readUInt32LE(0);
  }

  /** The offset of the next 0 byte from `from`, or -1. */
  indexOfZero(from: number): number {
    for (let i = from; i < this.size; i++) if (this.at(i) === 0) return i;
    return -1;
  }

  /** Whether any byte from `from` to the end is not 0. */
  anyNonZero(from: number): boolean {
    for (let i = from; i < this.size; i += PIECE) if (this.slice(i, i + PIECE).some((b) => b !== 0)) return true;
    return false;
  }
}

/**
 * Decompresses a gzip file member by member — the header read here, the data by raw inflate, the
 * CRC-32 and length checked here — and calls `onData` with the decompressed bytes that follow the
 * first `skip`, until it returns false. Unlike zlib's gunzip it keeps what precedes bytes after the
 * last member (zlib fails with "incorrect header check" and drops its last output chunk) and what a
 * failing CRC check covers. Only for files zlib's gunzip refused: the file is read whole.
 */
export async function gunzipLenient(path: string, skip: number, onData: (b: Buffer) => boolean | void): Promise<GzipEnd> {
  const buf = new FileBytes(path);
  try {
    return await lenientFrom(buf, skip, onData);
  } finally {
    buf.close();
  }
}

async function lenientFrom(buf: FileBytes, skip: number, onData: (b: Buffer) => boolean | void): Promise<GzipEnd> {
  const end: GzipEnd = { trailing: false, corrupt: false, cut: false };
  let off = 0;
  let out = 0;
  let wanted = true;
  while (off < buf.size && wanted) {
    if (buf.size - off < 3 || buf.at(off) !== 0x1f || buf.at(off + 1) !== 0x8b || buf.at(off + 2) !== 8) {
      // gzip -d ignores zero padding silently and anything else with a warning
      end.trailing = buf.anyNonZero(off);
      if (off === 0) end.corrupt = true;
      break;
    }
    const flags = buf.at(off + 3) ?? 0;
    let p = off + 10;
    if (flags & 4) p += 2 + (p + 1 < buf.size ? buf.readUInt16LE(p) : 0);
    for (const bit of [8, 16]) {
      if (flags & bit) {
        const z = buf.indexOfZero(p);
        p = z < 0 ? buf.size + 1 : z + 1;
      }
    }
    if (flags & 2) p += 2;
    if (p >= buf.size) {
      end.cut = true;
      break;
    }
    const inf = createInflateRaw({ chunkSize: PIECE });
    let written = 0;
    let stopped = false;
    const feeding = (async () => {
      for (let i = p; i < buf.size && !stopped; i += PIECE) {
        const piece = buf.slice(i, i + PIECE);
        written += piece.length;
        await new Promise<void>((res, rej) => inf.write(piece, (e) => (e ? rej(e) : res())));
        if (inf.bytesWritten < written) break; // the member's deflate data ended inside this piece
      }
      inf.end();
    })();
    feeding.catch(() => undefined);
    let crc = 0;
    let size = 0;
    try {
      for await (const c of inf as AsyncIterable<Buffer>) {
        if (typeof zlib.crc32 === 'function') crc = zlib.crc32(c, crc);
        size += c.length;
        if (!wanted) continue;
        const from = Math.max(0, skip - out);
        out += c.length;
        if (from < c.length && onData(from === 0 ? c : c.subarray(from)) === false) {
          wanted = false;
          stopped = true;
        }
      }
      await feeding;
    } catch (err) {
      const why = (err as Error).message;
      if (/unexpected end of file/i.test(why)) end.cut = true;
      else end.damaged = `${why} (at or after byte ${p} of ${buf.size})`;
      break;
    }
    if (!wanted) break;
    const t = p + inf.bytesWritten;
    if (t + 8 > buf.size) {
      end.cut = true;
      break;
    }
    if ((typeof zlib.crc32 === 'function' && buf.readUInt32LE(t) !== crc >>> 0) || buf.readUInt32LE(t + 4) !== size % 2 ** 32) end.corrupt = true;
    off = t + 8;
  }
  return end;
}
