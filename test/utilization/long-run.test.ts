// A long run (3 hours) against a real Prometheus holding a gauge scraped every 15 s, backfilled with
// promtool: one scrape holds a spike. window ÷ 250 would be a 43 s step, which evaluates only some
// of the scrapes; the step follows the scrape interval instead, so max sees every scrape.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWindow } from '../../src/collectors/collect.js';
import { stepFor, stepForScrapes } from '../../src/collectors/prometheus.js';
import type { Logger, UtilizationConfig } from '../../src/model.js';
import { findBinaries, freePort } from '../support/services.js';

const { found } = findBinaries();
const skip = !found.prometheus || !found.promtool ? 'prometheus/promtool are not installed (scripts/ci-services.sh)' : undefined;
if (skip) console.warn(`test/utilization/long-run: skipped: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'perf-gate-long-run-'));
let prom: ChildProcess | undefined;
let url = '';

const hour = 3600_000;
const window = { start: Math.floor(Date.now() / hour) * hour - 5 * hour, end: 0 };
window.end = window.start + 3 * hour;
const SCRAPE = 15_000;
const OFFSET = 7_500;
/** Scrape j is at start + OFFSET + j × SCRAPE (from 10 minutes before the window to 10 after). */
const scrapeAt = (j: number) => window.start + OFFSET + j * SCRAPE;
/** The scrape a 43 s step (window ÷ 250) never evaluates: the latest scrape at or before no point. */
const step = stepFor(window);
const seen = new Set<number>();
for (let t = window.start; t <= window.end; t += step * 1000) seen.add(Math.floor((t - window.start - OFFSET) / SCRAPE));
const spike = [...Array(700).keys()].find((j) => j > 20 && !seen.has(j))!;

beforeAll(async () => {
  if (skip) return;
  const lines = ['# TYPE pool_connections gauge'];
  for (let j = -40; scrapeAt(j) <= window.end + 10 * 60_000; j++) lines.push(`pool_connections{pool="api"} ${j === spike ? 180 : 40} ${(scrapeAt(j) / 1000).toFixed(3)}`);
  lines.push('# EOF');
  const data = join(dir, 'data');
  mkdirSync(data);
  writeFileSync(join(dir, 'series.om'), lines.join('\n') + '\n');
  const made = spawnSync(found.promtool!, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', join(dir, 'series.om'), data], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`promtool: ${made.stderr}`);
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = await freePort();
  prom = spawn(found.prometheus!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=30d', '--log.level=error'], { stdio: 'ignore' });
  url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 300 || prom.exitCode !== null) throw new Error('Prometheus did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  if (prom && prom.exitCode === null) {
    prom.kill('SIGTERM');
    await new Promise((r) => prom!.once('exit', r));
  }
  rmSync(dir, { recursive: true, force: true });
});

const log: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, debug: () => undefined, group: (_n, fn) => fn() };

describe('the query_range step', () => {
  it('follows the scrape interval when it is shorter than window ÷ 250, within Prometheus’s 11,000 points', () => {
    expect(step).toBe(43);
    expect(stepForScrapes(window, 15)).toBe(15);
    expect(stepForScrapes(window, 60)).toBe(43);
    expect(stepForScrapes(window, 1)).toBe(1); // 10,800 points
    expect(stepForScrapes({ start: 0, end: 24 * hour }, 1)).toBe(8); // not 86,400 points: 10,800
    expect(stepForScrapes(window, Number.NaN)).toBe(43);
  });
});

describe.skipIf(skip)('a 3-hour run, a gauge scraped every 15 s', () => {
  it('max sees the spike of a single scrape, and avg is over the scrapes', async () => {
    const cfg: UtilizationConfig = {
      sources: { prometheus: { url } },
      metrics: [{ name: 'pool', prometheus: 'max(pool_connections{pool="api"})', params: {}, unit: 'count', pos: { file: 'thresholds.yml', line: 1, column: 1 } }],
      intervalSeconds: 5,
      slowQueries: false,
    };
    const res = await collectWindow(cfg, window, log);
    expect(res.measure('pool', { kind: 'max' })).toEqual({ value: 180 });
    // one point per scrape: 720 over 3 hours, one of them the spike
    expect(res.measure('pool', { kind: 'count' })).toEqual({ value: 721 });
    expect((res.measure('pool', { kind: 'avg' }) as { value: number }).value).toBeCloseTo((720 * 40 + 180) / 721, 6);
  });
});
