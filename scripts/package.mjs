// Bundles the two faces with ncc: dist/index.js (the Action) and dist/cli/index.js (the CLI).
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync, rmSync } from 'node:fs';

const ncc = 'node_modules/@vercel/ncc/dist/ncc/cli.js';
const builds = [
  { entry: 'src/main.ts', out: 'dist' },
  { entry: 'src/bin.ts', out: 'dist/cli' },
];
rmSync('dist', { recursive: true, force: true });
for (const { entry, out } of builds) {
  execFileSync(process.execPath, [ncc, 'build', entry, '-o', out, '--target', 'es2022', '--license', 'licenses.txt', '-q'], {
    stdio: 'inherit',
  });
}
// The CLI bundle is an executable: make sure it starts with a shebang.
const cli = 'dist/cli/index.js';
const body = readFileSync(cli, 'utf8');
if (!body.startsWith('#!')) writeFileSync(cli, `#!/usr/bin/env node\n${body}`);
chmodSync(cli, 0o755);
