// asError: whatever is thrown becomes an Error with a message that says something.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { asError, InputError } from '../../src/errors.js';

describe('asError', () => {
  it('keeps Errors and turns strings and plain values into messages', () => {
    const e = new InputError('bad');
    expect(asError(e)).toBe(e);
    expect(asError('boom').message).toBe('boom');
    expect(asError({ code: 42 }).message).toBe('{"code":42}');
    expect(asError(null).message).toBe('null');
    expect(asError(7).message).toBe('7');
  });

  it('`throw undefined`, a Symbol or a function never give an empty message', () => {
    expect(asError(undefined).message).toBe('undefined');
    expect(asError(Symbol('lost')).message).toBe('Symbol(lost)');
    expect(asError(function namedThrow() {}).message).toContain('namedThrow');
    expect(asError(10n).message).toBe('10');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(asError(cycle).message).toBe('[object Object]');
    expect(asError(Object.create(null)).message).toBe('{}');
  });

  it('an Error from another realm keeps its message (not its JSON, which is `{}`)', () => {
    const foreign: unknown = runInNewContext('new TypeError("from the vm")');
    expect(foreign instanceof Error).toBe(false);
    const e = asError(foreign);
    expect(e.message).toBe('from the vm');
    expect(e.name).toBe('TypeError');
    expect(asError({ message: 'error-like', code: 'E1' }).message).toBe('error-like');
    expect(asError({ message: 3 }).message).toBe('{"message":3}');
  });
});
