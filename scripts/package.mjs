// Bundles the two faces with ncc: dist/index.js (the Action) and dist/cli/index.js (the CLI).
// The two builds run side by side (one per core) and only transpile (src/tsconfig.json): the strict
// type-check is `npm run typecheck`, which CI runs first. They are written to a fresh directory that
// replaces dist/ only once both are built, so a failed or interrupted build leaves dist/ as it was.
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ncc = 'node_modules/@vercel/ncc/dist/ncc/cli.js';
const next = 'dist.next';
const builds = [
  { entry: 'src/main.ts', out: next },
  { entry: 'src/bin.ts', out: `${next}/cli` },
];
rmSync(next, { recursive: true, force: true });
try {
  await Promise.all(
    builds.map(({ entry, out }) =>
      run(process.execPath, [ncc, 'build', entry, '-o', out, '--target', 'es2022', '--license', 'licenses.txt', '--transpile-only', '-q'], { maxBuffer: 64 << 20 }),
    ),
  );
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}`);
  process.stderr.write(`npm run package: ${error.message.split('\n')[0]}\n`);
  process.exit(1);
}
// The CLI bundle is an executable: make sure it starts with a shebang.
const cli = `${next}/cli/index.js`;
const body = readFileSync(cli, 'utf8');
if (!body.startsWith('#!')) writeFileSync(cli, `#!/usr/bin/env node\n${body}`);
chmodSync(cli, 0o755);
rmSync('dist', { recursive: true, force: true });
renameSync(next, 'dist');
