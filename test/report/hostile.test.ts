// Tag values from k6 are data, not Markdown: a report posted as a PR comment must read them as
// written and must not let them ping people, link issues, hide or fold the rest of the comment, break
// a table, or publish a credential. The run is written with k6's own line format and ingested.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marked, type Token } from 'marked';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { ingestFiles } from '../../src/k6/ingest.js';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { toJsonReport } from '../../src/report/json.js';
import { tenantTable } from '../../src/report/tenants.js';
import { code, inlineText, metricCode } from '../../src/report/units.js';
import type { Evaluation, Results } from '../../src/model.js';
import { config, rule } from '../evaluate/rules.js';

const SECRET = 'SECRET-4f7a9c';
/** Tenants whose p99 misses its limit (their names reach the key findings, the decision and the rationale). */
const SLOW = ['@octocat', '@perf-gate/maintainers', '#123', 'x\n<!-- hide', '<details><summary>x', '*bold* _it_ ~strike~', 'tick`s'];
const FAST = ['a|b|c', 'line1\nline2', 'ok', 'rtl\u202eevil'];
const URL_WITH_TOKEN = `https://api.example.com/v1/trades?access_token=${SECRET}&page=2`;

let dir: string;
let results: Results;
let evaluation: Evaluation;
let md: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-hostile-'));
  const lines: string[] = [];
  const seen = new Set<string>();
  const emit = (name: string, type: 'trend' | 'rate' | 'counter', contains: 'time' | 'default', t: bigint, value: number, tags: Record<string, string>) => {
    if (!seen.has(name)) {
      seen.add(name);
      lines.push(metricLine({ name, type, contains, thresholds: [], submetrics: null }));
    }
    lines.push(pointLine(name, k6Time(t), value, tags));
  };
  const tenants = [...SLOW, ...FAST];
  for (let i = 0; i < 400; i++) {
    const tenant = tenants[i % tenants.length] as string;
    const url = i % 2 === 0 ? URL_WITH_TOKEN : 'https://api.example.com/v1/portfolio';
    const tags = { expected_response: 'true', group: '', method: 'GET', name: url, proto: 'HTTP/1.1', scenario: 'hostile', status: '200', tenant, url };
    const t = 1_764_000_000_000_000_000n + BigInt(i) * 100_000_000n;
    emit('http_reqs', 'counter', 'default', t, 1, tags);
    emit('http_req_duration', 'trend', 'time', t, (SLOW.includes(tenant) ? 600 : 40) + (i % 7), tags);
    emit('http_req_failed', 'rate', 'default', t, 0, tags);
  }
  writeFileSync(join(dir, 'run.ndjson'), `${lines.join('\n')}\n`);
  results = await ingestFiles([join(dir, 'run.ndjson')], { tagKeys: ['tenant', 'name'] });
  evaluation = evaluate({
    config: config(),
    scenarios: [
      {
        name: 'hostile',
        results,
        rules: [rule('http_req_duration{tenant:*}', 'p(99)<500'), rule('http_req_duration{name:*}', 'p(99)<5000')],
        notes: ['results tagged @octocat and #9: <!-- read as hostile'],
      },
    ],
  });
  md = renderMarkdown({ evaluation, results: { hostile: results } });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every token of a marked token tree. */
function* walk(tokens: Token[]): Generator<Token> {
  for (const t of tokens) {
    yield t;
    const nested = t as Token & { tokens?: Token[]; items?: Token[]; header?: { tokens: Token[] }[]; rows?: { tokens: Token[] }[][] };
    if (nested.tokens) yield* walk(nested.tokens);
    if (nested.items) yield* walk(nested.items);
    if (nested.header) for (const c of nested.header) yield* walk(c.tokens);
    if (nested.rows) for (const r of nested.rows) for (const c of r) yield* walk(c.tokens);
  }
}

/** The cells of a GFM table row as GFM splits them (a backslash escapes `\` or `|`). */
function gfmCells(row: string): number {
  let cells = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\' && (row[i + 1] === '\\' || row[i + 1] === '|')) i++;
    else if (row[i] === '|') cells++;
  }
  return cells - 1;
}

