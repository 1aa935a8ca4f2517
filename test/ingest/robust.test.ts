// Damaged or unusual k6 output: what is still read, what is reported, and the messages of what is refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import { scenarioOfFile } from '../../src/k6/peek.js';
import type { Results } from '../../src/model.js';

const dir = mkdtempSync(join(tmpdir(), 'perf-gate-robust-'));
const t = (s: number) => k6Time(1_767_258_000_000_000_000n + BigInt(s) * 1_000_000_000n);
const duration = metricLine({ name: 'http_req_duration', type: 'trend', contains: 'time' });
/** k6 lines: the Metric line and `n` points of http_req_duration valued 1…n. */
function k6Lines(n: number): string[] {
  const out = [duration];
  for (let i = 1; i <= n; i++) out.push(pointLine('http_req_duration', t(i % 30), i, { status: '200' }));
  return out;
}
function count(r: Results): number {
  const m = r.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'count' });
  if (!('value' in m)) throw new Error(m.noData);
  return m.value;
}
async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error('expected an error');
  return e.message;
}

describe('values out of range', () => {
  it('counts a value that overflows a double (1e400) as a bad line, fast path or not', async () => {
    const f = join(dir, 'overflow.ndjson');
    const lines = k6Lines(3);
    lines.push(pointLine('http_req_duration', t(4), 7, { status: '200' }).replace('"value":7', '"value":1e400'));
    lines.push(pointLine('http_req_duration', t(5), 7, { status: '200' }).replace('"value":7', '"value":-2E+999'));
    // other key order: read by JSON.parse
    lines.push(`{"type":"Point","metric":"http_req_duration","data":{"value":1e309,"time":"${t(6)}","tags":{}}}`);
    writeFileSync(f, `${lines.join('\n')}\n`);
    const r = await ingestFiles([f]);
    expect(r.diagnostics.badLines).toBe(3);
    expect(r.diagnostics.badLineExamples).toEqual([`${f}:5`, `${f}:6`, `${f}:7`]);
    expect(count(r)).toBe(3);
    const max = r.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'max' });
    expect(max).toEqual({ value: 3 });
  });
});

