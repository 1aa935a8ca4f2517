// The start of a k6 output file, read cheaply before the full (streaming) ingestion: whether it is
// gzip (by its magic bytes), its size, and its first bytes (decompressed when it is gzip). Used to
// tell NDJSON from a summary and to group files by their `scenario` tag.
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';

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
      if (err && len === 0) reject(err);
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
