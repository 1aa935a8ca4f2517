// What `npm run bench` times: one process that ingests k6 output files and prints a few answers.
//   node bench/data/ingest-cli/index.js FILE… [--threads N] [--worker-min-bytes N]
import { ingestFiles } from '../src/k6/ingest.js';

//   (--worker-min-bytes N: use worker threads even for small files)
import type { IngestOptions } from '../src/k6/ingest.js';

const args = process.argv.slice(2);
const opts: IngestOptions = {};
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--threads') opts.threads = Number(args[++i]);
  else if (args[i] === '--worker-min-bytes') opts.workerMinBytes = Number(args[++i]);
  else files.push(args[i]!);
}
const r = await ingestFiles(files, opts);
const m = r.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'p', p: 99 });
process.stdout.write(
  `${JSON.stringify({ p99: 'value' in m ? m.value : null, points: r.diagnostics.points, bad: r.diagnostics.badLines, maxRssKB: process.resourceUsage().maxRSS })}\n`,
);
