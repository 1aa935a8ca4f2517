import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { one, problems } from './problems.js';
import { parseExpression, parseSelector, ExpressionError } from '../../src/config/expression.js';

/** The message the CLI prints for `text`. */
function printed(text: string): string {
  try {
    loadConfig('t.yml', { text });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('thresholds that is not a map: the fix shows the right shape', () => {
  it('a one-line string is turned into the map it meant', () => {
    const p = one('version: 1\nthresholds: "http_req_duration p(95)<400"\n');
    expect(p.where).toBe('perf/thresholds.yml:2:13');
    expect(p.hint).toBe('write a map, one metric key per line, each with a list of expressions:\nthresholds:\n  http_req_duration: ["p(95)<400"]');
  });

  it('several expressions and a tag filter in the string are kept', () => {
    const p = one('version: 1\nthresholds: "http_req_duration{endpoint:trades}: p(95)<400, p(99)<500"\n');
    expect(p.hint).toBe('write a map, one metric key per line, each with a list of expressions:\nthresholds:\n  "http_req_duration{endpoint:trades}": ["p(95)<400", "p(99)<500"]');
  });

  it('a list of one-key maps becomes the map without the dashes', () => {
    const p = one('version: 1\nthresholds:\n  - http_req_duration: ["p(95)<400"]\n  - checks: "rate>0.99"\n');
    expect(p.hint).toBe('write a map, one metric key per line, each with a list of expressions:\nthresholds:\n  http_req_duration: ["p(95)<400"]\n  checks: ["rate>0.99"]');
  });

  it('an empty thresholds: gets an example, or may be removed', () => {
    const p = one('version: 1\nthresholds:\n');
    expect(p.where).toBe('perf/thresholds.yml:2:1');
    expect(p.hint).toBe('list metric keys under it, each with a list of expressions (or remove the empty `thresholds:`):\nthresholds:\n  http_req_duration: ["p(95)<400"]');
  });

  it('a scenario’s thresholds get the same fix', () => {
    const p = one('version: 1\nscenarios:\n  smoke:\n    thresholds: "checks rate>0.99"\n');
    expect(p.hint).toBe('write a map, one metric key per line, each with a list of expressions:\nthresholds:\n  checks: ["rate>0.99"]');
  });

  it('the printed message indents the YAML of the fix under `fix:`', () => {
    expect(printed('version: 1\nthresholds: "http_req_duration p(95)<400"\n')).toBe(
      't.yml:2:13: thresholds: expected a map of metric key → list of expressions, got `http_req_duration p(95)<400`\n' +
        '  fix: write a map, one metric key per line, each with a list of expressions:\n' +
        '       thresholds:\n' +
        '         http_req_duration: ["p(95)<400"]',
    );
    const many = printed('version: 2\nthresholds:\n');
    expect(many).toContain('\n    fix: list metric keys under it, each with a list of expressions (or remove the empty `thresholds:`):\n         thresholds:\n           http_req_duration: ["p(95)<400"]');
  });
});

describe('a metric key whose value is not a list', () => {
  it('the fix wraps the user’s own expression in a list', () => {
    expect(one('version: 1\nthresholds:\n  checks: "rate>0.9"\n').hint).toBe('write `checks: ["rate>0.9"]` (k6 thresholds are always a list, even for one expression)');
  });

  it('an expression object on its own is put in a list', () => {
    expect(one('version: 1\nthresholds:\n  checks: { threshold: "rate>0.9", severity: warn, marginal: 5% }\n').hint).toBe(
      'write `checks: [{ threshold: "rate>0.9", severity: warn, marginal: 5% }]` (k6 thresholds are always a list, even for one expression)',
    );
  });

  it('an empty value gets an expression that suits the metric', () => {
    expect(one('version: 1\nthresholds:\n  http_req_failed:\n').hint).toBe('write `http_req_failed: ["rate<0.01"]` (k6 thresholds are always a list, even for one expression)');
    expect(one('version: 1\nthresholds:\n  "http_req_duration{endpoint:trades}":\n').hint).toBe(
      'write `"http_req_duration{endpoint:trades}": ["p(95)<400"]` (k6 thresholds are always a list, even for one expression)',
    );
  });
});

describe('enumerations end with a fix', () => {
  it('fail-on: warn offers each allowed value with what it does', () => {
    const p = one('version: 1\nfail-on: warn\n');
    expect(p.where).toBe('perf/thresholds.yml:2:10');
    expect(p.message).toBe('`warn` is not allowed for `fail-on`; allowed: fail, marginal.');
    expect(p.hint).toBe('write `fail-on: fail` (only failing criteria fail the gate; the default) or `fail-on: marginal` (marginal criteria fail the gate too)');
  });

  it('a misspelling gets the value meant', () => {
    expect(one('version: 1\nno-data: wrn\n').hint).toBe('write `no-data: warn` (the verdict is at best CONDITIONALLY_APPROVED; the default)');
    expect(one('version: 1\nwindow: stedy\n').hint).toBe('write `window: steady` (only while VUs are at their peak)');
  });

  it('a common other word gets the value it stands for', () => {
    expect(one('version: 1\nthresholds:\n  checks: [{ threshold: "rate>0.9", severity: warning }]\n').hint).toBe('write `severity: warn` (reported, never fails the gate)');
    expect(one('version: 1\nwindow: steady-state\n').hint).toBe('write `window: steady` (only while VUs are at their peak)');
  });

  it('no-data, window and severity list their values when nothing is close', () => {
    expect(one('version: 1\nno-data: x\n').hint).toBe(
      'write `no-data: pass` (reported only), `no-data: warn` (the verdict is at best CONDITIONALLY_APPROVED; the default) or `no-data: fail` (fails the gate)',
    );
    expect(one('version: 1\nscenarios:\n  smoke:\n    window: ramp\n').hint).toBe('write `window: all` (the whole run; the default) or `window: steady` (only while VUs are at their peak)');
    expect(one('version: 1\nthresholds:\n  checks: [{ threshold: "rate>0.9", severity: low }]\n').hint).toBe(
      'write `severity: error` (fails the gate; the default) or `severity: warn` (reported, never fails the gate)',
    );
  });

  it('preset and source', () => {
    expect(one('version: 1\nutilization:\n  metrics:\n    a: { preset: k8s.cpuu, namespace: x }\n').hint).toBe('write `preset: k8s.cpu`');
    expect(one('version: 1\nutilization:\n  metrics:\n    a: { preset: gpu }\n').hint).toBe('write one of the allowed values, e.g. `preset: k8s.cpu`');
    expect(one('version: 1\nutilization:\n  metrics:\n    a: { preset: postgres.connections, source: dirct }\n').hint).toBe('write `source: direct` (read the service directly)');
  });
});

describe('metric keys: the fix uses the user’s own key', () => {
  it('an unclosed tag filter shows the closed form', () => {
    const p = one('version: 1\nthresholds:\n  "http_req_duration{endpoint:trades": ["p(99)<500"]\n');
    expect(p.where).toBe('perf/thresholds.yml:3:3');
    expect(p.message).toBe('metric key: `http_req_duration{endpoint:trades`: the tag filter is not closed with `}`');
    expect(p.hint).toBe('write `http_req_duration{endpoint:trades}`');
    expect(one('version: 1\nthresholds:\n  "http_req_duration{endpoint:trades,tenant:*]": ["p(99)<500"]\n').hint).toBe('write `http_req_duration{endpoint:trades,tenant:*}`');
  });

  it('a tag without a value, a tag twice, an invalid name', () => {
    expect(one('version: 1\nthresholds:\n  "http_req_duration{endpoint}": ["p(99)<1"]\n').hint).toBe(
      'write `http_req_duration{endpoint:VALUE}` for one value, or `http_req_duration{endpoint:*}` for every value',
    );
    expect(one('version: 1\nthresholds:\n  "http_reqs{s:a,s:b}": ["count>1"]\n').hint).toBe('a sample has one value per tag: list `s` once, and use one key per value (`http_reqs{s:a}`, `http_reqs{s:b}`) or `s:*`');
    expect(one('version: 1\nthresholds:\n  http-reqs: ["count>1"]\n').hint).toBe('write `http_reqs` (the name the metric has in the k6 script)');
  });
});

describe('YAML errors: a fix for what the parser found', () => {
  it('a duplicate key names the key and the line of its first occurrence', () => {
    const p = one('version: 1\nthresholds:\n  checks: ["rate>0.9"]\n  http_reqs: ["rate>1"]\n  checks: ["rate>0.8"]\n');
    expect(p.where).toBe('perf/thresholds.yml:5:3');
    expect(p.message).toBe('YAML syntax: Map keys must be unique');
    expect(p.hint).toBe('`checks` is already on line 3: merge the two lists into one `checks:` entry, or remove one');
  });

  it('a duplicate key that is not a list, and one in a flow map', () => {
    expect(one('version: 1\nversion: 1\n').hint).toBe('`version` is already on line 1: keep one `version:` and remove the other');
    expect(one('version: 1\nthresholds: { "checks": ["rate>0.9"],\n  checks: [] }\n').hint).toBe('`checks` is already on line 2: merge the two lists into one `checks:` entry, or remove one');
  });

  it('a tab in the indentation says to indent with spaces', () => {
    const p = one('version: 1\nthresholds:\n\tchecks: ["rate>0.9"]\n');
    expect(p.where).toBe('perf/thresholds.yml:3:1');
    expect(p.message).toBe('YAML syntax: Tabs are not allowed as indentation');
    expect(p.hint).toBe('indent with spaces, not tabs (YAML does not allow tabs in indentation), e.g. 2 spaces per level');
  });

  const cases: [string, string, string][] = [
    ['BAD_INDENT: keys out of line', 'version: 1\nthresholds:\n    checks: ["rate>0.9"]\n  http_reqs: ["rate>1"]\n', 'start this key in the same column as the other keys of its map (the same number of spaces)'],
    [
      'BAD_INDENT: an unclosed [, reported on the next line',
      'version: 1\nthresholds:\n  checks: ["rate>0.9"\n  http_reqs: ["rate>1"]\n',
      'close the `[` opened on line 3 with `]` on the same line (`key: ["a", "b"]`); if it goes on over several lines, indent them more than its key',
    ],
    [
      'BAD_INDENT: an unclosed { inside a list',
      'version: 1\nthresholds:\n  checks: [{ threshold: "rate>0.9" ]\n',
      'close the `{` opened on line 3 with `}` on the same line (`{ threshold: "p(99)<500" }`); if it goes on over several lines, indent them more than its key',
    ],
    ['MULTILINE_IMPLICIT_KEY: a key without `:`', 'version: 1\nthresholds\n  checks: ["rate>0.9"]\n', 'end the key with `:`: `thresholds:`'],
    ['MISSING_CHAR: no `,` between items', 'version: 1\nthresholds:\n  checks: ["rate>0.9" "rate<1"]\n', 'separate the items with `,`, e.g. `["p(95)<400", "p(99)<500"]`'],
    [
      'BLOCK_AS_IMPLICIT_KEY: a nested map on one line',
      'version: 1\nthresholds: checks: ["rate>0.9"]\n',
      'put the nested key on the next line, indented under its parent (`parent:` then `  key: value`), or use braces: `parent: { key: value }`',
    ],
    ['UNEXPECTED_TOKEN: an extra `]`', 'version: 1\nthresholds:\n  checks: ["rate>0.9"]]\n', 'remove the extra `]`, or add the `[` it closes'],
    ['UNEXPECTED_TOKEN: an extra `,`', 'version: 1\nthresholds:\n  checks: ["rate>0.9",,"rate<1"]\n', 'remove the extra `,`'],
    [
      'UNEXPECTED_TOKEN: text after a value',
      'version: 1\nthresholds:\n  checks: ["rate>0.9"] x\n',
      'remove the text after the value, or quote the whole value (a value that contains `"` goes in single quotes)',
    ],
    ['BAD_SCALAR_START: a value starting with %', 'version: 1\nmarginal: %10\n', 'quote the value: a value that starts with `%` must be in quotes, e.g. "10%"'],
    ['MULTIPLE_DOCS', 'version: 1\n---\nversion: 1\n', 'keep one YAML document: remove the `---` line and merge what follows it into the first'],
    ['MISSING_CHAR: an unclosed [ at the top level', '[version: 1\n', 'close the `[` opened on line 1 with `]` on the same line (`key: ["a", "b"]`); if it goes on over several lines, indent them more than its key'],
    ['MISSING_CHAR: an unclosed quote', 'version: 1\nthresholds:\n  checks: ["rate>0.9]\n', 'close the string with `"` (or remove the opening one)'],
    ['NON_STRING_KEY: a list as a key', 'version: 1\n? [a]\n: 1\n', 'write the key as a plain string (a metric name, a scenario name…), not a list, a map or a tagged value'],
    ['TAG_RESOLVE_FAILED', 'version: 1\nthresholds: !a!\n', 'remove the `!…` tag: thresholds.yml needs no YAML tags'],
    ['BLOCK_IN_FLOW', 'version: 1\nthresholds: {\n  checks:\n    - a\n}\n', 'inside `[ ]` or `{ }` write the items on one line separated by `,` (no `- ` items, no indented keys), e.g. `{ threshold: "p(99)<500", marginal: 5% }`'],
  ];
  it.each(cases)('%s', (_name, text, hint) => {
    const p = problems(text);
    expect(p[0]?.message).toMatch(/^YAML syntax: /);
    expect(p[0]?.hint).toBe(hint);
  });

  it('a key that is not a string is reported without naming a parser option', () => {
    expect(one('version: 1\n? [a]\n: 1\n')).toMatchObject({ where: 'perf/thresholds.yml:2:3', message: 'YAML syntax: a key must be a plain string' });
  });

  it('the generic fix is left only for errors without a specific one', () => {
    const texts = cases.map((c) => c[1]).concat(['version: 1\nthresholds:\n  checks:\n  \t- "rate>0.9"\n', 'version: 1\nthresholds:\n  checks: - "rate>0.9"\n', 'version: 1\nthresholds:\n  checks: ["rate>0.9]\n']);
    for (const t of texts) for (const p of problems(t)) expect(p.hint, `${t} → ${p.message}`).not.toBe('fix the YAML syntax (indentation, quotes, a missing `:`)');
  });
});

describe('other problems that had no fix', () => {
  it('an unknown key: rename a misspelling, move a metric under thresholds, else remove', () => {
    expect(one('version: 1\nthreshold:\n  checks: ["rate>0.9"]\n').hint).toBe('rename `threshold` to `thresholds`');
    expect(one('version: 1\nhttp_req_duration: ["p(95)<400"]\n').hint).toBe('metric keys go under `thresholds:`; indent `http_req_duration:` below a `thresholds:` line');
    expect(one('version: 1\nscenarios:\n  smoke:\n    vus: 10\n').hint).toBe('remove `vus`, or use one of the allowed keys');
  });

  it('wrong types of scenarios, utilization and their parts', () => {
    expect(one('version: 1\nscenarios: target-capacity\n').hint).toBe('write one scenario per line under it:\nscenarios:\n  target-capacity:\n    script: k6/target-capacity-test.ts');
    expect(one('version: 1\nscenarios: [a, b]\n').hint).toBe('write one scenario per line under it:\nscenarios:\n  smoke:\n    script: k6/smoke-test.ts');
    expect(one('version: 1\nscenarios:\n  smoke: 3\n').hint).toBe('e.g. `smoke: { script: k6/smoke.ts }`, or `smoke:` with nothing after it for the defaults');
    expect(one('version: 1\nutilization:\n  slow-queries: maybe\n').hint).toBe('write `slow-queries: true` or `slow-queries: false`');
    expect(one('version: 1\nscenarios:\n  smoke:\n    env: 3\n').hint).toBe('e.g. `env: { PAGES: 5, BASE_PATH: /api }`');
    expect(one('version: 1\nthresholds:\n  checks: [{ threshold: 5 }]\n').hint).toBe('e.g. `threshold: "p(99)<500"`');
    expect(one('version: 1\nthresholds:\n  checks: [[1]]\n').hint).toBe('quote the expression: `"p(99)<500"`, or write `{ threshold: "p(99)<500", marginal: 5% }`');
  });

  it('a string key given something else', () => {
    expect(one('version: 1\nscenarios:\n  smoke:\n    script: 5\n').hint).toBe('quote it: `script: "5"`');
    expect(one('version: 1\nscenarios:\n  smoke:\n    script: [a.ts]\n').hint).toBe('write one string, e.g. `script: "…"`');
    expect(one('version: 1\nutilization:\n  metrics:\n    a: { preset: k8s.cpu, namespace: 7 }\n').hint).toBe('quote it: `namespace: "7"`');
  });

  it('an empty PromQL expression', () => {
    expect(one('version: 1\nutilization:\n  metrics:\n    api_5xx: { prometheus: " " }\n').hint).toBe("e.g. `api_5xx: { prometheus: 'sum(rate(http_requests_total[1m]))' }`, or use a preset");
  });

  it('expressions: the whole expression with the aggregation or operator meant', () => {
    expect(one('version: 1\nthresholds:\n  http_req_duration: ["p99 < 500"]\n').hint).toBe('write `p(99)<500`');
    expect(one('version: 1\nthresholds:\n  http_req_duration: ["avrg<300"]\n').hint).toBe('write `avg<300`');
    expect(one('version: 1\nthresholds:\n  checks: ["rate=>0.9"]\n').hint).toBe('write `rate>=0.9`');
    expect(one('version: 1\nthresholds:\n  http_req_duration: ["p(x)<1"]\n').hint).toBe('e.g. p(95), p(99), p(99.9)');
    expect(one('version: 1\nthresholds:\n  http_req_duration: ["p(9)<1e999"]\n').hint).toBe('write a limit that fits in a double, e.g. `1e9`');
  });

  it('parseExpression and parseSelector give every error a hint', () => {
    const bad = ['', 'p99', 'p(99)', 'p(99)<', 'p(99)<<1', 'p(x)<1', 'p(0)<1', 'foo<1', 'p(99)<5ms', 'p(99)<1%', 'p(99)==+1%', 'p(99)<abc', 'p(99)<1e999', 'p(99)<+1e999'];
    for (const text of bad) {
      try {
        parseExpression(text);
        throw new Error(`${text} parsed`);
      } catch (err) {
        expect(err, text).toBeInstanceOf(ExpressionError);
        expect((err as ExpressionError).hint, text).toBeTruthy();
      }
    }
    const keys = ['{a:b}', 'http-reqs', 'x{a:b', 'x{a:{b}}', 'x{ }', 'x{a}', 'x{:b}', 'x{a:}', 'x{a:1,a:2}'];
    for (const key of keys) {
      try {
        parseSelector(key);
        throw new Error(`${key} parsed`);
      } catch (err) {
        expect(err, key).toBeInstanceOf(ExpressionError);
        expect((err as ExpressionError).hint, key).toBeTruthy();
      }
    }
  });
});
