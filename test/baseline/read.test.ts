// Reading a baseline report (the CLI's --baseline FILE and the Action's artifact alike): a file that is
// not one gets a plain message naming what is wrong, the line and column of a JSON syntax error, and
// the fix; never the JSON parser's or the schema library's wording.
import { gzipSync, strToU8, zipSync } from 'fflate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BaselineReportError, parseBaselineReport } from '../../src/baseline/fetch.js';
import { jsonSyntaxError, lineColumn } from '../../src/json-syntax.js';
import { InputError } from '../../src/errors.js';
import { measurementKey } from '../../src/evaluate/keys.js';
import { jsonReport } from '../beyond/helpers.js';

const REPORT = JSON.stringify(jsonReport('checkout', 420), null, 2);

/** The error parseBaselineReport throws for `content`. */
function failure(content: Uint8Array | string, file = 'base.json'): BaselineReportError {
  try {
    parseBaselineReport(content, file);
  } catch (e) {
    expect(e).toBeInstanceOf(BaselineReportError);
    expect(e).toBeInstanceOf(InputError);
    return e as BaselineReportError;
  }
  throw new Error('parseBaselineReport accepted it');
}

/** Nothing of the parser's or zod's wording, no "undefined", no offset in characters. */
function expectPlain(message: string): void {
  expect(message).not.toMatch(/undefined|Invalid input|Unexpected|position \d|received|in JSON at|is not valid JSON\)|SyntaxError/);
}

/** The 1-based line and column of the first occurrence of `needle` in `text` (by splitting lines, not by lineColumn). */
function whereIs(text: string, needle: string): { line: number; column: number } {
  const lines = text.split('\n');
  for (let l = 0; l < lines.length; l++) {
    const c = lines[l]!.indexOf(needle);
    if (c >= 0) return { line: l + 1, column: c + 1 };
  }
  throw new Error(`${needle} not in the text`);
}

describe('lineColumn', () => {
  it.each([
    ['abc', 0, 1, 1],
    ['abc', 2, 1, 3],
    ['a\nbc', 2, 2, 1],
    ['a\nbc', 3, 2, 2],
    ['a\r\nbc', 3, 2, 1],
    ['a\r\n\r\nb', 5, 3, 1],
    ['a\rb', 2, 2, 1],
    ['ab', 99, 1, 3],
  ])('%j at %i is line %i, column %i', (text, offset, line, column) => {
    expect(lineColumn(text, offset)).toEqual({ line, column });
  });
});

