// Runs the k6 scenario scripts under Node with recording stand-ins for k6's modules, simulating the
// ramping-vus executor second by second, and checks stages, mix, tenant spread and tags.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recorder } from '../support/k6-modules/recorder.mjs';

vi.mock('k6', () => import('../support/k6-modules/k6.mjs'));
vi.mock('k6/http', () => import('../support/k6-modules/http.mjs'));
vi.mock('k6/metrics', () => import('../support/k6-modules/metrics.mjs'));

interface Stage {
  duration: string;
  target: number;
}
interface Script {
  options: { scenarios: Record<string, { executor: string; startVUs: number; stages: Stage[] }> };
  default: () => void;
}
interface Req {
  method: string;
  url: string;
  body: string | null;
  params: { headers: Record<string, string>; tags: Record<string, string>; timeout: string };
}
interface Sample {
  metric: string;
  value: number;
  tags: Record<string, string>;
}

const g = globalThis as Record<string, unknown>;
const BASE = 'http://127.0.0.1:8080';
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const TREND: Record<string, string> = {
  portfolio: 'portfolio_latency',
  trades: 'trades_latency',
  positions: 'positions_latency',
  create_trade: 'create_trade_latency',
  signals: 'signal_latency',
};
const ROUTE: Record<string, RegExp> = {
  portfolio: /^GET http:\/\/127\.0\.0\.1:8080\/api\/portfolio$/,
  trades: /^GET http:\/\/127\.0\.0\.1:8080\/api\/trades\?page=[1-5]&limit=50$/,
  positions: /^GET http:\/\/127\.0\.0\.1:8080\/api\/positions\?page=[1-5]&limit=50$/,
  create_trade: /^POST http:\/\/127\.0\.0\.1:8080\/api\/trades$/,
  signals: /^GET http:\/\/127\.0\.0\.1:8080\/api\/signals\?page=[1-5]&limit=50$/,
};

async function load(file: string, env: Record<string, string> = {}): Promise<Script> {
  vi.resetModules();
  g.__ENV = { BASE_URL: BASE, ...env };
  g.__VU = 0;
  g.open = (path: string) => readFileSync(path, 'utf8');
  return (await import(`../../k6/${file}`)) as Script;
}

