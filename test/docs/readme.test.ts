// The README stays true: its workflows are the files of docs/workflows/, every link resolves, and the
// two commands it gives exist as package scripts.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReadme } from '../../src/docs/readme.js';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

describe('README', () => {
  it('carries the workflows of docs/workflows/ verbatim (npm run readme)', () => {
    expect(readme).toBe(renderReadme(readme, root));
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(10);
    for (const link of links) expect(existsSync(resolve(root, link)), link).toBe(true);
  });

  it('gives the two commands, and they are real scripts', () => {
    expect(readme).toContain('npm ci && npm run package && npm run example');
    expect(readme).toContain('npm test');
    const scripts = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const s of ['package', 'example', 'test', 'bench']) expect(scripts[s], s).toBeDefined();
    expect(readFileSync(resolve(root, '.ci/run'), 'utf8')).toContain('npm test');
  });
});
