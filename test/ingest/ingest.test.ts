import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { generateK6Text, loadTestSpec, type FixtureAnswers } from '../../src/k6/fixtures.js';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { unreadMetrics } from '../../src/k6/builtin-metrics.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import type { Aggregation, MetricSelector, Results, TimeWindow } from '../../src/model.js';
import { samplePath } from '../helpers/sample.js';

const dir = mkdtempSync(join(tmpdir(), 'perf-gate-ingest-'));

function sel(key: string): MetricSelector {
  const m = /^([^{]+)(?:\{(.*)\})?$/.exec(key)!;
  const tags = (m[2] ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => ({ key: kv.slice(0, kv.indexOf(':')), value: kv.slice(kv.indexOf(':') + 1) }));
  return { raw: key, metric: m[1]!, tags };
}
const P = (p: number): Aggregation => ({ kind: 'p', p });
function value(r: Results, key: string, a: Aggregation, w?: TimeWindow): number {
  const m = r.measure(sel(key), a, w);
  if (!('value' in m)) throw new Error(`no data for ${key}: ${m.noData}`);
  return m.value;
}
/** Epoch ms (with the sub-millisecond part) of a k6 RFC 3339 time with nanoseconds. */
function epochMs(time: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time)!;
  return Date.parse(`${m[1]}${m[3]}`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}
function k6Pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const i = p * (s.length - 1);
  return s[Math.floor(i)]! + (s[Math.ceil(i)]! - s[Math.floor(i)]!) * (i - Math.floor(i));
}

describe('the real k6 sample', () => {
  it('gives the p(99) of http_req_duration that k6 defines on its 322 values', async () => {
    const file = samplePath('contacts-20s.ndjson.gz');
    const values = gunzipSync(readFileSync(file))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((o) => o.type === 'Point' && o.metric === 'http_req_duration')
      .map((o) => o.data.value as number);
    expect(values).toHaveLength(322);
    const r = await ingestFiles([file]);
    expect(r.source).toBe('ndjson');
    expect(value(r, 'http_req_duration', P(99))).toBe(k6Pct(values, 0.99));
    expect(value(r, 'http_req_duration', P(95))).toBe(k6Pct(values, 0.95));
    expect(value(r, 'http_req_duration', { kind: 'med' })).toBe(k6Pct(values, 0.5));
    expect(value(r, 'http_req_duration', { kind: 'max' })).toBe(Math.max(...values));
    expect(value(r, 'http_req_duration', { kind: 'avg' })).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 322, 9);
    expect(value(r, 'http_reqs', { kind: 'count' })).toBe(322);
    expect(r.diagnostics).toMatchObject({ lines: 3597, badLines: 0, truncatedFiles: [] });
    expect(r.scenarios).toEqual(['contacts']);
    expect(r.tagValues('http_req_duration', 'status')).toEqual(['200', '308']);
    expect(r.metrics.get('http_req_duration')).toEqual({ name: 'http_req_duration', type: 'trend', contains: 'time' });
    expect(r.metrics.get('vus')?.type).toBe('gauge');
  });
});

