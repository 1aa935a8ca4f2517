// k6's threshold grammar (`aggregation operator number`) and sub-metric keys (`metric{k:v,k2:v2}`),
// plus perf-gate's relative limits (`p(99)<+10%`, `rate<+0.005`) against a baseline run.
import type { Aggregation, Expression, MetricSelector, Operator, TagFilter } from '../model.js';
import { closest, didYouMean } from './suggest.js';

/** A threshold expression or metric key that does not parse; the message says what is wrong and what is allowed. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    /** How to write it instead. */
    readonly hint?: string,
    /** For a misspelt aggregation: the one meant (`p(99)` for `p99`), so the fix can show the whole expression. */
    readonly replacement?: string,
  ) {
    super(message);
  }
}

export const OPERATORS: readonly Operator[] = ['<', '<=', '>', '>=', '==', '===', '!='];
const SIMPLE_AGGREGATIONS = ['avg', 'min', 'max', 'med', 'count', 'rate', 'value'] as const;
/** Every aggregation as k6 spells it; `p(N)` stands for any percentile. */
export const AGGREGATIONS: readonly string[] = [...SIMPLE_AGGREGATIONS, 'p(N)'];

const ALLOWED_OPS = OPERATORS.join(' ');
const ALLOWED_AGGS = 'avg, min, max, med, count, rate, value, p(N) with 0 < N ≤ 100';
const GRAMMAR = 'write `aggregation operator number`, e.g. `p(95)<400`, `rate<0.01`, `count>=100`, or a relative limit `p(99)<+10%`';
/** A number as Go's ParseFloat reads it in k6 thresholds (decimal, optional exponent), without sign. */
const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const ABSOLUTE_RE = new RegExp(`^${NUMBER}$`);
const RELATIVE_RE = new RegExp(`^([+-])\\s*(${NUMBER})(%?)$`);
const P_RE = /^p\((.*)\)$/;
const P_NUMBER_RE = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** An aggregation's name in AGGREGATIONS (any percentile is `p(N)`), as the per-type tables list it. */
export function aggregationName(a: Aggregation): string {
  return a.kind === 'p' ? 'p(N)' : a.kind;
}

/** An aggregation as k6 writes it: `p(99)`, `p(99.9)`, `avg`, `rate`. */
export function formatAggregation(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.p})` : a.kind;
}

/** The canonical text of an expression (no spaces): `p(99)<500`, `p(99)<+10%`, `rate>-0.005`. */
export function formatExpression(e: Pick<Expression, 'aggregation' | 'operator' | 'value' | 'relative'>): string {
  const agg = formatAggregation(e.aggregation);
  if (!e.relative) return `${agg}${e.operator}${e.value}`;
  const sign = e.value < 0 || Object.is(e.value, -0) ? '-' : '+';
  return `${agg}${e.operator}${sign}${Math.abs(e.value)}${e.relative === 'percent' ? '%' : ''}`;
}

/** Parses an aggregation (`p(99.9)`, `avg`…); throws ExpressionError naming the allowed ones. */
export function parseAggregation(text: string): Aggregation {
  const t = text.trim();
  if (t === '') throw new ExpressionError(`the aggregation is missing; allowed: ${ALLOWED_AGGS}`, GRAMMAR);
  if ((SIMPLE_AGGREGATIONS as readonly string[]).includes(t)) return { kind: t as (typeof SIMPLE_AGGREGATIONS)[number] };
  const m = P_RE.exec(t);
  if (m) {
    const n = m[1] as string;
    if (!P_NUMBER_RE.test(n)) {
      throw new ExpressionError(`\`${t}\`: the percentile must be a plain number between 0 (exclusive) and 100, e.g. p(95) or p(99.9)`, 'e.g. p(95), p(99), p(99.9)');
    }
    const p = Number(n);
    if (!(p > 0 && p <= 100)) throw new ExpressionError(`\`${t}\`: the percentile must be greater than 0 and at most 100`, 'e.g. p(95), p(99), p(99.9)');
    return { kind: 'p', p };
  }
  const bare = /^[pP]\s*\(?\s*(\d+(?:\.\d+)?)\s*\)?$/.exec(t);
  if (bare) throw new ExpressionError(`unknown aggregation \`${t}\`; allowed: ${ALLOWED_AGGS}. Did you mean \`p(${bare[1]})\`?`, `write \`p(${bare[1]})\``, `p(${bare[1]})`);
  const meant = closest(t, SIMPLE_AGGREGATIONS);
  if (meant !== undefined) throw new ExpressionError(`unknown aggregation \`${t}\`; allowed: ${ALLOWED_AGGS}.${didYouMean(t, SIMPLE_AGGREGATIONS)}`, `write \`${meant}\``, meant);
  throw new ExpressionError(`unknown aggregation \`${t}\`; allowed: ${ALLOWED_AGGS}.`, GRAMMAR);
}

