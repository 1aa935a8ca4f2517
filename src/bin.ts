// Entry of the bundled CLI (dist/cli/index.js). The only CLI module with a top-level call.
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
});
