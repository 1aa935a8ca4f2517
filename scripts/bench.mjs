// npm run bench — times ingestion of a generated k6 NDJSON file (≥200 MB) against a plain reference
// (readline + JSON.parse of every line into arrays), whole processes including start-up; gzip against
// decompression alone; a run whose URLs carry ids and query strings (a tag object per request, escapes
// in every HTTP line); and peak RSS when the file doubles. Each process runs 5 times, alternating, and
// the median run counts (the machine may be shared). Prints ratios; asserts nothing.
//   npm run bench [-- --node PATH]   time the processes on another Node.js binary (the Action runs on
//                                    Node 24; see docs/performance.md for getting one from npm)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, 'bench', 'data');
mkdirSync(data, { recursive: true });
const node = process.execPath;
// the Node.js that runs the timed processes (reference, ingestion, decompression alike)
const nodeArg = process.argv.findIndex((a) => a === '--node' || a.startsWith('--node='));
const timedNode = nodeArg < 0 ? node : process.argv[nodeArg].startsWith('--node=') ? process.argv[nodeArg].slice(7) : process.argv[nodeArg + 1];
if (!timedNode) throw new Error('--node needs the path of a node binary');
const timedVersion = execFileSync(timedNode, ['--version'], { encoding: 'utf8' }).trim();
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

function generate(file, scale, ...extra) {
  if (existsSync(file)) return;
  process.stderr.write(`generating ${file} …\n`);
  execFileSync(node, [tsx, join(root, 'scripts', 'generate-fixture.ts'), '--scenario', 'target-capacity', '--scale', String(scale), '--out', file, ...extra], {
    stdio: 'inherit',
  });
}
const f1 = join(data, 'target-capacity-200mb.ndjson');
const f2 = join(data, 'target-capacity-400mb.ndjson');
const gz = join(data, 'target-capacity-200mb.ndjson.gz');
// the same run where every URL ends in an id and has a query string (no `name` tag): a new tag object
// per request, and `&` written as \u0026 in every HTTP line
const fUrls = join(data, 'target-capacity-200mb-urls.ndjson');
generate(f1, 0.2);
generate(f2, 0.4);
generate(gz, 0.2);
generate(fUrls, 0.2, '--ids-in-urls', '--query-strings');

// The ingestion as the Action/CLI ship it: bundled into one file by ncc (the worker comes from source text).
const cli = join(data, 'ingest-cli', 'index.js');
process.stderr.write('bundling bench/ingest-cli.ts with ncc …\n');
execFileSync(node, [ncc, 'build', join(root, 'bench', 'ingest-cli.ts'), '-o', join(data, 'ingest-cli'), '--target', 'es2022', '--transpile-only', '-q'], { stdio: 'inherit' });

