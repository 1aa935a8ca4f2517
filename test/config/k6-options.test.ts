import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { jsonSchema } from '../../src/config/schema.js';
import { one } from './problems.js';

const file = (obj: string) => `version: 1
thresholds:
  http_req_failed: [${obj}]
`;

describe("k6's own threshold options pasted into thresholds.yml", () => {
  it.each([
    ['a number of milliseconds, as k6 takes it', '{ threshold: "rate<0.01", abortOnFail: true, delayAbortEval: 10000 }'],
    ['a duration string', '{ threshold: "rate<0.01", abortOnFail: false, delayAbortEval: "10s" }'],
    ['null', '{ threshold: "rate<0.01", delayAbortEval: null }'],
  ])('delayAbortEval as %s loads', (_what, obj) => {
    const c = loadConfig('perf/thresholds.yml', { text: file(obj) });
    expect(c.rules).toHaveLength(1);
    expect(c.rules[0]!.expression.text).toBe('rate<0.01');
  });

  it('abortOnFail: true reaches the rule, so the report can say it is not acted on; false does not', () => {
    expect(loadConfig('perf/thresholds.yml', { text: file('{ threshold: "rate<0.01", abortOnFail: true }') }).rules[0]!.abortOnFail).toBe(true);
    expect(loadConfig('perf/thresholds.yml', { text: file('{ threshold: "rate<0.01", abortOnFail: false }') }).rules[0]!.abortOnFail).toBeUndefined();
  });

  it('abortOnFail still has to be a boolean', () => {
    expect(one(file('{ threshold: "rate<0.01", abortOnFail: 5 }')).message).toMatch(/abortOnFail/);
  });

  it('the JSON Schema allows the same', () => {
    const found: unknown[] = [];
    JSON.stringify(jsonSchema(), (key, value: unknown) => {
      if (key === 'delayAbortEval') found.push((value as { anyOf?: unknown }).anyOf);
      return value;
    });
    expect(found.length).toBeGreaterThan(0);
    for (const anyOf of found) expect(anyOf).toEqual([{ type: 'string' }, { type: 'number', minimum: 0 }, { type: 'null' }]);
  });
});
