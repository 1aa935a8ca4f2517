// A cheap look at the start of a k6 output file: which `scenario` tag its first samples carry.
// Used to group evaluate-only files by scenario before the full (streaming) ingestion.
import { headBytes, probeFile } from './head.js';

const PEEK_BYTES = 256 * 1024;
const SCENARIO_TAG = /"scenario":"((?:[^"\\]|\\.)*)"/;

/** The first `scenario` tag value in the file, or undefined (a summary, no tag, unreadable: ingestion reports those). */
export async function scenarioOfFile(path: string): Promise<string | undefined> {
  try {
    const { gzip } = probeFile(path);
    const m = SCENARIO_TAG.exec((await headBytes(path, gzip, PEEK_BYTES)).toString('utf8'));
    return m ? (JSON.parse(`"${m[1]}"`) as string) : undefined;
  } catch {
    return undefined;
  }
}