describe('telling NDJSON from a summary', () => {
  it('reads k6 lines however many non-k6 lines (over 64 KiB) come first, counting those as bad', async () => {
    const f = join(dir, 'junk-first.ndjson');
    const junk = Array.from({ length: 3000 }, (_, i) => `starting k6 run, step ${i} of the runner's log`);
    writeFileSync(f, `${[...junk, ...k6Lines(500)].join('\n')}\n`);
    const r = await ingestFiles([f]);
    expect(count(r)).toBe(500);
    expect(r.diagnostics.badLines).toBe(3000);
    expect(r.diagnostics.badLineExamples[0]).toBe(`${f}:1`);
    const g = join(dir, 'junk-50.ndjson');
    writeFileSync(g, `${[...Array.from({ length: 50 }, () => 'junk'), ...k6Lines(20)].join('\n')}\n`);
    expect(count(await ingestFiles([g]))).toBe(20);
  });

  it('reads a .gz that starts with JSON log lines as lines (not as one summary document held whole)', async () => {
    const log = Array.from({ length: 60 }, (_, i) => JSON.stringify({ level: 'info', msg: `starting ${i}`, time: '2026-01-01T00:00:00Z' }));
    const f = join(dir, 'jsonlog.ndjson.gz');
    writeFileSync(f, gzipSync(`${[...log, ...k6Lines(500)].join('\n')}\n`));
    const r = await ingestFiles([f]);
    expect(count(r)).toBe(500);
    expect(r.diagnostics.badLines).toBe(60);
  });

  it('still refuses a file without a single k6 line as not k6 output, saying what was expected', async () => {
    const f = join(dir, 'all-junk.txt');
    writeFileSync(f, `${Array.from({ length: 5000 }, () => 'junk').join('\n')}\n`);
    const msg = await failure(ingestFiles([f]));
    expect(msg).toMatch(/all-junk\.txt: not k6 output/);
    expect(msg).toMatch(/--out json/);
    expect(msg).toMatch(/fix:/);
  });

  it('names line and column of a summary JSON that is cut short or has a stray comma', async () => {
    const doc = JSON.stringify({ metrics: { http_reqs: { count: 10, rate: 2 }, http_req_duration: { avg: 1, med: 1, 'p(95)': 2 } } }, null, 2);
    const cut = join(dir, 'cut-summary.json');
    writeFileSync(cut, doc.slice(0, 60));
    const cutMsg = await failure(ingestFiles([cut]));
    const lines = doc.slice(0, 60).split('\n');
    expect(cutMsg).toContain(`cut-summary.json:${lines.length}:${lines.at(-1)!.length + 1}: invalid JSON at line ${lines.length}, column ${lines.at(-1)!.length + 1}`);
    expect(cutMsg).toMatch(/fix: the file is cut short/);
    const comma = join(dir, 'comma-summary.json');
    writeFileSync(comma, doc.replace('"count": 10,', '"count": 10,,'));
    const commaMsg = await failure(ingestFiles([comma]));
    expect(commaMsg).toContain('comma-summary.json:4:19: invalid JSON at line 4, column 19: two commas in a row');
    expect(commaMsg).toMatch(/fix: correct the JSON there/);
  });

  it('ignores a UTF-8 byte order mark, in a summary and in NDJSON', async () => {
    const sum = join(dir, 'bom-summary.json');
    writeFileSync(sum, `\uFEFF${JSON.stringify({ metrics: { http_reqs: { count: 10, rate: 2 } } }, null, 2)}\n`);
    const r = await ingestFiles([sum]);
    expect(r.source).toBe('summary');
    expect(r.measure({ raw: 'http_reqs', metric: 'http_reqs', tags: [] }, { kind: 'count' })).toEqual({ value: 10 });
    const nd = join(dir, 'bom.ndjson');
    writeFileSync(nd, `\uFEFF${k6Lines(4).join('\n')}\n`);
    const n = await ingestFiles([nd]);
    expect(count(n)).toBe(4);
    expect(n.diagnostics.badLines).toBe(0);
  });
});

