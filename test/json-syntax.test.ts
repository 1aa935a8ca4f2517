// The JSON syntax locator: a text that ends inside a number or a literal is cut short (its end is
// named), not a wrong value; a wrong value in the middle is named as such.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPathOffset, jsonSyntaxError } from '../src/json-syntax.js';

describe('jsonSyntaxError at the end of the text', () => {
  it.each(['{"a": f', '{"a": tr', '{"a": nul', '{"a": 1.', '{"a": 1e', '{"a": 1e+', '{"a": -', '[12'])('%j is cut short', (text) => {
    const e = jsonSyntaxError(text)!;
    expect(e.offset).toBe(text.length);
    expect(e.message).toMatch(/was it cut off\?/);
  });

  it.each([
    ['{"a": fx}', /found `fx`/],
    ['{"a": 1.x}', /`1\.x` is not a JSON number/],
    ['{"a": tru }', /found `tru`/],
  ])('%j is a wrong value, not a cut', (text, message) => {
    expect(jsonSyntaxError(text)!.message).toMatch(message);
  });
});

describe('jsonPathOffset', () => {
  /** The value JSON.parse reads at `path`, or undefined. */
  const at = (v: unknown, path: string[]): unknown => {
    let x = v;
    for (const k of path) {
      if (x === null || typeof x !== 'object' || Array.isArray(x) || !Object.hasOwn(x, k)) return undefined;
      x = (x as Record<string, unknown>)[k];
    }
    return x;
  };
  /** The JSON value that starts at `offset` (the longest text from there that is one value). */
  const valueAt = (text: string, offset: number): unknown => {
    for (let end = text.length; end > offset; end--) {
      try {
        return JSON.parse(text.slice(offset, end));
      } catch {
        // not yet a complete value
      }
    }
    throw new Error(`no value at ${offset}`);
  };
  const key = fc.constantFrom('a', 'count', 'values', 'p(95)', 'x"y', 'z\\w', 'ü', '');

  it('finds the value JSON.parse reads at a path of keys, in any layout', () => {
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), fc.dictionary(key, tie('node'), { maxKeys: 4 }), fc.array(tie('node'), { maxLength: 3 })),
    })).node;
    fc.assert(
      fc.property(tree, fc.array(key, { minLength: 1, maxLength: 3 }), fc.constantFrom(undefined, 1, 2, '\t'), (v, path, indent) => {
        const text = JSON.stringify(v, null, indent as never);
        if (text === undefined) return;
        const want = at(v, path);
        const off = jsonPathOffset(text, path);
        if (want === undefined) expect(off).toBeUndefined();
        else expect(valueAt(text, off!)).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });

  it('takes the last of a repeated key, as JSON.parse does, and does not look inside strings', () => {
    const text = '{"m": {"count": "not {\\"count\\": here"}, "count": {"a": 1}, "count": {"a": 2}}';
    expect(JSON.parse(text.slice(jsonPathOffset(text, ['count', 'a'])!).replace(/}+$/, ''))).toBe(2);
    expect(jsonPathOffset(text, ['m', 'a'])).toBeUndefined();
    expect(jsonPathOffset('[1, {"a": 2}]', ['a'])).toBeUndefined();
  });
});
