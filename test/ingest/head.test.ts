import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { headBytes, probeFile } from '../../src/k6/head.js';
import { scenarioOfFile } from '../../src/k6/peek.js';
import { samplePath } from '../helpers/sample.js';

const dir = mkdtempSync(join(tmpdir(), 'perf-gate-head-'));
const T = 1_700_000_000_000_000_000n;

/** k6 lines: `before` bytes of samples without a scenario tag, then one tagged with `scenario`. */
function k6Text(scenario: string, before: number): string {
  const lines = [metricLine({ name: 'http_reqs', type: 'counter', contains: 'default' })];
  let size = lines[0]!.length + 1;
  for (let i = 0; size < before; i++) {
    const l = pointLine('http_reqs', k6Time(T + BigInt(i) * 1_000_000n), 1, { method: 'GET', status: '200' });
    lines.push(l);
    size += l.length + 1;
  }
  lines.push(pointLine('http_reqs', k6Time(T), 1, { method: 'GET', scenario, status: '200' }));
  return `${lines.join('\n')}\n`;
}
function write(name: string, data: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

describe('the start of a k6 output file', () => {
  it('tells gzip by its magic bytes, not by its name', () => {
    const text = k6Text('smoke', 0);
    expect(probeFile(write('plain.gz', text))).toEqual({ size: Buffer.byteLength(text), gzip: false });
    const gz = gzipSync(text);
    expect(probeFile(write('packed.ndjson', gz))).toEqual({ size: gz.length, gzip: true });
    expect(probeFile(write('empty.ndjson', ''))).toEqual({ size: 0, gzip: false });
  });

  it('reads the same first bytes from the plain and the gzip file, at most the bytes asked for', async () => {
    const text = k6Text('smoke', 300_000);
    const plain = write('big.ndjson', text);
    const packed = write('big.ndjson.gz', gzipSync(text));
    for (const max of [10, 65_536, 1_000_000]) {
      const want = Buffer.from(text).subarray(0, max);
      // compared as strings: a deep equality of large Buffers is slow
      expect((await headBytes(plain, false, max)).toString('latin1')).toBe(want.toString('latin1'));
      expect((await headBytes(packed, true, max)).toString('latin1')).toBe(want.toString('latin1'));
    }
  });

  it('gives what a broken gzip stream inflated before it broke, and throws when it inflated nothing', async () => {
    const text = k6Text('smoke', 200_000);
    const gz = gzipSync(text);
    const cut = write('cut.ndjson.gz', gz.subarray(0, gz.length >> 1));
    const got = await headBytes(cut, true, 1 << 20);
    expect(got.length).toBeGreaterThan(0);
    expect(text.startsWith(got.toString('utf8'))).toBe(true);
    const garbage = write('garbage.gz', Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not gzip at all')]));
    await expect(headBytes(garbage, true, 1024)).rejects.toThrow();
  });
});

describe('the scenario a file belongs to (grouping before ingestion)', () => {
  it('is the first `scenario` tag, in plain and gzip files, also past the first 64 KiB', async () => {
    const text = k6Text('target-capacity', 100_000);
    expect(await scenarioOfFile(write('far.ndjson', text))).toBe('target-capacity');
    expect(await scenarioOfFile(write('far.ndjson.gz', gzipSync(text)))).toBe('target-capacity');
  });

  it('reads the escapes of a JSON string in the tag value', async () => {
    expect(await scenarioOfFile(write('escaped.ndjson', k6Text('say "hi"\\', 0)))).toBe('say "hi"\\');
  });

  it('is the real sample’s own scenario', async () => {
    const file = samplePath('contacts-20s.ndjson.gz');
    expect(readFileSync(file)[0]).toBe(0x1f);
    expect(await scenarioOfFile(file)).toBe('contacts');
  });

  it('is undefined, not an error, for a missing, corrupt, untagged or far-tagged file (ingestion reports those)', async () => {
    expect(await scenarioOfFile(join(dir, 'missing.ndjson'))).toBeUndefined();
    expect(await scenarioOfFile(write('corrupt.ndjson.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3])))).toBeUndefined();
    expect(await scenarioOfFile(write('untagged.ndjson', k6Text('x', 0).replace(/,"scenario":"x"/, '')))).toBeUndefined();
    expect(await scenarioOfFile(write('late.ndjson', k6Text('late', 400_000)))).toBeUndefined();
    expect(await scenarioOfFile(dir)).toBeUndefined();
  });
});
