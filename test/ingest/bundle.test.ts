// The worker thread is created from source text, so ingestion must work from a single ncc bundle.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { samplePath } from '../helpers/sample.js';

describe('ingestion bundled into one file', () => {
  it('parses with worker threads from the ncc bundle and agrees with JSON.parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-bundle-'));
    const ncc = join('node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
    execFileSync(process.execPath, [ncc, 'build', 'bench/ingest-cli.ts', '-o', join(dir, 'out'), '--target', 'es2022', '--transpile-only', '-q'], { stdio: 'pipe' });
    const text = gunzipSync(readFileSync(samplePath('contacts-20s.ndjson.gz'))).toString('utf8');
    const plain = join(dir, 'contacts.ndjson');
    writeFileSync(plain, text);
    const values = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((o) => o.type === 'Point' && o.metric === 'http_req_duration')
      .map((o) => o.data.value as number)
      .sort((a, b) => a - b);
    const i = 0.99 * (values.length - 1);
    const p99 = values[Math.floor(i)]! + (values[Math.ceil(i)]! - values[Math.floor(i)]!) * (i - Math.floor(i));
    for (const threads of ['1', '2']) {
      const out = execFileSync(process.execPath, [join(dir, 'out', 'index.js'), plain, '--threads', threads, '--worker-min-bytes', '0'], { encoding: 'utf8' });
      const r = JSON.parse(out.trim());
      expect(r.p99).toBe(p99);
      expect(r.points).toBe(3582);
      expect(r.bad).toBe(0);
    }
  }, 240_000);
});