describe('generated target-capacity run (known answers)', () => {
  let answers: FixtureAnswers;
  let text: string;
  let r: Results;
  let file: string;
  beforeAll(async () => {
    const g = generateK6Text(loadTestSpec('target-capacity', 0.02));
    text = g.text;
    answers = g.answers!;
    file = join(dir, 'tc.ndjson');
    writeFileSync(file, text);
    r = await ingestFiles([file]);
  });

  it('is in k6 exact line format (Metric line before first Point, writers reproduce every line)', () => {
    const seen = new Set<string>();
    const wrong: string[] = [];
    for (const line of text.split('\n').filter(Boolean)) {
      const o = JSON.parse(line);
      if (o.type === 'Metric') {
        if (seen.has(o.metric) || metricLine(o.data) !== line) wrong.push(line);
        seen.add(o.metric);
      } else {
        const ok =
          seen.has(o.metric) &&
          Object.keys(o).join() === 'metric,type,data' &&
          Object.keys(o.data).join() === 'time,value,tags' &&
          pointLine(o.metric, o.data.time, o.data.value, o.data.tags) === line &&
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?\+01:00$/.test(o.data.time);
        if (!ok) wrong.push(line);
      }
    }
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(19);
  });

  it('counts lines and points', () => {
    expect(r.diagnostics.lines).toBe(answers.lines);
    expect(r.diagnostics.points).toBe(answers.points);
    expect(r.diagnostics.badLines).toBe(0);
  });

  it('answers percentiles, avg, min, max exactly as k6 defines them, overall and per tag filter', () => {
    const keys = Object.keys(answers.trends);
    expect(keys.length).toBeGreaterThan(50);
    for (const key of keys) {
      const a = answers.trends[key]!;
      expect(value(r, key, P(99)), key).toBe(a.p99);
      expect(value(r, key, P(95)), key).toBe(a.p95);
      expect(value(r, key, P(90)), key).toBe(a.p90);
      expect(value(r, key, { kind: 'med' }), key).toBe(a.med);
      expect(value(r, key, { kind: 'min' }), key).toBe(a.min);
      expect(value(r, key, { kind: 'max' }), key).toBe(a.max);
      expect(value(r, key, { kind: 'avg' }), key).toBeCloseTo(a.avg, 9);
      expect(value(r, key, { kind: 'count' }), key).toBe(a.count);
    }
  });

  it('answers rates, counters, counter rate and availability', () => {
    for (const [key, a] of Object.entries(answers.rates)) expect(value(r, key, { kind: 'rate' }), key).toBeCloseTo(a.rate, 12);
    for (const [key, c] of Object.entries(answers.counters)) expect(value(r, key, { kind: 'count' }), key).toBe(c);
    const spanS = (r.span!.end - r.span!.start) / 1000;
    expect(r.span!.start).toBe(Math.floor(answers.firstMs));
    expect(r.span!.end).toBe(Math.floor(answers.lastMs) + 1);
    // k6's counter rate: count ÷ the run's duration, from its start (the first sample, or an earlier
    // iteration start: an iteration_duration sample's time minus its value) to the last sample
    const iterationStarts = text
      .split('\n')
      .filter((l) => l.startsWith('{"metric":"iteration_duration"'))
      .map((l) => JSON.parse(l) as { data: { time: string; value: number } })
      .map((o) => epochMs(o.data.time) - o.data.value);
    const start = Math.min(answers.firstMs, ...iterationStarts);
    expect(start).toBeLessThan(answers.firstMs);
    expect(spanS).toBeGreaterThan(0);
    // the parser tracks the earliest iteration start exactly (times agree to well under a microsecond)
    const measured = value(r, 'http_reqs', { kind: 'rate' });
    expect(measured / (answers.counters.http_reqs! / ((answers.lastMs - start) / 1000))).toBeCloseTo(1, 6);
    for (const [key, a] of Object.entries(answers.availability)) expect(value(r, key, { kind: 'rate' }), key).toBeCloseTo(a, 12);
    expect(answers.availability.availability).toBeLessThan(1);
  });

  it('lists tag values for wildcard expansion and scenarios', () => {
    expect(r.tagValues('http_req_duration', 'tenant')).toEqual(answers.tagValues.tenant);
    expect(r.tagValues('http_req_duration', 'endpoint')).toEqual(answers.tagValues.endpoint);
    expect(r.tagValues('http_reqs', 'status')).toEqual(answers.tagValues.status);
    expect(r.tagValues('availability', 'tenant')).toEqual(answers.tagValues.tenant);
    expect(r.tagValues('http_req_duration', 'url')).toEqual([]);
    expect(r.scenarios).toEqual(['target-capacity']);
    const m = r.measure(sel('http_req_duration{url:https://x}'), P(99));
    expect('noData' in m && m.noData).toMatch(/not indexed/);
  });

  it('measures any window as the samples inside it (whole buckets)', () => {
    const start = Math.floor(answers.firstMs / 1000) * 1000 + 5000;
    const w = { start, end: start + 7000 };
    const inWin = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((o) => o.type === 'Point' && o.metric === 'http_req_duration' && o.data.tags.endpoint === 'trades')
      .filter((o) => {
        const t = Date.parse(o.data.time);
        return t >= w.start && t < w.end;
      })
      .map((o) => o.data.value as number);
    expect(inWin.length).toBeGreaterThan(20);
    expect(value(r, 'http_req_duration{endpoint:trades}', P(95), w)).toBe(k6Pct(inWin, 0.95));
    expect(value(r, 'http_req_duration{endpoint:trades}', { kind: 'count' }, w)).toBe(inWin.length);
    const reqs = Object.entries(answers.requestsPerSecond)
      .filter(([t]) => Number(t) >= w.start && Number(t) < w.end)
      .reduce((a, [, c]) => a + c, 0);
    expect(value(r, 'http_reqs', { kind: 'rate' }, w)).toBeCloseTo(reqs / 7, 9);
    const empty = r.measure(sel('http_req_duration'), P(95), { start: 0, end: 1000 });
    expect('noData' in empty).toBe(true);
  });

  it('finds the steady window (VUs at their peak) and the timeline', () => {
    expect(r.steadyWindow()).toEqual(answers.peakWindow);
    expect(value(r, 'vus', { kind: 'max' })).toBe(answers.vusPeak);
    const tl = r.timeline(1);
    for (const p of tl) expect(p.requests).toBe(answers.requestsPerSecond[p.t] ?? 0);
    expect(tl.reduce((a, p) => a + p.requests, 0)).toBe(answers.counters.http_reqs);
    expect(Math.max(...tl.map((p) => p.vus))).toBe(answers.vusPeak);
    const t10 = r.timeline(10);
    expect(t10.reduce((a, p) => a + p.requests, 0)).toBe(answers.counters.http_reqs);
    expect(t10.reduce((a, p) => a + p.failed, 0)).toBe(answers.rates.http_req_failed!.nonZero);
    for (const p of t10) if (p.p99 !== null) expect(p.p99).toBeGreaterThanOrEqual(p.p50!);
  });

  it('merges shards of one run into exactly the single-file result', async () => {
    // three shards as three k6 instances would write them: each with its own Metric lines
    const shards: string[][] = [[], [], []];
    const metricLines = new Map<string, string>();
    const started = shards.map(() => new Set<string>());
    let i = 0;
    for (const line of text.split('\n').filter(Boolean)) {
      const o = JSON.parse(line);
      if (o.type === 'Metric') {
        metricLines.set(o.metric, line);
        continue;
      }
      const k = i++ % 3;
      if (!started[k]!.has(o.metric)) {
        started[k]!.add(o.metric);
        shards[k]!.push(metricLines.get(o.metric)!);
      }
      shards[k]!.push(line);
    }
    const files = shards.map((s, k) => {
      const f = join(dir, `shard${k}.ndjson${k === 1 ? '.gz' : ''}`);
      writeFileSync(f, k === 1 ? gzipSync(`${s.join('\n')}\n`) : `${s.join('\n')}\n`);
      return f;
    });
    const merged = await ingestFiles(files);
    expect(merged.diagnostics.points).toBe(answers.points);
    for (const key of Object.keys(answers.trends)) {
      for (const a of [P(99), P(50), { kind: 'max' } as const]) expect(value(merged, key, a)).toBe(value(r, key, a));
    }
    expect(value(merged, 'http_reqs', { kind: 'rate' })).toBe(value(r, 'http_reqs', { kind: 'rate' }));
    expect(value(merged, 'availability{tenant:globex}', { kind: 'rate' })).toBe(value(r, 'availability{tenant:globex}', { kind: 'rate' }));
    expect(merged.steadyWindow()).toEqual(r.steadyWindow());
    expect(merged.timeline(5)).toEqual(r.timeline(5));
  });

  it('reads .gz like the plain file, and worker threads like one thread', async () => {
    const gz = join(dir, 'tc.json.gz'); // detected by magic bytes, not by name
    writeFileSync(gz, gzipSync(text));
    const viaGz = await ingestFiles([gz]);
    const viaWorkers = await ingestFiles([file], { threads: 2, workerMinBytes: 0 });
    for (const other of [viaGz, viaWorkers]) {
      expect(other.diagnostics.points).toBe(r.diagnostics.points);
      expect(other.diagnostics.lines).toBe(r.diagnostics.lines);
      for (const key of ['http_req_duration', 'http_req_duration{tenant:acme}', 'trades_latency{endpoint:trades,tenant:hooli}']) {
        expect(value(other, key, P(99))).toBe(value(r, key, P(99)));
        expect(value(other, key, { kind: 'avg' })).toBeCloseTo(value(r, key, { kind: 'avg' }), 9);
      }
      expect(other.timeline(1)).toEqual(r.timeline(1));
      expect(other.steadyWindow()).toEqual(r.steadyWindow());
    }
  });

  it('reads a large .gz piece by piece like the plain file: lines longer than a piece or than zlib’s output chunk, and a cut', async () => {
    const lines = text.split('\n');
    const time = (JSON.parse(lines.find((l) => l.startsWith('{"metric":"http_req_duration"'))!) as { data: { time: string } }).data.time;
    const long = (n: number, v: number) => pointLine('http_req_duration', time, v, { status: '200', url: `https://api.example.com/${'a'.repeat(n)}` });
    // from the end, so the earlier positions stay put: a 1.5 MB line (longer than one of zlib's
    // 1 MiB chunks), 600 KB of garbage, a 300 KB line (longer than the 256 KiB parsed per turn)
    lines.splice(lines.length - 50, 0, long(1_500_000, 9_876.5));
    lines.splice(lines.length >> 1, 0, 'x'.repeat(600_000));
    lines.splice(1000, 0, long(300_000, 8_765.5));
    const body = `${lines.join('\n')}`;
    expect(body.length).toBeGreaterThan(16 << 20); // zlib is paused and resumed on the way
    const plain = join(dir, 'tc-long.ndjson');
    const gz = join(dir, 'tc-long.ndjson.gz');
    writeFileSync(plain, body);
    writeFileSync(gz, gzipSync(body));
    const a = await ingestFiles([plain]);
    const b = await ingestFiles([gz]);
    expect(a.diagnostics.points).toBe(r.diagnostics.points + 2);
    expect(a.diagnostics.badLines).toBe(1);
    for (const d of ['points', 'lines', 'badLines'] as const) expect(b.diagnostics[d]).toBe(a.diagnostics[d]);
    expect(b.diagnostics.badLineExamples.map((x) => x.slice(x.lastIndexOf(':')))).toEqual(a.diagnostics.badLineExamples.map((x) => x.slice(x.lastIndexOf(':'))));
    expect(value(b, 'http_req_duration', { kind: 'max' })).toBe(9_876.5);
    for (const key of ['http_req_duration', 'http_req_duration{status:200}', 'trades_latency{endpoint:trades,tenant:hooli}']) {
      expect(value(b, key, P(99))).toBe(value(a, key, P(99)));
      expect(value(b, key, { kind: 'count' })).toBe(value(a, key, { kind: 'count' }));
    }
    expect(b.timeline(1)).toEqual(a.timeline(1));
    // unusable tuning values fall back to the defaults (NaN slices never drained, a negative queue never resumed)
    expect((await ingestFiles([gz], { gzipSliceBytes: Number.NaN, gzipQueueBytes: -1 })).diagnostics.points).toBe(a.diagnostics.points);
    // cut short after many MiB: what zlib could inflate before the cut is read, its last line reported cut
    const full = readFileSync(gz);
    const cut = join(dir, 'tc-long-cut.ndjson.gz');
    writeFileSync(cut, full.subarray(0, Math.floor(full.length * 0.6)));
    const prefix = gunzipSync(full.subarray(0, Math.floor(full.length * 0.6)), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
    expect(prefix.length).toBeGreaterThan(8 << 20);
    const head = join(dir, 'tc-long-cut.ndjson');
    writeFileSync(head, prefix);
    const h = await ingestFiles([head]);
    // also with zlib paused after every chunk: what it inflated while paused is read, not dropped
    for (const opts of [{}, { gzipQueueBytes: 0 }]) {
      const c = await ingestFiles([cut], opts);
      expect(c.diagnostics.truncatedFiles).toEqual([cut]);
      for (const d of ['points', 'lines', 'badLines'] as const) expect(c.diagnostics[d]).toBe(h.diagnostics[d]);
      expect(value(c, 'http_req_duration', P(99))).toBe(value(h, 'http_req_duration', P(99)));
    }
    // complete, with a newline appended in transfer: every sample, and trailing bytes, not a cut
    const nl = join(dir, 'tc-long-newline.ndjson.gz');
    writeFileSync(nl, Buffer.concat([full, Buffer.from('\n')]));
    for (const opts of [{}, { gzipQueueBytes: 0 }]) {
      const n = await ingestFiles([nl], opts);
      expect(n.diagnostics.points).toBe(a.diagnostics.points);
      expect(n.diagnostics.gzipTrailingFiles).toEqual([nl]);
      expect(n.diagnostics.truncatedFiles).toEqual([]);
    }
  });

  it('gives the known answers when every URL carries an id and a query string (a new tag object per request)', async () => {
    const spec = loadTestSpec('target-capacity', 0.05);
    spec.idsInUrls = true;
    spec.queryStrings = true;
    const g = generateK6Text(spec);
    const http = g.text.split('\n').filter((l) => l.startsWith('{"metric":"http_reqs"'));
    const urls = new Set(http.map((l) => JSON.parse(l).data.tags.url as string));
    expect(urls.size).toBeGreaterThan(5000); // past the parser's tag cache of 4,096 tag objects
    expect(http[0]).toMatch(/\?page=\d+\\u0026limit=50"/); // as Go's encoder writes &
    const f = join(dir, 'tc-ids.ndjson');
    writeFileSync(f, g.text);
    const ids = await ingestFiles([f]);
    const a = g.answers!;
    expect(ids.diagnostics.points).toBe(a.points);
    expect(ids.diagnostics.badLines).toBe(0);
    for (const [key, t] of Object.entries(a.trends)) {
      expect(value(ids, key, P(99)), key).toBe(t.p99);
      expect(value(ids, key, { kind: 'count' }), key).toBe(t.count);
    }
    for (const [key, x] of Object.entries(a.rates)) expect(value(ids, key, { kind: 'rate' }), key).toBeCloseTo(x.rate, 12);
    for (const [key, c] of Object.entries(a.counters)) expect(value(ids, key, { kind: 'count' }), key).toBe(c);
  });

  it('passes over the detail metrics no rule names, answering everything else alike', async () => {
    const skipMetrics = unreadMetrics(['http_req_duration', 'http_req_waiting']);
    expect(skipMetrics).toContain('http_req_blocked');
    expect(skipMetrics).not.toContain('http_req_waiting');
    const gz = join(dir, 'tc-skip.ndjson.gz');
    writeFileSync(gz, gzipSync(text));
    const perPhase = text.split('\n').filter((l) => l.startsWith('{"metric":"') && skipMetrics.includes(l.slice(11, l.indexOf('"', 11)))).length;
    expect(perPhase).toBeGreaterThan(r.diagnostics.points / 3);
    for (const opts of [{ threads: 1 }, { threads: 2, workerMinBytes: 0 }]) {
      for (const f of [file, gz]) {
        const s = await ingestFiles([f], { ...opts, skipMetrics });
        expect(s.diagnostics.skippedPoints).toBe(perPhase);
        expect(s.diagnostics.points + perPhase).toBe(r.diagnostics.points);
        expect(s.diagnostics.badLines).toBe(0);
        for (const key of ['http_req_duration', 'http_req_waiting', 'http_req_duration{tenant:acme}', 'trades_latency{endpoint:trades,tenant:hooli}']) {
          expect(value(s, key, P(99))).toBe(value(r, key, P(99)));
        }
        expect(value(s, 'http_reqs', { kind: 'count' })).toBe(value(r, 'http_reqs', { kind: 'count' }));
        expect(s.timeline(1)).toEqual(r.timeline(1));
        expect(s.steadyWindow()).toEqual(r.steadyWindow());
        // still known as a metric, but measuring it says it was not read
        expect(s.metrics.get('http_req_blocked')?.type).toBe('trend');
        expect(s.measure(sel('http_req_blocked'), P(95))).toEqual({ noData: expect.stringMatching(/not read/) });
      }
    }
  });

  it('still counts a damaged line of a skipped metric as bad', async () => {
    const f = join(dir, 'skip-damaged.ndjson');
    const line = pointLine('http_req_blocked', k6Time(1_767_258_000_000_000_000n), 0.5, { status: '200' });
    writeFileSync(f, `${line}\n${line.slice(0, -1)}x\n{"metric":"http_req_blocked","type":"Point"}}\n`);
    const s = await ingestFiles([f], { skipMetrics: ['http_req_blocked'] });
    expect(s.diagnostics.skippedPoints).toBe(1);
    expect(s.diagnostics.badLines).toBe(2);
  });
});

describe('damaged input', () => {
  const t = (s: number) => k6Time(1_767_258_000_000_000_000n + BigInt(s) * 1_000_000_000n);
  const good = [
    metricLine({ name: 'http_req_duration', type: 'trend', contains: 'time' }),
    pointLine('http_req_duration', t(0), 100, { status: '200' }),
    pointLine('http_req_duration', t(1), 300, { status: '200' }),
  ];

  it('counts garbage lines with file:line examples and reports a truncated last line', async () => {
    const f = join(dir, 'damaged.ndjson');
    const cut = pointLine('http_req_duration', t(2), 500, { status: '200' });
    writeFileSync(f, `${good[0]}\n${good[1]}\nnot json\n${good[2]}\n{"metric":1}\n${cut.slice(0, 40)}`);
    const r = await ingestFiles([f]);
    expect(r.diagnostics.badLines).toBe(2);
    expect(r.diagnostics.badLineExamples).toEqual([`${f}:3`, `${f}:5`]);
    expect(r.diagnostics.truncatedFiles).toEqual([f]);
    expect(value(r, 'http_req_duration', { kind: 'max' })).toBe(300);
  });

  it('reports a gzip file cut short as truncated and keeps what it read', async () => {
    const full = gzipSync(`${good.join('\n')}\n`.repeat(2000));
    const f = join(dir, 'cut.ndjson.gz');
    writeFileSync(f, full.subarray(0, Math.floor(full.length * 0.7)));
    const r = await ingestFiles([f]);
    expect(r.diagnostics.truncatedFiles).toEqual([f]);
    expect(r.diagnostics.points).toBeGreaterThan(0);
  });

  it('rejects unreadable files, non-k6 files and summaries mixed with NDJSON with an InputError naming the file', async () => {
    await expect(ingestFiles([join(dir, 'missing.ndjson')])).rejects.toThrow(/missing\.ndjson.*no such file/s);
    await expect(ingestFiles([dir])).rejects.toBeInstanceOf(InputError);
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'hello\nworld\n');
    await expect(ingestFiles([junk])).rejects.toThrow(/junk\.txt: not k6 output/);
    const nd = join(dir, 'ok.ndjson');
    writeFileSync(nd, `${good.join('\n')}\n`);
    const sum = join(dir, 'summary.json');
    writeFileSync(sum, JSON.stringify({ metrics: { http_reqs: { type: 'counter', contains: 'default', values: { count: 1, rate: 1 } } } }));
    const err = await ingestFiles([nd, sum]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(String((err as Error).message)).toMatch(/summary\.json.*mixed.*fix:/s);
  });
});