function seconds(d: string): number {
  const m = /^(\d+)(s|m)$/.exec(d);
  if (!m) throw new Error(`unexpected duration ${d}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

/** VUs of a ramping-vus executor at time t (linear ramps from the previous target, starting at 0). */
function vusAt(stages: Stage[], t: number): number {
  let from = 0;
  let start = 0;
  for (const s of stages) {
    const d = seconds(s.duration);
    if (t < start + d) return from + ((s.target - from) * (t - start)) / d;
    from = s.target;
    start += d;
  }
  return from;
}

interface Tally {
  iterations: number;
  endpoints: Map<string, number>;
  tenants: Map<string, number>;
  vusPerTenant: Map<string, Set<number>>;
  holdTenants: Map<string, number>;
  maxVus: number;
  problems: string[];
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Checks every request of the last batch and its metrics (problems collected in `t.problems`), then counts it. */
function drain(t: Tally, vuOf: number[], hold: boolean): void {
  const reqs = recorder.requests as Req[];
  const samples = recorder.samples as Sample[];
  const problem = (m: string) => {
    if (t.problems.length < 10) t.problems.push(m);
  };
  reqs.forEach((r, i) => {
    const { endpoint, tenant } = r.params.tags;
    const route = ROUTE[endpoint as string];
    const vu = vuOf[i] as number;
    if (!route) return problem(`unknown endpoint tag ${endpoint}`);
    if (!route.test(`${r.method} ${r.url}`)) problem(`${endpoint}: ${r.method} ${r.url}`);
    if (tenant !== TENANTS[(vu - 1) % 5]) problem(`VU ${vu} ran as tenant ${tenant}`);
    if (r.params.headers.Authorization !== `Bearer demo-${tenant}-key`) problem(`${tenant}: Authorization ${r.params.headers.Authorization}`);
    if (r.params.headers['X-Tenant-ID'] !== tenant) problem(`${tenant}: X-Tenant-ID ${r.params.headers['X-Tenant-ID']}`);
    if (r.params.timeout !== '10s') problem(`timeout ${r.params.timeout}`);
    bump(t.endpoints, endpoint as string);
    bump(t.tenants, tenant as string);
    if (hold) bump(t.holdTenants, tenant as string);
    if (!t.vusPerTenant.has(tenant as string)) t.vusPerTenant.set(tenant as string, new Set());
    t.vusPerTenant.get(tenant as string)?.add(vu);
  });
  // Each request feeds its endpoint's trend and the errors rate, with the same endpoint/tenant tags.
  const trends = samples.filter((s) => s.metric.endsWith('_latency'));
  const errors = samples.filter((s) => s.metric === 'errors');
  if (trends.length !== reqs.length || errors.length !== reqs.length) problem(`${reqs.length} requests, ${trends.length} trend and ${errors.length} errors samples`);
  trends.forEach((s, i) => {
    const tags = (reqs[i] as Req).params.tags;
    const e = errors[i] as Sample;
    if (s.metric !== TREND[tags.endpoint as string]) problem(`${tags.endpoint} fed ${s.metric}`);
    if (JSON.stringify(s.tags) !== JSON.stringify({ endpoint: tags.endpoint, tenant: tags.tenant })) problem(`trend tags ${JSON.stringify(s.tags)}`);
    if (JSON.stringify(e.tags) !== JSON.stringify({ endpoint: tags.endpoint, tenant: tags.tenant })) problem(`errors tags ${JSON.stringify(e.tags)}`);
    if (e.value !== 0) problem(`errors ${e.value} for a good response`);
  });
  if (!recorder.checks.every((c: { ok: boolean }) => c.ok)) problem('a check failed on a good response');
  recorder.reset();
}

/** Simulates the scenario: each second, every active VU runs one iteration. */
function simulate(script: Script, holdFrom: number, holdTo: number, step = 1): Tally {
  const scenario = Object.values(script.options.scenarios)[0] as { stages: Stage[] };
  const total = scenario.stages.reduce((s, st) => s + seconds(st.duration), 0);
  const t: Tally = { iterations: 0, endpoints: new Map(), tenants: new Map(), vusPerTenant: new Map(), holdTenants: new Map(), maxVus: 0, problems: [] };
  recorder.reset();
  for (let sec = 0; sec < total; sec += step) {
    const n = Math.round(vusAt(scenario.stages, sec));
    t.maxVus = Math.max(t.maxVus, n);
    const vuOf: number[] = [];
    for (let vu = 1; vu <= n; vu++) {
      g.__VU = vu;
      script.default();
      vuOf.push(vu);
      t.iterations++;
    }
    drain(t, vuOf, sec >= holdFrom && sec < holdTo);
  }
  expect(t.problems).toEqual([]);
  return t;
}

function expectMix(t: Tally, mix: Record<string, number>): void {
  const total = [...t.endpoints.values()].reduce((a, b) => a + b, 0);
  expect(total).toBe(t.iterations);
  expect([...t.endpoints.keys()].sort()).toEqual(Object.keys(mix).sort());
  for (const [endpoint, pct] of Object.entries(mix)) {
    const share = ((t.endpoints.get(endpoint) ?? 0) / total) * 100;
    expect(Math.abs(share - pct), `${endpoint}: ${share.toFixed(2)}% vs ${pct}%`).toBeLessThanOrEqual(2);
  }
}

beforeEach(() => recorder.reset());

describe('baseline-test.ts', () => {
  it('ramps 0→100 over 2 min, holds 100 for 6 min, ramps down over 2 min, as the scenario named baseline', async () => {
    const s = await load('baseline-test.ts');
    expect(Object.keys(s.options.scenarios)).toEqual(['baseline']);
    const sc = s.options.scenarios.baseline as { executor: string; startVUs: number; stages: Stage[] };
    expect(sc.executor).toBe('ramping-vus');
    expect(sc.startVUs).toBe(0);
    expect(sc.stages).toEqual([
      { duration: '2m', target: 100 },
      { duration: '6m', target: 100 },
      { duration: '2m', target: 0 },
    ]);
    expect(vusAt(sc.stages, 60)).toBe(50);
    expect(vusAt(sc.stages, 300)).toBe(100);
    expect(vusAt(sc.stages, 540)).toBe(50);
  });

  it('runs 35/35/30 over the whole run, 5 tenants × 20 users, tagging every request', async () => {
    const t = simulate(await load('baseline-test.ts'), 120, 480);
    expect(t.iterations).toBeGreaterThan(40_000);
    expect(t.maxVus).toBe(100);
    expectMix(t, { portfolio: 35, trades: 35, create_trade: 30 });
    expect([...t.vusPerTenant.keys()].sort()).toEqual([...TENANTS].sort());
    for (const tenant of TENANTS) {
      expect(t.vusPerTenant.get(tenant)?.size).toBe(20);
      expect(t.holdTenants.get(tenant)).toBe(360 * 20);
      expect(Math.abs((t.tenants.get(tenant) ?? 0) / t.iterations - 0.2)).toBeLessThan(0.01);
    }
  });
});

describe('target-capacity-test.ts', () => {
  it('ramps 0→100→300→500 over 6 min, holds 500 for 2 min, ramps down over 2 min', async () => {
    const s = await load('target-capacity-test.ts');
    expect(Object.keys(s.options.scenarios)).toEqual(['target-capacity']);
    const stages = (s.options.scenarios['target-capacity'] as { stages: Stage[] }).stages;
    expect(stages.map((x) => [seconds(x.duration), x.target])).toEqual([
      [120, 100],
      [120, 300],
      [120, 500],
      [120, 500],
      [120, 0],
    ]);
    expect(vusAt(stages, 120)).toBe(100);
    expect(vusAt(stages, 240)).toBe(300);
    expect(vusAt(stages, 360)).toBe(500);
    expect(vusAt(stages, 480)).toBe(500);
  });

  it('runs 25/25/20/20/10 over the whole run, 5 tenants × 100 users, tagging every request', async () => {
    const t = simulate(await load('target-capacity-test.ts'), 360, 480, 2);
    expect(t.iterations).toBeGreaterThan(60_000);
    expect(t.maxVus).toBe(500);
    expectMix(t, { portfolio: 25, trades: 25, positions: 20, create_trade: 20, signals: 10 });
    for (const tenant of TENANTS) {
      expect(t.vusPerTenant.get(tenant)?.size).toBe(100);
      expect(t.holdTenants.get(tenant)).toBe(60 * 100);
    }
  });
});

describe('smoke-test.ts', () => {
  it('takes about a minute with the target-capacity mix over 5 tenants × 2 users', async () => {
    const s = await load('smoke-test.ts');
    expect(Object.keys(s.options.scenarios)).toEqual(['smoke']);
    const stages = (s.options.scenarios.smoke as { stages: Stage[] }).stages;
    const total = stages.reduce((a, x) => a + seconds(x.duration), 0);
    expect(total).toBeGreaterThanOrEqual(45);
    expect(total).toBeLessThanOrEqual(90);
    const runs: Tally[] = [];
    for (let i = 0; i < 60; i++) runs.push(simulate(s, 15, 50));
    const merged: Tally = { iterations: 0, endpoints: new Map(), tenants: new Map(), vusPerTenant: new Map(), holdTenants: new Map(), maxVus: 0, problems: [] };
    for (const r of runs) {
      merged.iterations += r.iterations;
      for (const [k, v] of r.endpoints) merged.endpoints.set(k, (merged.endpoints.get(k) ?? 0) + v);
    }
    expect(merged.iterations).toBeGreaterThan(20_000);
    expect(runs[0]?.maxVus).toBe(10);
    for (const tenant of TENANTS) expect(runs[0]?.vusPerTenant.get(tenant)?.size).toBe(2);
    expectMix(merged, { portfolio: 25, trades: 25, positions: 20, create_trade: 20, signals: 10 });
  });
});

describe('the scale knob', () => {
  it('PERF_GATE_SCALE shrinks every stage and keeps the shape', async () => {
    for (const file of ['baseline-test.ts', 'target-capacity-test.ts', 'smoke-test.ts']) {
      const full = Object.values((await load(file)).options.scenarios)[0]?.stages as Stage[];
      const small = Object.values((await load(file, { PERF_GATE_SCALE: '0.1' })).options.scenarios)[0]?.stages as Stage[];
      expect(small.map((s) => s.target)).toEqual(full.map((s) => s.target));
      const fullTotal = full.reduce((a, s) => a + seconds(s.duration), 0);
      const smallTotal = small.reduce((a, s) => a + seconds(s.duration), 0);
      expect(Math.abs(smallTotal - fullTotal * 0.1)).toBeLessThanOrEqual(small.length);
      full.forEach((s, i) => {
        expect(Math.abs(seconds((small[i] as Stage).duration) - seconds(s.duration) * 0.1)).toBeLessThanOrEqual(0.5);
      });
    }
    const baseline = Object.values((await load('baseline-test.ts', { PERF_GATE_SCALE: '0.05' })).options.scenarios)[0]?.stages;
    expect(baseline).toEqual([
      { duration: '6s', target: 100 },
      { duration: '18s', target: 100 },
      { duration: '6s', target: 0 },
    ]);
  });

  it('PERF_GATE_VU_SCALE scales the VU targets', async () => {
    const stages = Object.values((await load('target-capacity-test.ts', { PERF_GATE_VU_SCALE: '0.1' })).options.scenarios)[0]?.stages as Stage[];
    expect(stages.map((s) => s.target)).toEqual([10, 30, 50, 50, 0]);
    await expect(load('smoke-test.ts', { PERF_GATE_SCALE: '-1' })).rejects.toThrow(/PERF_GATE_SCALE=-1 must be a positive number/);
  });
});

describe('configuration from the environment', () => {
  function tenantsSeen(script: Script, vus: number): string[] {
    recorder.reset();
    for (let vu = 1; vu <= vus; vu++) {
      g.__VU = vu;
      script.default();
    }
    const reqs = recorder.requests as Req[];
    return reqs.map((r) => `${r.params.tags.tenant}|${r.params.headers.Authorization}|${r.params.headers['X-Tenant-ID']}`);
  }

  it('reads tenants from PERF_GATE_TENANTS (compact or JSON) and PERF_GATE_TENANTS_FILE', async () => {
    expect(tenantsSeen(await load('smoke-test.ts', { PERF_GATE_TENANTS: 'red:k-red, blue:k-blue' }), 3)).toEqual([
      'red|Bearer k-red|red',
      'blue|Bearer k-blue|blue',
      'red|Bearer k-red|red',
    ]);
    expect(tenantsSeen(await load('smoke-test.ts', { PERF_GATE_TENANTS: '[{"id":"t1","apiKey":"s1"}]' }), 2)).toEqual(['t1|Bearer s1|t1', 't1|Bearer s1|t1']);
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-tenants-'));
    const file = join(dir, 'tenants.json');
    writeFileSync(file, JSON.stringify([{ id: 'f1', apiKey: 'fk1' }, { id: 'f2', api_key: 'fk2' }]));
    expect(tenantsSeen(await load('baseline-test.ts', { PERF_GATE_TENANTS_FILE: file }), 2)).toEqual(['f1|Bearer fk1|f1', 'f2|Bearer fk2|f2']);
    await expect(load('smoke-test.ts', { PERF_GATE_TENANTS: '[{"id":"x"}]' })).rejects.toThrow(/needs a string "id" and "apiKey"/);
  });

  it('needs BASE_URL and uses it without a trailing slash', async () => {
    await expect(load('smoke-test.ts', { BASE_URL: '' })).rejects.toThrow(/BASE_URL is not set/);
    await expect(load('smoke-test.ts', { BASE_URL: 'preview.example.com' })).rejects.toThrow(/must start with http/);
    const s = await load('smoke-test.ts', { BASE_URL: 'https://preview.example.com/' });
    g.__VU = 1;
    s.default();
    expect((recorder.requests[0] as Req).url).toMatch(/^https:\/\/preview\.example\.com\/api\/[a-z]+/);
  });

  it('keeps BASE_URL\'s path prefix and query: the API path goes before the query, which rides on every request', async () => {
    const s = await load('baseline-test.ts', { BASE_URL: 'https://pr-42.example.com/app/?x-vercel-protection-bypass=BYPASS' });
    g.__VU = 1;
    for (let i = 0; i < 60; i++) s.default();
    const reqs = recorder.requests as Req[];
    expect(new Set(reqs.map((r) => r.params.tags.endpoint))).toEqual(new Set(['portfolio', 'trades', 'create_trade']));
    for (const r of reqs) {
      expect(r.url).toMatch(/^https:\/\/pr-42\.example\.com\/app\/api\/(portfolio|trades)(\?page=[1-5]&limit=50&|\?)x-vercel-protection-bypass=BYPASS$/);
      // the name tag (one series per endpoint) without the token
      expect(r.params.tags.name).toMatch(/^https:\/\/pr-42\.example\.com\/app\/api\/(portfolio|trades)(\?page=&limit=)?$/);
    }
  });

  it('keeps credentials in BASE_URL out of the name tag written to the output', async () => {
    // a raw @ in the password: the user-info runs to the last @
    const s = await load('baseline-test.ts', { BASE_URL: 'https://user:hun@ter22@pr-42.example.com/' });
    g.__VU = 1;
    for (let i = 0; i < 20; i++) s.default();
    const reqs = recorder.requests as Req[];
    expect(reqs[0]!.url).toMatch(/^https:\/\/user:hun@ter22@pr-42\.example\.com\/api\//);
    for (const r of reqs) expect(r.params.tags.name).not.toMatch(/hun|ter22/);
    expect(reqs[0]!.params.tags.name).toMatch(/^https:\/\/pr-42\.example\.com\/api\//);
  });

  it('sends a JSON trade and counts failed responses in errors', async () => {
    const s = await load('baseline-test.ts');
    const before = recorder.respond;
    recorder.respond = (method: string) => ({ status: method === 'POST' ? 500 : 200, headers: { 'Content-Type': 'application/json' }, duration: 5 });
    try {
      g.__VU = 1;
      for (let i = 0; i < 300; i++) s.default();
    } finally {
      recorder.respond = before;
    }
    const reqs = recorder.requests as Req[];
    const samples = recorder.samples as Sample[];
    const posts = reqs.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    for (const p of posts) {
      expect(p.params.headers['Content-Type']).toBe('application/json');
      const body = JSON.parse(p.body as string);
      expect(body).toMatchObject({ symbol: expect.any(String), side: expect.stringMatching(/^(buy|sell)$/), quantity: expect.any(Number) });
    }
    const errs = samples.filter((x) => x.metric === 'errors');
    expect(errs.filter((e) => e.value === 1).length).toBe(posts.length);
    expect(errs.filter((e) => e.value === 1).every((e) => e.tags.endpoint === 'create_trade')).toBe(true);
    expect(recorder.sleeps.length).toBe(300);
  });
});
