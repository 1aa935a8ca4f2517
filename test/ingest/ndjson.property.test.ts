import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { k6Time, pointLine } from '../../src/k6/format.js';
import { DEFAULT_TAG_KEYS } from '../../src/k6/ingest.js';
import { BUCKET_FIELDS, B_MIN, B_N, B_SUM, bucketSpan, createNdjsonParser, type PartialAggregates } from '../../src/k6/ndjson.js';
import { EXACT_CAP, INV_LOG_GAMMA } from '../../src/metrics/histogram.js';

const cfg = { bucketMs: 1000, indexKeys: [...DEFAULT_TAG_KEYS], exactCap: EXACT_CAP, invLogGamma: INV_LOG_GAMMA, maxExamples: 5 };
const enc = new TextEncoder();

function parseText(text: string): PartialAggregates {
  return parseCounting(text).part;
}

/** As parseText, also counting the lines that missed the fast path (read by JSON.parse). */
function parseCounting(text: string): { part: PartialAggregates; slowLines: number } {
  const buf = enc.encode(text);
  const p = createNdjsonParser(cfg);
  const used = p.feed(buf, 0, buf.length);
  p.tail(buf, used, buf.length);
  return { part: p.finish(), slowLines: p.slowLines() };
}

/** Points per key over every series' non-empty buckets; keyOf gets the metric, its indexed tags and the bucket. */
function pointsBy(part: PartialAggregates, keyOf: (metric: string, tags: Record<string, string>, bucket: number) => string): Map<string, number> {
  const got = new Map<string, number>();
  for (const s of part.series) {
    const tags: Record<string, string> = {};
    for (let i = 0; i < s.tags.length; i += 2) tags[s.tags[i]!] = s.tags[i + 1]!;
    const bk = s.buckets;
    for (let i = 0; i < bk.nb; i++) {
      const n = bk.data[i * BUCKET_FIELDS + B_N]!;
      if (n === 0) continue;
      const k = keyOf(s.metric, tags, bk.b0 + i);
      got.set(k, (got.get(k) ?? 0) + n);
    }
  }
  return got;
}

/** Epoch ms of a k6 time string, computed independently of the parser (Date for the seconds). */
function expectedMs(t: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|([+-])(\d\d):(\d\d))$/.exec(t)!;
  const off = m[3] === 'Z' ? 0 : (m[4] === '-' ? -1 : 1) * (Number(m[5]) * 60 + Number(m[6]));
  return Date.parse(`${m[1]}Z`) - off * 60_000 + Number((m[2] ?? '').padEnd(9, '0') || '0') / 1e6;
}

const tagValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '200', '0', 'true', 'acme', '<&>', 'a"b\\c\n'));
const tagKey = fc.oneof(fc.constantFrom(...DEFAULT_TAG_KEYS, 'url', 'name', 'proto', 'error_code'), fc.string({ minLength: 1 }));
const k6Value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: 100000 }),
  fc.double({ min: 0, max: 1e5, noNaN: true }).map((v) => Math.round(v * 1e6) / 1e6),
  fc.constantFrom(0, -0, 1, 1e-7, 5e-324, 1.7976931348623157e308, 123456789012345680000),
);
const k6Point = fc.record({
  metric: fc.oneof(fc.constantFrom('http_req_duration', 'vus', 'checks', 'portfolio_latency'), fc.string({ minLength: 1 })),
  ns: fc.bigInt({ min: 946_684_800_000_000_000n, max: 4_102_444_800_000_000_000n }),
  offset: fc.integer({ min: -14 * 60, max: 14 * 60 }),
  value: k6Value,
  tags: fc.oneof(fc.constant(null), fc.dictionary(tagKey, tagValue, { maxKeys: 12 })),
  // k6 adds "metadata" (e.g. trace ids) after the tags when a script sets it
  metadata: fc.option(fc.dictionary(tagKey, tagValue, { maxKeys: 3 }), { nil: undefined }),
});

