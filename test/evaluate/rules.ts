// Builds ThresholdRule / Config values for tests without going through the thresholds.yml loader.
import type { Aggregation, Config, Operator, ThresholdRule } from '../../src/model.js';

/** Parses `p(99)<500`, `rate>=0.999`, `p(99)<+10%`, `rate<+0.005` (a small grammar for tests only). */
export function expr(text: string): ThresholdRule['expression'] {
  const m = /^(p\(([\d.]+)\)|avg|min|max|med|count|rate|value)(<=|>=|===|==|!=|<|>)([+-]?)([\d.]+)(%?)$/.exec(text.replace(/\s+/g, ''));
  if (!m) throw new Error(`bad test expression ${text}`);
  const aggregation: Aggregation = m[2] !== undefined ? { kind: 'p', p: Number(m[2]) } : { kind: m[1] as Exclude<Aggregation['kind'], 'p'> };
  const signed = m[4] !== '';
  const value = Number(`${m[4] === '-' ? '-' : ''}${m[5]}`);
  const e: ThresholdRule['expression'] = { text, aggregation, operator: m[3] as Operator, value };
  if (signed) e.relative = m[6] === '%' ? 'percent' : 'absolute';
  return e;
}

export function rule(key: string, expression: string, over: Partial<ThresholdRule> = {}): ThresholdRule {
  const m = /^([^{]+)(?:\{(.*)\})?$/.exec(key);
  if (!m) throw new Error(`bad key ${key}`);
  const tags = (m[2] ?? '')
    .split(',')
    .filter((s) => s !== '')
    .map((kv) => {
      const i = kv.indexOf(':');
      return { key: kv.slice(0, i), value: kv.slice(i + 1) };
    });
  return {
    selector: { raw: key, metric: m[1] as string, tags },
    expression: expr(expression),
    marginal: 0.1,
    noData: 'warn',
    window: 'all',
    warmupSeconds: 0,
    severity: 'error',
    pos: { file: 'thresholds.yml', line: 1, column: 1 },
    ...over,
  };
}

export function config(over: Partial<Config> = {}): Config {
  return {
    file: 'thresholds.yml',
    version: 1,
    marginal: 0.1,
    failOn: 'fail',
    noData: 'warn',
    window: 'all',
    warmupSeconds: 0,
    rules: [],
    scenarios: [],
    ...over,
  };
}
