// Aggregations k6 rejects on a metric's type are no data with the reason, never a made-up number.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { capacityResults } from '../report/fixtures.js';
import { config, rule } from './rules.js';

describe('aggregations k6 rejects', () => {
  it('`count` on a custom trend is no data with the reason, not the number of samples', () => {
    const ev = evaluate({ config: config(), scenarios: [{ name: 's', results: capacityResults(), rules: [rule('portfolio_latency', 'count>3')] }] });
    const c = ev.scenarios[0]!.criteria[0]!;
    expect(c.status).toBe('no-data');
    expect(c.actual).toBeNull();
    expect(c.reason).toBe('`count` is not an aggregation of a trend metric (k6 rejects it)');
  });
});
