import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionError, formatAggregation, formatExpression, parseExpression } from '../../src/config/expression.js';
import type { Aggregation, Operator } from '../../src/model.js';

const OPS: Operator[] = ['<', '<=', '>', '>=', '==', '===', '!='];
const SIMPLE = ['avg', 'min', 'max', 'med', 'count', 'rate', 'value'] as const;

const aggregation: fc.Arbitrary<Aggregation> = fc.oneof(
  fc.constantFrom(...SIMPLE).map((kind) => ({ kind }) as Aggregation),
  fc.integer({ min: 1, max: 100 }).map((p) => ({ kind: 'p', p }) as Aggregation),
  fc.integer({ min: 1, max: 99_999 }).map((n) => ({ kind: 'p', p: n / 1000 }) as Aggregation),
);
const limit = fc.oneof(fc.nat({ max: 100_000 }), fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }));
const ws = fc.constantFrom('', ' ', '  ', '\t');

describe('parseExpression', () => {
  it('reads every generated fixed-limit expression back (any spacing k6 accepts)', () => {
    fc.assert(
      fc.property(aggregation, fc.constantFrom(...OPS), limit, ws, ws, ws, ws, (agg, op, value, a, b, c, d) => {
        const text = `${a}${formatAggregation(agg)}${b}${op}${c}${String(value)}${d}`;
        const e = parseExpression(text);
        expect(e.aggregation).toEqual(agg);
        expect(e.operator).toBe(op);
        expect(e.value).toBe(value);
        expect(e.relative).toBeUndefined();
        expect(e.text).toBe(text);
        expect(parseExpression(formatExpression(e))).toEqual({ ...e, text: formatExpression(e) });
      }),
    );
  });

  it('reads every generated relative expression back', () => {
    fc.assert(
      fc.property(
        aggregation,
        fc.constantFrom<Operator>('<', '<=', '>', '>='),
        fc.constantFrom('+', '-'),
        fc.nat({ max: 10_000 }).map((n) => n / 100),
        fc.boolean(),
        (agg, op, sign, magnitude, percent) => {
          const text = `${formatAggregation(agg)}${op}${sign}${magnitude}${percent ? '%' : ''}`;
          const e = parseExpression(text);
          expect(e.aggregation).toEqual(agg);
          expect(e.operator).toBe(op);
          expect(e.value).toBe(sign === '-' ? -magnitude : magnitude);
          expect(e.relative).toBe(percent ? 'percent' : 'absolute');
          expect(formatExpression(e)).toBe(text);
        },
      ),
    );
  });

  it('never crashes on garbage: it parses or throws ExpressionError', () => {
    const alphabet = fc.constantFrom(...'p()<>=!+-%.0123456789 avgminxdcoutrelsv{}:*e'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 20 })), (s) => {
        try {
          const e = parseExpression(s);
          expect(Number.isFinite(e.value)).toBe(true);
          expect(OPS).toContain(e.operator);
        } catch (err) {
          expect(err).toBeInstanceOf(ExpressionError);
          expect((err as Error).message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the documented examples', () => {
    expect(parseExpression('p(99)<500')).toEqual({ text: 'p(99)<500', aggregation: { kind: 'p', p: 99 }, operator: '<', value: 500 });
    expect(parseExpression('p(99.9) <= 1.5e3')).toMatchObject({ aggregation: { kind: 'p', p: 99.9 }, operator: '<=', value: 1500 });
    expect(parseExpression('rate>=0.999')).toMatchObject({ aggregation: { kind: 'rate' }, operator: '>=', value: 0.999 });
    expect(parseExpression('count === 0')).toMatchObject({ aggregation: { kind: 'count' }, operator: '===', value: 0 });
    expect(parseExpression('p(99)<+10%')).toMatchObject({ operator: '<', value: 10, relative: 'percent' });
    expect(parseExpression('rate<+0.005')).toMatchObject({ operator: '<', value: 0.005, relative: 'absolute' });
    expect(parseExpression('rate>-5%')).toMatchObject({ operator: '>', value: -5, relative: 'percent' });
    expect(parseExpression('p(100)<1').aggregation).toEqual({ kind: 'p', p: 100 });
  });

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['p(99)', /no comparison operator; allowed: < <= > >= == === !=/],
    ['p(99)=>500', /`=>` is not a comparison operator/],
    ['p(99)<<500', /`<<` is not a comparison operator/],
    ['p(0)<500', /greater than 0 and at most 100/],
    ['p(100.5)<500', /greater than 0 and at most 100/],
    ['p( 99 )<500', /plain number/],
    ['p99<500', /unknown aggregation `p99`.*Did you mean `p\(99\)`/],
    ['avrg<500', /unknown aggregation `avrg`; allowed: avg, min, max, med, count, rate, value, p\(N\).*Did you mean `avg`/],
    ['<500', /aggregation is missing/],
    ['p(99)<', /limit after `<` is missing/],
    ['p(99)<500ms', /without a unit \(`ms`\)/],
    ['p(99)<10%', /percentage is only allowed in a relative limit/],
    ['p(99)<five', /`five` is not a number/],
    ['p(99)==+10%', /relative limit compares with < <= > or >=/],
    ['p(99)<1e999', /not a finite number/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text)} saying what is wrong`, () => {
      expect(() => parseExpression(text)).toThrow(ExpressionError);
      expect(() => parseExpression(text)).toThrow(message);
    });
  }

  it('formats aggregations as k6 writes them', () => {
    expect(formatAggregation({ kind: 'p', p: 99.9 })).toBe('p(99.9)');
    expect(formatAggregation({ kind: 'med' })).toBe('med');
  });
});
