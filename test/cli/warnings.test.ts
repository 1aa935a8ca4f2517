// The pipeline's warnings (data quality, config) reach stderr as `perf-gate: warning: …`, with or
// without -q: quiet silences only the report on stdout.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { generateK6Text, loadTestSpec } from '../../src/k6/fixtures.js';

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), cwd, env: {} } };
}

let dir: string;
/** 1-based line number of the garbage line in garbage.ndjson. */
let garbageLine: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-cli-warn-'));
  const spec = loadTestSpec('smoke', 0.2);
  spec.seed = 7;
  const lines = generateK6Text(spec).text.split('\n');
  const at = Math.floor(lines.length / 2);
  lines.splice(at, 0, 'this is not k6 JSON');
  garbageLine = at + 1;
  writeFileSync(join(dir, 'garbage.ndjson'), lines.join('\n'));
  writeFileSync(join(dir, 'clean.ndjson'), generateK6Text(spec).text);
  writeFileSync(join(dir, 'thresholds.yml'), 'version: 1\nthresholds:\n  http_req_duration: ["p(99)<100000"]\n');
});

describe('perf-gate evaluate, warnings', () => {
  it.each([[['-q']], [[]]])('names a skipped garbage line on stderr (%j)', async (extra) => {
    const t = io(dir);
    const code = await main(['evaluate', '--results', 'garbage.ndjson', ...extra], t.io);
    expect(code).toBe(0);
    const warnings = t.err.join('').split('\n').filter((l) => l.startsWith('perf-gate: warning: '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`garbage\\.ndjson:${garbageLine}\\b`));
    if (extra.length > 0) expect(t.out.join('')).toBe('');
    else expect(t.out.join('')).toContain('| `http_req_duration` |');
  });

  it('prints none for clean results', async () => {
    const t = io(dir);
    expect(await main(['evaluate', '--results', 'clean.ndjson', '-q'], t.io)).toBe(0);
    expect(t.err.join('')).not.toContain('warning');
  });
});