describe('hostile tag values in the report', () => {
  it('the run fails on the slow tenants, so their names reach the findings, the decision and the rationale', () => {
    expect(evaluation.verdict).toBe('NOT_APPROVED');
    const failed = evaluation.scenarios[0]!.criteria.filter((c) => c.status === 'fail').map((c) => c.metric);
    expect(failed).toEqual(expect.arrayContaining(SLOW.map((t) => `http_req_duration{tenant:${t}}`)));
    expect(evaluation.rationale).toContain('@octocat');
  });

  it('no HTML from the data reaches the comment: nothing is hidden (<!--) or folded (<details>)', () => {
    const html = [...walk(marked.lexer(md))].filter((t) => t.type === 'html');
    expect(html.map((t) => t.raw)).toEqual([]);
  });

  it('outside code, no @name pings and no #123 links: GitHub reads mentions and issue numbers in text only', () => {
    const text = [...walk(marked.lexer(md))]
      // leaf text: a list item's text token holds its inline tokens (code spans among them)
      .filter((t) => (t.type === 'text' || t.type === 'escape') && !(t as { tokens?: Token[] }).tokens?.length)
      .map((t) => t.raw)
      .join('\n');
    expect(text).not.toMatch(/(^|[^A-Za-z0-9])@[A-Za-z0-9]/m);
    expect(text).not.toMatch(/(^|[^A-Za-z0-9&])#[0-9]/m); // (&#8203; is the entity itself)
    // the values still read as written: a zero-width space after the sign
    expect(md).toContain('@&#8203;octocat');
    expect(md).toContain('tagged @&#8203;octocat and #&#8203;9');
  });

  it('emphasis characters of the data are shown, not applied', () => {
    const rationale = md.split('\n').find((l) => l.startsWith('**Rationale**'))!;
    const tokens = [...walk(marked.lexer(rationale))];
    expect(tokens.filter((t) => t.type === 'em' || t.type === 'del')).toEqual([]);
    expect(tokens.filter((t) => t.type === 'strong')).toHaveLength(1);
  });

  it('every line of a table is one row with as many cells as its header', () => {
    const blocks = md.split('\n\n').filter((b) => b.startsWith('|'));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const b of blocks) {
      const rows = b.split('\n');
      const n = gfmCells(rows[0]!);
      for (const r of rows) expect(gfmCells(r)).toBe(n);
    }
  });

  it('a line break in a tag value stays inside its code span: the next line cannot start a block', () => {
    expect(md).toContain('`http_req_duration{tenant:x\\n<!-- hide}`');
    expect(code('line1\nline2\r\nline3')).toBe('`line1\\nline2\\r\\nline3`');
    expect(md).not.toMatch(/^<!--/m);
  });

  it('a bidi control in a tag value is written out: it cannot make its row read backwards', () => {
    expect(md).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(md).toContain('`http_req_duration{tenant:rtl\\u202eevil}`');
    expect(inlineText('x \u2066y\u2069')).toBe('x \\u2066y\\u2069');
  });

  it('a credential in a request URL (an expanded {name:*} rule) is masked in the comment', () => {
    expect(evaluation.scenarios[0]!.criteria.some((c) => c.metric.includes(SECRET))).toBe(true);
    expect(md).not.toContain(SECRET);
    expect(md).toContain('`http_req_duration{name:https://api.example.com/v1/trades?access_token=***&page=2}`');
    const table = tenantTable(results, { tag: 'name' });
    expect(table).not.toContain(SECRET);
  });

  it('the JSON report keeps every metric key as written (data for tools, not Markdown)', () => {
    const json = JSON.parse(JSON.stringify(toJsonReport(evaluation, { results: { hostile: results } }))) as { criteria: { metric: string }[]; rationale: string };
    const metrics = json.criteria.map((c) => c.metric);
    for (const t of [...SLOW, ...FAST]) expect(metrics).toContain(`http_req_duration{tenant:${t}}`);
    expect(json.rationale).toBe(evaluation.rationale);
  });

  it('inlineText keeps code spans and reads as written', () => {
    expect(inlineText('`p(99)` is not an aggregation of a `trend` metric')).toBe('`p(99)` is not an aggregation of a `trend` metric');
    expect(inlineText('http_req_duration{tenant:@octocat} p(99)<500 fails')).toBe('http_req_duration{tenant:@&#8203;octocat} p(99)<500 fails');
    expect(inlineText('x <!-- y --> <details>')).toBe('x \\<!-- y --> \\<details>');
    expect(inlineText('*b* _i_ ~s~ [l](u) tick`s')).toBe('\\*b\\* \\_i\\_ \\~s\\~ \\[l\\](u) tick\\`s');
    expect(inlineText('a\nb')).toBe('a b');
    expect(inlineText('mail a@b.c, issue #12, C#9')).toBe('mail a@b.c, issue #&#8203;12, C#9');
  });
});

describe('URLs and secrets in free text and metric keys', () => {
  /** The links marked finds in a line of Markdown: [href, text]. */
  const links = (line: string) => [...walk(marked.lexer(line))].filter((t): t is Token & { href: string; text: string } => t.type === 'link').map((t) => t.href);

  it('a URL in a reason is an autolink whose address is the URL as written: no escapes, no zero-width space', () => {
    for (const url of ['https://api.example.com/users/@me', 'https://shop.example.com/orders/#42', 'https://api.example.com/v1/items_', 'https://grafana.example.com/d/x?var-pod=api-[0-9]*&from=now-1h']) {
      const text = inlineText(`no samples of url=${url} (values seen: ${url}). Check it.`);
      expect(links(text)).toEqual([url, url]);
      expect(text).not.toContain('&#8203;');
    }
    // punctuation after it stays text
    expect(inlineText('see https://x.example.com/a).')).toBe('see <https://x.example.com/a>).');
  });

  it('a secret in a URL is masked, in text, in an autolink and in a code span, and the code span keeps its closing backtick', () => {
    expect(inlineText('the p(99) of `http_req_duration{url:https://x/y?token=abc}` is 12 ms')).toBe('the p(99) of `http_req_duration{url:https://x/y?token=***}` is 12 ms');
    expect(inlineText('the p(99) of `…?token=***` is 12 ms')).toBe('the p(99) of `…?token=***` is 12 ms');
    expect(inlineText('at https://u:pw@x.example.com/a?sig=s3cr3t&page=2 now')).toBe('at <https://***@x.example.com/a?sig=***&page=2> now');
  });

  it('metric keys: each tag value is masked on its own, so two keys never read alike', () => {
    const get = metricCode('http_req_duration{url:https://api.example.com/a?token=abc,method:GET}');
    const post = metricCode('http_req_duration{url:https://api.example.com/a?token=abc,method:POST}');
    expect(get).toBe('`http_req_duration{url:https://api.example.com/a?token=***,method:GET}`');
    expect(post).not.toBe(get);
    expect(metricCode('http_req_duration{url:https://api.example.com?x=1,user:bob@corp}')).toBe('`http_req_duration{url:https://api.example.com?x=1,user:bob@corp}`');
  });
});