/**
 * Parses a k6 threshold expression: `aggregation operator number` (`p(99)<500`, `rate >= 0.999`),
 * whitespace around the parts allowed as k6 allows it, or a relative limit against a baseline:
 * a signed number `p(99)<+10%` (percent of the baseline value) or `rate<+0.005` (absolute change).
 * Throws ExpressionError saying what is wrong and what is allowed.
 */
export function parseExpression(text: string): Expression {
  if (typeof text !== 'string') throw new ExpressionError(`a threshold expression must be a string, got ${text === null ? 'null' : typeof text}`, GRAMMAR);
  const t = text.trim();
  if (t === '') throw new ExpressionError('the threshold expression is empty', GRAMMAR);
  const at = t.search(/[<>=!]/);
  if (at < 0) throw new ExpressionError(`\`${t}\` has no comparison operator; allowed: ${ALLOWED_OPS}`, GRAMMAR);
  const rest = t.slice(at);
  const operator = ['===', '==', '!=', '<=', '>=', '<', '>'].find((op) => rest.startsWith(op)) as Operator | undefined;
  if (operator === undefined) {
    const swapped = ({ '=>': '>=', '=<': '<=', '<>': '!=' } as Record<string, string>)[rest.slice(0, 2)];
    throw new ExpressionError(
      `\`${t}\`: \`${rest.slice(0, 2)}\` is not a comparison operator; allowed: ${ALLOWED_OPS}`,
      swapped ? `write \`${t.slice(0, at).trim()}${swapped}${rest.slice(2).trim()}\`` : GRAMMAR,
    );
  }
  let aggregation: Aggregation;
  try {
    aggregation = parseAggregation(t.slice(0, at));
  } catch (err) {
    // the fix shows the whole expression with the aggregation meant: `p99<500` → `p(99)<500`
    if (err instanceof ExpressionError && err.replacement !== undefined) throw new ExpressionError(err.message, `write \`${err.replacement}${operator}${rest.slice(operator.length).trim()}\``);
    throw err;
  }
  const right = rest.slice(operator.length).trim();
  if (right === '') throw new ExpressionError(`\`${t}\`: the limit after \`${operator}\` is missing`, GRAMMAR);
  if (/^[<>=!]/.test(right)) throw new ExpressionError(`\`${t}\`: \`${operator}${right[0]}\` is not a comparison operator; allowed: ${ALLOWED_OPS}`, GRAMMAR);
  if (ABSOLUTE_RE.test(right)) {
    const value = Number(right);
    if (!Number.isFinite(value)) throw new ExpressionError(`\`${t}\`: the limit \`${right}\` is not a finite number`, 'write a limit that fits in a double, e.g. `1e9`');
    return { text, aggregation, operator, value };
  }
  const rel = RELATIVE_RE.exec(right);
  if (rel) {
    const magnitude = Number(rel[2]);
    if (!Number.isFinite(magnitude)) throw new ExpressionError(`\`${t}\`: the change \`${right}\` is not a finite number`, 'e.g. `+10%` or `+0.005`');
    if (operator === '==' || operator === '===' || operator === '!=') {
      throw new ExpressionError(`\`${t}\`: a relative limit compares with < <= > or >=, not ${operator}`, 'e.g. `p(99)<+10%` (may grow at most 10% over the baseline)');
    }
    const value = rel[1] === '-' ? -magnitude : magnitude;
    return { text, aggregation, operator, value, relative: rel[3] === '%' ? 'percent' : 'absolute' };
  }
  const unit = new RegExp(`^(${NUMBER})\\s*(ms|s|m|h|%|[a-zA-Z]+)$`).exec(right);
  if (unit) {
    if (unit[2] === '%') {
      throw new ExpressionError(
        `\`${t}\`: a percentage is only allowed in a relative limit, with a sign`,
        `write \`${formatAggregation(aggregation)}${operator}+${unit[1]}%\` for "at most ${unit[1]}% more than the baseline", or a fraction such as \`${formatAggregation(aggregation)}${operator}${Number(unit[1]) / 100}\``,
      );
    }
    throw new ExpressionError(`\`${t}\`: the limit is a plain number without a unit (\`${unit[2]}\`); time metrics are in milliseconds, rates are 0–1`, `write \`${formatAggregation(aggregation)}${operator}${unit[1]}\``);
  }
  throw new ExpressionError(`\`${t}\`: the limit \`${right}\` is not a number`, GRAMMAR);
}

