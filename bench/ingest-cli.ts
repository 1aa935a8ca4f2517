// What `npm run bench` times: one process that ingests k6 output files and prints a few answers.
//   node bench/data/ingest-cli/index.js FILE… [--threads N] [--worker-min-bytes N] [--skip-metrics a,b] [--tag-keys a,b]
//   node bench/data/ingest-cli/index.js --options-for THRESHOLDS SCENARIO
// --worker-min-bytes N: use worker threads even for small files. --options-for prints the ingestion
// options the gate uses for that scenario of that thresholds.yml (tag keys, metrics it passes over),
// so the timed runs ingest exactly what the gate ingests without timing the config loader.
import { ingestFiles, type IngestOptions } from '../src/k6/ingest.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--options-for') {
    const { loadConfig, ingestOptionsFor } = await import('../src/config/load.js');
    process.stdout.write(`${JSON.stringify(ingestOptionsFor(loadConfig(args[1]!), args[2]!))}\n`);
    return;
  }
  const opts: IngestOptions = {};
  const files: string[] = [];
  const list = (s: string | undefined) => (s ?? '').split(',').filter(Boolean);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--threads') opts.threads = Number(args[++i]);
    else if (args[i] === '--worker-min-bytes') opts.workerMinBytes = Number(args[++i]);
    else if (args[i] === '--skip-metrics') opts.skipMetrics = list(args[++i]);
    else if (args[i] === '--tag-keys') opts.tagKeys = list(args[++i]);
    else files.push(args[i]!);
  }
  const r = await ingestFiles(files, opts);
  const m = r.measure({ raw: 'http_req_duration', metric: 'http_req_duration', tags: [] }, { kind: 'p', p: 99 });
  const cpu = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({
      p99: 'value' in m ? m.value : null,
      points: r.diagnostics.points,
      skipped: r.diagnostics.skippedPoints ?? 0,
      bad: r.diagnostics.badLines,
      maxRssKB: process.resourceUsage().maxRSS,
      cpuS: (cpu.user + cpu.system) / 1e6,
    })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exitCode = 1;
});