describe('summary values', () => {
  const handle = (values: Record<string, unknown>, type: unknown = 'trend') =>
    JSON.stringify({ metrics: { http_req_duration: { type, contains: 'time', values } } }, null, 2);
  const exported = (name: string, values: Record<string, unknown>) => JSON.stringify({ metrics: { [name]: values } }, null, 2);
  async function refusal(name: string, text: string): Promise<string> {
    const f = join(dir, name);
    writeFileSync(f, text);
    return failure(ingestFiles([f]));
  }

  it('refuses a summary without metrics, as the NDJSON path refuses a run without samples', async () => {
    const msg = await refusal('no-metrics.json', '{"metrics":{}}\n');
    expect(msg).toMatch(/no-metrics\.json:1:12: the k6 summary holds no metrics/);
    expect(msg).toMatch(/fix:/);
  });

  it('names the metric, the field, its line and what is allowed for a value k6 cannot write', async () => {
    const text = handle({ avg: 1, med: 1, 'p(95)': 'abc' });
    const line = text.split('\n').findIndex((l) => l.includes('"p(95)"')) + 1;
    expect(await refusal('p95-text.json', text)).toMatch(
      new RegExp(`p95-text\\.json:${line}:\\d+: the k6 summary's trend metric "http_req_duration" has "p\\(95\\)": "abc"; allowed: a finite number`),
    );
    expect(await refusal('neg-count.json', exported('http_reqs', { count: -1, rate: 2 }))).toMatch(/"http_reqs" has "count": -1; allowed: a number ≥ 0/);
    expect(await refusal('null-rate.json', exported('checks', { passes: 1, fails: 0, value: null }))).toMatch(/"checks" has "value": null; allowed: a number from 0 to 1/);
    expect(
      await refusal('null-rate-h.json', JSON.stringify({ metrics: { checks: { type: 'rate', contains: 'default', values: { rate: null, passes: 1, fails: 0 } } } })),
    ).toMatch(/"checks" has "rate": null; allowed: a number from 0 to 1/);
    expect(await refusal('banana.json', handle({ avg: 1 }, 'banana'))).toMatch(/"http_req_duration" has "type": "banana"; allowed: "counter", "gauge", "rate" or "trend"/);
  });

  it('points at the metric itself when a custom metric is named like a field of another', async () => {
    // http_reqs has a "count" field; the custom counter named "count" comes after it
    const text = JSON.stringify({ metrics: { http_reqs: { count: 10, rate: 2 }, count: { count: -3, rate: 1 } } }, null, 2);
    const line = text.split('\n').findIndex((l) => l.includes('"count": -3')) + 1;
    expect(await refusal('named-count.json', text)).toMatch(new RegExp(`named-count\\.json:${line}:\\d+: .*"count" has "count": -3`));
    const handled = JSON.stringify(
      { metrics: { values: { type: 'counter', contains: 'default', values: { count: 1, rate: 1 } }, rate: { type: 'counter', contains: 'default', values: { count: 2, rate: 'x' } } } },
      null,
      2,
    );
    const at = handled.split('\n').findIndex((l) => l.includes('"rate": "x"')) + 1;
    expect(await refusal('named-rate.json', handled)).toMatch(new RegExp(`named-rate\\.json:${at}:\\d+: .*"rate" has "rate": "x"`));
  });

  it('still reads valid summaries of both formats', async () => {
    const f = join(dir, 'valid-summary.json');
    writeFileSync(f, handle({ avg: 1, min: -2, med: 1, max: 3, 'p(90)': 2, 'p(95)': 2.5 }));
    const r = await ingestFiles([f]);
    expect(r.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'p', p: 95 })).toEqual({ value: 2.5 });
    const g = join(dir, 'valid-export.json');
    writeFileSync(g, exported('checks', { passes: 3, fails: 1, value: 0.75, thresholds: { 'rate>0.9': true } }));
    const e = await ingestFiles([g]);
    expect(e.measure({ raw: 'checks', metric: 'checks', tags: [] }, { kind: 'rate' })).toEqual({ value: 0.75 });
  });
});

