import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { absoluteStatus, relativeStatus } from '../../src/evaluate/status.js';

describe('absoluteStatus: upper limit with a 10% band', () => {
  it.each([
    [449, 'pass'],
    [450, 'pass'],
    [451, 'marginal'],
    [499.99, 'marginal'],
    [500, 'fail'],
    [612, 'fail'],
  ] as const)('p(99)<500 at %s ms → %s', (actual, expected) => {
    expect(absoluteStatus(actual, '<', 500, 0.1, 'ms')).toBe(expected);
  });
  it('<= passes at the limit itself (marginal)', () => {
    expect(absoluteStatus(500, '<=', 500, 0.1, 'ms')).toBe('marginal');
    expect(absoluteStatus(500.001, '<=', 500, 0.1, 'ms')).toBe('fail');
  });
});

describe('absoluteStatus: lower limit with a 10% band', () => {
  it.each([
    [560, 'pass'],
    [550, 'pass'],
    [549, 'marginal'],
    [500, 'marginal'],
    [499.9, 'fail'],
  ] as const)('http_reqs rate>=500 at %s req/s → %s', (actual, expected) => {
    expect(absoluteStatus(actual, '>=', 500, 0.1, 'per-second')).toBe(expected);
  });
  it('> fails at the limit', () => {
    expect(absoluteStatus(500, '>', 500, 0.1, 'per-second')).toBe('fail');
  });
});

describe('absoluteStatus: lower limit on a 0–1 ratio uses the complement band', () => {
  // availability rate>=0.999, m = 10%: marginal when 1 − a > 0.001·0.9 = 0.0009, i.e. a < 0.9991
  it.each([
    [1, 'pass'],
    [0.9995, 'pass'],
    [0.9992, 'pass'],
    [0.999, 'marginal'],
    [0.9989, 'fail'],
  ] as const)('availability rate>=0.999 at %s → %s', (actual, expected) => {
    expect(absoluteStatus(actual, '>=', 0.999, 0.1, 'ratio')).toBe(expected);
  });
  it('0.99905 is within the band (1 − a = 0.00095 > 0.0009)', () => {
    expect(absoluteStatus(0.99905, '>=', 0.999, 0.1, 'ratio')).toBe('marginal');
  });
  it('the plain band would have made every passing value marginal; the complement does not', () => {
    // the plain rule: marginal when a < 0.999·1.1 = 1.0989 — always
    expect(absoluteStatus(0.9999, '>=', 0.999, 0.1, 'ratio')).toBe('pass');
    expect(absoluteStatus(0.9999, '>=', 0.999, 0.1, 'number')).toBe('marginal');
  });
  it('checks rate>0.95: 0.96 passes (1 − a = 0.04 ≤ 0.045), 0.954 is marginal (0.046 > 0.045)', () => {
    expect(absoluteStatus(0.96, '>', 0.95, 0.1, 'ratio')).toBe('pass');
    expect(absoluteStatus(0.954, '>', 0.95, 0.1, 'ratio')).toBe('marginal');
  });
  it('an upper limit on a ratio keeps the plain band', () => {
    expect(absoluteStatus(0.0089, '<', 0.01, 0.1, 'ratio')).toBe('pass');
    expect(absoluteStatus(0.0091, '<', 0.01, 0.1, 'ratio')).toBe('marginal');
    expect(absoluteStatus(0.01, '<', 0.01, 0.1, 'ratio')).toBe('fail');
  });
});

describe('absoluteStatus: equality has no band', () => {
  it('== passes only on the value, never marginal', () => {
    expect(absoluteStatus(0, '==', 0, 0.5, 'count')).toBe('pass');
    expect(absoluteStatus(1, '==', 0, 0.5, 'count')).toBe('fail');
    expect(absoluteStatus(10, '===', 10, 0.5, 'count')).toBe('pass');
    expect(absoluteStatus(10, '!=', 10, 0.5, 'count')).toBe('fail');
    expect(absoluteStatus(10.0001, '!=', 10, 0.5, 'count')).toBe('pass');
  });
});

describe('absoluteStatus properties', () => {
  it('fail exactly when the comparison fails; never marginal with a zero band', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0.001, max: 1e6, noNaN: true }), (actual, limit) => {
        const s = absoluteStatus(actual, '<', limit, 0, 'ms');
        expect(s).toBe(actual < limit ? 'pass' : 'fail');
      }),
    );
  });
});

describe('relativeStatus: the band applies to the allowed change', () => {
  // baseline 200 ms, allowed +10% = 20 ms: limit 220, marginal beyond +9% (218)
  it.each([
    [200, 'pass'],
    [180, 'pass'],
    [217.9, 'pass'],
    [218.5, 'marginal'],
    [220, 'fail'],
    [260, 'fail'],
  ] as const)('p(99)<+10%% from 200 at %s → %s', (actual, expected) => {
    expect(relativeStatus(actual, '<', 200, 20, 0.1)).toBe(expected);
  });
  it('a lower relative limit mirrors it: rate>-5% from 600 (allowed −30, marginal below −27)', () => {
    expect(relativeStatus(600, '>', 600, -30, 0.1)).toBe('pass');
    expect(relativeStatus(574, '>', 600, -30, 0.1)).toBe('pass');
    expect(relativeStatus(572, '>', 600, -30, 0.1)).toBe('marginal');
    expect(relativeStatus(570, '>', 600, -30, 0.1)).toBe('fail');
  });
});
