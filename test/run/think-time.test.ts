// The think time of the scenario scripts: target-capacity's must let 500 VUs reach the 500 RPS that
// thresholds.yml asks for at the plateau; baseline keeps the 1 s of a user reading a page.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { recorder } from '../support/k6-modules/recorder.mjs';

vi.mock('k6', () => import('../support/k6-modules/k6.mjs'));
vi.mock('k6/http', () => import('../support/k6-modules/http.mjs'));
vi.mock('k6/metrics', () => import('../support/k6-modules/metrics.mjs'));

const g = globalThis as Record<string, unknown>;

async function sleepsOf(file: string, env: Record<string, string> = {}, iterations = 2000): Promise<number[]> {
  vi.resetModules();
  g.__ENV = { BASE_URL: 'http://127.0.0.1:8080', ...env };
  g.open = (path: string) => readFileSync(path, 'utf8');
  const script = (await import(`../../k6/${file}`)) as { default: () => void };
  recorder.reset();
  for (let i = 0; i < iterations; i++) {
    g.__VU = (i % 500) + 1;
    script.default();
  }
  return [...(recorder.sleeps as number[])];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

beforeEach(() => recorder.reset());

describe('think time', () => {
  it('target-capacity: 500 VUs of a healthy service (every response at p95 = 250 ms) exceed 500 RPS with margin', async () => {
    const sleeps = await sleepsOf('target-capacity-test.ts');
    expect(sleeps).toHaveLength(2000);
    const think = mean(sleeps);
    expect(Math.min(...sleeps)).toBeGreaterThanOrEqual(0.25);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(0.75);
    // one request per iteration: RPS = VUs ÷ (response time + think time)
    const rps = 500 / (0.25 + think);
    expect(rps).toBeGreaterThanOrEqual(600);
    // … and a slow service (1 s responses) does not reach it
    expect(500 / (1 + think)).toBeLessThan(500);
  });

  it('baseline keeps a mean of 1 s (0.5–1.5 s)', async () => {
    const sleeps = await sleepsOf('baseline-test.ts');
    expect(Math.min(...sleeps)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(1.5);
    expect(mean(sleeps)).toBeGreaterThan(0.9);
    expect(mean(sleeps)).toBeLessThan(1.1);
  });

  it('PERF_GATE_THINK_TIME overrides the scenario (0 disables)', async () => {
    expect(await sleepsOf('target-capacity-test.ts', { PERF_GATE_THINK_TIME: '0' }, 50)).toEqual([]);
    const sleeps = await sleepsOf('target-capacity-test.ts', { PERF_GATE_THINK_TIME: '2' }, 200);
    expect(Math.min(...sleeps)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(3);
  });
});
