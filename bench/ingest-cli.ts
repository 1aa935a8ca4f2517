// What `npm run bench` times: one process that ingests k6 output files and prints a few answers.
//   node bench/data/ingest-cli/index.js FILE… [--threads N]
import { ingestFiles } from '../src/k6/ingest.js';

const args = process.argv.slice(2);
const t = args.indexOf('--threads');
const threads = t >= 0 ? Number(args[t + 1]) : undefined;
const files = args.filter((a, i) => a !== '--threads' && (t < 0 || i !== t + 1));
const r = await ingestFiles(files, threads === undefined ? {} : { threads });
const m = r.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'p', p: 99 });
process.stdout.write(
  `${JSON.stringify({ p99: 'value' in m ? m.value : null, points: r.diagnostics.points, bad: r.diagnostics.badLines, maxRssKB: process.resourceUsage().maxRSS })}\n`,
);
