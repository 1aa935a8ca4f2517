import { describe, expect, it } from 'vitest';
import { parseRunFlags, RUN_FLAGS, RUN_USAGE } from '../../src/run/flags.js';
import { DEFAULT_PREFLIGHT } from '../../src/run/run.js';
import { InputError } from '../../src/errors.js';

describe('parseRunFlags', () => {
  it('parses every flag into gate options', () => {
    const got = parseRunFlags([
      '--thresholds', 'perf/thresholds.yml',
      '--base-url', 'https://pr-42.preview.example.com',
      '--scenario', 'smoke', '--scenario', 'baseline',
      '--k6-version', 'v2.2.0',
      '--k6-download-base', 'https://ghes.example/k6',
      '--env', 'PERF_GATE_SCALE=0.1', '--env', 'EMPTY=', '--env', 'EQ=a=b',
      '--tag', 'commit=abc123', '--tag', 'pr=42',
      '--timeout', '15m',
      '--preflight-path', '/healthz', '--preflight-status', '204', '--preflight-timeout', '3m',
      '--execution-segment', '0:1/4', '--execution-segment-sequence', '0,1/4,1/2,3/4,1',
      '--out-dir', 'out', '--baseline', 'base.json', '--fail-on', 'marginal',
      '--json', 'r.json', '--markdown', 'r.md', '-q', '--confirm-failures',
    ]);
    expect(got).toEqual({
      help: false,
      thresholds: 'perf/thresholds.yml',
      baseUrl: 'https://pr-42.preview.example.com',
      scenarios: ['smoke', 'baseline'],
      k6: {
        version: '2.2.0',
        downloadBase: 'https://ghes.example/k6',
        env: { PERF_GATE_SCALE: '0.1', EMPTY: '', EQ: 'a=b' },
        tags: { commit: 'abc123', pr: '42' },
        timeoutSeconds: 900,
        preflight: { path: '/healthz', expectStatus: 204, timeoutSeconds: 180 },
        executionSegment: '0:1/4',
        executionSegmentSequence: '0,1/4,1/2,3/4,1',
      },
      outDir: 'out',
      baseline: 'base.json',
      failOn: 'marginal',
      json: 'r.json',
      markdown: 'r.md',
      quiet: true,
      confirmFailures: true,
    });
  });

  it('applies defaults', () => {
    const got = parseRunFlags(['--base-url', 'http://127.0.0.1:8080', '--k6-path', '/usr/local/bin/k6', '--timeout', '90']);
    expect(got.scenarios).toEqual([]);
    expect(got.thresholds).toBeUndefined();
    expect(got.k6).toEqual({ path: '/usr/local/bin/k6', timeoutSeconds: 90, preflight: { ...DEFAULT_PREFLIGHT } });
    expect(got.quiet).toBe(false);
  });

  it('returns help without requiring anything else', () => {
    expect(parseRunFlags(['--help']).help).toBe(true);
    expect(parseRunFlags(['-h']).help).toBe(true);
  });

  it.each([
    [[], /needs --base-url/],
    [['--base-url', 'preview.example.com'], /is not a URL/],
    [['--base-url', 'ftp://x'], /not http\(s\)/],
    [['--base-url', 'http://x', '--bogus'], /Unknown option '--bogus'/],
    [['--base-url', 'http://x', 'stray'], /positional/i],
    [['--base-url', 'http://x', '--env', 'NOVALUE'], /--env 'NOVALUE' is not KEY=VALUE/],
    [['--base-url', 'http://x', '--env', '1X=2'], /not a valid name/],
    [['--base-url', 'http://x', '--tag', '=v'], /--tag '=v' is not KEY=VALUE/],
    [['--base-url', 'http://x', '--timeout', 'soon'], /--timeout 'soon' is not a duration/],
    [['--base-url', 'http://x', '--timeout', '0s'], /is not a duration/],
    [['--base-url', 'http://x', '--preflight-status', '2000'], /not an HTTP status/],
    [['--base-url', 'http://x', '--preflight-path', 'healthz'], /must start with \//],
    [['--base-url', 'http://x', '--k6-version', 'latest'], /not a release version/],
    [['--base-url', 'http://x', '--k6-version', '2.3.0', '--k6-path', 'k6'], /exclude each other/],
    [['--base-url', 'http://x', '--execution-segment', 'half'], /not a segment/],
    [['--base-url', 'http://x', '--execution-segment-sequence', '0,1'], /needs --execution-segment/],
    [['--base-url', 'http://x', '--execution-segment', '0:1/2', '--execution-segment-sequence', '0,a,1'], /not a sequence/],
    [['--base-url', 'http://x', '--execution-segment', '5:1'], /--execution-segment '5:1' is not a share of the run/],
    [['--base-url', 'http://x', '--execution-segment', '1/2:1/4'], /is not a share of the run/],
    [['--base-url', 'http://x', '--execution-segment', '0:3/2'], /is not a share of the run/],
    [['--base-url', 'http://x', '--execution-segment', '0:1/0'], /is not a share of the run/],
    [['--base-url', 'http://x', '--execution-segment', '0:1/2', '--execution-segment-sequence', '0,1/2,1/4,1'], /must rise from 0 towards 1/],
    [['--base-url', 'http://x', '--execution-segment', '0:1/3', '--execution-segment-sequence', '0,1/4,1/2,3/4,1'], /is not one step of --execution-segment-sequence/],
    [['--base-url', 'http://x', '--execution-segment', '0:1/2', '--execution-segment-sequence', '0,1/4,1/2,1'], /is not one step of --execution-segment-sequence/],
    [['--base-url', 'http://x', '--execution-segment', '50%:150%'], /is not a share of the run/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseRunFlags(argv as string[])).toThrow(InputError);
    expect(() => parseRunFlags(argv as string[])).toThrow(message);
  });

  it('takes the segments of a distributed run in their usual spellings', () => {
    for (const [seg, seq] of [
      ['1/4:2/4', '0,1/4,2/4,3/4,1'],
      ['0.5:1', '0,0.5,1'],
      ['1/2', '0,1/2,1'],
      ['3/4:1', undefined],
      ['25%:50%', '0,25%,50%,75%,100%'],
      ['2/4:75%', '0,1/4,2/4,75%,1'],
    ] as const) {
      const f = parseRunFlags(['--base-url', 'http://x', '--execution-segment', seg, ...(seq ? ['--execution-segment-sequence', seq] : [])]);
      expect(f.k6.executionSegment).toBe(seg);
    }
    // spaces in the sequence are dropped before k6 gets it
    expect(parseRunFlags(['--base-url', 'http://x', '--execution-segment', '0:1/2', '--execution-segment-sequence', '0, 1/2, 1']).k6.executionSegmentSequence).toBe('0,1/2,1');
  });

  it('describes every flag in the usage text', () => {
    for (const f of RUN_FLAGS) expect(RUN_USAGE).toContain(`--${f.name}`);
    expect(new Set(RUN_FLAGS.map((f) => f.name)).size).toBe(RUN_FLAGS.length);
  });
});

describe('docs/running.md', () => {
  it('documents every flag of perf-gate run', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/running.md', import.meta.url), 'utf8');
    const missing = RUN_FLAGS.filter((f) => f.name !== 'help' && !doc.includes(`\`--${f.name}`));
    expect(missing.map((f) => f.name)).toEqual([]);
  });
});
