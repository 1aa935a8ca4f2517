// The JSON syntax locator: a text that ends inside a number or a literal is cut short (its end is
// named), not a wrong value; a wrong value in the middle is named as such.
import { describe, expect, it } from 'vitest';
import { jsonSyntaxError } from '../src/json-syntax.js';

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
