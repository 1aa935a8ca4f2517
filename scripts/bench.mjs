// npm run bench — times ingestion of a generated k6 NDJSON file (≥200 MB) against a plain reference
// (readline + JSON.parse of every line into arrays), whole processes including start-up; gzip against
// decompression alone; and peak RSS when the file doubles. Each process runs 3 times, alternating, and
// the median run counts (the machine may be shared). Prints ratios; asserts nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, 'bench', 'data');
mkdirSync(data, { recursive: true });
const node = process.execPath;
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

function generate(file, scale) {
  if (existsSync(file)) return;
  process.stderr.write(`generating ${file} …\n`);
  execFileSync(node, [tsx, join(root, 'scripts', 'generate-fixture.ts'), '--scenario', 'target-capacity', '--scale', String(scale), '--out', file], {
    stdio: 'inherit',
  });
}
const f1 = join(data, 'target-capacity-200mb.ndjson');
const f2 = join(data, 'target-capacity-400mb.ndjson');
const gz = join(data, 'target-capacity-200mb.ndjson.gz');
generate(f1, 0.2);
generate(f2, 0.4);
generate(gz, 0.2);

// The ingestion as the Action/CLI ship it: bundled into one file by ncc (the worker comes from source text).
const cli = join(data, 'ingest-cli', 'index.js');
process.stderr.write('bundling bench/ingest-cli.ts with ncc …\n');
execFileSync(node, [ncc, 'build', join(root, 'bench', 'ingest-cli.ts'), '-o', join(data, 'ingest-cli'), '--target', 'es2022', '--transpile-only', '-q'], { stdio: 'inherit' });

function runOnce(label, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(node, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
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
const REPEAT = 3;
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
  "const fs=require('fs'),z=require('zlib');fs.createReadStream(process.argv[1]).pipe(z.createGunzip()).pipe(fs.createWriteStream('/dev/null')).on('finish',()=>console.log(JSON.stringify({maxRssKB:process.resourceUsage().maxRSS,cpuS:(process.cpuUsage().user+process.cpuUsage().system)/1e6})))",
  gz,
];

const mb = (f) => (statSync(f).size / 1e6).toFixed(0);
const results = runAll({
  reference: ['reference', [join(root, 'bench', 'reference.mjs'), f1]],
  ingest: ['ingest', [cli, f1]],
  ingest1: ['ingest, 1 thread', [cli, f1, '--threads', '1']],
  ingest2: ['ingest, 2 threads', [cli, f1, '--threads', '2']],
  ingest2x: ['ingest, file doubled', [cli, f2]],
  gunzip: ['gunzip only', gunzipOnly],
  ingestGz: ['ingest .gz', [cli, gz]],
});
const r = results;
const line = (k, v) => process.stdout.write(`${k.padEnd(44)} ${v}\n`);
process.stdout.write(`\nk6 NDJSON: ${mb(f1)} MB (${r.ingest.out.points} points), doubled ${mb(f2)} MB; .gz ${mb(gz)} MB\n`);
process.stdout.write(`cores: ${(await import('node:os')).availableParallelism()}, node ${process.version}; median of ${REPEAT} runs each, wall time of the whole process\n\n`);
line('reference (readline + JSON.parse)', `${r.reference.seconds.toFixed(2)} s  RSS ${(r.reference.out.maxRssKB ?? 0) / 1024 | 0} MB`);
line('perf-gate ingest', `${r.ingest.seconds.toFixed(2)} s  RSS ${(r.ingest.out.maxRssKB / 1024) | 0} MB`);
line('perf-gate ingest, 1 thread', `${r.ingest1.seconds.toFixed(2)} s  RSS ${(r.ingest1.out.maxRssKB / 1024) | 0} MB`);
line('perf-gate ingest, 2 threads', `${r.ingest2.seconds.toFixed(2)} s  RSS ${(r.ingest2.out.maxRssKB / 1024) | 0} MB`);
line('speed-up vs reference (required ≥5×, aim 8×)', `${(r.reference.seconds / r.ingest.seconds).toFixed(1)}×  (1 thread: ${(r.reference.seconds / r.ingest1.seconds).toFixed(1)}×, 2 threads: ${(r.reference.seconds / r.ingest2.seconds).toFixed(1)}×)`);
line('gunzip alone → /dev/null', `${r.gunzip.seconds.toFixed(2)} s`);
line('perf-gate ingest .gz', `${r.ingestGz.seconds.toFixed(2)} s`);
line('.gz ingest ÷ gunzip alone (required ≤1.5×)', `${(r.ingestGz.seconds / r.gunzip.seconds).toFixed(2)}×`);
line('peak RSS, file doubled', `${(r.ingest.out.maxRssKB / 1024) | 0} MB → ${(r.ingest2x.out.maxRssKB / 1024) | 0} MB (${(r.ingest2x.out.maxRssKB / r.ingest.out.maxRssKB).toFixed(2)}×)`);
const cpu = (x) => (x.out.cpuS === undefined ? '?' : `${x.out.cpuS.toFixed(2)} s`);
line('CPU time (user+sys, all threads)', `reference ${cpu(r.reference)}, ingest ${cpu(r.ingest)}, 1 thread ${cpu(r.ingest1)}, 2 threads ${cpu(r.ingest2)}, gunzip ${cpu(r.gunzip)}, .gz ${cpu(r.ingestGz)}`);
line('all runs (s)', Object.entries(r).map(([k, x]) => `${k} ${x.all.map((v) => v.toFixed(2)).join('/')}`).join(', '));
line('load average at the end', (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' '));
line('same p(99) as the reference', `${r.ingest.out.p99 === r.reference.out.p99 ? 'yes' : `NO (${r.ingest.out.p99} vs ${r.reference.out.p99})`}`);
