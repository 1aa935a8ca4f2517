// What a user sees when a Prometheus query goes wrong, against the real Prometheus and exporters:
// an expression Prometheus refuses, results that are not one finite series, and answers that are
// not the Prometheus API.
import { afterAll, describe, expect, it } from 'vitest';
import { collectWindow } from '../../src/collectors/collect.js';
import { PrometheusClient, awaitScrapePast } from '../../src/collectors/prometheus.js';
import { loadConfig } from '../../src/config/load.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { utilizationSections } from '../../src/report/utilization.js';
import { emptyResults } from '../../src/k6/ingest.js';
import type { Config, Logger, Results, UtilizationConfig, UtilizationResults } from '../../src/model.js';
import { promInstant, startServices, type Services } from '../support/services.js';

const started = await startServices({ prometheus: true });
const skip = 'skip' in started ? started.skip : undefined;
if (skip) console.warn(`test/utilization/prometheus-errors: skipped: ${skip}`);
const svc = started as Services;
const pos = { file: 'thresholds.yml', line: 1, column: 1 };

afterAll(async () => {
  if (!skip) await svc.stop();
});

function memLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warning: (m) => lines.push(m), error: (m) => lines.push(m), debug: () => undefined, group: (_n, fn) => fn() };
}

// only utilization rules here: the k6 results are empty
const noK6: Results = emptyResults();

/** The gate's evaluation and the report's utilization table for one scenario. */
function report(config: Config, util: UtilizationResults): { evaluation: ReturnType<typeof evaluate>; markdown: string } {
  const evaluation = evaluate({ config, scenarios: [{ name: 'smoke', rules: config.rules, results: noK6, utilization: util }] });
  const sections = utilizationSections([{ name: 'smoke', utilization: util, criteria: evaluation.scenarios[0]!.criteria }]);
  return { evaluation, markdown: sections.find((s) => s.id === 'utilization')?.markdown ?? '' };
}

