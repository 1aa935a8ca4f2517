// The k6 double's output goes through the project's own ingestion like real k6 output: no bad lines,
// the run's scenario and tags, the scripts' custom metrics, and samples inside the run window.
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { ingestFiles } from '../../src/k6/ingest.js';
import { runK6 } from '../../src/k6/runner.js';
import { K6_DOUBLE, recordingLogger, tempDir } from './helpers.js';

const sel = (raw: string, metric: string, tags: { key: string; value: string }[] = []) => ({ raw, metric, tags });

describe('k6 double output', () => {
  it('is ingested cleanly with the scenario of the script and the run tags', async () => {
    const dir = await tempDir('conformance');
    const rec = await runK6({
      k6Path: K6_DOUBLE,
      script: resolve(import.meta.dirname, '../../k6/target-capacity-test.ts'),
      scenario: 'target-capacity',
      baseUrl: 'http://127.0.0.1:9',
      outDir: join(dir, 'out'),
      cwd: dir,
      log: recordingLogger(),
      tags: { commit: 'c0ffee' },
      baseEnv: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '300' },
    });
    expect(rec.exitCode).toBe(0);
    const results = await ingestFiles(rec.outputs, { tagKeys: ['commit'] });
    expect(results.diagnostics.badLines).toBe(0);
    expect(results.diagnostics.truncatedFiles).toEqual([]);
    expect(results.scenarios).toEqual(['target-capacity']);
    expect(results.tagValues('http_req_duration', 'endpoint').sort()).toEqual(['create_trade', 'portfolio', 'positions', 'signals', 'trades']);
    expect(results.tagValues('http_req_duration', 'tenant').sort()).toEqual(['acme', 'globex', 'hooli', 'initech', 'umbrella']);
    expect(results.tagValues('http_reqs', 'commit')).toEqual(['c0ffee']);
    for (const m of ['portfolio_latency', 'trades_latency', 'positions_latency', 'create_trade_latency', 'signal_latency']) {
      expect(results.metrics.get(m)).toEqual({ name: m, type: 'trend', contains: 'time' });
    }
    const count = results.measure(sel('http_reqs', 'http_reqs'), { kind: 'count' });
    expect('value' in count && count.value).toBe(322); // the http_reqs points of the sample
    expect(results.span?.start).toBeGreaterThanOrEqual(rec.window.start - 1000);
    expect(results.span?.end).toBeLessThanOrEqual(rec.window.end + 1000);
  });
});

describe('k6 double shards', () => {
  it('two execution segments of one sequence add up to the whole sample when ingested together', async () => {
    const dir = await tempDir('shards');
    const shard = (segment: string) =>
      runK6({
        k6Path: K6_DOUBLE,
        script: resolve(import.meta.dirname, '../../k6/baseline-test.ts'),
        scenario: 'baseline',
        baseUrl: 'http://127.0.0.1:9',
        outDir: join(dir, segment.replace(/[:/]/g, '_')),
        cwd: dir,
        log: recordingLogger(),
        executionSegment: segment,
        executionSegmentSequence: '0,1/2,1',
        baseEnv: { PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '200' },
      });
    const [a, b] = await Promise.all([shard('0:1/2'), shard('1/2:1')]);
    const count = async (files: string[]) => {
      const m = (await ingestFiles(files)).measure(sel('http_reqs', 'http_reqs'), { kind: 'count' });
      return 'value' in m ? m.value : 0;
    };
    const [ca, cb, both] = await Promise.all([count(a!.outputs), count(b!.outputs), count([...a!.outputs, ...b!.outputs])]);
    expect(ca).toBeGreaterThan(100);
    expect(cb).toBeGreaterThan(100);
    expect(ca + cb).toBe(322);
    expect(both).toBe(322);
  });
});
