// thresholds.yml `dashboards:` — the team's Grafana dashboards, linked under each scenario and opened on
// its run's time range (Grafana's `from`/`to`, epoch ms): config checks with file:line, the links, the
// Markdown line and the JSON report, and `perf-gate evaluate` end to end on generated k6 output.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { main } from '../../src/cli.js';
import { loadTestSpec, writeK6Fixture } from '../../src/k6/fixtures.js';
import { dashboardsLine, dashboardUrl, MIN_RANGE_MS } from '../../src/report/dashboards.js';
import { problems } from '../config/problems.js';

const span = { start: 1_795_000_000_000, end: 1_795_000_120_000 };

describe('dashboards in thresholds.yml', () => {
  it('reads name → URL in file order, with ${VAR} expanded; an unset variable leaves the dashboard unlinked, saying why', () => {
    const c = loadConfig('t.yml', {
      text: `version: 1
dashboards:
  API overview: https://grafana.example.com/d/api/overview?var-namespace=pr-\${PR_NUMBER}
  PostgreSQL: "\${GRAFANA_URL}/d/pg/postgresql"
`,
      env: { PR_NUMBER: '42' },
    });
    expect(c.dashboards).toEqual([
      { name: 'API overview', url: 'https://grafana.example.com/d/api/overview?var-namespace=pr-42', pos: { file: 't.yml', line: 3, column: 17 } },
      { name: 'PostgreSQL', unavailable: 'GRAFANA_URL is not set', pos: { file: 't.yml', line: 4, column: 15 } },
    ]);
  });

  it('keeps the file order (number-like names too), and masks the value of a secret-named variable in a URL', () => {
    const c = loadConfig('t.yml', {
      text: 'version: 1\ndashboards:\n  Zeta: https://g.example.com/d/z\n  2024: https://g.example.com/d/y?var-tenant=${TENANT_API_KEY}\n',
      env: { TENANT_API_KEY: 'k-8f2c9a77' },
    });
    expect(c.dashboards!.map((d) => d.name)).toEqual(['Zeta', '2024']);
    expect(c.dashboards![1]!.url).toBe('https://g.example.com/d/y?var-tenant=***');
  });

  it('an expanded URL that is not http(s) is an error that names the variables, never their values; blank names and URLs are errors', () => {
    const [p] = problems('version: 1\ndashboards:\n  API: "${GRAFANA_API_KEY}/d/api"\n', { GRAFANA_API_KEY: 'glsa_supersecretvalue' });
    expect(p!.where).toBe('perf/thresholds.yml:3:8');
    expect(p!.message).toBe('dashboards.API: `${GRAFANA_API_KEY}/d/api` is not an http(s) URL once `GRAFANA_API_KEY` is expanded');
    expect(JSON.stringify(p)).not.toContain('supersecret');
    const blank = problems('version: 1\ndashboards:\n  API: "  "\n');
    expect(blank.map((b) => `${b.where} ${b.message}`)).toEqual(['perf/thresholds.yml:3:8 dashboards.API: the URL is empty']);
    const noName = problems('version: 1\ndashboards:\n  " ": https://g.example.com/d/x\n');
    expect(noName.map((b) => b.message)).toEqual(['a dashboard needs a name']);
  });

  it('a URL that is not http(s) is a problem at its line, naming the fix; a list instead of a map too', () => {
    const [p] = problems('version: 1\ndashboards:\n  API: grafana.example.com/d/api\n');
    expect(p!.where).toBe('perf/thresholds.yml:3:8');
    expect(p!.message).toBe('dashboards.API: `grafana.example.com/d/api` is not an http(s) URL');
    expect(p!.hint).toContain('https://grafana.example.com/d/');
    const [q] = problems('version: 1\ndashboards:\n  - https://grafana.example.com/d/api\n');
    expect(q!.where).toBe('perf/thresholds.yml:3:3');
    expect(q!.message).toMatch(/^dashboards: expected a map of dashboard name → URL/);
  });
});

