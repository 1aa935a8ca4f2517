import { describe, expect, it } from 'vitest';
import { tagRows, tenantSection, tenantTable } from '../../src/report/tenants.js';
import { windowNote, durationText } from '../../src/report/window.js';
import { baselineArtifactName } from '../../src/baseline/name.js';
import { simpleRun, percentile } from '../support/fake-results.js';

const TENANTS = ['acme', 'globex', 'hooli', 'initech', 'umbrella'];

/** 5 tenants × 200 requests; globex is 3× slower and fails 5% of the time. */
function fiveTenants() {
  return simpleRun({
    n: 1000,
    seconds: 100,
    tags: (i) => ({ tenant: TENANTS[i % 5]!, endpoint: i % 2 === 0 ? 'trades' : 'portfolio' }),
    duration: (i) => (TENANTS[i % 5] === 'globex' ? 3 : 1) * (20 + ((i * 7) % 100)),
    status: (i) => (TENANTS[i % 5] === 'globex' && Math.floor(i / 5) % 20 === 0 ? 500 : 200),
  });
}

function rowsOf(md: string): string[][] {
  return md
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))
    .map((l) => l.slice(2, -2).split(' | '));
}

describe('per-tenant table', () => {
  it('five tenants, the slow one first, with its requests, p95, p99 and error rate', () => {
    const r = fiveTenants();
    const md = tenantTable(r);
    const rows = rowsOf(md);
    expect(rows[0]).toEqual(['Tenant', 'Requests', 'p95', 'p99', 'p99 vs. all', 'Error rate']);
    const body = rows.slice(1, -1);
    expect(body.map((x) => x[0])).toHaveLength(5);
    expect(body[0]![0]).toBe('`globex`');
    expect(body[0]![1]).toBe('200');
    // globex: durations 3·(20 + (7i mod 100)) over its 200 requests, k6 percentiles.
    const globex = Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 5 === 1).map((i) => 3 * (20 + ((i * 7) % 100))).sort((a, b) => a - b);
    expect(body[0]![3]).toBe(`${Math.round(percentile(globex, 99))} ms`);
    expect(body[0]![5]).toBe('5.00%');
    for (const row of body.slice(1)) expect(row[5]).toBe('0.00%');
    // The slow tenant dominates the overall tail; the others sit far below it.
    expect(Number(body[0]![4]!.slice(1))).toBeGreaterThanOrEqual(1);
    for (const row of body.slice(1)) expect(Number(row[4]!.slice(1))).toBeLessThan(0.5);
    expect(rows.at(-1)![0]).toBe('**all**');
    expect(rows.at(-1)![1]).toBe('1,000');
    // worst p99 first
    const p99s = tagRows(r).map((x) => x.p99!);
    expect([...p99s].sort((a, b) => b - a)).toEqual(p99s);
  });

  it('escapes every | in tag values', () => {
    const r = simpleRun({ n: 40, seconds: 4, tags: (i) => ({ tenant: i % 2 ? 'a|b' : 'c||d' }), duration: (i) => 10 + i });
    const md = tenantTable(r);
    expect(md).toContain('`a\\|b`');
    expect(md).toContain('`c\\|\\|d`');
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) {
      expect(line.replace(/\\\|/g, '').split('|')).toHaveLength(8);
    }
  });

  it('sections: per tenant inside the scenario; none for fewer than two values', () => {
    const r = fiveTenants();
    const t = tenantSection('target-capacity', r);
    expect(t).toMatchObject({ id: 'tenants:target-capacity', place: 'scenario', scenario: 'target-capacity' });
    expect(t!.markdown).toContain('`umbrella`');
    expect(tenantSection('s', simpleRun({ n: 10, seconds: 1, duration: () => 5 }))).toBeUndefined();
    expect(tenantSection('s', simpleRun({ n: 10, seconds: 1, tags: () => ({ tenant: 'solo' }), duration: () => 5 }))).toBeUndefined();
  });

  it('bounds the rows and measures within a window', () => {
    const r = fiveTenants();
    const md = tenantTable(r, { maxRows: 2 });
    expect(rowsOf(md)).toHaveLength(1 + 2 + 1);
    expect(md).toContain('3 more tenant values not shown');
    const t0 = 1_700_000_000_000;
    const firstHalf = tenantTable(r, { window: { start: t0, end: t0 + 50_000 } });
    expect(rowsOf(firstHalf).at(-1)![1]).toBe('500');
  });
});

