// Pure parts of the collectors: aggregations, masking, slow-query deltas, preset queries.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aggregate, percentile } from '../../src/collectors/stats.js';
import { maskUrl, scrub } from '../../src/mask.js';
import { isDmlStatement, sanitizeQuery, shortenQuery, topStatements, type StatementSnapshot } from '../../src/collectors/slow-queries.js';
import { PRESETS, PRESET_NAMES, podSelector, withSelector } from '../../src/collectors/presets.js';
import { clipReadings, increaseIn } from '../../src/collectors/collect.js';
import { inWindowQuery, rateRangeFor, selectorsOf } from '../../src/collectors/prometheus.js';

describe('statement text for the slow-query table', () => {
  it('drops comments and replaces strings, dollar-quoted bodies and numbers with ?', () => {
    expect(sanitizeQuery("/* user dave@example.com */ SELECT * FROM t1 WHERE a = 'x''y' AND b > 42 -- ssn 123-45-6789\n LIMIT $1")).toBe('SELECT * FROM t1 WHERE a = ? AND b > ? LIMIT $1');
    expect(sanitizeQuery("SELECT E'it\\'s', B'1010', X'ff', U&'d\\0061', 1.5e-3, .5, 0x1F, \"col 2\" FROM s.t")).toBe('SELECT ?, ?, ?, ?, ?, ?, ?, "col 2" FROM s.t');
    expect(sanitizeQuery("DO $body$ BEGIN PERFORM 'ssn 123-45-6789'; END $body$")).toBe('DO ?');
    expect(sanitizeQuery('SELECT $$a$$ || $x$ b $x$, /* a /* nested */ comment */ 7')).toBe('SELECT ? || ?, ?');
    expect(sanitizeQuery("SELECT 'unterminated")).toBe('SELECT ?');
  });
  it('keeps queries and DML, leaves out utility statements', () => {
    for (const q of ['SELECT 1', ' (SELECT 1) UNION SELECT 2', 'WITH x AS (SELECT 1) DELETE FROM t', 'insert into t values ($1)', 'UPDATE t SET a = $1', 'MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE', '/* c */ select 1']) {
      expect(isDmlStatement(q)).toBe(true);
    }
    for (const q of ["CREATE ROLE x PASSWORD 'hunter2'", "DO $$ BEGIN PERFORM 'x'; END $$", "COPY (SELECT 'dave@example.com') TO STDOUT", "ALTER USER x PASSWORD 'p'", 'SET search_path = a', 'EXPLAIN SELECT 1', '-- SELECT\nVACUUM', '']) {
      expect(isDmlStatement(q)).toBe(false);
    }
  });
});

describe('aggregations', () => {
  it('avg, min, max, med, p(N), count and value', () => {
    const s = [10, 40, 20, 30];
    expect(aggregate(s, { kind: 'avg' })).toEqual({ value: 25 });
    expect(aggregate(s, { kind: 'min' })).toEqual({ value: 10 });
    expect(aggregate(s, { kind: 'max' })).toEqual({ value: 40 });
    expect(aggregate(s, { kind: 'med' })).toEqual({ value: 25 });
    expect(aggregate(s, { kind: 'p', p: 90 })).toEqual({ value: 37 });
    expect(aggregate(s, { kind: 'count' })).toEqual({ value: 4 });
    expect(aggregate(s, { kind: 'value' }, 0.97)).toEqual({ value: 0.97 });
    expect(aggregate(s, { kind: 'value' })).toEqual({ value: 25 });
    expect(aggregate([], { kind: 'max' })).toEqual({ noData: 'no samples in the window' });
    expect(aggregate(s, { kind: 'rate' })).toHaveProperty('noData');
  });
  it('percentiles stay within the samples and grow with N', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0, max: 100, noNaN: true }), (xs, p) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const v = percentile(sorted, p);
        expect(v).toBeGreaterThanOrEqual(sorted[0]!);
        expect(v).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
        expect(percentile(sorted, Math.min(100, p + 10))).toBeGreaterThanOrEqual(v - 1e-9);
      }),
    );
  });
});

describe('credentials', () => {
  it('masks passwords and token parameters', () => {
    expect(maskUrl('postgresql://alphapulse:s3cr3t@staging.rds.amazonaws.com:5432/alphapulse')).toBe('postgresql://***@staging.rds.amazonaws.com:5432/alphapulse');
    expect(maskUrl('redis://:pw@redis-master:6379')).toBe('redis://***@redis-master:6379');
    expect(maskUrl('https://prom.example/api?token=abc&x=1')).toBe('https://prom.example/api?token=***&x=1');
    expect(maskUrl('not a url //user:pw@host')).toBe('not a url //***@host');
    expect(scrub('failed for postgres://u:p%40ss@h/db with p@ss', ['postgres://u:p%40ss@h/db'])).not.toMatch(/p@ss|p%40ss/);
  });
});

