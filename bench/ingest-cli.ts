// What `npm run bench` times: one process that ingests k6 output files and prints a few answers.
//   node bench/data/ingest-cli/index.js FILE… [--threads N] [--worker-min-bytes N] [--thresholds FILE --scenario NAME]
//   (--worker-min-bytes N: use worker threads even for small files; --thresholds: read what the gate
//   reads for that scenario of that thresholds.yml, i.e. its ingestion options, config load included)
import { ingestFiles, type IngestOptions } from '../src/k6/ingest.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opts: IngestOptions = {};
  const files: string[] = [];
  let thresholds: string | undefined;
  let scenario = '';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--threads') opts.threads = Number(args[++i]);
    else if (args[i] === '--thresholds') thresholds = args[++i];
    else if (args[i] === '--scenario') scenario = args[++i]!;
    else if (args[i] === '--worker-min-bytes') opts.workerMinBytes = Number(args[++i]);
    else files.push(args[i]!);
  }
  if (thresholds !== undefined) {
    const { loadConfig, ingestOptionsFor } = await import('../src/config/load.js');
    Object.assign(opts, ingestOptionsFor(loadConfig(thresholds), scenario));
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