function runOnce(label, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(timedNode, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr}`);
  let out = {};
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
  } catch {
    out = {};
  }
  return { label, seconds, out };
}
const REPEAT = 5;
/** Runs every job REPEAT times, round-robin; each job's median run (by wall time). */
function runAll(jobs) {
  const runs = Object.fromEntries(Object.keys(jobs).map((k) => [k, []]));
  for (let i = 0; i < REPEAT; i++) for (const [k, [label, args]] of Object.entries(jobs)) runs[k].push(runOnce(label, args));
  const out = {};
  for (const [k, rs] of Object.entries(runs)) {
    rs.sort((a, b) => a.seconds - b.seconds);
    out[k] = { ...rs[Math.floor(rs.length / 2)], all: rs.map((x) => x.seconds) };
  }
  return out;
}

const gunzipOnly = [
  '-e',
  // decompression alone, with the settings ingestion uses (1 MiB reads and output chunks), output discarded
  "const fs=require('fs'),z=require('zlib');let n=0;fs.createReadStream(process.argv[1],{highWaterMark:1<<20}).pipe(z.createGunzip({chunkSize:1<<20})).on('data',(c)=>{n+=c.length}).on('end',()=>console.log(JSON.stringify({bytes:n,maxRssKB:process.resourceUsage().maxRSS,cpuS:(process.cpuUsage().user+process.cpuUsage().system)/1e6})))",
  gz,
];

// What the gate ingests for the root thresholds.yml (tag keys its rules filter on; the detail metrics
// no rule names are passed over): computed once, outside the timed runs.
const gateOpts = JSON.parse(execFileSync(node, [cli, '--options-for', join(root, 'thresholds.yml'), 'target-capacity'], { encoding: 'utf8' }));
const gate = ['--skip-metrics', gateOpts.skipMetrics.join(','), '--tag-keys', gateOpts.tagKeys.join(',')];

const mb = (f) => (statSync(f).size / 1e6).toFixed(0);
const results = runAll({
  reference: ['reference', [join(root, 'bench', 'reference.mjs'), f1]],
  gate: ['gate', [cli, f1, ...gate]],
  referenceUrls: ['reference, URLs with ids and queries', [join(root, 'bench', 'reference.mjs'), fUrls]],
  gateUrls: ['gate, URLs with ids and queries', [cli, fUrls, ...gate]],
  all: ['all metrics', [cli, f1]],
  all2: ['all metrics, 2 threads', [cli, f1, '--threads', '2']],
  gate2x: ['gate, file doubled', [cli, f2, ...gate]],
  all2x: ['all metrics, file doubled', [cli, f2]],
  gunzip: ['gunzip only', gunzipOnly],
  gateGz: ['gate .gz', [cli, gz, ...gate]],
  allGz: ['all metrics .gz', [cli, gz]],
});
const r = results;
const line = (k, v) => process.stdout.write(`${k.padEnd(46)} ${v}\n`);
const rss = (x) => `${(x.out.maxRssKB / 1024) | 0} MB`;
const x = (a, b) => `${(a / b).toFixed(1)}×`;
process.stdout.write(`\nk6 NDJSON: ${mb(f1)} MB (${r.all.out.points} points), doubled ${mb(f2)} MB; .gz ${mb(gz)} MB; URLs with ids and queries ${mb(fUrls)} MB\n`);
process.stdout.write(`cores: ${(await import('node:os')).availableParallelism()}, node ${timedVersion}; median of ${REPEAT} runs each, wall time of the whole process\n`);
process.stdout.write(`gate = what the gate reads for thresholds.yml (target-capacity): ${r.gate.out.points} points read, ${r.gate.out.skipped} of the detail metrics no rule names passed over\n\n`);
line('reference (readline + JSON.parse)', `${r.reference.seconds.toFixed(2)} s  RSS ${rss(r.reference)}`);
line('perf-gate ingest, gate', `${r.gate.seconds.toFixed(2)} s  RSS ${rss(r.gate)}`);
line('perf-gate ingest, all metrics', `${r.all.seconds.toFixed(2)} s  RSS ${rss(r.all)}`);
line('perf-gate ingest, all metrics, 2 threads', `${r.all2.seconds.toFixed(2)} s  RSS ${rss(r.all2)}`);
line('speed-up vs reference (required ≥5×, aim 8×)', `gate ${x(r.reference.seconds, r.gate.seconds)}, all metrics ${x(r.reference.seconds, r.all.seconds)} (2 threads ${x(r.reference.seconds, r.all2.seconds)})`);
line('URLs with ids and queries: reference, gate', `${r.referenceUrls.seconds.toFixed(2)} s, ${r.gateUrls.seconds.toFixed(2)} s  RSS ${rss(r.gateUrls)} (${x(r.referenceUrls.seconds, r.gateUrls.seconds)})`);
line('gunzip alone (output discarded)', `${r.gunzip.seconds.toFixed(2)} s`);
line('perf-gate ingest .gz', `gate ${r.gateGz.seconds.toFixed(2)} s  RSS ${rss(r.gateGz)}, all metrics ${r.allGz.seconds.toFixed(2)} s  RSS ${rss(r.allGz)} (gunzip alone ${rss(r.gunzip)})`);
line('.gz ingest ÷ gunzip alone (required ≤1.5×)', `gate ${(r.gateGz.seconds / r.gunzip.seconds).toFixed(2)}×, all metrics ${(r.allGz.seconds / r.gunzip.seconds).toFixed(2)}×`);
line('peak RSS, file doubled (gate)', `${rss(r.gate)} → ${rss(r.gate2x)} (${(r.gate2x.out.maxRssKB / r.gate.out.maxRssKB).toFixed(2)}×)`);
line('peak RSS, file doubled (all metrics)', `${rss(r.all)} → ${rss(r.all2x)} (${(r.all2x.out.maxRssKB / r.all.out.maxRssKB).toFixed(2)}×); reference ${rss(r.reference)}`);
const cpu = (x) => (x.out.cpuS === undefined ? '?' : `${x.out.cpuS.toFixed(2)} s`);
line('CPU time (user+sys, all threads)', `reference ${cpu(r.reference)}, gate ${cpu(r.gate)}, all ${cpu(r.all)}, all 2 threads ${cpu(r.all2)}, gunzip ${cpu(r.gunzip)}, gate .gz ${cpu(r.gateGz)}`);
line('all runs (s)', Object.entries(r).map(([k, v]) => `${k} ${v.all.map((t) => t.toFixed(2)).join('/')}`).join(', '));
line('load average at the end', (await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' '));
const same = [r.gate, r.all, r.gateGz, r.all2].every((v) => v.out.p99 === r.reference.out.p99) && r.gateUrls.out.p99 === r.referenceUrls.out.p99;
line('same p(99) as the reference', same ? 'yes' : `NO (${[r.gate, r.all, r.gateGz, r.all2].map((v) => v.out.p99).join(', ')} vs ${r.reference.out.p99}; ids ${r.gateUrls.out.p99} vs ${r.referenceUrls.out.p99})`);