describe('NDJSON reader (property-based)', () => {
  it('reads any valid k6 Point line as JSON.parse reads it, on its fast path', () => {
    fc.assert(
      fc.property(k6Point, ({ metric, ns, offset, value, tags, metadata }) => {
        const line = pointLine(metric, k6Time(ns, offset), value, tags, metadata);
        const o = JSON.parse(line);
        const { part, slowLines } = parseCounting(`${line}\n`);
        // k6's layout, escapes included (Go writes & < > as \u0026 \u003c \u003e), never needs JSON.parse
        expect(slowLines).toBe(0);
        expect(part.badLines).toBe(0);
        expect(part.points).toBe(1);
        expect(part.series).toHaveLength(1);
        const s = part.series[0]!;
        expect(s.metric).toBe(o.metric);
        const want: string[] = [];
        for (const k of Object.keys(o.data.tags ?? {}).filter((k) => DEFAULT_TAG_KEYS.includes(k)).sort()) want.push(k, o.data.tags[k]);
        expect(s.tags).toEqual(want);
        const bk = s.buckets;
        // one bucket in use (the array may have room for more)
        const [lo, hi] = bucketSpan(bk);
        expect(hi).toBe(lo);
        const at = (lo - bk.b0) * BUCKET_FIELDS;
        const [n, sum, min] = [bk.data[at + B_N], bk.data[at + B_SUM], bk.data[at + B_MIN]];
        expect(n).toBe(1);
        expect(Object.is(sum, o.data.value) || sum === o.data.value).toBe(true);
        expect(min).toBe(o.data.value);
        expect(part.minT).toBeCloseTo(expectedMs(o.data.time), 3);
        expect(lo * 2 ** bk.shift).toBe(Math.floor(expectedMs(o.data.time) / 1000));
      }),
      { numRuns: 400 },
    );
  });

  it('reads the same values when the keys come in another order or with spaces (JSON.parse fallback)', () => {
    fc.assert(
      fc.property(k6Point, fc.boolean(), ({ metric, ns, offset, value, tags }, spaced) => {
        fc.pre(!Object.is(value, -0)); // JSON.stringify writes -0 as 0
        const fast = pointLine(metric, k6Time(ns, offset), value, tags);
        const o = JSON.parse(fast);
        const reordered = JSON.stringify({ type: 'Point', data: { tags: o.data.tags, value: o.data.value, time: o.data.time }, metric: o.metric }, null, spaced ? 1 : 0).replace(/\n/g, ' ');
        const a = parseText(`${fast}\n`);
        const b = parseText(`${reordered}\n`);
        expect(b.badLines).toBe(0);
        expect(b.series).toEqual(a.series);
        expect(b.minT).toBe(a.minT);
      }),
      { numRuns: 200 },
    );
  });

  it('counts any garbage line and never throws', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), { minLength: 1, maxLength: 8 }), (raw) => {
        const lines = raw.map((l) => l.replace(/\n/g, ' '));
        const part = parseText(`${lines.join('\n')}\n`);
        let expectedBad = 0;
        for (const l of lines) {
          if (l.trim() === '') continue;
          let o: unknown;
          try {
            o = JSON.parse(l);
          } catch {
            expectedBad++;
            continue;
          }
          const r = o as { type?: unknown; data?: unknown } | null;
          if (r === null || typeof r !== 'object' || (r.type !== 'Point' && r.type !== 'Metric')) expectedBad++;
        }
        expect(part.badLines).toBe(expectedBad);
        expect(part.lines).toBe(lines.length);
        expect(part.badExamples.length).toBe(Math.min(5, expectedBad));
      }),
      { numRuns: 300 },
    );
  });

  it('reports a trailing partial line as truncation, not as a bad line', () => {
    fc.assert(
      fc.property(k6Point, fc.nat(), ({ metric, ns, offset, value, tags }, cut) => {
        const line = pointLine(metric, k6Time(ns, offset), value, tags);
        const partial = line.slice(0, 1 + (cut % (line.length - 1)));
        const part = parseText(`${line}\n${partial}`);
        expect(part.points).toBe(1);
        expect(part.badLines).toBe(0);
        expect(part.truncated).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('tells apart consecutive lines whose time or tags differ in one byte (8-byte comparisons), with or without metadata', () => {
    const status = fc.constantFrom('200', '201', '500', '501');
    const tenant = fc.constantFrom('acme-aaaaaaaa', 'acme-aaaaaaab', 'acme-baaaaaaa', 'acne-aaaaaaaa');
    const meta = fc.option(fc.constantFrom('0af7651916cd43dd', '0af7651916cd43de', '"}'), { nil: undefined });
    const line = fc.record({ ms: fc.constantFrom(0, 1, 10, 1000), status, tenant, metric: fc.constantFrom('http_reqs', 'http_req_duration'), meta });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), (ls) => {
        const text = ls
          .map((l) => pointLine(l.metric, k6Time(1_700_000_000_000_000_000n + BigInt(l.ms) * 1_000_000n), 1, { status: l.status, tenant: l.tenant, url: 'https://x' }, l.meta === undefined ? undefined : { trace_id: l.meta }))
          .join('\n');
        const part = parseText(`${text}\n`);
        expect(part.badLines).toBe(0);
        const want = new Map<string, number>();
        for (const l of ls) {
          const k = `${l.metric} ${l.status} ${l.tenant} ${Math.floor((1_700_000_000_000 + l.ms) / 1000)}`;
          want.set(k, (want.get(k) ?? 0) + 1);
        }
        expect(pointsBy(part, (m, t, b) => `${m} ${t.status} ${t.tenant} ${b}`)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps its tag cache useful past 4,096 tag objects (URLs with ids) and tells them apart', () => {
    // k6 runs whose URLs carry an id (no `name` tag) make a new tag object per request; the lines
    // with repeated tag objects (checks, a custom trend) must still be found in the cache, also those
    // first seen after thousands of requests (here a new set of tenants every 2,500 requests)
    const lines: string[] = [];
    const want = new Map<string, number>();
    const count = (k: string) => want.set(k, (want.get(k) ?? 0) + 1);
    const requests = 10_000;
    for (let i = 0; i < requests; i++) {
      const t = k6Time(1_700_000_000_000_000_000n + BigInt(i) * 7_000_000n);
      const tenant = `t${Math.floor(i / 2500)}-${i % 3}`;
      const status = i % 7 === 0 ? '500' : '200';
      const url = `https://api.example.com/contacts/${100_000 + i}`;
      const http = { endpoint: 'contacts', method: 'GET', name: url, scenario: 's', status, tenant, url };
      lines.push(pointLine('http_reqs', t, 1, http), pointLine('http_req_duration', t, 10 + (i % 50), http));
      lines.push(pointLine('checks', t, status === '200' ? 1 : 0, { check: 'status is 2xx', scenario: 's', tenant }));
      lines.push(pointLine('contacts_latency', t, 10 + (i % 50), { endpoint: 'contacts', scenario: 's', tenant }));
      count(`http_reqs ${status} ${tenant}`);
      count(`http_req_duration ${status} ${tenant}`);
      count(`checks  ${tenant}`);
      count(`contacts_latency  ${tenant}`);
    }
    const buf = enc.encode(`${lines.join('\n')}\n`);
    const p = createNdjsonParser(cfg);
    p.feed(buf, 0, buf.length);
    const part = p.finish();
    expect(part.badLines).toBe(0);
    expect(p.slowLines()).toBe(0); // the cache starting over stays on the fast path
    expect(pointsBy(part, (m, t) => `${m} ${t.status ?? ''} ${t.tenant}`)).toEqual(want);
    // each request's tag object is read once; the 24 repeated ones again only after the cache starts over
    expect(p.tagReads()).toBeGreaterThanOrEqual(requests + 24);
    expect(p.tagReads()).toBeLessThan(requests + 24 * 10);
  });

  it('finds the tag set a line of a request has from the line before it, without hashing, and never a wrong one', () => {
    // per request: the HTTP lines share one tag object; the custom trend, the check and the error rate
    // each have their own, which follow from the HTTP one (same tenant and endpoint)
    const tenants = ['acme', 'globex', 'initech'];
    const endpoints = ['trades', 'positions'];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), fc.nat(1), fc.boolean()), { minLength: 20, maxLength: 120, size: 'max' }), (reqs) => {
        const lines: string[] = [];
        const want = new Map<string, number>();
        const count = (k: string) => want.set(k, (want.get(k) ?? 0) + 1);
        reqs.forEach(([ti, ei, ok], i) => {
          const t = k6Time(1_700_000_000_000_000_000n + BigInt(i) * 3_000_000n);
          const tenant = tenants[ti]!;
          const endpoint = endpoints[ei]!;
          const status = ok ? '200' : '503';
          const http = { endpoint, expected_response: String(ok), method: 'GET', scenario: 's', status, tenant };
          const own = { endpoint, scenario: 's', tenant };
          lines.push(pointLine('http_reqs', t, 1, http), pointLine('http_req_duration', t, 20, http), pointLine('http_req_failed', t, ok ? 0 : 1, http));
          lines.push(pointLine(`${endpoint}_latency`, t, 20, own), pointLine('checks', t, ok ? 1 : 0, { check: 'status is 2xx', ...own }), pointLine('errors', t, ok ? 0 : 1, own));
          for (const m of ['http_reqs', 'http_req_duration', 'http_req_failed']) count(`${m} ${endpoint} ${status} ${tenant}`);
          for (const m of [`${endpoint}_latency`, 'checks', 'errors']) count(`${m} ${endpoint}  ${tenant}`);
        });
        const buf = enc.encode(`${lines.join('\n')}\n`);
        const p = createNdjsonParser(cfg);
        p.feed(buf, 0, buf.length);
        const part = p.finish();
        expect(p.slowLines()).toBe(0);
        expect(pointsBy(part, (m, t) => `${m} ${t.endpoint} ${t.status ?? ''} ${t.tenant}`)).toEqual(want);
        // Hash lookups: a request's first line (its tags follow from the previous request's last line
        // only by chance), and the first time each of its other tag objects follows its HTTP one
        // (at most 12 HTTP tag objects × 3 lines): never one per line.
        expect(p.tagLookups()).toBeLessThanOrEqual(reqs.length + 12 * 3);
      }),
      { numRuns: 200 },
    );
  });

  it('reads a tag object once per request when k6 adds metadata (a trace id) after it', () => {
    const lines: string[] = [];
    const want = new Map<string, number>();
    const requests = 3000;
    for (let i = 0; i < requests; i++) {
      const t = k6Time(1_700_000_000_000_000_000n + BigInt(i) * 5_000_000n);
      const tags = { endpoint: 'trades', scenario: 's', status: i % 5 === 0 ? '500' : '200', tenant: ['acme', 'globex', 'initech'][i % 3]!, url: 'https://x/api/trades' };
      const meta = { trace_id: `4bf92f3577b34da6a3ce929d0e0e${(4736 + i).toString(16).padStart(4, '0')}` };
      for (const [metric, v] of [['http_reqs', 1], ['http_req_duration', 10 + (i % 40)], ['http_req_failed', tags.status === '500' ? 1 : 0]] as const) {
        lines.push(pointLine(metric, t, v, tags, meta));
        const k = `${metric} ${tags.status} ${tags.tenant}`;
        want.set(k, (want.get(k) ?? 0) + 1);
      }
    }
    const buf = enc.encode(`${lines.join('\n')}\n`);
    const p = createNdjsonParser(cfg);
    p.feed(buf, 0, buf.length);
    const part = p.finish();
    expect(part.badLines).toBe(0);
    expect(p.slowLines()).toBe(0);
    expect(pointsBy(part, (m, t) => `${m} ${t.status} ${t.tenant}`)).toEqual(want);
    // the request's other lines find the same tag object before the metadata
    expect(p.tagReads()).toBeLessThanOrEqual(requests);
    // the 6 distinct tag objects keep their series: one per metric and tag object
    expect(part.series).toHaveLength(3 * 6);
  });

  it('gives bad-line examples with their line numbers', () => {
    const ok = pointLine('vus', k6Time(1_700_000_000_000_000_000n), 3, {});
    const part = parseText([ok, 'garbage', ok, '{"metric":"x"', '', ok, '[1,2]'].join('\n') + '\n');
    expect(part.badLines).toBe(3);
    expect(part.badExamples.map((e) => e.line)).toEqual([2, 4, 7]);
    expect(part.points).toBe(3);
  });
});