describe('evaluated window note', () => {
  const T = Date.parse('2026-03-04T12:00:00Z');
  const span = { start: T, end: T + 600_000 };

  it('steady state with warm-up excluded', () => {
    const note = windowNote({ start: T + 90_000, end: T + 210_000 }, span, { mode: 'steady', warmupSeconds: 30, peakVus: 500 });
    expect(note).toBe('Evaluated 12:01:30–12:03:30 UTC (2 min, 1:30–3:30 into the run; steady state at 500 VUs, first 30 s warm-up excluded) of a 10 min run.');
  });

  it('the whole run', () => {
    expect(windowNote(undefined, span, { mode: 'all', warmupSeconds: 0 })).toBe('Evaluated the whole run, 12:00:00–12:10:00 UTC (10 min).');
    expect(windowNote(span, span, { mode: 'all', warmupSeconds: 0 })).toBe('Evaluated the whole run, 12:00:00–12:10:00 UTC (10 min).');
  });

  it('warm-up only, steady state not found, no times, across midnight', () => {
    expect(windowNote({ start: T + 45_000, end: span.end }, span, { mode: 'all', warmupSeconds: 45 })).toBe(
      'Evaluated 12:00:45–12:10:00 UTC (9 min 15 s, 0:45–10:00 into the run; first 45 s warm-up excluded) of a 10 min run.',
    );
    expect(windowNote(undefined, span, { mode: 'steady', warmupSeconds: 0 })).toMatch(/whole run.*steady state could not be told/);
    expect(windowNote(undefined, undefined, { mode: 'all', warmupSeconds: 0 })).toBe('Evaluated the whole run (the results carry no sample times).');
    const late = Date.parse('2026-03-04T23:58:00Z');
    expect(windowNote({ start: late, end: late + 240_000 }, undefined, { mode: 'all', warmupSeconds: 0 })).toBe(
      'Evaluated 2026-03-04 23:58:00–2026-03-05 00:02:00 UTC (4 min).',
    );
    expect(durationText(3_900_000)).toBe('1 h 5 min');
  });
});

describe('baseline artifact names', () => {
  it('stable, per scenario and comment key', () => {
    expect(baselineArtifactName('checkout', 'perf')).toBe('perf-gate-baseline-perf-checkout');
    expect(baselineArtifactName('checkout', 'perf')).toBe(baselineArtifactName('checkout', 'perf'));
    expect(baselineArtifactName('checkout', '')).toBe('perf-gate-baseline-checkout');
    expect(baselineArtifactName('search', 'perf')).not.toBe(baselineArtifactName('checkout', 'perf'));
  });

  it('sanitised to a valid artifact name; sanitising never merges two names', () => {
    const a = baselineArtifactName('api/v2: trades', 'pr "check"');
    expect(a).toMatch(/^perf-gate-baseline-pr-check-api-v2-trades-[0-9a-f]{8}$/);
    expect(a).not.toMatch(/["':<>|*?\\/\r\n]/);
    expect(baselineArtifactName('a/b', 'k')).not.toBe(baselineArtifactName('a-b', 'k'));
    expect(baselineArtifactName('a/b', 'k')).not.toBe(baselineArtifactName('a:b', 'k'));
    const long = baselineArtifactName('s'.repeat(300), 'k');
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).not.toBe(baselineArtifactName(`${'s'.repeat(299)}t`, 'k'));
  });
});