describe('slow-query deltas', () => {
  const snap = (rows: [string, string, number, number][]): StatementSnapshot => new Map(rows.map(([id, q, calls, totalMs]) => [id, { query: q, calls, totalMs }]));
  it('ranks by time spent between the snapshots, not lifetime totals', () => {
    const before = snap([
      ['1', 'SELECT * FROM big_history', 1000, 900_000],
      ['2', 'SELECT * FROM trades WHERE tenant_id = $1', 10, 100],
    ]);
    const after = snap([
      ['1', 'SELECT * FROM big_history', 1001, 900_010],
      ['2', 'SELECT * FROM trades WHERE tenant_id = $1', 110, 80_100],
      ['3', 'INSERT INTO trades VALUES ($1)', 50, 40],
      ['4', 'SELECT 1', 0, 0],
    ]);
    const top = topStatements(before, after);
    expect(top.map((r) => r.query)).toEqual(['SELECT * FROM trades WHERE tenant_id = $1', 'INSERT INTO trades VALUES ($1)', 'SELECT * FROM big_history']);
    expect(top[0]).toEqual({ query: 'SELECT * FROM trades WHERE tenant_id = $1', meanMs: 800, calls: 100, totalSeconds: 80, percent: (100 * 80_000) / 80_050 });
    expect(top.reduce((s, r) => s + r.percent, 0)).toBeCloseTo(100, 9);
  });
  it('keeps the top 5 and counts a reset entry from zero', () => {
    const after = snap(Array.from({ length: 8 }, (_, i) => [String(i), `q${i}`, 1, (i + 1) * 10] as [string, string, number, number]));
    expect(topStatements(new Map(), after).map((r) => r.query)).toEqual(['q7', 'q6', 'q5', 'q4', 'q3']);
    const reset = topStatements(snap([['1', 'q', 100, 5000]]), snap([['1', 'q', 3, 30]]));
    expect(reset[0]).toMatchObject({ calls: 3, meanMs: 10 });
  });
  it('shortens statements to one line', () => {
    expect(shortenQuery('SELECT *\n  FROM trades\n WHERE x = $1')).toBe('SELECT * FROM trades WHERE x = $1');
    const long = shortenQuery(`SELECT ${'a, '.repeat(100)}b FROM t`);
    expect(long.length).toBe(120);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('direct readings', () => {
  const r = (t: number, commands: number, hits = 0, misses = 0) => ({ t, usedMemory: 1, maxmemory: 10, commands, hits, misses });
  it('redis.ops is the commands over the time the readings span, not the window', () => {
    expect(PRESETS['redis.ops'].direct!.value!([r(1000, 100), r(2000, 130), r(3000, 160)])).toBe(30);
  });
  it('a counter that goes down was reset: counted from zero, never negative', () => {
    const rs = [r(0, 100, 100, 0), r(1000, 130, 130, 0), r(2000, 10, 5, 5)];
    // hits: +30, then reset and +5; misses: +5.
    expect(PRESETS['redis.hit_rate'].direct!.value!(rs)).toBeCloseTo(35 / 40, 12);
    expect(PRESETS['redis.hit_rate'].direct!.series(rs)).toEqual([1, 0.5]);
    expect(PRESETS['redis.ops'].direct!.value!(rs)).toBe(20);
    expect(PRESETS['redis.ops'].direct!.series(rs).every((v) => v >= 0)).toBe(true);
    const pgr = (t: number, calls: number, execMs: number) => ({ t, connections: 1, maxConnections: 10, blksHit: 0, blksRead: 0, calls, execMs });
    expect(PRESETS['postgres.query_latency'].direct!.value!([pgr(0, 1000, 5000), pgr(1000, 1010, 5100), pgr(2000, 4, 20)])).toBeCloseTo(120 / 14, 12);
  });
  it('the direct cache-hit ratio takes block counters per database: one dropped mid-run is not a reset of the sum', () => {
    // the app database: 900 hits and 100 reads a reading; pr_123 (large lifetime totals) is dropped before the third
    const pgr = (t: number, app: [number, number], pr?: [number, number]) => {
      const blocks: Record<string, [number, number]> = { '16384': app, ...(pr ? { '16999': pr } : {}) };
      const sum = Object.values(blocks).reduce((a, [h, r]) => [a[0] + h, a[1] + r], [0, 0]);
      return { t, connections: 1, maxConnections: 10, blksHit: sum[0], blksRead: sum[1], blocks };
    };
    const rs = [pgr(0, [0, 0], [5_000_000, 10]), pgr(1000, [900, 100], [5_000_000, 10]), pgr(2000, [1800, 200]), pgr(3000, [2700, 300])];
    expect(PRESETS['postgres.cache_hit'].direct!.value!(rs)).toBeCloseTo(0.9, 12);
    expect(PRESETS['postgres.cache_hit'].direct!.series(rs)).toEqual([0.9, 0.9, 0.9]);
  });
  it("a Prometheus counter's increase over part of the window, from its raw samples, resets counted from zero", () => {
    const a: [number, number][] = [[0, 100], [1000, 110], [2000, 130], [3000, 5], [4000, 15], [5000, 40]];
    const b: [number, number][] = [[2500, 1], [3500, 4]]; // appears inside the window
    expect(increaseIn([a], { start: 1000, end: 4000 })).toBe(20 + 5 + 10);
    expect(increaseIn([a, b], { start: 1500, end: 4500 })).toBe(20 + 5 + 10 + 3);
    expect(increaseIn([a], { start: 6000, end: 9000 })).toBe(0);
  });
  it('clipped to the window: gauges inside it, counters from the reading before it to the one after it', () => {
    const rs = [0, 1000, 2000, 3000, 4000, 5000].map((t) => ({ t }));
    expect(clipReadings(rs, { start: 1500, end: 3500 }, false).map((x) => x.t)).toEqual([2000, 3000]);
    expect(clipReadings(rs, { start: 1500, end: 3500 }, true).map((x) => x.t)).toEqual([1000, 2000, 3000, 4000]);
    expect(clipReadings(rs, { start: 1000, end: 3000 }, true).map((x) => x.t)).toEqual([1000, 2000, 3000]);
    expect(clipReadings(rs, { start: 4500, end: 9000 }, true).map((x) => x.t)).toEqual([4000, 5000]);
  });
});

describe('preset queries', () => {
  it('every preset name has a definition with a unit', () => {
    for (const n of PRESET_NAMES) expect(PRESETS[n].unit).toBeTruthy();
  });
  it('pod selector: workload regex escaped, namespace required', () => {
    expect(podSelector({ namespace: 'preview', workload: 'api.v2' })).toBe('namespace="preview",pod=~"api\\\\.v2-(?:[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}|[0-9]+)"');
    expect(podSelector({ workload: 'x' })).toEqual({ error: expect.stringContaining('namespace') });
    expect(podSelector({ namespace: 'a"b' })).toBe('namespace="a\\"b"');
  });
  it('selector narrows exporter series only', () => {
    expect(withSelector('sum(rate(redis_keyspace_hits_total[60s])) / max(pg_settings_max_connections)', 'instance="r:9121"')).toBe(
      'sum(rate(redis_keyspace_hits_total{instance="r:9121"}[60s])) / max(pg_settings_max_connections{instance="r:9121"})',
    );
    expect(withSelector('sum(redis_memory_used_bytes)', undefined)).toBe('sum(redis_memory_used_bytes)');
  });
  it('the series an expression reads: selectors only, no functions, keywords, grouping labels or strings', () => {
    expect(selectorsOf('100 * sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="a",pod=~"x-.+"}[1m] offset 5m)) / on(pod) group_left sum(kube_pod_container_resource_limits{resource="cpu"})')).toEqual([
      'container_cpu_usage_seconds_total{namespace="a",pod=~"x-.+"}',
      'kube_pod_container_resource_limits{resource="cpu"}',
    ]);
    expect(selectorsOf('sum(redis_memory_used_bytes) / sum(redis_memory_max_bytes > 0) * 100')).toEqual(['redis_memory_used_bytes', 'redis_memory_max_bytes']);
    expect(selectorsOf('label_replace(up{job="a"}, "dst", "$1", "src", "(.*)") or vector(0)')).toEqual(['up{job="a"}']);
    expect(selectorsOf('{__name__="up", job="x}"} and bool 1e3')).toEqual(['{__name__="up", job="x}"}']);
    expect(selectorsOf('sum(rate(http_requests_total[5m])) by (code)')).toEqual(['http_requests_total']);
    expect(selectorsOf('vector(1)')).toEqual([]);
    expect(inWindowQuery(['a', 'b{x="1"}'], { start: 1000, end: 11_500 })).toBe('count(count_over_time(a[10500ms]) or count_over_time(b{x="1"}[10500ms]))');
  });
  it('rate range: at least a minute and four steps', () => {
    expect(rateRangeFor(1)).toBe('60s');
    expect(rateRangeFor(30)).toBe('120s');
  });
});
