import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { markdownTable } from 'markdown-table';
import { STATUS_BADGE, code, escapeCell, formatDelta, formatDuration, formatPair, formatValue } from '../../src/report/units.js';

describe('formatValue', () => {
  it.each([
    [12.34, 'ms', '12.3 ms'],
    [0.42, 'ms', '0.42 ms'],
    [512, 'ms', '512 ms'],
    [1234, 'ms', '1.23 s'],
    [1200, 'ms', '1.2 s'],
    [90_000, 'ms', '1.5 min'],
    [0.0042, 'ratio', '0.42%'],
    [0.999, 'ratio', '99.90%'],
    [0.99999, 'ratio', '99.999%'],
    [0.00001, 'ratio', '0.001%'],
    [1, 'ratio', '100.00%'],
    [512, 'per-second', '512/s'],
    [1536, 'bytes', '1.54 kB'],
    [512, 'bytes', '512 B'],
    [2_500_000, 'bytes', '2.5 MB'],
    [1234567, 'count', '1,234,567'],
    [68.75, 'percent', '68.8%'],
  ] as const)('%s %s → %s', (v, unit, expected) => {
    expect(formatValue(v, unit)).toBe(expected);
  });
  it('sub-millisecond durations in µs and ns, and no number in exponent notation', () => {
    expect(formatValue(0.042, 'ms')).toBe('42 µs');
    expect(formatValue(0.0042, 'ms')).toBe('4.2 µs');
    expect(formatValue(0.000041, 'ms')).toBe('41 ns');
    // an average of one 41 ns connect over 4,980 reused connections
    expect(formatValue(8.2e-9, 'ms')).toBe('0.0082 ns');
    expect(formatValue(0.1, 'ms')).toBe('0.1 ms');
    expect(formatPair(0.0999, 0.1, 'ms')).toEqual(['99.9 µs', '0.1 ms']);
    for (const unit of ['ms', 'number', 'per-second', 'bytes', 'count', 'ratio', 'percent'] as const) {
      for (const v of [8.2e-9, 1e-12, 3.5e-7]) expect(formatValue(v, unit)).not.toMatch(/e[+-]?\d/);
    }
  });
  it('req/s for http_reqs, — for nothing', () => {
    expect(formatValue(512, 'per-second', 'http_reqs')).toBe('512 req/s');
    expect(formatValue(512, 'per-second', 'http_reqs{endpoint:trades}')).toBe('512 req/s');
    expect(formatValue(null, 'ms')).toBe('—');
    expect(formatValue(Number.NaN, 'ms')).toBe('—');
  });
  it('deltas carry their sign and the relative change', () => {
    expect(formatDelta(12.3, 150, 'ms')).toBe('+12.3 ms (+8.2%)');
    expect(formatDelta(-50, 200, 'ms')).toBe('−50 ms (−25%)');
    expect(formatDelta(0, 0, 'count')).toBe('±0');
    expect(formatDelta(null, 1, 'ms')).toBe('—');
  });
  it('a value that rounds onto a unit boundary takes the larger unit, and never reads as its limit', () => {
    expect(formatValue(999.6, 'ms')).toBe('1 s');
    expect(formatValue(999.4, 'ms')).toBe('999 ms');
    expect(formatValue(59_999.7, 'ms')).toBe('1 min');
    expect(formatValue(999.7, 'per-second', 'http_reqs')).toBe('1,000 req/s');
    expect(formatPair(999.6, 1000, 'ms')).toEqual(['999.6 ms', '1 s']);
    expect(formatPair(999.7, 1000, 'per-second', 'http_reqs')).toEqual(['999.7 req/s', '1,000 req/s']);
    expect(formatPair(59_999.7, 60_000, 'ms')).toEqual(['59.9997 s', '1 min']);
  });
  it('a relative change is not rounded up onto the next whole percent (a limit of +10% is not met by +9.97%)', () => {
    expect(formatDelta(36, 361.2, 'ms')).toBe('+36 ms (+9.97%)');
    expect(formatDelta(36.4, 361.2, 'ms')).toBe('+36.4 ms (+10.1%)');
    expect(formatDelta(-9.996, 100, 'ms')).toBe('−10 ms (−9.996%)');
  });
  it('durations', () => {
    expect(formatDuration(150_000)).toBe('2m 30s');
    expect(formatDuration(3_720_000)).toBe('1h 2m');
    expect(formatDuration(0)).toBe('0s');
  });
  it('badges', () => {
    expect(STATUS_BADGE).toEqual({ pass: '✅ PASS', marginal: '⚠️ MARGINAL', fail: '❌ FAIL', 'no-data': '❔ NO DATA' });
  });
});

/** Splits a GFM table row into cells the way GFM does: on every `|` not preceded by a backslash. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

describe('escapeCell', () => {
  it('escapes every pipe, also inside code spans, and turns newlines into <br>', () => {
    expect(escapeCell('a|b||c')).toBe('a\\|b\\|\\|c');
    expect(escapeCell('`x|y`')).toBe('`x\\|y`');
    expect(escapeCell('line1\nline2\r\nline3\rline4')).toBe('line1<br>line2<br>line3<br>line4');
  });
  it('any text stays in one cell of one row', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('|', '\n', '\r', 'a', ' ', '`', '-', ':') }), (s) => {
        const row = markdownTable([['h1', 'h2', 'h3'], ['x', escapeCell(s), 'z']], { alignDelimiters: false }).split('\n');
        expect(row).toHaveLength(3);
        expect(cells(row[2] as string)).toHaveLength(3);
      }),
    );
  });
  it('code() survives backticks', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('x')).toBe('`x`');
  });
});
