import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionError, hasWildcard, parseSelector } from '../../src/config/expression.js';

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,30}$/);
const tagKey = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,12}$/);
const tagValue = fc.oneof(fc.constant('*'), fc.stringMatching(/^[A-Za-z0-9_./:-]{1,16}$/));

describe('parseSelector', () => {
  it('reads a generated metric{k:v,…} key back into metric and tags, in order', () => {
    fc.assert(
      fc.property(name, fc.uniqueArray(fc.tuple(tagKey, tagValue), { selector: ([k]) => k, maxLength: 4 }), (metric, tags) => {
        const raw = tags.length ? `${metric}{${tags.map(([k, v]) => `${k}:${v}`).join(',')}}` : metric;
        const s = parseSelector(raw);
        expect(s.raw).toBe(raw);
        expect(s.metric).toBe(metric);
        expect(s.tags).toEqual(tags.map(([key, value]) => ({ key, value })));
        expect(hasWildcard(s)).toBe(tags.some(([, v]) => v === '*'));
      }),
    );
  });

  it('drops spaces and quotes around keys and values as k6 does', () => {
    expect(parseSelector('http_req_duration{ endpoint : "trades" , tenant:\'acme\' }').tags).toEqual([
      { key: 'endpoint', value: 'trades' },
      { key: 'tenant', value: 'acme' },
    ]);
  });

  it('keeps a colon inside a value (URLs)', () => {
    expect(parseSelector('http_req_duration{name:http://api/x}').tags).toEqual([{ key: 'name', value: 'http://api/x' }]);
  });

  it('never crashes on garbage', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ab_1{}:,* "\'-'.split('')), maxLength: 16 }), (s) => {
        try {
          const sel = parseSelector(s);
          expect(sel.metric).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
        } catch (err) {
          expect(err).toBeInstanceOf(ExpressionError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  const bad: [string, RegExp][] = [
    ['', /metric name is missing/],
    ['1xx', /not a valid k6 metric name/],
    ['http-req', /not a valid k6 metric name: allowed are letters, digits and `_`/],
    ['http_req_duration{endpoint:trades', /not closed/],
    ['http_req_duration{}', /tag filter is empty/],
    ['http_req_duration{endpoint}', /`endpoint` is not `tag:value`/],
    ['http_req_duration{:x}', /tag name is missing/],
    ['http_req_duration{endpoint:}', /tag `endpoint` has no value/],
    ['http_req_duration{a:1,a:2}', /appears twice/],
    ['http_req_duration{a:{b:1}}', /cannot nest/],
  ];
  for (const [raw, message] of bad) {
    it(`rejects ${JSON.stringify(raw)}`, () => {
      expect(() => parseSelector(raw)).toThrow(message);
    });
  }
});
