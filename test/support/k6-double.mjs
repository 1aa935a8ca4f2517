#!/usr/bin/env node
// TEST DOUBLE of the k6 executable — not k6, never shipped. It accepts the `k6 run` argv perf-gate
// passes, replays the real k6 sample (k6-samples/contacts-20s.ndjson.gz) as `--out json=` NDJSON in
// k6's exact format (retimed to now, retagged with the script's scenario name, the `--tag` run tags
// and `endpoint`/`tenant` tags plus the scripts' custom metrics), prints k6-like progress, and exits
// like k6 would.
//
// Controls (environment):
//   K6_DOUBLE_EXIT=N           exit code after a full replay (default 0; 99 prints a thresholds message)
//   K6_DOUBLE_EXIT_FIRST=N     exit code of a first attempt only (output file without `-attemptN`): a flaky run
//   K6_DOUBLE_FAIL_AT_START=1  exit with K6_DOUBLE_EXIT before writing any output (init errors: 104, 107)
//   K6_DOUBLE_DURATION_MS=N    how long the replay takes (default 1000)
//   K6_DOUBLE_IGNORE_SIGINT=1  keep running on SIGINT (to test the kill after the grace period)
//   K6_DOUBLE_RECORD=FILE      write {argv, env, cwd} as JSON to FILE
//   K6_DOUBLE_SAMPLE=FILE      replay this NDJSON(.gz) instead of the default sample
//   K6_DOUBLE_SCENARIO=NAME    scenario tag (default: the first key of the script's `scenarios`)
// With --execution-segment it replays only that share of the sample (shards of one run add up to it).
import { createReadStream, createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createGunzip, createGzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_SAMPLE = resolve(here, '../../../shared/k6-samples/contacts-20s.ndjson.gz');
const FALLBACK_SAMPLE = '/work/shared/k6-samples/contacts-20s.ndjson.gz';
const env = process.env;
const argv = process.argv.slice(2);

function die(code, message) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

if (argv[0] === 'version' || argv[0] === '--version') {
  process.stdout.write('k6 v2.3.0 (test double, go1.24.0, linux/amd64)\n');
  process.exit(0);
}
if (argv[0] !== 'run') die(255, `k6 double: unsupported command '${argv[0] ?? ''}' (only 'run' and 'version')`);

// ── argv, as k6 parses the flags perf-gate uses ──
let out;
const runTags = {};
const segment = {};
let script;
for (let i = 1; i < argv.length; i++) {
  const a = argv[i];
  const next = () => {
    const v = argv[++i];
    if (v === undefined) die(255, `flag needs an argument: ${a}`);
    return v;
  };
  if (a === '--no-color' || a === '-q' || a === '--quiet') continue;
  else if (a === '--out' || a === '-o') out = next();
  else if (a.startsWith('--out=')) out = a.slice(6);
  else if (a === '--tag') {
    const t = next();
    const eq = t.indexOf('=');
    if (eq <= 0) die(255, `invalid argument "${t}" for "--tag" flag: key=value expected`);
    runTags[t.slice(0, eq)] = t.slice(eq + 1);
  } else if (a === '--execution-segment') segment.segment = next();
  else if (a === '--execution-segment-sequence') segment.sequence = next();
  else if (a.startsWith('-')) die(255, `unknown flag: ${a}`);
  else if (script === undefined) script = a;
  else die(255, `accepts 1 arg(s), received ${argv.length}`);
}
if (!script) die(255, 'accepts 1 arg(s), received 0');
if (!out || !out.startsWith('json=')) die(104, `k6 double: expected --out json=FILE, got ${out}`);
const outFile = out.slice(5);
const scriptPath = resolve(process.cwd(), script);
if (!existsSync(scriptPath)) die(107, `The moduleSpecifier "${script}" couldn't be found on local disk.`);

if (env.K6_DOUBLE_RECORD) {
  const keep = Object.fromEntries(Object.entries(env).filter(([k]) => !/^(npm_|VITEST|NODE_|TEST)/.test(k)));
  writeFileSync(env.K6_DOUBLE_RECORD, JSON.stringify({ argv, env: keep, cwd: process.cwd(), segment }, null, 2));
}

const firstAttempt = !/-attempt\d+-/.test(outFile);
const exitCode = Number((firstAttempt ? env.K6_DOUBLE_EXIT_FIRST : undefined) ?? env.K6_DOUBLE_EXIT ?? '0');
if (env.K6_DOUBLE_FAIL_AT_START === '1') {
  die(exitCode, exitCode === 107 ? `Uncaught (in promise) Error: init failed\n\tat file://${scriptPath}:1:1(3)` : `k6 double: failing at start (${exitCode})`);
}

function scenarioName() {
  if (env.K6_DOUBLE_SCENARIO) return env.K6_DOUBLE_SCENARIO;
  const text = readFileSync(scriptPath, 'utf8');
  // `scenarios: { 'name': …` in the script, or perf-gate's `definition = { name: 'baseline', …`.
  const m = /scenarios\s*:\s*\{\s*['"]?([A-Za-z0-9_-]+)/.exec(text) ?? /\bname\s*:\s*['"]([A-Za-z0-9_-]+)['"]/.exec(text);
  return m ? m[1] : 'default';
}
const scenario = scenarioName();

// ── k6's line format (see k6-formats.md) ──
const goString = (s) => JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const tagsJson = (tags) =>
  tags === null ? 'null' : `{${Object.keys(tags).sort().map((k) => `${goString(k)}:${goString(tags[k])}`).join(',')}}`;
const pointLine = (metric, time, value, tags) =>
  `{"metric":${goString(metric)},"type":"Point","data":{"time":"${time}","value":${String(value)},"tags":${tagsJson(tags)}}}`;
const metricLine = (name, type, contains) =>
  `{"type":"Metric","data":{"name":${goString(name)},"type":"${type}","contains":"${contains}","thresholds":[],"submetrics":null},"metric":${goString(name)}}`;

/** RFC 3339 with nanoseconds (trailing zeros trimmed), UTC. */
function k6Time(epochNs) {
  const ms = Number(epochNs / 1_000_000n);
  const nanos = Number(epochNs % 1_000_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${frac}Z`;
}
function parseNs(time) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) throw new Error(`bad time ${time}`);
  const secMs = Date.parse(`${m[1]}${m[3]}`);
  return BigInt(secMs) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

// ── read the sample ──
const samplePath = env.K6_DOUBLE_SAMPLE ?? (existsSync(DEFAULT_SAMPLE) ? DEFAULT_SAMPLE : FALLBACK_SAMPLE);
const input = samplePath.endsWith('.gz') ? createReadStream(samplePath).pipe(createGunzip()) : createReadStream(samplePath);
const parsed = [];
for await (const line of createInterface({ input, crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  const o = JSON.parse(line);
  if (o.type === 'Point') parsed.push({ metric: o.metric, ns: parseNs(o.data.time), value: o.data.value, tags: o.data.tags });
}
parsed.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));

// ── retag and retime ──
const ENDPOINTS = [
  ['portfolio', 'portfolio_latency'],
  ['trades', 'trades_latency'],
  ['positions', 'positions_latency'],
  ['create_trade', 'create_trade_latency'],
  ['signals', 'signal_latency'],
];
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const durationMs = Number(env.K6_DOUBLE_DURATION_MS ?? '1000');
const first = parsed[0]?.ns ?? 0n;
const last = parsed[parsed.length - 1]?.ns ?? 1n;
const span = last - first || 1n;
const startNs = BigInt(Date.now()) * 1_000_000n;
const targetNs = BigInt(Math.max(1, Math.round(durationMs))) * 1_000_000n;
const requestIds = new Map();
const events = [];
// --execution-segment a:b — this instance replays only its share: each request (all its http_req_*
// lines and custom metrics) and each other sample belongs to exactly one segment, so the files of all
// segments of a sequence together hold the whole sample once.
function fraction(text) {
  const [n, d] = text.split('/');
  return d === undefined ? Number(n) : Number(n) / Number(d);
}
const [segFrom, segTo] = segment.segment
  ? segment.segment.includes(':')
    ? segment.segment.split(':').map(fraction)
    : [0, fraction(segment.segment)]
  : [0, 1];
const share = (key) => {
  const pos = ((key + 1) * 0.6180339887498949) % 1;
  return pos >= segFrom && pos < segTo;
};
const perMetric = new Map();
for (const p of parsed) {
  const ns = startNs + ((p.ns - first) * targetNs) / span;
  const time = k6Time(ns);
  let tags = p.tags;
  if (tags && typeof tags === 'object' && 'scenario' in tags) tags = { ...tags, scenario };
  tags = tags === null ? (Object.keys(runTags).length ? { ...runTags } : null) : { ...tags, ...runTags };
  const isHttp = p.metric.startsWith('http_req');
  let extra = [];
  if (isHttp && tags) {
    const key = `${p.ns}|${p.tags.url}`;
    if (!requestIds.has(key)) requestIds.set(key, requestIds.size);
    const id = requestIds.get(key);
    const [endpoint, trend] = ENDPOINTS[id % ENDPOINTS.length];
    tags.endpoint = endpoint;
    tags.tenant = TENANTS[Math.floor(id / ENDPOINTS.length) % TENANTS.length];
    if (p.metric === 'http_req_duration') {
      // Custom metrics carry the system tags group/scenario, the run tags and the tags the script passes.
      const custom = { group: tags.group, scenario: tags.scenario, ...runTags, endpoint, tenant: tags.tenant };
      extra = [
        { metric: trend, type: 'trend', contains: 'time', value: p.value, tags: custom },
        { metric: 'errors', type: 'rate', contains: 'default', value: Number(p.tags.status) >= 400 || p.tags.status === '0' ? 1 : 0, tags: custom },
      ];
    }
  }
  let key;
  if (isHttp && tags) key = requestIds.get(`${p.ns}|${p.tags.url}`);
  else {
    key = perMetric.get(p.metric) ?? 0;
    perMetric.set(p.metric, key + 1);
  }
  if (!share(key)) continue;
  events.push({ ns, metric: p.metric, line: pointLine(p.metric, time, p.value, tags), extra: extra.map((e) => ({ ...e, line: pointLine(e.metric, time, e.value, e.tags) })) });
}

// ── write progressively ──
const file = createWriteStream(outFile);
const sink = outFile.endsWith('.gz') ? createGzip() : undefined;
if (sink) sink.pipe(file);
const writer = sink ?? file;
const known = new Set();
const TYPES = Object.fromEntries(
  (await (async () => {
    const rows = [];
    const again = samplePath.endsWith('.gz') ? createReadStream(samplePath).pipe(createGunzip()) : createReadStream(samplePath);
    for await (const line of createInterface({ input: again, crlfDelay: Infinity })) {
      if (line.includes('"type":"Metric"')) {
        const o = JSON.parse(line);
        rows.push([o.data.name, o]);
      }
    }
    return rows;
  })()),
);
function emit(metric, type, contains, line) {
  if (!known.has(metric)) {
    known.add(metric);
    const m = TYPES[metric];
    writer.write(`${m ? JSON.stringify(m) : metricLine(metric, type, contains)}\n`);
  }
  writer.write(`${line}\n`);
}

process.stdout.write(`\n         /\\      Grafana   /‾‾/  \n    /\\  /  \\     |\\  __   /  /   \n   /  \\/    \\    | |/ /  /   ‾‾\\ \n  /          \\   |   (  |  (‾)  |\n / __________ \\  |_|\\_\\  \\_____/ (test double)\n\n`);
process.stdout.write(`     execution: local\n        script: ${script}\n        output: json (${outFile})\n\n     scenarios: (100.00%) 1 scenario\n              * ${scenario}: replay of ${samplePath.split('/').pop()}\n\n`);

let stopped = false;
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (env.K6_DOUBLE_IGNORE_SIGINT === '1') {
    process.stdout.write('Stopping k6 in response to signal... (ignored by the double)\n');
    return;
  }
  process.stdout.write('Stopping k6 in response to signal...\n');
  stopped = true;
});

const t0 = Date.now();
let index = 0;
let iterations = 0;
let lastProgress = 0;
while (index < events.length && !stopped) {
  const elapsedNs = BigInt(Date.now() - t0) * 1_000_000n;
  while (index < events.length && events[index].ns - startNs <= elapsedNs) {
    const e = events[index++];
    const m = TYPES[e.metric];
    emit(e.metric, m?.data.type ?? 'trend', m?.data.contains ?? 'default', e.line);
    for (const x of e.extra) emit(x.metric, x.type, x.contains, x.line);
    if (e.metric === 'iterations') iterations++;
  }
  const now = Date.now();
  if (now - lastProgress >= 200) {
    lastProgress = now;
    const secs = ((now - t0) / 1000).toFixed(1).padStart(4, '0');
    process.stdout.write(`running (00m${secs}s), 02/02 VUs, ${iterations} complete and 0 interrupted iterations\n`);
  }
  await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => writer.end(r));
await new Promise((r) => (file.closed ? r() : file.on('close', r)));

if (stopped) {
  process.stdout.write(`${scenario} ✗ [ 50% ] interrupted\n`);
  process.exit(105);
}
process.stdout.write(`\n     iterations.....................: ${iterations}\n\nrunning (00m${((Date.now() - t0) / 1000).toFixed(1)}s), 00/02 VUs, ${iterations} complete and 0 interrupted iterations\n`);
if (exitCode === 99) process.stderr.write("time=\"…\" level=error msg=\"thresholds on metrics 'http_req_duration' have been crossed\"\n");
if (exitCode === 107) process.stderr.write(`Uncaught (in promise) TypeError: Cannot read property 'id' of undefined\n\tat default (file://${scriptPath}:10:3(12))\n`);
if (exitCode === 108) process.stderr.write('test aborted: aborted by the script\n');
void interrupts;
process.exit(exitCode);
