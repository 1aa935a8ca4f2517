// Smoke test for pull requests: about a minute, the target-capacity mix, 10 users (5 tenants × 2) —
// ramp 0→10 over 15 s, hold 10 for 35 s, ramp down over 10 s.
//   k6 run -e BASE_URL=http://localhost:8080 k6/smoke-test.ts
import { scenarioIteration, scenarioOptions, type ScenarioDefinition } from './lib/scenario.ts';

export const definition: ScenarioDefinition = {
  name: 'smoke',
  stages: [
    { duration: '15s', target: 10 },
    { duration: '35s', target: 10 },
    { duration: '10s', target: 0 },
  ],
  mix: { portfolio: 25, trades: 25, positions: 20, create_trade: 20, signals: 10 },
};

export const options = scenarioOptions(definition);

export default scenarioIteration(definition);
