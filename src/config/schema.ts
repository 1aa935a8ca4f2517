// The structure of thresholds.yml (format version 1) as a zod schema: the loader validates with it and
// scripts/schema.ts turns it into thresholds.schema.json for editors. What zod cannot say well (the
// expression grammar, aggregations per metric type, `${VAR}` expansion) the loader checks afterwards.
import { z } from 'zod';
import { PRESET_NAMES } from '../collectors/presets-list.js';

/** `10%`, `2.5%`, `100%` — a percentage from 0% to 100%. */
export const PERCENT_RE = /^\s*(?:100(?:\.0+)?|\d{1,2}(?:\.\d+)?)\s*%\s*$/;
/** `30s`, `1m30s`, `500ms`, `1.5m` — a duration with units (a bare number means seconds). */
export const DURATION_RE = /^\s*(?:\d+(?:\.\d+)?(?:ms|s|m|h))+\s*$/;

const percent = z
  .union([z.string().regex(PERCENT_RE), z.number().min(0).max(1)])
  .meta({ description: 'A percentage from 0% to 100% (`10%`), or a fraction from 0 to 1 (`0.1`).' });

const noData = z.enum(['pass', 'warn', 'fail']).meta({ description: 'What a criterion without samples means: pass (reported only), warn (verdict at best CONDITIONALLY_APPROVED), fail (blocking).' });
const window = z.enum(['all', 'steady']).meta({ description: 'all: the whole run; steady: only while VUs are at their peak (ramps excluded).' });
const duration = z
  .union([z.number().min(0), z.string().regex(DURATION_RE)])
  .meta({ description: 'Seconds (`30`) or a duration (`30s`, `1m30s`, `500ms`).' });
const minChange = z
  .union([z.number().min(0), z.string().regex(DURATION_RE)])
  .meta({ description: "A change in the metric's unit (`0.002` for a rate, `5` ms for a time metric) or a duration (`5ms`) below which a relative move never fails." });

export const expressionObjectSchema = z
  .strictObject({
    threshold: z.string().meta({ description: 'A k6 threshold expression: `p(99)<500`, `rate<0.01`, or a relative limit `p(99)<+10%`.' }),
    marginal: percent.optional(),
    'no-data': noData.optional(),
    window: window.optional(),
    warmup: duration.optional().meta({ description: 'Seconds excluded at the start of the run for this expression.' }),
    severity: z.enum(['error', 'warn']).optional().meta({ description: 'warn: reported, never fails the gate.' }),
    'min-change': minChange.optional(),
    abortOnFail: z
      .boolean()
      .optional()
      .meta({ description: "k6's own option (stop the test when this threshold fails); accepted so k6 thresholds can be pasted, ignored by perf-gate, which judges after the run (the report notes it)." }),
    delayAbortEval: z
      .union([z.string(), z.number().min(0), z.null()])
      .optional()
      .meta({ description: "k6's own option (`10s`, or milliseconds as a number); accepted so k6 thresholds can be pasted, ignored by perf-gate." }),
  })
  .meta({ description: 'An expression with its own policies.' });

const expression = z.union([
  z.string().meta({ description: 'A k6 threshold expression: `p(95)<400`, `rate<0.01`, `count>=100`, `p(99)<+10%` (relative to the baseline).' }),
  expressionObjectSchema,
]);

/** A metric key as the JSON Schema checks it (the loader checks the tag filter in detail). */
const metricKey = z.string().regex(/^\s*[A-Za-z_][A-Za-z0-9_]{0,127}\s*(?:\{[^{}]+\})?\s*$/);

export const thresholdsSchema = z
  .record(metricKey, z.array(expression))
  .meta({ description: 'k6 metric name, optionally with a tag filter (`http_req_duration{endpoint:trades}`, `{tenant:*}` for every value) → list of expressions.' });

const scenario = z.strictObject({
  script: z.string().optional().meta({ description: "The k6 script, relative to this file's directory." }),
  description: z.string().optional(),
  env: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .meta({ description: 'Extra environment variables for this k6 run, read by the script as `__ENV` (numbers and booleans become strings).' }),
  thresholds: thresholdsSchema.optional().meta({ description: 'Added to the top-level thresholds; for the same key and aggregation these override them.' }),
  window: window.optional(),
  warmup: duration.optional().meta({ description: 'Seconds excluded at the start of this scenario (overrides the top-level warmup).' }),
});

