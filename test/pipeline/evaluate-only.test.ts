// The pipeline in evaluate-only mode on the real k6 sample: which files are judged as which scenario,
// files given twice, empty or cut short, and what reaches the warnings, the JSON and the Markdown.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { GateOptions, Logger } from '../../src/model.js';
import { displayPath, gate } from '../../src/pipeline.js';
import type { JsonReport } from '../../src/report/json.js';
import { samplePath } from '../helpers/sample.js';

const quiet: Logger = { info() {}, warning() {}, error() {}, debug() {}, group: (_n, fn) => fn() };
let dir = '';
let contacts = '';
let baseline = '';
let gz = '';
const THRESHOLDS = `version: 1
thresholds:
  http_req_duration: ["p(99)<5000"]
scenarios:
  contacts:
    thresholds:
      http_reqs: ["count>0"]
  baseline:
    thresholds:
      http_reqs: ["count>0"]
  smoke:
    thresholds:
      http_reqs: ["count>0"]
`;

function opts(results: string[], scenarios: string[] = [], thresholds = 'thresholds.yml'): GateOptions {
  return { cwd: dir, thresholds, scenarios, results, env: {}, log: quiet };
}
async function inputError(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}
const httpReqs = (json: unknown, scenario: string) => (json as JsonReport).criteria.find((c) => c.scenario === scenario && c.metric === 'http_reqs')!.actual;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-evaluate-only-'));
  writeFileSync(join(dir, 'thresholds.yml'), THRESHOLDS);
  gz = samplePath('contacts-20s.ndjson.gz');
  const text = gunzipSync(readFileSync(gz)).toString('utf8');
  contacts = join(dir, 'contacts.ndjson');
  writeFileSync(contacts, text);
  baseline = join(dir, 'baseline.ndjson');
  writeFileSync(baseline, text.replaceAll('"scenario":"contacts"', '"scenario":"baseline"'));
});

describe('evaluate-only: which files are judged as which scenario', () => {
  it('without a scenario named, groups the files by their k6 scenario tag', async () => {
    const r = await gate(opts([contacts, baseline]));
    expect(r.evaluation.scenarios.map((s) => s.name).sort()).toEqual(['baseline', 'contacts']);
    expect(httpReqs(r.json, 'contacts')).toBe(322);
    expect(httpReqs(r.json, 'baseline')).toBe(322);
    expect(r.warnings).toEqual([]);
  });

  it('refuses a scenario the thresholds file does not define, naming the file and the closest name', async () => {
    const e = await inputError(gate(opts([contacts], ['contcts'])));
    expect(e.message).toContain("thresholds.yml: no scenario named 'contcts'");
    expect(e.message).toContain('Did you mean `contacts`?');
    expect(e.message).toContain("fix: ask for one of 'contacts', 'baseline', 'smoke'");
  });

  it('with one scenario named, judges every file as it and says which files carry another tag', async () => {
    const r = await gate(opts([contacts, baseline], ['smoke']));
    expect(r.evaluation.scenarios.map((s) => s.name)).toEqual(['smoke']);
    expect(httpReqs(r.json, 'smoke')).toBe(644);
    const notes = (r.json as JsonReport).scenarios[0]!.notes;
    expect(notes).toHaveLength(2);
    expect(notes[0]).toBe(`\`contacts.ndjson\` carries the k6 scenario tag \`contacts\`: judged as \`smoke\`, the scenario asked for`);
    expect(r.warnings).toContain(`smoke: ${notes[1]}`);
    expect(r.markdown).toContain(`- **smoke**: ${notes[0]}`);
  });

  it('with several scenarios named, judges only those, each on its own files', async () => {
    const r = await gate(opts([contacts, baseline], ['baseline', 'contacts']));
    expect(r.evaluation.scenarios.map((s) => s.name).sort()).toEqual(['baseline', 'contacts']);
    expect(httpReqs(r.json, 'baseline')).toBe(322);
    expect(httpReqs(r.json, 'contacts')).toBe(322);
  });

  it('with several scenarios named, notes files of other scenarios and refuses a named one without files', async () => {
    const e = await inputError(gate(opts([contacts, baseline], ['baseline', 'smoke'])));
    expect(e.message).toContain("no results file carries the k6 scenario tag 'smoke' (the results' tags: 'contacts', 'baseline')");
    const three = join(dir, 'smoke.ndjson');
    writeFileSync(three, readFileSync(contacts, 'utf8').replaceAll('"scenario":"contacts"', '"scenario":"smoke"'));
    const r = await gate(opts([contacts, baseline, three], ['baseline', 'smoke']));
    expect(r.evaluation.scenarios.map((s) => s.name).sort()).toEqual(['baseline', 'smoke']);
    expect(r.warnings.some((w) => w.includes(`not judged, their scenario was not asked for: \`contacts.ndjson\` (k6 scenario tag \`contacts\`)`))).toBe(true);
  });
});

