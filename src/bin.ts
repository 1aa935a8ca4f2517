// Entry of the bundled CLI (dist/cli/index.js). The only CLI module with a top-level call.
import { main, type CliIo } from './cli.js';
import { cancelOnSignals } from './run/cancel.js';
import { plainWorkflowCommands, withoutWorkflowCommands } from './stdout.js';

async function cli(argv: string[]): Promise<number> {
  const report = process.stdout.write.bind(process.stdout);
  // workflow commands printed by shared libraries go to stderr: stdout carries only the report. In a
  // GitHub job the runner reads them there; in a terminal they are shown as plain text (debug lines
  // only with PERF_GATE_DEBUG=1 or RUNNER_DEBUG=1).
  const inActions = process.env.GITHUB_ACTIONS === 'true';
  const debug = process.env.PERF_GATE_DEBUG === '1' || process.env.RUNNER_DEBUG === '1';
  process.stdout.write = withoutWorkflowCommands(report as never, (t) => {
    const shown = inActions ? t : plainWorkflowCommands(t, debug);
    if (shown !== '') process.stderr.write(shown);
  }) as typeof process.stdout.write;
  const io: CliIo = {
    stdout: (s) => report(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
    env: process.env,
  };
  if (argv[0] !== 'run') return main(argv, io);
  // `perf-gate run`: Ctrl-C / SIGTERM stop k6 and still judge and report what it wrote.
  const cancellation = cancelOnSignals((m) => process.stderr.write(`${m}\n`));
  try {
    const withSignal: CliIo & { signal: AbortSignal } = { ...io, signal: cancellation.signal };
    return await main(argv, withSignal);
  } finally {
    cancellation.dispose();
  }
}

process.exitCode = await cli(process.argv.slice(2));
