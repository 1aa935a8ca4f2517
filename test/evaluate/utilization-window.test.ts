// A utilization rule's `window: steady` / `warmup` reach the utilization measurement, as they do a k6 rule's.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import type { Aggregation, TimeWindow, UtilizationResults } from '../../src/model.js';
import { capacityResults, T0 } from '../report/fixtures.js';
import { config, rule } from './rules.js';

/** Utilization results that answer 50 over the whole run and 80 over any narrower window, recording what was asked. */
function recordingUtilization(): UtilizationResults & { asked: (TimeWindow | undefined)[] } {
  const asked: (TimeWindow | undefined)[] = [];
  return {
    asked,
    notes: [],
    has: (m: string) => m === 'api_cpu',
    unit: () => 'percent',
    measure: (_m: string, _a: Aggregation, window?: TimeWindow) => {
      asked.push(window);
      return { value: window ? 80 : 50 };
    },
  };
}

describe('utilization criteria and the evaluated window', () => {
  it('window: steady narrows the utilization measurement to the steady state, and the criterion says so', () => {
    const util = recordingUtilization();
    const ev = evaluate({
      config: config(),
      scenarios: [{ name: 'target-capacity', results: capacityResults(), utilization: util, rules: [rule('api_cpu', 'avg<70', { window: 'steady' }), rule('api_cpu', 'max<90')] }],
    });
    const [steady, all] = ev.scenarios[0]!.criteria;
    expect(util.asked[0]).toEqual({ start: T0 + 10_000, end: T0 + 600 * 100 });
    expect(steady).toMatchObject({ actual: 80, status: 'fail', window: util.asked[0] });
    expect(util.asked[1]).toBeUndefined();
    expect(all).toMatchObject({ actual: 50, status: 'pass' });
  });

  it('a warm-up is cut from the utilization window too', () => {
    const util = recordingUtilization();
    evaluate({ config: config(), scenarios: [{ name: 's', results: capacityResults(), utilization: util, rules: [rule('api_cpu', 'avg<70', { warmupSeconds: 5 })] }] });
    expect(util.asked[0]?.start).toBe(T0 + 5_000);
  });
});
