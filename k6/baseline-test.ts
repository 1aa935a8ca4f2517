// Baseline test (load-testing report, scenario 1): 100 concurrent users for 10 minutes —
// ramp 0→100 over 2 min, hold 100 for 6 min, ramp down over 2 min. Mix: 35% GET /api/portfolio,
// 35% GET /api/trades, 30% POST /api/trades. 5 tenants × 20 users.
//   k6 run -e BASE_URL=https://staging.example.com k6/baseline-test.ts
import { scenarioIteration, scenarioOptions, type ScenarioDefinition } from './lib/scenario.ts';

export const definition: ScenarioDefinition = {
  name: 'baseline',
  stages: [
    { duration: '2m', target: 100 },
    { duration: '6m', target: 100 },
    { duration: '2m', target: 0 },
  ],
  mix: { portfolio: 35, trades: 35, create_trade: 30 },
};

export const options = scenarioOptions(definition);

export default scenarioIteration(definition);
