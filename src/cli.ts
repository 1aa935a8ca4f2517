// The CLI face: parses argv, calls the pipeline, returns the exit code. Nothing runs at import.
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const USAGE = `Usage:
  perf-gate evaluate --thresholds FILE [--scenario NAME] --results FILE [--results FILE …] [--json OUT] [--markdown OUT]
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    io.stdout(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  io.stderr(`perf-gate: unknown command '${argv[0]}'\n${USAGE}`);
  return 2;
}
