// A cheap look at the start of a k6 output file: which `scenario` tag its first samples carry.
// Used to group evaluate-only files by scenario before the full (streaming) ingestion.
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { createReadStream } from 'node:fs';

const PEEK_BYTES = 256 * 1024;
const SCENARIO_TAG = /"scenario":"((?:[^"\\]|\\.)*)"/;

async function firstBytes(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  let raw: Buffer;
  try {
    const b = Buffer.alloc(PEEK_BYTES);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    raw = b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  // gzip: decompress just enough.
  return await new Promise<Buffer>((resolvePeek) => {
    const parts: Buffer[] = [];
    let size = 0;
    const stream = createReadStream(path).pipe(createGunzip());
    const done = () => resolvePeek(Buffer.concat(parts));
    stream.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      size += chunk.length;
      if (size >= PEEK_BYTES) {
        stream.destroy();
        done();
      }
    });
    stream.on('end', done);
    stream.on('error', done);
  });
}

/** The first `scenario` tag value in the file, or undefined (a summary, no tag, unreadable: ingestion reports those). */
export async function scenarioOfFile(path: string): Promise<string | undefined> {
  try {
    const m = SCENARIO_TAG.exec((await firstBytes(path)).toString('utf8'));
    return m ? (JSON.parse(`"${m[1]}"`) as string) : undefined;
  } catch {
    return undefined;
  }
}