const source = z.strictObject({ url: z.string().meta({ description: 'Connection URL; `${VAR}` is taken from the environment. Never logged.' }) });
const prometheusSource = source.extend({
  headers: z
    .record(z.string(), z.string())
    .optional()
    .meta({ description: 'HTTP headers sent with every Prometheus query, e.g. `Authorization: "Bearer ${PROM_TOKEN}"` or `X-Scope-OrgID`; `${VAR}` is taken from the environment. Never logged.' }),
  'scrape-wait': duration
    .optional()
    .meta({ description: "How long to wait at most, after a run, for Prometheus to scrape past the run's end before querying it (default 60s; 0 queries at once)." }),
  timeout: z
    .union([z.number().gt(0).max(3600), z.string().regex(DURATION_RE)])
    .optional()
    .meta({ description: 'How long one Prometheus query may take before it is given up: seconds or a duration, more than 0 and at most 1h (default 15s); raise it for a slow Thanos or Mimir, or long runs.' }),
});

const PARAMS = {
  namespace: z.string().optional().meta({ description: 'k8s.*: the Kubernetes namespace (required).' }),
  workload: z.string().optional().meta({ description: 'k8s.*: Deployment/StatefulSet name.' }),
  pod_regex: z.string().optional().meta({ description: 'k8s.*: a pod-name regex instead of workload.' }),
  container: z.string().optional().meta({ description: 'k8s.*: one container (default: all but the pause container).' }),
  source: z.enum(['direct', 'prometheus']).optional().meta({ description: 'postgres.*/redis.*: read directly or from the exporter in Prometheus.' }),
  selector: z.string().optional().meta({ description: 'Label matchers added to exporter series, e.g. `instance="db:9187"`.' }),
  rate_window: z.string().optional().meta({ description: 'Range of rate() in Prometheus queries (default from the step).' }),
} as const;
/** Preset parameter names (flat keys of a utilization metric). */
export const PRESET_PARAMS: readonly string[] = Object.keys(PARAMS);

const utilizationMetric = z.strictObject({
  preset: z.enum(PRESET_NAMES).optional().meta({ description: 'A built-in measurement.' }),
  prometheus: z.string().optional().meta({ description: 'A custom PromQL expression, evaluated with query_range over the run window.' }),
  unit: z.string().optional().meta({ description: 'Unit label for the report: ms, %, ratio, count, bytes, /s…' }),
  description: z.string().optional(),
  ...PARAMS,
});

const utilization = z.strictObject({
  sources: z
    .strictObject({ prometheus: prometheusSource.optional(), postgres: source.optional(), redis: source.optional() })
    .optional()
    .meta({ description: 'Where utilization is read; a source whose variables are unset is unavailable (its criteria are no-data).' }),
  metrics: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), utilizationMetric).optional().meta({ description: 'Metric name (used as a thresholds key) → preset or PromQL.' }),
  interval: duration.optional().meta({ description: 'Sampling interval of the direct probes (default 5s).' }),
  'slow-queries': z.boolean().optional().meta({ description: 'pg_stat_statements snapshot before and after each scenario (default true).' }),
});

export const configSchema = z
  .strictObject({
    version: z.literal(1).meta({ description: 'Format version: 1.' }),
    marginal: percent.optional().meta({ description: 'A passing value within this share of its limit is MARGINAL (default 10%).' }),
    'fail-on': z.enum(['fail', 'marginal']).optional().meta({ description: 'The status that fails the check (default fail).' }),
    'no-data': noData.optional(),
    window: window.optional(),
    warmup: duration.optional().meta({ description: 'Seconds excluded at the start of every run (default 0).' }),
    thresholds: thresholdsSchema.optional(),
    scenarios: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), scenario.nullable()).optional().meta({ description: 'Scenario name (the k6 `scenario` tag) → script, env and its own thresholds.' }),
    utilization: utilization.optional(),
    dashboards: z
      .record(z.string().min(1), z.string().min(1))
      .optional()
      .meta({
        description:
          'Dashboard name → URL (`${VAR}` expanded), linked under each scenario with its run\'s time range as Grafana\'s `from`/`to` (epoch ms).',
      }),
  })
  .meta({ title: 'perf-gate thresholds.yml', description: 'SLOs for k6 load tests, judged by perf-gate.' });

export type RawConfig = z.infer<typeof configSchema>;
export type RawExpressionObject = z.infer<typeof expressionObjectSchema>;
export type RawExpression = string | RawExpressionObject;

/** The JSON Schema of thresholds.yml (what `npm run schema` writes to thresholds.schema.json). */
export function jsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { target: 'draft-7' }) as Record<string, unknown>;
}
