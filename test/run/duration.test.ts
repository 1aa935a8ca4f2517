import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationMs } from '../../src/k6/duration.js';

describe('durations', () => {
  it.each([
    ['90', 90_000],
    ['1.5', 1500],
    ['90s', 90_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1m30.5s', 90_500],
    ['250ms', 250],
    ['1d', 86_400_000],
  ])('parses %s', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'soon', '5x', '-1s', '1m 2s', 'm'])('rejects %j', (text) => expect(parseDurationMs(text)).toBeUndefined());

  it.each([
    [250, '250ms'],
    [1000, '1s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [3_723_000, '1h2m3s'],
  ])('formats %i', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