describe('evaluate-only: files given twice, empty, cut short', () => {
  it('reads a file given twice once, and says so', async () => {
    const r = await gate(opts([contacts, join(dir, '.', 'contacts.ndjson'), contacts]));
    expect(httpReqs(r.json, 'contacts')).toBe(322);
    // named relative to the working directory when inside it, else as given
    expect(r.warnings).toEqual(['contacts: `contacts.ndjson` was given more than once: read once']);
    const outside = await gate(opts([gz, gz]));
    expect(outside.warnings).toEqual([`contacts: \`${gz}\` was given more than once: read once`]);
  });

  it('refuses results that hold no sample at all', async () => {
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    const e = await inputError(gate(opts([empty])));
    expect(e.message).toContain(`${empty}: no k6 samples in the results file`);
    const defsOnly = join(dir, 'defs.ndjson');
    writeFileSync(defsOnly, `${readFileSync(contacts, 'utf8').split('\n')[0]}\n`);
    await inputError(gate(opts([defsOnly, empty], ['contacts'])));
  });

  it('judges the others when one shard is empty, and names the empty one', async () => {
    const empty = join(dir, 'empty2.ndjson');
    writeFileSync(empty, '');
    const r = await gate(opts([contacts, empty], ['contacts']));
    expect(httpReqs(r.json, 'contacts')).toBe(322);
    const text = `\`empty2.ndjson\` holds no k6 samples: k6 wrote nothing to it (or only metric definitions).`;
    expect((r.json as JsonReport).scenarios[0]!.dataQuality).toContain(text);
    expect(r.warnings).toContain(`contacts: ${text}`);
  });

  it('a garbage line and a partial last line reach the JSON report and the warnings, not only the Markdown', async () => {
    const lines = readFileSync(contacts, 'utf8').split('\n');
    const bad = join(dir, 'garbage.ndjson');
    writeFileSync(bad, [...lines.slice(0, 100), 'not json at all', ...lines.slice(100, -1), lines.at(-2)!.slice(0, 40)].join('\n'));
    const r = await gate(opts([bad]));
    const dq = (r.json as JsonReport).scenarios[0]!.dataQuality;
    expect(dq).toContain(`1 line was not valid k6 JSON and skipped (e.g. \`garbage.ndjson:101\`).`);
    expect(dq).toContain(`\`garbage.ndjson\` ends in a partial line (k6 was stopped while writing).`);
    expect(r.warnings).toEqual(dq.map((t) => `contacts: ${t}`));
    expect((r.json as JsonReport).warnings).toEqual(r.warnings);
    for (const t of dq) expect(r.markdown).toContain(t);
  });

  it('names a gzip cut short as such, and refuses one cut before any data', async () => {
    const whole = readFileSync(gz);
    const cut = join(dir, 'cut.ndjson.gz');
    writeFileSync(cut, whole.subarray(0, 20000));
    const r = await gate(opts([cut]));
    expect((r.json as JsonReport).scenarios[0]!.dataQuality).toContain(
      `\`cut.ndjson.gz\` is cut short: its gzip stream ends early (k6 was stopped while writing, or the file was cut in transfer); the samples before the cut were read.`,
    );
    const head = join(dir, 'head.ndjson.gz');
    writeFileSync(head, whole.subarray(0, 12));
    const e = await inputError(gate(opts([head])));
    expect(e.message).toContain(`${head}: the gzip stream ends early (the file is cut short) before any data`);
    // cut inside the first line: read as k6 output, and what was there is reported, not "not k6 output"
    const first = join(dir, 'first.ndjson.gz');
    writeFileSync(first, whole.subarray(0, 100));
    const e2 = await inputError(gate(opts([first])));
    expect(e2.message).toContain('no k6 samples');
  });
});

