// What the three scenario scripts share: options (one named scenario, ramping VUs, the report's SLOs as
// k6 thresholds) and the iteration (pick an endpoint by the mix, call it as this VU's tenant, think).
import { sleep } from 'k6';
import type { Options, Stage } from 'k6/options';
import { CALLS, pickEndpoint, type Mix } from './api.ts';
import { baseUrl, env, scaleStages } from './env.ts';
import { loadTenants, tenantForVu, type Tenant } from './tenants.ts';

export interface ScenarioDefinition {
  /** The perf-gate scenario name: the `scenario` tag of every sample, as in thresholds.yml. */
  name: string;
  stages: Stage[];
  mix: Mix;
  /** Mean think time between a user's requests, seconds (default 1); PERF_GATE_THINK_TIME overrides it. */
  thinkTimeSeconds?: number;
}

/** The mean think time when a scenario sets none (baseline, smoke): one second, as a user reading a page. */
export const DEFAULT_THINK_TIME_SECONDS = 1;

/**
 * k6 options for one scenario. The thresholds mirror the load-testing report's SLOs so the script is useful
 * on its own; under perf-gate a crossed k6 threshold (exit 99) is only informative — thresholds.yml decides.
 */
export function scenarioOptions(def: ScenarioDefinition): Options {
  return {
    scenarios: {
      [def.name]: {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: scaleStages(def.stages),
        gracefulRampDown: '30s',
        gracefulStop: '30s',
      },
    },
    thresholds: {
      http_req_duration: ['p(95)<400', 'p(99)<500'],
      errors: ['rate<0.01'],
    },
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
    noConnectionReuse: false,
    userAgent: 'perf-gate (k6)',
  };
}

/**
 * Think time between a user's requests, seconds: uniform over 0.5–1.5 × the mean (PERF_GATE_THINK_TIME,
 * else the scenario's `thinkTimeSeconds`, else 1; 0 disables).
 */
function thinkTime(def: ScenarioDefinition): number {
  const raw = env('PERF_GATE_THINK_TIME');
  const mean = raw === undefined ? (def.thinkTimeSeconds ?? DEFAULT_THINK_TIME_SECONDS) : Number(raw);
  return Number.isFinite(mean) && mean > 0 ? mean * (0.5 + Math.random()) : 0;
}

/** The default function of a scenario script: loaded once per VU in the init context. */
export function scenarioIteration(def: ScenarioDefinition): () => void {
  const tenants: Tenant[] = loadTenants();
  const base = baseUrl();
  return () => {
    const tenant = tenantForVu(__VU, tenants);
    const endpoint = pickEndpoint(def.mix, Math.random());
    CALLS[endpoint](base, tenant);
    const pause = thinkTime(def);
    if (pause > 0) sleep(pause);
  };
}
