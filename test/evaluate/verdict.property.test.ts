import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import type { MetricInfo } from '../../src/model.js';
import { FakeResults, type Sample } from '../support/fake-results.js';
import { config, rule } from './rules.js';

const T0 = 1_700_000_000_000;

const criterion = fc.record({
  value: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
  limit: fc.integer({ min: 1, max: 200 }),
  op: fc.constantFrom('<', '<=', '>', '>='),
  severity: fc.constantFrom('error', 'warn'),
  noData: fc.constantFrom('pass', 'warn', 'fail'),
});

describe('verdict properties', () => {
  it('blocking, verdict and statuses agree with the rules for any set of criteria', () => {
    fc.assert(
      fc.property(fc.array(criterion, { minLength: 0, maxLength: 8 }), fc.constantFrom('fail', 'marginal'), (specs, failOn) => {
        const metrics: MetricInfo[] = specs.map((_, i) => ({ name: `m${i}`, type: 'gauge', contains: 'default' }));
        const samples: Sample[] = specs.flatMap((s, i) => (s.value === undefined ? [] : [{ metric: `m${i}`, t: T0, value: s.value }]));
        const results = new FakeResults({ metrics, samples });
        const rules = specs.map((s, i) => rule(`m${i}`, `value${s.op}${s.limit}`, { severity: s.severity as 'error' | 'warn', noData: s.noData as 'pass' | 'warn' | 'fail' }));
        const ev = evaluate({ config: config(), failOn: failOn as 'fail' | 'marginal', scenarios: [{ name: 's', results, rules }] });
        const cs = ev.scenarios[0]!.criteria;
        expect(cs).toHaveLength(specs.length);
        cs.forEach((c, i) => {
          const s = specs[i]!;
          if (s.value === undefined) expect(c.status).toBe('no-data');
          else {
            const ok = s.op === '<' ? s.value < s.limit : s.op === '<=' ? s.value <= s.limit : s.op === '>' ? s.value > s.limit : s.value >= s.limit;
            expect(c.status === 'fail').toBe(!ok);
          }
          const expectedBlocking =
            s.severity === 'error' && (c.status === 'fail' || (c.status === 'marginal' && failOn === 'marginal') || (c.status === 'no-data' && s.noData === 'fail'));
          expect(c.blocking).toBe(expectedBlocking);
        });
        const anyBlocking = cs.some((c) => c.blocking);
        const anyConcern = cs.some((c) => !c.blocking && (c.status === 'marginal' || c.status === 'fail' || (c.status === 'no-data' && c.noData !== 'pass')));
        expect(ev.verdict).toBe(anyBlocking ? 'NOT_APPROVED' : anyConcern ? 'CONDITIONALLY_APPROVED' : 'APPROVED');
        expect(ev.rationale.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