describe('gzip with bytes after its data or a failing check', () => {
  const text = `${k6Lines(3000).join('\n')}\n`;
  const gz = gzipSync(text);

  it('keeps everything before bytes appended after the gzip data, and reports them ignored', async () => {
    for (const [name, bytes, n] of [
      ['trailing.ndjson.gz', Buffer.concat([gz, Buffer.from('junk\n')]), 3000],
      ['trailing-small.ndjson.gz', Buffer.concat([gzipSync(`${k6Lines(5).join('\n')}\n`), Buffer.from('junk\n')]), 5],
      ['members-trailing.ndjson.gz', Buffer.concat([gz, gz, Buffer.from('\n\n<html>404</html>')]), 6000],
    ] as const) {
      const f = join(dir, name);
      writeFileSync(f, bytes);
      const r = await ingestFiles([f]);
      expect(count(r)).toBe(n);
      expect(r.diagnostics.gzipTrailingFiles).toEqual([f]);
      expect(r.diagnostics.truncatedFiles).toEqual([]);
      expect(r.diagnostics.badLines).toBe(0);
    }
  });

  it('one or two bytes after the data (too few for zlib to read them as more data) are trailing bytes, not a cut', async () => {
    for (const [name, extra] of [
      ['newline.ndjson.gz', '\n'],
      ['two.ndjson.gz', '\r\n'],
    ] as const) {
      const f = join(dir, name);
      writeFileSync(f, Buffer.concat([gz, Buffer.from(extra)]));
      const r = await ingestFiles([f]);
      expect(count(r)).toBe(3000);
      expect(r.diagnostics.gzipTrailingFiles).toEqual([f]);
      expect(r.diagnostics.truncatedFiles).toEqual([]);
      expect(r.diagnostics.gzipCutFiles ?? []).toEqual([]);
    }
    // the same after several members (the last member's trailer does not give the whole length),
    // and a few zero bytes of padding there are nothing to report
    for (const [name, extra, trailing] of [
      ['members-newline.ndjson.gz', '\n', true],
      ['members-zeros.ndjson.gz', '\0\0\0\0\0', false],
    ] as const) {
      const f = join(dir, name);
      writeFileSync(f, Buffer.concat([gz, gz, Buffer.from(extra)]));
      const r = await ingestFiles([f]);
      expect(count(r), name).toBe(6000);
      expect(r.diagnostics.gzipTrailingFiles, name).toEqual(trailing ? [f] : []);
      expect(r.diagnostics.truncatedFiles, name).toEqual([]);
      expect(r.diagnostics.gzipCutFiles ?? [], name).toEqual([]);
    }
    // a file really cut short stays cut
    const cut = join(dir, 'cut-short.ndjson.gz');
    writeFileSync(cut, gz.subarray(0, gz.length - 3));
    const c = await ingestFiles([cut]);
    expect(c.diagnostics.gzipCutFiles).toEqual([cut]);
    expect(c.diagnostics.gzipTrailingFiles).toEqual([]);
    // and a gzip summary with a newline after it is read as the summary
    const sum = join(dir, 'summary-newline.json.gz');
    writeFileSync(sum, Buffer.concat([gzipSync(JSON.stringify({ metrics: { http_reqs: { count: 10, rate: 2 } } })), Buffer.from('\n')]));
    const r = await ingestFiles([sum]);
    expect(r.source).toBe('summary');
    expect(r.diagnostics.gzipTrailingFiles).toEqual([sum]);
  });

  it('reads concatenated members and zero padding as gzip -d does, reporting nothing', async () => {
    const f = join(dir, 'members.ndjson.gz');
    writeFileSync(f, Buffer.concat([gz, gz, Buffer.alloc(512)]));
    const r = await ingestFiles([f]);
    expect(count(r)).toBe(6000);
    expect(r.diagnostics.gzipTrailingFiles).toEqual([]);
  });

  it('refuses a file whose CRC check fails, as zlib does: damage decodes into garbage from its point on', async () => {
    const f = join(dir, 'crc.ndjson.gz');
    const bad = Buffer.from(gz);
    bad.writeUInt32LE((bad.readUInt32LE(bad.length - 8) ^ 0xff) >>> 0, bad.length - 8); // the CRC-32 of the trailer
    writeFileSync(f, bad);
    const msg = await failure(ingestFiles([f]));
    expect(msg).toMatch(/cannot decompress: the gzip data is damaged: incorrect data check \(the data fails its CRC-32 or length check\)/);
    expect(msg).toMatch(/fix: the file is corrupt/);
  });

  it('refuses a file whose deflate data is damaged mid-way: the run is not judged on the part before the damage', async () => {
    // a large, varied run so that the damage lands inside compressed data, well before the end
    const big = gzipSync(Array.from({ length: 40 }, (_, i) => `${k6Lines(3000).join('\n').replace(/"value":(\d+)/g, (_m, v: string) => `"value":${Number(v) + i * 7}.${i}`)}\n`).join(''));
    let refused = 0;
    for (const at of [0.2, 0.5, 0.8]) {
      const bad = Buffer.from(big);
      const o = Math.floor(bad.length * at);
      for (let k = 0; k < 64; k++) bad[o + k] = bad[o + k]! ^ 0xa5;
      const f = join(dir, `damaged-${at}.ndjson.gz`);
      writeFileSync(f, bad);
      // whether zlib stops at the damage or decodes it into garbage and fails the CRC check, it is refused
      const msg = await failure(ingestFiles([f]));
      refused++;
      expect(msg).toMatch(/cannot decompress: the gzip data is damaged/);
      expect(msg).toMatch(/fix: the file is corrupt/);
    }
    expect(refused).toBe(3);
  });
});