/** Waits until Prometheus holds `n` scrapes of the Redis exporter: a window of that many seconds has data. */
async function scraped(n: number): Promise<void> {
  for (;;) {
    const have = await promInstant(svc.prometheus!.url, 'max(count_over_time(redis_keyspace_hits_total[1h]))');
    if ((have ?? 0) >= n) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.skipIf(skip)('a PromQL expression Prometheus refuses', () => {
  const yml = (url: string) => `version: 1
utilization:
  sources:
    prometheus: { url: "${url}" }
  metrics:
    pg_conn: { preset: postgres.connections, source: prometheus }
    queue_depth: { prometheus: 'sum(rate(pg_up[1m])', unit: count }
    joined:
      prometheus: 'pg_up + on() group_left redis_up + on() up'
    pg_one: { preset: postgres.connections, source: prometheus, selector: 'instance=db' }
thresholds:
  pg_conn: ["max<40"]
  queue_depth: ["max<100"]
  joined: ["max<5"]
`;

  it('names thresholds.yml:line:column, Prometheus’s own words and a fix; the other metrics are still collected and the report is written', async () => {
    const config = loadConfig('thresholds.yml', { text: yml(svc.prometheus!.url), env: {} });
    const now = Date.now();
    // long enough for the rate range: the range query itself is refused
    const util = await collectWindow(config.utilization!, { start: now - 120_000, end: now }, memLog(), { scrapeWait: { maxWaitMs: 0 } });
    const bad = util.measure('queue_depth', { kind: 'max' });
    expect(bad).toEqual({ noData: expect.stringContaining('`queue_depth` (thresholds.yml:7:32): Prometheus refused the PromQL expression — bad_data:') });
    expect((bad as { noData: string }).noData).toMatch(/parse error.*; correct the expression/);
    const joined = util.measure('joined', { kind: 'max' });
    expect(joined).toEqual({ noData: expect.stringMatching(/^`joined` \(thresholds\.yml:9:19\): Prometheus refused the PromQL expression — execution: .*many-to-many matching not allowed.*; rewrite the expression/) });
    // a preset's parameter written wrong: the parameter is named, with a well-formed example
    expect(util.measure('pg_one', { kind: 'max' })).toEqual({ noData: expect.stringMatching(/^`pg_one` \(thresholds\.yml:10:5\): Prometheus refused the postgres\.connections query — bad_data: .*; check the metric's `selector`, e\.g\. `selector: instance="db:9187"`/) });
    expect(util.measure('pg_conn', { kind: 'max' })).toEqual({ value: expect.any(Number) });

    const { evaluation, markdown } = report(config, util);
    const status = Object.fromEntries(evaluation.scenarios[0]!.criteria.map((c) => [c.metric, c.status]));
    expect(status).toEqual({ pg_conn: 'pass', queue_depth: 'no-data', joined: 'no-data' });
    expect(markdown).toContain('thresholds.yml:7:32');
    expect(markdown).toContain('✅ PASS');
  });

  it('is said also for a run shorter than the expression’s range (no series is queried then)', async () => {
    const config = loadConfig('thresholds.yml', { text: yml(svc.prometheus!.url), env: {} });
    const now = Date.now();
    const util = await collectWindow(config.utilization!, { start: now - 5_000, end: now }, memLog(), { scrapeWait: { maxWaitMs: 0 } });
    expect(util.measure('queue_depth', { kind: 'max' })).toEqual({ noData: expect.stringContaining('(thresholds.yml:7:32): Prometheus refused the PromQL expression — bad_data:') });
  });

  it('is said also for a past run Prometheus holds no data of (evaluate-only on old results), which gets its own reason', async () => {
    const config = loadConfig('thresholds.yml', { text: yml(svc.prometheus!.url), env: {} });
    const start = Date.now() - 2 * 86_400_000;
    const util = await collectWindow(config.utilization!, { start, end: start + 20_000 }, memLog(), { scrapeWait: { maxWaitMs: 0 } });
    expect(util.measure('queue_depth', { kind: 'max' })).toEqual({ noData: expect.stringContaining('(thresholds.yml:7:32): Prometheus refused the PromQL expression — bad_data:') });
    // not "the scrape interval is longer than the run": there is nothing at all of that time
    expect(util.measure('pg_conn', { kind: 'max' })).toEqual({
      noData: `Prometheus holds no sample of \`pg_stat_activity_count\` in the run window (${new Date(start).toISOString()}, 20 s) nor in the 5 minutes before it: that time is beyond its retention, or nothing was scraped then`,
    });
  });

  it('a selector Prometheus refuses does not stop the wait for the others', async () => {
    const client = new PrometheusClient(svc.prometheus!.url);
    // the run ends 1.5 s from now: `up` is scraped past it within about a second after that
    const end = Date.now() + 1500;
    const wait = await awaitScrapePast(client, ['pg_up{job=~"("}', 'up'], end, { maxWaitMs: 20_000, pollMs: 200 });
    expect(wait.caughtUp).toBe(true);
    const last = await client.instant('max(timestamp(up))', Date.now());
    expect(last.ok && last.value[0]!.value * 1000).toBeGreaterThanOrEqual(end);
  });
});

/** Utilization read from the real Prometheus only. */
const cfgOf = (metrics: UtilizationConfig['metrics']): UtilizationConfig => ({ sources: { prometheus: { url: svc.prometheus!.url } }, metrics, intervalSeconds: 1, slowQueries: false });

describe.skipIf(skip)('results that are not one finite series', () => {
  const custom = (name: string, q: string): UtilizationConfig['metrics'][number] => ({ name, prometheus: q, params: {}, pos });

  it('NaN (0/0) and +Inf (x/0) throughout: no-data saying it is a division by zero, not that series are missing', async () => {
    await scraped(8);
    const now = Date.now();
    const util = await collectWindow(cfgOf([custom('nan', 'sum(pg_up) * 0 / 0'), custom('inf', 'sum(pg_up) / 0')]), { start: now - 6_000, end: now }, memLog(), { scrapeWait: { maxWaitMs: 0 } });
    for (const m of ['nan', 'inf']) {
      const got = util.measure(m, { kind: 'max' });
      expect(got, m).toEqual({ noData: expect.stringContaining(`every point of the series is ${m === 'nan' ? 'NaN (0/0)' : 'NaN or ±Inf ('}`) });
      expect((got as { noData: string }).noData).toContain('guard the denominator');
      expect((got as { noData: string }).noData).not.toContain('needs');
    }
    expect((util.measure('inf', { kind: 'max' }) as { noData: string }).noData).toMatch(/\(\d+ \+Inf \(x\/0\)\)/);
  });

  it('some points +Inf: the others are judged and a note says how many were left out', async () => {
    await scraped(8);
    const now = Date.now();
    // 1 where time() mod 4 > 1, else 1/0
    const util = await collectWindow(cfgOf([custom('half', 'sum(pg_up) / vector(time() % 4 > bool 1)')]), { start: now - 8_000, end: now }, memLog(), { scrapeWait: { maxWaitMs: 0 } });
    expect(util.measure('half', { kind: 'max' })).toEqual({ value: 1 });
    expect(util.notes).toContainEqual(expect.stringMatching(/^half: \d+ \+Inf \(x\/0\) of the series' \d+ points \(divisions by zero\) are left out of avg, min, max, med and p\(N\)$/));
  });

  it('a Redis hit rate without a single lookup (0/0): no keyspace lookups, not a missing exporter', async () => {
    await scraped(12);
    const now = Date.now();
    const hit: UtilizationConfig['metrics'][number] = { name: 'rhit', preset: 'redis.hit_rate', params: { source: 'prometheus', rate_window: '3s' }, pos };
    const util = await collectWindow(cfgOf([hit]), { start: now - 10_000, end: now }, memLog(), { scrapeWait: { maxWaitMs: 0 } });
    for (const kind of ['max', 'value'] as const) expect(util.measure('rhit', { kind }), kind).toEqual({ noData: 'no activity in the window (no keyspace lookups: 0 hits, 0 misses — nothing was read from this Redis)' });
  });
});

describe.skipIf(skip)('several series where one was expected', () => {
  it('per-pod CPU without sum(): no-data naming the label that tells them apart, with some of its values', async () => {
    const k = svc.k8s!;
    const cfg = cfgOf([{ name: 'cpu', prometheus: `rate(container_cpu_usage_seconds_total{namespace="${k.namespace}",container="api"}[1m])`, params: {}, pos }]);
    const util = await collectWindow(cfg, { start: k.window.start, end: k.window.end }, memLog());
    expect(util.measure('cpu', { kind: 'max' })).toEqual({
      noData: `the query returned 4 series that differ in pod (${k.workload}-7d9f8b6c5-a1b2c, ${k.workload}-7d9f8b6c5-d3e4f, ${k.workload}-7d9f8b6c5-g5h6i, …); aggregate it to one (sum(…), max(…) or avg(…))`,
    });
    // several labels: all named, the values of the first
    const now = Date.now();
    const up = await collectWindow({ ...cfg, metrics: [{ name: 'up', prometheus: 'up', params: {}, pos }] }, { start: now - 5000, end: now }, memLog(), { scrapeWait: { maxWaitMs: 0 } });
    expect(up.measure('up', { kind: 'max' })).toEqual({ noData: expect.stringMatching(/^the query returned 2 series that differ in instance, job \(instance: 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+\); aggregate it to one/) });
  });
});

describe.skipIf(skip)('a custom expression that returns nothing', () => {
  it('names the selector that selects nothing: wrong labels, a wrong name, or a filter that kept nothing', async () => {
    await scraped(4);
    const now = Date.now();
    const cfg = cfgOf([
      { name: 'labels', prometheus: 'sum(pg_up{job="api"})', params: {}, pos },
      { name: 'name', prometheus: 'sum(http_requests_total{job="api"})', params: {}, pos },
      { name: 'filtered', prometheus: 'sum(pg_up > 5)', params: {}, pos },
    ]);
    const util = await collectWindow(cfg, { start: now - 4000, end: now }, memLog(), { scrapeWait: { maxWaitMs: 0 } });
    expect(util.measure('labels', { kind: 'max' })).toEqual({ noData: 'the query returned no series over the window (`pg_up` has series, but none matching `{job="api"}`: check the labels)' });
    expect(util.measure('name', { kind: 'max' })).toEqual({ noData: 'the query returned no series over the window (`http_requests_total` has no series: check the metric name, and that its exporter is scraped)' });
    expect(util.measure('filtered', { kind: 'max' })).toEqual({ noData: expect.stringMatching(/^the query returned no series over the window \(every series it reads has samples in the window, but the expression kept none: a comparison/) });
  });
});

describe.skipIf(skip)('a run shorter than the rate range', () => {
  it('says what to change for each kind of metric: the expression’s own range, rate_window, or judging value', async () => {
    await scraped(4);
    const now = Date.now();
    const cfg = cfgOf([
      { name: 'literal', prometheus: 'sum(rate(pg_exporter_scrapes_total[1m]))', params: {}, pos },
      { name: 'interval', prometheus: 'sum(rate(pg_exporter_scrapes_total[$__rate_interval]))', params: {}, pos },
      { name: 'ops', preset: 'redis.ops', params: { source: 'prometheus' }, pos },
    ]);
    const util = await collectWindow(cfg, { start: now - 20_000, end: now }, memLog(), { scrapeWait: { maxWaitMs: 0 } });
    const reason = (m: string) => (util.measure(m, { kind: 'max' }) as { noData: string }).noData;
    expect(reason('literal')).toMatch(/^the run \(20 s\) is shorter than the expression's range \(60 s\): every point would reach back before the run; use a shorter range in the expression \(or `\$__rate_interval`, which follows `rate_window`\)$/);
    expect(reason('interval')).toMatch(/; set a shorter `rate_window` \(at least two scrape intervals, e\.g\. `rate_window: 30s` with a 15 s scrape interval\)$/);
    // no `value` to fall back on for a custom expression: it is not offered
    for (const m of ['literal', 'interval']) expect(util.measure(m, { kind: 'value' }), m).toEqual({ noData: reason(m) });
    expect(reason('ops')).toMatch(/; set a shorter `rate_window` .* or judge `value` \(the whole run's figure\)$/);
    expect(util.measure('ops', { kind: 'value' })).toEqual({ value: expect.any(Number) });
  });
});
