// Evaluations and results shared by the report tests.
import { evaluate } from '../../src/evaluate/evaluate.js';
import type { Baseline, Evaluation, Results } from '../../src/model.js';
import { FakeResults, HTTP_METRICS, httpSamples, type Request, type Sample } from '../support/fake-results.js';
import { config, rule } from '../evaluate/rules.js';

export const T0 = 1_700_000_000_000;
export const TENANTS = ['acme', 'globex', 'hooli', 'initech', 'umbrella'];
export const ENDPOINTS = ['portfolio', 'trades', 'create_trade'];

/** A target-capacity-like run: 3 endpoints × 5 tenants, umbrella slow, trades with some 500s, a custom trend. */
export function capacityResults(opts: { tenants?: string[]; slowTenant?: string; n?: number } = {}): FakeResults {
  const tenants = opts.tenants ?? TENANTS;
  const slow = opts.slowTenant ?? 'umbrella';
  const n = opts.n ?? 600;
  const reqs: Request[] = [];
  const extra: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const tenant = tenants[i % tenants.length] as string;
    const endpoint = ENDPOINTS[i % 3] as string;
    const duration = (tenant === slow ? 700 : 80) + (i % 97);
    const t = T0 + i * 100;
    reqs.push({ t, duration, status: endpoint === 'trades' && i % 60 === 1 ? 500 : 200, tags: { tenant, endpoint, scenario: 'target-capacity' } });
    if (endpoint === 'portfolio') extra.push({ metric: 'portfolio_latency', t, value: duration });
    extra.push({ metric: 'checks', t, value: i % 100 === 0 ? 0 : 1 });
  }
  return new FakeResults({
    metrics: [...HTTP_METRICS, { name: 'portfolio_latency', type: 'trend', contains: 'time' }],
    samples: [...httpSamples(reqs), ...extra],
    steady: { start: T0 + 10_000, end: T0 + n * 100 },
  });
}

export function baselineResults(): FakeResults {
  const reqs: Request[] = [];
  for (let i = 0; i < 200; i++) reqs.push({ t: T0 + i * 200, duration: 50 + (i % 60), tags: { endpoint: ENDPOINTS[i % 3] as string } });
  return new FakeResults({ metrics: HTTP_METRICS, samples: httpSamples(reqs) });
}

export function twoScenarios(baseline?: Baseline): { evaluation: Evaluation; results: Record<string, Results> } {
  const results = { baseline: baselineResults(), 'target-capacity': capacityResults() };
  const top = [rule('http_req_duration', 'p(95)<400'), rule('http_req_duration', 'p(99)<500'), rule('http_req_failed', 'rate<0.01')];
  const evaluation = evaluate({
    config: config(),
    scenarios: [
      { name: 'baseline', results: results.baseline, rules: top, ...(baseline ? { baseline } : {}) },
      {
        name: 'target-capacity',
        results: results['target-capacity'],
        rules: [...top, rule('http_reqs', 'rate>=5'), rule('availability', 'rate>=0.999'), rule('http_req_duration{tenant:*}', 'p(99)<500'), rule('portfolio_latency', 'p(99)<900')],
        ...(baseline ? { baseline } : {}),
      },
    ],
  });
  return { evaluation, results };
}
