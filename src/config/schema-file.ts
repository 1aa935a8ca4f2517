// The exact text of thresholds.schema.json (shared by scripts/schema.ts and the test that checks the
// committed file is current).
import { jsonSchema } from './schema.js';

export function schemaText(): string {
  const schema = { ...jsonSchema(), title: 'perf-gate thresholds.yml (format version 1)' };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