describe('jsonSyntaxError', () => {
  it('agrees with JSON.parse on what is JSON, and points inside the text', () => {
    const edits = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(',', '}', ']', '{', '[', '"', ':', "'", '\\', '\n', '0', '-', 'x', 'true', ' ', '\u0001', '1e', '.') }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, '\t'), fc.array(edits, { maxLength: 3 }), (value, indent, changes) => {
        let text = JSON.stringify(value, null, indent) ?? 'null';
        for (const e of changes) {
          const at = e.at % (text.length + 1);
          text = e.kind === 'delete' ? text.slice(0, at) + text.slice(at + 1) : e.kind === 'insert' ? text.slice(0, at) + e.text + text.slice(at) : text.slice(0, at);
        }
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        const found = jsonSyntaxError(text);
        expect(found === undefined).toBe(parses);
        if (found) {
          expect(found.offset).toBeGreaterThanOrEqual(0);
          expect(found.offset).toBeLessThanOrEqual(text.length);
          expectPlain(found.message);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['{"a": 1,}', 7, /comma after the last field/],
    ['[1, 2,]', 5, /comma after the last item/],
    ["{'a': 1}", 1, /field name in double quotes, found `'` \(JSON strings take double quotes\)/],
    ['{"a" 1}', 5, /expected `:` after the field name, found `1`/],
    ['{"a": 1 "b": 2}', 8, /expected `,` or `}` after a field's value, found `"`/],
    ['[1 2]', 3, /expected `,` or `]` after a list item, found `2`/],
    ['{"a": NaN}', 6, /found `NaN` \(JSON has no Infinity or NaN\)/],
    ['{"a": 01}', 6, /`01` is not a JSON number \(no leading zeros\)/],
    ['{"a": "x\\qy"}', 8, /`\\q` is not an escape JSON knows/],
    ['{"a": "x\u0001"}', 8, /control character U\+0001 inside a string/],
    ['{"a": [1, {"b": 2}', 18, /ends before the list opened at line 1, column 7 is closed/],
    ['{"a": "xy', 9, /ends inside the string that starts at line 1, column 7/],
    ['{} {}', 3, /more content after the end of the JSON value \(found `\{`\)/],
  ])('%j: offset %i, %s', (text, offset, message) => {
    const found = jsonSyntaxError(text)!;
    expect(found.message).toMatch(message);
    expect(found.offset).toBe(offset);
  });
});

describe('parseBaselineReport', () => {
  it('reads a report that --json wrote, also with a UTF-8 byte order mark, as text or bytes', () => {
    const key = measurementKey('http_req_duration', 'p(99)', '');
    const plain = parseBaselineReport(REPORT, 'base.json');
    expect(plain.baseline.scenarios.checkout![key]).toBeGreaterThan(0);
    expect(parseBaselineReport(`\uFEFF${REPORT}`, 'base.json').baseline).toEqual(plain.baseline);
    expect(parseBaselineReport(new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8(REPORT)]), 'base.json').baseline).toEqual(plain.baseline);
    expect(parseBaselineReport(REPORT, 'perf-gate-report.json', 'https://github.com/o/r/actions/runs/7').baseline.source).toBe('https://github.com/o/r/actions/runs/7');
  });

  it('JSON with more after the report: file:line:column of what follows and the fix, not a character position', () => {
    const text = `${REPORT}\n}`;
    const e = failure(text);
    const at = lineColumn(text, REPORT.length + 1);
    expect(at.line).toBe(REPORT.split('\n').length + 1);
    expect(e.where).toBe(`base.json:${at.line}:1`);
    expect(e.message).toMatch(/^base\.json:\d+:1: the baseline is not valid JSON: more content after the end of the JSON value \(found `\}`\)/);
    expect(e.message).toContain('\n  fix: pass the --json report of an earlier perf-gate run');
    expectPlain(e.message);
  });

  it('a syntax error inside the report: the line and column of the offending character', () => {
    const text = REPORT.replace('"verdict": "APPROVED",', '"verdict": "APPROVED"');
    const e = failure(text);
    const next = whereIs(text, '"failOn"');
    expect([e.line, e.column]).toEqual([next.line, next.column]);
    expect(e.detail).toBe("expected `,` or `}` after a field's value, found `\"`");
  });

  it('a byte order mark does not shift the column', () => {
    const text = '{\n  "schema": 1,,\n}';
    const withBom = failure(new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8(text)]));
    const without = failure(text);
    expect([withBom.line, withBom.column]).toEqual([2, 15]);
    expect([without.line, without.column]).toEqual([2, 15]);
    expect(withBom.message).toBe(without.message);
  });

  it('a CRLF file counts lines as an editor does', () => {
    const e = failure(REPORT.replace(/\n/g, '\r\n').replace('"verdict": "APPROVED",', '"verdict": APPROVED,'));
    const at = whereIs(REPORT, '"verdict"');
    expect([e.line, e.column]).toEqual([at.line, at.column + '"verdict": '.length]);
    expect(e.detail).toBe(`expected a value (an object, a list, a string in double quotes, a number, true, false or null), found \`APPROVED\``);
  });

  it('a report cut off: where the file ends, and what is left open', () => {
    const text = REPORT.slice(0, REPORT.indexOf('"criteria"'));
    const e = failure(text);
    expect(e.where).toBe(`base.json:${lineColumn(text, text.length).line}:${lineColumn(text, text.length).column}`);
    expect(e.detail).toBe('the file ends before the object opened at line 1, column 1 is closed (was it cut off?)');
  });

  it('k6 --out json output passed as the baseline', () => {
    const ndjson = [
      '{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}',
      '{"type":"Point","data":{"time":"2026-01-01T00:00:00.000Z","value":1,"tags":{}},"metric":"http_reqs"}',
    ].join('\n');
    const e = failure(ndjson);
    expect(e.where).toBe('base.json:2:1');
    expect(e.detail).toMatch(/k6's --out json output/);
    expect(e.message).toMatch(/fix: k6 output goes to --results; --baseline takes the --json report of an earlier perf-gate run/);
  });

  it.each([
    ['an empty file', '', /^base\.json: the file is empty\n  fix: pass the --json report/],
    ['only blank lines', '\n \n', /^base\.json: the file is empty/],
    ['a gzip file', gzipSync(strToU8(REPORT)), /^base\.json: the file is gzip-compressed.*\n  fix: decompress it first \(gunzip\)/],
    [
      "k6's compressed output",
      // larger than the 64 KiB whose text is looked at: its start inflates without its end
      gzipSync(strToU8(Array.from({ length: 40_000 }, (_, i) => `{"type":"Point","data":{"time":"2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.${(i * 7919) % 1_000_003}Z","value":${(i * 104_729) % 99_991},"tags":{}},"metric":"http_reqs"}\n`).join(''))),
      /^base\.json: the file is k6's --out json output \(gzip-compressed\), not a perf-gate JSON report\n  fix: k6 output goes to --results/,
    ],
    ['a zip archive', zipSync({ 'perf-gate-report.json': strToU8(REPORT) }), /^base\.json: the file is a zip archive.*\n  fix: unzip it and pass the perf-gate-report\.json inside/],
    ['UTF-16 text', new Uint8Array([0xff, 0xfe, ...Array.from(strToU8(REPORT)).flatMap((b) => [b, 0])]), /^base\.json: the file is UTF-16 text; perf-gate reads UTF-8\n  fix: save it as UTF-8/],
  ])('%s', (_name, content, message) => {
    const e = failure(content);
    expect(e.line).toBeUndefined();
    expect(e.message).toMatch(message);
  });

  describe('JSON that is not a perf-gate report', () => {
    const report = JSON.parse(REPORT) as Record<string, unknown>;
    const without = (...fields: string[]) => JSON.stringify(Object.fromEntries(Object.entries(report).filter(([k]) => !fields.includes(k))));

    it('a field missing: which one, that it is another kind of JSON or another version, and the fix', () => {
      const e = failure(without('measurements'));
      expect(e.message).toBe(
        'base.json: not a perf-gate JSON report: the field `measurements` is missing: the file is another kind of JSON, or was written by another version of perf-gate\n' +
          '  fix: pass the --json report of an earlier perf-gate run (`perf-gate evaluate … --json FILE` writes one; schema 1)',
      );
      expect(e.where).toBe('base.json');
      expect(e.line).toBeUndefined();
    });

    it('several fields missing are all named', () => {
      expect(failure(without('scenarios', 'measurements')).detail).toContain('the fields `scenarios` and `measurements` are missing');
      expect(failure('{}').detail).toContain('the fields `schema`, `scenarios` and `measurements` are missing');
    });

    it.each([
      [{ ...report, schema: 2 }, /^a perf-gate JSON report of another version: `schema` is 2, and this version of perf-gate reads schema 1$/, /write the baseline again with this version/],
      [{ ...report, schema: '1' }, /^not a perf-gate JSON report: `schema` is the text "1", expected the number 1$/, /pass the --json report/],
      [{ ...report, measurements: [] }, /^not a perf-gate JSON report: `measurements` is a list, expected an object of measured values keyed "scenario\|metric\|aggregation"$/, /pass the --json report/],
      [{ ...report, measurements: { 'checkout|http_reqs|rate': 'fast' } }, /^not a perf-gate JSON report: `measurements.checkout\|http_reqs\|rate` is the text "fast", expected a finite number$/, /pass the --json report/],
      [{ ...report, scenarios: [{}] }, /^not a perf-gate JSON report: the field `scenarios\[0\].name` is missing/, /pass the --json report/],
      [{ ...report, scenarios: [{ name: '' }] }, /^not a perf-gate JSON report: `scenarios\[0\].name` is empty text, expected the scenario’s name/, /pass the --json report/],
      [[report], /^not a perf-gate JSON report: \(top level\): the file holds a list, not an object with schema, scenarios and measurements$/, /pass the --json report/],
      [{ metrics: { http_reqs: { count: 1 } }, root_group: {} }, /^not a perf-gate JSON report but a k6 summary/, /k6 output goes to --results/],
    ])('%#: %s', (value, detail, fix) => {
      const e = failure(JSON.stringify(value));
      expect(e.detail).toMatch(detail);
      expect(e.hint).toMatch(fix);
      expectPlain(e.message);
    });
  });
});