/** k6 metric names: letters, digits and `_`, not starting with a digit, at most 128 characters. */
export const METRIC_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Parses a metric key as k6 writes a sub-metric: `http_req_duration`, `http_req_duration{endpoint:trades}`,
 * `http_req_duration{endpoint:trades,tenant:acme}`; a value `*` matches every value of the tag (one
 * criterion per value seen). Spaces around keys and values and quotes around values are dropped, as k6 does.
 */
export function parseSelector(raw: string): MetricSelector {
  if (typeof raw !== 'string') throw new ExpressionError(`a metric key must be a string, got ${raw === null ? 'null' : typeof raw}`);
  const brace = raw.indexOf('{');
  const name = (brace < 0 ? raw : raw.slice(0, brace)).trim();
  if (name === '') throw new ExpressionError(`\`${raw}\`: the metric name is missing`, 'write `metric` or `metric{tag:value}`');
  if (!METRIC_NAME_RE.test(name)) {
    const fixed = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(\d)/, '_$1').slice(0, 128);
    throw new ExpressionError(
      `\`${name}\` is not a valid k6 metric name: allowed are letters, digits and \`_\`, not starting with a digit, up to 128 characters`,
      brace < 0 && /[{}:]/.test(raw) ? 'a tag filter is written `metric{tag:value}`' : METRIC_NAME_RE.test(fixed) ? `write \`${fixed}\` (the name the metric has in the k6 script)` : undefined,
    );
  }
  if (brace < 0) return { raw, metric: name, tags: [] };
  const body = raw.slice(brace).trim();
  if (!body.endsWith('}')) {
    // `{endpoint:trades` or `{endpoint:trades)`: close it (a stray closing bracket becomes the brace)
    const closed = /[)\]]$/.test(body) ? `${body.slice(0, -1).trimEnd()}}` : `${body}}`;
    throw new ExpressionError(`\`${raw}\`: the tag filter is not closed with \`}\``, `write \`${name}${closed}\``);
  }
  const inner = body.slice(1, -1);
  if (/[{}]/.test(inner)) {
    throw new ExpressionError(`\`${raw}\`: braces cannot nest in a tag filter`, `write \`${name}{${inner.replace(/[{}]/g, '')}}\` (one pair of braces, \`tag:value\` pairs separated by \`,\`)`);
  }
  if (inner.trim() === '') throw new ExpressionError(`\`${raw}\`: the tag filter is empty`, `write \`${name}\` alone, or \`${name}{tag:value}\``);
  const tags: TagFilter[] = [];
  for (const part of inner.split(',')) {
    const colon = part.indexOf(':');
    if (colon < 0) {
      const tag = part.trim();
      throw new ExpressionError(
        `\`${raw}\`: \`${tag}\` is not \`tag:value\``,
        /^[A-Za-z_][\w.-]*$/.test(tag) ? `write \`${name}{${tag}:VALUE}\` for one value, or \`${name}{${tag}:*}\` for every value` : 'write `metric{tag:value,tag2:value2}`; use `tag:*` for every value',
      );
    }
    const key = part.slice(0, colon).trim();
    const value = part
      .slice(colon + 1)
      .trim()
      .replace(/^["']+|["']+$/g, '');
    if (key === '') throw new ExpressionError(`\`${raw}\`: a tag name is missing before \`:\``, `write \`${name}{tag:value}\`, e.g. \`${name}{endpoint:trades}\``);
    if (value === '') throw new ExpressionError(`\`${raw}\`: tag \`${key}\` has no value`, `write \`${key}:value\`, or \`${key}:*\` for every value`);
    const first = tags.find((t) => t.key === key);
    if (first) {
      const [a, b] = first.value === value ? ['a', 'b'] : [first.value, value];
      throw new ExpressionError(`\`${raw}\`: tag \`${key}\` appears twice`, `a sample has one value per tag: list \`${key}\` once, and use one key per value (\`${name}{${key}:${a}}\`, \`${name}{${key}:${b}}\`) or \`${key}:*\``);
    }
    tags.push({ key, value });
  }
  return { raw, metric: name, tags };
}

/** Whether a selector has a wildcard (`tag:*`) that expands to one criterion per tag value. */
export function hasWildcard(selector: MetricSelector): boolean {
  return selector.tags.some((t) => t.value === '*');
}
