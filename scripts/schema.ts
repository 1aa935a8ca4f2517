// Writes thresholds.schema.json from the zod schema of thresholds.yml (`npm run schema`).
// `npm run schema -- --check` exits 1 when the committed file differs from a fresh generation.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaText } from '../src/config/schema-file.js';

const target = fileURLToPath(new URL('../thresholds.schema.json', import.meta.url));
const fresh = schemaText();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing: differs
  }
  if (current !== fresh) {
    process.stderr.write('thresholds.schema.json is out of date: run `npm run schema`\n');
    process.exit(1);
  }
  process.stdout.write('thresholds.schema.json is up to date\n');
} else {
  writeFileSync(target, fresh);
  process.stdout.write(`wrote ${target}\n`);
}
