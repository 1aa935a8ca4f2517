// Locates the shared k6 samples: ../shared/k6-samples next to the repository root, else /work/shared.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Directory holding the shared k6 samples. */
export function samplesDir(): string {
  const candidates = [join(repoRoot, '..', 'shared', 'k6-samples'), '/work/shared/k6-samples'];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`k6 samples not found (looked in ${candidates.join(', ')})`);
}

/** Path of one shared sample, e.g. `contacts-20s.ndjson.gz`. */
export function samplePath(name: string): string {
  return join(samplesDir(), name);
}