describe('a run given uncompressed and compressed', () => {
  it('reads run.ndjson once when run.ndjson.gz holds the same bytes, and reports the pair', async () => {
    const text = `${k6Lines(400).join('\n')}\n`;
    const plain = join(dir, 'twin.ndjson');
    writeFileSync(plain, text);
    writeFileSync(`${plain}.gz`, gzipSync(text));
    for (const order of [
      [plain, `${plain}.gz`],
      [`${plain}.gz`, plain],
    ]) {
      const r = await ingestFiles(order);
      expect(count(r)).toBe(400);
      expect(r.diagnostics.sameRunFiles).toEqual([{ file: `${plain}.gz`, readAs: plain }]);
      expect(r.diagnostics.files).toEqual(order);
    }
  });

  it('also when the .gz has several members, or is not gzip at all (a download already decompressed)', async () => {
    const text = `${k6Lines(400).join('\n')}\n`;
    const half = text.length / 2 + text.slice(text.length / 2).indexOf('\n') + 1;
    const plain = join(dir, 'twin-members.ndjson');
    writeFileSync(plain, text);
    writeFileSync(`${plain}.gz`, Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]));
    const r = await ingestFiles([plain, `${plain}.gz`]);
    expect(count(r)).toBe(400);
    expect(r.diagnostics.sameRunFiles).toEqual([{ file: `${plain}.gz`, readAs: plain }]);
    const plain2 = join(dir, 'twin-plain.ndjson');
    writeFileSync(plain2, text);
    writeFileSync(`${plain2}.gz`, text);
    const r2 = await ingestFiles([plain2, `${plain2}.gz`]);
    expect(count(r2)).toBe(400);
    expect(r2.diagnostics.sameRunFiles).toEqual([{ file: `${plain2}.gz`, readAs: plain2 }]);
  });

  it('refuses the pair, naming both, when they hold different data', async () => {
    const plain = join(dir, 'twin-differs.ndjson');
    writeFileSync(plain, `${k6Lines(400).join('\n')}\n`);
    writeFileSync(`${plain}.gz`, gzipSync(`${k6Lines(300).join('\n')}\n`));
    const msg = await failure(ingestFiles([plain, `${plain}.gz`]));
    expect(msg).toContain(`\`${plain}\` and \`${plain}.gz\``);
    expect(msg).toMatch(/differ.*fix: pass only one of them/s);
  });
});

describe('copies and separate runs given as shards', () => {
  it('reads a byte-for-byte copy once (plain or gzip), and says so; other shards still merge', async () => {
    const text = `${k6Lines(400).join('\n')}\n`;
    for (const [name, bytes] of [
      ['copy.ndjson', Buffer.from(text)],
      ['copy.ndjson.gz', gzipSync(text)],
    ] as const) {
      const a = join(dir, `a-${name}`);
      const b = join(dir, `b-${name}`);
      writeFileSync(a, bytes);
      writeFileSync(b, bytes);
      const other = join(dir, `other-${name}.ndjson`);
      writeFileSync(other, `${k6Lines(50).join('\n')}\n`);
      const r = await ingestFiles([a, other, b]);
      expect(count(r)).toBe(450);
      expect(r.diagnostics.sameRunFiles).toEqual([{ file: b, readAs: a, copy: true }]);
    }
  });

  it('reads two files of the same size that differ only in the middle as two shards', async () => {
    const lines = k6Lines(4000);
    const a = join(dir, 'same-size-a.ndjson');
    const b = join(dir, 'same-size-b.ndjson');
    writeFileSync(a, `${lines.join('\n')}\n`);
    const mid = lines.findIndex((l, i) => i > 2000 && l.includes('"value":2001,'));
    const changed = [...lines];
    changed[mid] = changed[mid]!.replace('"value":2001,', '"value":2002,');
    writeFileSync(b, `${changed.join('\n')}\n`);
    expect(Buffer.byteLength(changed.join('\n'))).toBe(Buffer.byteLength(lines.join('\n')));
    const r = await ingestFiles([a, b]);
    expect(count(r)).toBe(8000);
    expect(r.diagnostics.sameRunFiles).toBeUndefined();
  });

  it('says when the files do not overlap in time (two runs, not shards of one), and not when they do', async () => {
    const at = (day: number, s: number) => k6Time(1_767_258_000_000_000_000n + BigInt(day * 86_400 + s) * 1_000_000_000n);
    const run = (day: number, from: number) => [duration, ...[0, 1, 2].map((i) => pointLine('http_req_duration', at(day, from + i), 10 + i, { status: '200' }))].join('\n') + '\n';
    const today = join(dir, 'run-today.ndjson');
    const tomorrow = join(dir, 'run-tomorrow.ndjson');
    const overlapping = join(dir, 'run-today-shard2.ndjson');
    writeFileSync(today, run(0, 0));
    writeFileSync(tomorrow, run(1, 0));
    writeFileSync(overlapping, run(0, 1));
    const apart = await ingestFiles([tomorrow, today]);
    expect(apart.diagnostics.separateRuns?.map((f) => f.file)).toEqual([today, tomorrow]);
    const shards = await ingestFiles([today, overlapping]);
    expect(shards.diagnostics.separateRuns).toBeUndefined();
  });
});