describe('evaluate-only: rules naming a metric the results lack', () => {
  it('warns with the rule position and the closest metric, and the reason reads cleanly', async () => {
    writeFileSync(join(dir, 'typo.yml'), 'version: 1\nthresholds:\n  http_req_duraton: ["p(99)<500"]\n  my_custom_trend: ["p(99)<500"]\n');
    const r = await gate(opts([contacts], [], 'typo.yml'));
    expect(r.warnings).toEqual(['typo.yml:3:22: no samples of `http_req_duraton` in the results of contacts. Did you mean `http_req_duration`?']);
    const reasons = (r.json as JsonReport).criteria.map((c) => c.reason);
    expect(reasons).toContain('no samples of http_req_duraton in the k6 output. Did you mean `http_req_duration`?');
    expect(reasons).toContain('no samples of my_custom_trend in the k6 output');
  });
});

describe('evaluate-only: the evaluated window reaches every table', () => {
  it("with window: steady, the per-tenant table covers the scenario's evaluated window, not the whole run", async () => {
    const run = join(import.meta.dirname, '../../examples/runs/target-capacity.ndjson.gz');
    writeFileSync(join(dir, 'steady.yml'), 'version: 1\nwindow: steady\nthresholds:\n  http_req_duration: ["p(99)<5000"]\n');
    const steady = await gate(opts([run], [], 'steady.yml'));
    const w = steady.evaluation.scenarios[0]!.window!;
    expect(w).toBeDefined();
    const tenants = steady.markdown.slice(steady.markdown.indexOf('Over the scenario'));
    expect(tenants.startsWith("Over the scenario's evaluated window")).toBe(true);
    writeFileSync(join(dir, 'all.yml'), 'version: 1\nthresholds:\n  http_req_duration: ["p(99)<5000"]\n');
    const all = await gate(opts([run], [], 'all.yml'));
    expect(all.markdown).not.toContain("Over the scenario's evaluated window");
  });
});

describe('evaluate-only: windows are measured on whole seconds', () => {
  it('a warm-up window starts at a bucket edge, and the criterion reports that interval', async () => {
    writeFileSync(join(dir, 'warm.yml'), 'version: 1\nthresholds:\n  http_reqs: [{ threshold: "count>0", warmup: 5s }]\n');
    const r = await gate(opts([contacts], [], 'warm.yml'));
    const c = r.evaluation.scenarios[0]!.criteria[0]!;
    const span = r.evaluation.scenarios[0]!.window ?? undefined;
    expect(span).toBeUndefined();
    expect(c.window!.start % 1000).toBe(0);
    // the samples counted are exactly those from that edge on
    const lines = readFileSync(contacts, 'utf8').split('\n').filter((l) => l.startsWith('{"metric":"http_reqs"'));
    const at = lines.map((l) => Date.parse((JSON.parse(l) as { data: { time: string } }).data.time.replace(/(\.\d{3})\d*/, '$1')));
    expect(c.actual).toBe(at.filter((t) => t >= c.window!.start).length);
  });
});

describe('displayPath', () => {
  it('names files inside the working directory relative to it, others as given', () => {
    const shown = displayPath(join(tmpdir(), 'repo'));
    expect(shown(join(tmpdir(), 'repo', 'results', 'run.ndjson'))).toBe(join('results', 'run.ndjson'));
    expect(shown(join(tmpdir(), 'repo', '..repo-notes.ndjson'))).toBe('..repo-notes.ndjson');
    expect(shown(join(tmpdir(), 'repo-other', 'run.ndjson'))).toBe(join(tmpdir(), 'repo-other', 'run.ndjson'));
    expect(shown(join(tmpdir(), 'repo'))).toBe(join(tmpdir(), 'repo'));
  });
});
