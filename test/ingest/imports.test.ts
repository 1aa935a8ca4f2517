// Ingestion's modules load only what reading k6 output needs: the schema and YAML libraries (zod,
// yaml) belong to thresholds.yml and reports, and pulling them in through ingestion cost the CLI's
// start-up (and so every bench run) ~80 ms. Follows the static imports from src/k6/ingest.ts.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every module reachable by static imports from `entry`, with the packages each imports. */
function graph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const packages: string[] = [];
    seen.set(file, packages);
    // `import … from '…'` and `export … from '…'`, not `import type` (erased) nor dynamic import()
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+'([^']+)'/gms)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.push(spec);
    }
  };
  visit(resolve(entry));
  return seen;
}

describe("ingestion's imports", () => {
  it('reach neither zod nor yaml', () => {
    const g = graph(join('src', 'k6', 'ingest.ts'));
    expect(g.size).toBeGreaterThan(5);
    const heavy = [...g].flatMap(([file, packages]) => packages.filter((p) => p === 'zod' || p === 'yaml').map((p) => `${file} imports ${p}`));
    expect(heavy).toEqual([]);
  });

  it('the check sees a package imported by a module ingestion reaches', () => {
    // the thresholds loader imports yaml: the same walk from it finds it
    const g = graph(join('src', 'config', 'load.ts'));
    expect([...g.values()].flat()).toContain('yaml');
  });
});