describe('the scenario of a file whose k6 lines come after other lines', () => {
  it('is found past more than the usual look at the start, in plain and gzip files', async () => {
    const junk = `${Array.from({ length: 20_000 }, (_, i) => `runner log line ${i}`).join('\n')}\n`; // > 256 KiB
    const k6 = `${[duration, pointLine('http_req_duration', t(1), 5, { scenario: 'checkout', status: '200' })].join('\n')}\n`;
    const f = join(dir, 'log-first.ndjson');
    writeFileSync(f, junk + k6);
    writeFileSync(`${f}.gz`, gzipSync(junk + k6));
    expect(await scenarioOfFile(f)).toBe('checkout');
    expect(await scenarioOfFile(`${f}.gz`)).toBe('checkout');
    // a tag inside the other lines is not a k6 sample's
    const g = join(dir, 'log-tag.ndjson');
    writeFileSync(g, `${junk}log: "scenario":"not-this"\n${k6}`);
    expect(await scenarioOfFile(g)).toBe('checkout');
  });
});

describe('a gzip summary with bytes after its data', () => {
  it('is read and reported like an NDJSON .gz', async () => {
    const f = join(dir, 'summary.json.gz');
    writeFileSync(f, Buffer.concat([gzipSync(JSON.stringify({ metrics: { http_reqs: { count: 7, rate: 1 } } }, null, 2)), Buffer.from('junk')]));
    const r = await ingestFiles([f]);
    expect(r.source).toBe('summary');
    expect(r.measure({ raw: 'http_reqs', metric: 'http_reqs', tags: [] }, { kind: 'count' })).toEqual({ value: 7 });
    expect(r.diagnostics.gzipTrailingFiles).toEqual([f]);
  });
});

describe('results from a pipe', () => {
  it('say they must be a file, with the fix (was ESPIPE: invalid seek)', async () => {
    const { execFileSync, spawn } = await import('node:child_process');
    const fifo = join(dir, 'results.fifo');
    execFileSync('mkfifo', [fifo]);
    const plain = join(dir, 'for-fifo.ndjson');
    writeFileSync(plain, `${k6Lines(50).join('\n')}\n`);
    const writer = spawn('sh', ['-c', `cat "${plain}" > "${fifo}"`], { stdio: 'ignore' });
    try {
      const msg = await failure(ingestFiles([fifo]));
      expect(msg).toContain(`${fifo}: cannot read k6 results from a pipe: they are read from a file`);
      expect(msg).toMatch(/fix: write the output to a file first/);
    } finally {
      writer.kill();
    }
  });
});
