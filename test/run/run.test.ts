import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runScenarios, selectScenarios } from '../../src/run/run.js';
import { InputError } from '../../src/errors.js';
import type { Config, RunRecord, ScenarioConfig } from '../../src/model.js';
import { K6_DOUBLE, recordingLogger, tempDir } from './helpers.js';

let root: string;
let server: Server;
let baseUrl: string;
const hits: string[] = [];

function scenario(name: string, script: string | undefined, env: Record<string, string> = {}, line = 1): ScenarioConfig {
  return { name, script, rules: [], env, pos: { file: 'perf/thresholds.yml', line, column: 3 } };
}

function config(scenarios: ScenarioConfig[]): Config {
  return { file: 'perf/thresholds.yml', version: 1, marginal: 0.1, failOn: 'fail', noData: 'warn', window: 'all', warmupSeconds: 0, rules: [], scenarios };
}

beforeAll(async () => {
  root = await tempDir('run');
  await mkdir(join(root, 'perf/k6'), { recursive: true });
  for (const name of ['smoke', 'baseline']) {
    await writeFile(join(root, `perf/k6/${name}-test.ts`), `export const options = { scenarios: { '${name}': { executor: 'ramping-vus', stages: [] } } };\n`);
  }
  await writeFile(join(root, 'tenants.json'), '[]');
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200).end('up');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const processEnv = () => ({ PATH: process.env.PATH, K6_DOUBLE_DURATION_MS: '100' });

describe('runScenarios', () => {
  it('preflights once, runs each scenario script in order with the hooks around each run', async () => {
    hits.length = 0;
    const events: string[] = [];
    const records: RunRecord[] = [];
    const rec = (n: string) => join(root, `record-${n}.json`);
    const cfg = config([
      scenario('baseline', 'k6/baseline-test.ts', { K6_DOUBLE_RECORD: rec('baseline'), FROM_CONFIG: 'config', BOTH: 'config' }),
      scenario('smoke', 'k6/smoke-test.ts', { K6_DOUBLE_RECORD: rec('smoke') }),
    ]);
    const log = recordingLogger();
    const got = await runScenarios({
      config: cfg,
      scenarios: ['smoke', 'baseline'],
      baseUrl,
      k6: {
        path: K6_DOUBLE,
        env: { BOTH: 'flag', PERF_GATE_TENANTS_FILE: 'tenants.json' },
        tags: { commit: 'abc', pr: '7' },
        preflight: { path: '/healthz', expectStatus: 200, timeoutSeconds: 5 },
      },
      cwd: root,
      outDir: join(root, 'out'),
      log,
      processEnv: processEnv(),
      hooks: {
        beforeScenario: async (name) => {
          events.push(`before ${name}`);
        },
        afterScenario: async (name, record) => {
          events.push(`after ${name} ${record.exitCode}`);
          records.push(record);
        },
      },
    });
    expect(hits).toEqual(['/healthz']);
    expect(events).toEqual(['before smoke', 'after smoke 0', 'before baseline', 'after baseline 0']);
    expect(got.map((r) => r.scenario)).toEqual(['smoke', 'baseline']);
    expect(got).toEqual(records);
    expect((got[0] as RunRecord).window.end).toBeLessThanOrEqual((got[1] as RunRecord).window.start);
    for (const r of got) {
      expect(r.outputs).toHaveLength(1);
      expect(r.incomplete).toBeUndefined();
    }
    const seen = JSON.parse(await readFile(rec('baseline'), 'utf8'));
    expect(seen.argv.at(-1)).toBe(join(root, 'perf/k6/baseline-test.ts'));
    expect(seen.argv).toEqual(expect.arrayContaining(['--tag', 'commit=abc', 'pr=7']));
    expect(seen.env).toMatchObject({ BASE_URL: baseUrl, FROM_CONFIG: 'config', BOTH: 'flag', PERF_GATE_TENANTS_FILE: join(root, 'tenants.json') });
    expect(seen.cwd).toBe(root);
    expect(log.lines.filter((l) => l.level === 'group').map((l) => l.message)).toEqual(['k6 run: smoke', 'k6 run: baseline']);
  });

  it("a relative PERF_GATE_TENANTS_FILE from the job's environment is made absolute too", async () => {
    const rec = join(root, 'record-tenants-env.json');
    await runScenarios({
      config: config([scenario('smoke', 'k6/smoke-test.ts', { K6_DOUBLE_RECORD: rec })]),
      scenarios: ['smoke'],
      baseUrl,
      k6: { path: K6_DOUBLE, preflight: { path: '/healthz', expectStatus: 200, timeoutSeconds: 5 } },
      cwd: root,
      outDir: join(root, 'out'),
      log: recordingLogger(),
      processEnv: { ...processEnv(), PERF_GATE_TENANTS_FILE: 'perf/tenants.json' },
    });
    const seen = JSON.parse(await readFile(rec, 'utf8'));
    expect(seen.env.PERF_GATE_TENANTS_FILE).toBe(join(root, 'perf/tenants.json'));
  });

  it('runs every scenario with a script when none is named, finding k6 on PATH', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin, { recursive: true });
    await symlink(K6_DOUBLE, join(bin, 'k6')).catch(() => undefined);
    const cfg = config([scenario('baseline', 'k6/baseline-test.ts'), scenario('notes', undefined), scenario('smoke', 'k6/smoke-test.ts')]);
    const log = recordingLogger();
    const got = await runScenarios({
      config: cfg,
      scenarios: [],
      baseUrl,
      k6: {},
      cwd: root,
      outDir: join(root, 'out2'),
      log,
      processEnv: { ...processEnv(), PATH: `${bin}:${process.env.PATH}` },
    });
    expect(got.map((r) => r.scenario)).toEqual(['baseline', 'smoke']);
    expect(log.text()).toContain(`found on PATH at ${join(bin, 'k6')}`);
  });

  it('rejects an unknown scenario, listing the configured ones', async () => {
    const cfg = config([scenario('baseline', 'k6/baseline-test.ts'), scenario('smoke', 'k6/smoke-test.ts')]);
    expect(() => selectScenarios(cfg, ['soak'])).toThrow(InputError);
    expect(() => selectScenarios(cfg, ['soak'])).toThrow(/no scenario named 'soak' in perf\/thresholds\.yml; configured: baseline, smoke/);
  });

  it('rejects a scenario without a script or with a missing script, before any preflight', async () => {
    hits.length = 0;
    const base = { baseUrl, k6: { path: K6_DOUBLE }, cwd: root, outDir: join(root, 'out3'), log: recordingLogger(), processEnv: processEnv() };
    await expect(runScenarios({ ...base, config: config([scenario('notes', undefined, {}, 12)]), scenarios: ['notes'] })).rejects.toThrow(
      /perf\/thresholds\.yml:12:3: scenario 'notes' has no script/,
    );
    await expect(runScenarios({ ...base, config: config([scenario('gone', 'k6/gone.ts')]), scenarios: ['gone'] })).rejects.toThrow(/does not exist/);
    await expect(runScenarios({ ...base, config: config([scenario('notes', undefined)]), scenarios: [] })).rejects.toThrow(/no scenario with a script/);
    expect(hits).toEqual([]);
  });

  it('lets the hooks close the run window when k6 cannot start, then fails', async () => {
    const broken = join(root, 'broken-k6');
    await writeFile(broken, '#!/nonexistent/interpreter\n');
    await chmod(broken, 0o755);
    const events: string[] = [];
    const run = runScenarios({
      config: config([scenario('smoke', 'k6/smoke-test.ts')]),
      scenarios: ['smoke'],
      baseUrl,
      k6: { path: broken },
      cwd: root,
      outDir: join(root, 'out5'),
      log: recordingLogger(),
      processEnv: processEnv(),
      hooks: {
        beforeScenario: async (n) => void events.push(`before ${n}`),
        afterScenario: async (n, r) => void events.push(`after ${n} ${r.exitMeaning} ${r.incomplete?.includes('cannot start k6')}`),
      },
    });
    await expect(run).rejects.toThrow(/cannot start k6/);
    expect(events).toEqual(['before smoke', 'after smoke k6 did not start true']);
  });

  it('a k6 that cannot be had is said at once, while the preflight is still waiting, and the preflight stops', async () => {
    const log = recordingLogger();
    const asked = hits.length;
    const run = runScenarios({
      config: config([scenario('smoke', 'k6/smoke-test.ts')]),
      scenarios: ['smoke'],
      baseUrl,
      // the environment never answers 418: the preflight alone would wait an hour
      k6: { path: join(root, 'no-such-k6'), preflight: { path: '/healthz', expectStatus: 418, timeoutSeconds: 3600 } },
      cwd: root,
      outDir: join(root, 'out6'),
      log,
      processEnv: processEnv(),
      preflightIntervalMs: 20,
    });
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain("k6 path '" + join(root, 'no-such-k6') + "' is not an executable file");
    expect((err as Error).message).toContain("fix: point k6-path (the CLI's --k6-path) at the k6 binary");
    // the preflight had started (it runs alongside) and asks no more once the gate has failed
    await new Promise((r) => setTimeout(r, 100));
    const after = hits.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(hits.length).toBe(after);
    expect(hits.slice(asked).every((h) => h === '/healthz')).toBe(true);
  });

  it('a preflight that fails stops the k6 install before its next download', async () => {
    // a mirror whose checksums file takes a while: the preflight fails meanwhile
    const asked: string[] = [];
    const mirror = createServer((req, res) => {
      asked.push(req.url ?? '');
      setTimeout(() => res.writeHead(200).end('0000  k6-v9.9.9-linux-amd64.tar.gz\n'), 600);
    });
    await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
    process.env.RUNNER_TOOL_CACHE = await tempDir('run-toolcache');
    process.env.RUNNER_TEMP = await tempDir('run-temp');
    try {
      const run = runScenarios({
        config: config([scenario('smoke', 'k6/smoke-test.ts')]),
        scenarios: ['smoke'],
        baseUrl,
        k6: { version: '9.9.9', downloadBase: `http://127.0.0.1:${(mirror.address() as { port: number }).port}`, preflight: { path: '/healthz', expectStatus: 418, timeoutSeconds: 0.2 } },
        cwd: root,
        outDir: join(root, 'out7'),
        log: recordingLogger(),
        processEnv: { PATH: '' },
        preflightIntervalMs: 50,
      });
      await expect(run).rejects.toThrow(/did not answer 418/);
      // the checksums download in flight finishes; the archive is never asked for
      await new Promise((r) => setTimeout(r, 1000));
      expect(asked).toEqual(['/v9.9.9/k6-v9.9.9-checksums.txt']);
    } finally {
      // the download client may hold its connection open (keep-alive): close it, or close() waits for it
      mirror.closeAllConnections();
      await new Promise((r) => mirror.close(r));
    }
  });

  it('does not start k6 when the preflight fails', async () => {
    const events: string[] = [];
    const run = runScenarios({
      config: config([scenario('smoke', 'k6/smoke-test.ts')]),
      scenarios: ['smoke'],
      baseUrl,
      k6: { path: K6_DOUBLE, preflight: { path: '/healthz', expectStatus: 418, timeoutSeconds: 0.3 } },
      cwd: root,
      outDir: join(root, 'out4'),
      log: recordingLogger(),
      processEnv: processEnv(),
      preflightIntervalMs: 50,
      hooks: { beforeScenario: async (n) => void events.push(n) },
    });
    await expect(run).rejects.toThrow(/did not answer 418/);
    expect(events).toEqual([]);
  });
});