describe('dashboard links', () => {
  it("set Grafana's from/to to the run's span (replacing any in the URL), keep the other parameters, and mask credentials", () => {
    const u = new URL(dashboardUrl('https://grafana.example.com/d/api/overview?orgId=1&from=now-6h&to=now&var-ns=pr-42', span));
    expect(u.searchParams.get('from')).toBe(String(span.start));
    expect(u.searchParams.get('to')).toBe(String(span.end));
    expect(u.searchParams.getAll('from')).toHaveLength(1);
    expect(u.searchParams.get('orgId')).toBe('1');
    expect(u.searchParams.get('var-ns')).toBe('pr-42');
    const secret = new URL(dashboardUrl('https://viewer:hunter2@grafana.example.com/d/x?auth_token=abc123&var-keyspace=orders&var-auth_service=pay', span));
    expect(secret.username + secret.password).toBe('');
    expect(secret.searchParams.get('auth_token')).toBe('***');
    // Grafana's template variables are kept as written, whatever their names look like
    expect(secret.searchParams.get('var-keyspace')).toBe('orders');
    expect(secret.searchParams.get('var-auth_service')).toBe('pay');
    // a run shorter than a minute is centred in a minute (panels need a few scrapes to draw)
    const short = new URL(dashboardUrl('https://g.example.com/d/x', { start: span.start, end: span.start + 300 }));
    expect(Number(short.searchParams.get('to')) - Number(short.searchParams.get('from'))).toBe(MIN_RANGE_MS);
    expect(Number(short.searchParams.get('from'))).toBe(span.start + 150 - MIN_RANGE_MS / 2);
    // a parenthesis would end the Markdown link early
    expect(dashboardUrl('https://grafana.example.com/d/x/a(b)', span)).toContain('/d/x/a%28b%29?');
  });

  it('the scenario line links each dashboard, escapes its name, and says which are not linked and why', () => {
    const line = dashboardsLine(
      [
        { name: 'API\n[prod]', url: 'https://grafana.example.com/d/api', pos: { file: 't.yml', line: 3, column: 8 } },
        { name: 'PostgreSQL', unavailable: 'GRAFANA_URL is not set', pos: { file: 't.yml', line: 4, column: 15 } },
      ],
      span,
    )!;
    expect(line).toBe(
      `**Dashboards** (11:06:40–11:08:40 UTC): [API \\[prod\\]](https://grafana.example.com/d/api?from=${span.start}&to=${span.end}) · not linked: PostgreSQL: GRAFANA_URL is not set`,
    );
    expect(dashboardsLine([], span)).toBeUndefined();
    expect(dashboardsLine([{ name: 'API', url: 'https://g.example.com/d/api', pos: { file: 't.yml', line: 3, column: 8 } }], undefined)).toBe(
      '**Dashboards**: not linked: the results carry no sample times',
    );
  });
});

describe('perf-gate evaluate with dashboards', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perf-gate-dash-'));
    const spec = loadTestSpec('smoke', 0.2);
    spec.seed = 5;
    await writeK6Fixture(spec, join(dir, 'smoke.ndjson'));
  });

  it("links them under the scenario with the run's span, in the Markdown and the JSON report, and warns of an unlinked one", async () => {
    const t = join(dir, 'thresholds.yml');
    writeFileSync(t, 'version: 1\nthresholds:\n  http_req_duration: ["p(95)<100000"]\ndashboards:\n  API overview: https://grafana.example.com/d/api/overview?orgId=1\n  Redis: "${GRAFANA_URL}/d/redis"\n');
    const err: string[] = [];
    const out: string[] = [];
    const code = await main(['evaluate', '--thresholds', t, '--results', join(dir, 'smoke.ndjson'), '--json', join(dir, 'r.json')], {
      stdout: (s: string) => out.push(s),
      stderr: (s: string) => err.push(s),
      cwd: dir,
      env: {},
    });
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { scenarios: { name: string; dashboards?: { name: string; url: string }[] }[] };
    const links = report.scenarios[0]!.dashboards!;
    expect(links.map((l) => l.name)).toEqual(['API overview']);
    const u = new URL(links[0]!.url);
    const from = Number(u.searchParams.get('from'));
    const to = Number(u.searchParams.get('to'));
    expect(to - from).toBeGreaterThan(1000);
    const md = out.join('');
    expect(md).toContain(`[API overview](${links[0]!.url})`);
    expect(md).toContain('not linked: Redis: GRAFANA_URL is not set');
    expect(err.join('')).toMatch(/thresholds\.yml:6:10: dashboards\.Redis is not linked: GRAFANA_URL is not set \(set it in the job's or step's env\)/);
  });
});
