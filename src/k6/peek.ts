// A cheap look at the start of a k6 output file: which `scenario` tag its first samples carry.
// Used to group evaluate-only files by scenario before the full (streaming) ingestion.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { headBytes, probeFile } from './head.js';

const PEEK_BYTES = 256 * 1024;
const SCENARIO_TAG = /"scenario":"((?:[^"\\]|\\.)*)"/;
/** A k6 `--out json` line starting at a line start (after an optional byte order mark). */
const K6_LINE = /(?:^|\n)\uFEFF?\{"(?:metric|type)":/;

/** The first `scenario` tag value in the file, or undefined (a summary, no tag, unreadable: ingestion reports those). */
export async function scenarioOfFile(path: string): Promise<string | undefined> {
  try {
    const { gzip } = probeFile(path);
    const head = await headBytes(path, gzip, PEEK_BYTES);
    const text = head.toString('utf8');
    const m = SCENARIO_TAG.exec(text);
    if (m) return JSON.parse(`"${m[1]}"`) as string;
    // Only when the start holds no k6 line at all (a log pasted in front, which ingestion counts as
    // bad lines) is the file read on, to the first k6 line and as far again past it.
    if (head.length < PEEK_BYTES || K6_LINE.test(text)) return undefined;
    return await scenarioPastJunk(path, gzip);
  } catch {
    return undefined;
  }
}

/** The first `scenario` tag within PEEK_BYTES of the file's first k6 line. */
async function scenarioPastJunk(path: string, gzip: boolean): Promise<string | undefined> {
  const src = createReadStream(path, { highWaterMark: 1 << 16 });
  const stream = gzip ? src.pipe(createGunzip()) : src;
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let from: string | undefined; // text from the first k6 line on
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = decoder.write(chunk);
      if (from === undefined) {
        const window = carry + text;
        const k = K6_LINE.exec(window);
        if (k === null) {
          carry = window.slice(-1024);
          continue;
        }
        from = window.slice(k.index);
      } else from += text;
      const m = SCENARIO_TAG.exec(from);
      if (m) return JSON.parse(`"${m[1]}"`) as string;
      if (from.length >= PEEK_BYTES) return undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    src.destroy();
    if (stream !== src) (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
  }
}
