// Stable names for baseline artifacts: one per scenario and comment key, so matrix jobs and scenarios
// keep separate baselines and a later run finds exactly the one it compares with.
import { createHash } from 'node:crypto';

/** The report file inside a baseline artifact. */
export const BASELINE_REPORT_FILE = 'perf-gate-report.json';

const PREFIX = 'perf-gate-baseline';
/** Artifact names longer than this are shortened (with a hash, so they stay distinct). */
const MAX_NAME = 200;

function part(s: string): { text: string; changed: boolean } {
  const text = s
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return { text, changed: text !== s };
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}

/**
 * `perf-gate-baseline-<key>-<scenario>` (without `<key>-` when the key is empty). Characters outside
 * `A–Z a–z 0–9 . _ -` become `-`; when that changed anything, a short hash of the original pair is
 * appended so `a/b` and `a-b` never share an artifact. Always a valid artifact name.
 */
export function baselineArtifactName(scenario: string, commentKey: string): string {
  const s = part(scenario);
  const k = part(commentKey);
  const pieces = [PREFIX, k.text, s.text || 'default'].filter((p) => p.length > 0);
  let name = pieces.join('-');
  const original = `${commentKey}\u0000${scenario}`;
  if (s.changed || k.changed || !s.text) name = `${name}-${hash(original)}`;
  if (name.length > MAX_NAME) name = `${name.slice(0, MAX_NAME - 9)}-${hash(original)}`;
  return name;
}
