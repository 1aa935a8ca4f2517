// Pass / marginal / fail of one value against one limit, with the marginal band.
import type { Operator, Status, Unit } from '../model.js';

export type Direction = 'upper' | 'lower' | 'equal';

export function direction(op: Operator): Direction {
  if (op === '<' || op === '<=') return 'upper';
  if (op === '>' || op === '>=') return 'lower';
  return 'equal';
}

export function compare(actual: number, op: Operator, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
    case '===':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}

/**
 * Status of an absolute limit. Upper limit L: a pass above L − |L|·m is marginal; lower limit: a pass
 * below L + |L|·m is marginal — except a lower limit on a 0–1 ratio (checks, availability ≥ 99.9%),
 * where the band applies to the complement: marginal when 1 − actual > (1 − L)·(1 − m).
 * `==`, `===` and `!=` have no band.
 */
export function absoluteStatus(actual: number, op: Operator, limit: number, marginal: number, unit: Unit): Exclude<Status, 'no-data'> {
  if (!compare(actual, op, limit)) return 'fail';
  const dir = direction(op);
  if (dir === 'upper') return actual > limit - Math.abs(limit) * marginal ? 'marginal' : 'pass';
  if (dir === 'lower') {
    if (unit === 'ratio' && limit >= 0 && limit <= 1) return 1 - actual > (1 - limit) * (1 - marginal) ? 'marginal' : 'pass';
    return actual < limit + Math.abs(limit) * marginal ? 'marginal' : 'pass';
  }
  return 'pass';
}

/**
 * Status of a relative limit `limit = base + allowed`: the band applies to the allowed change — for
 * an upper limit a pass whose value exceeds base + allowed − |allowed|·m is marginal (against +10%,
 * growth beyond 9%); a lower limit mirrors it.
 *
 * When the allowed change is 0 (a `%` limit on a baseline of 0, or `<+0`), `<` and `>` compare
 * inclusively: an unchanged value passes, any change in the wrong direction fails.
 */
export function relativeStatus(actual: number, op: Operator, base: number, allowed: number, marginal: number): Exclude<Status, 'no-data'> {
  const limit = base + allowed;
  const inclusive = allowed === 0 && op === '<' ? '<=' : allowed === 0 && op === '>' ? '>=' : op;
  if (!compare(actual, inclusive, limit)) return 'fail';
  const dir = direction(op);
  if (dir === 'upper') return actual > limit - Math.abs(allowed) * marginal ? 'marginal' : 'pass';
  if (dir === 'lower') return actual < limit + Math.abs(allowed) * marginal ? 'marginal' : 'pass';
  return 'pass';
}
