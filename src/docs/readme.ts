// The README's generated parts: copy-paste workflows from docs/workflows/, verbatim.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ORDER = ['pr-check.yml', 'release-gate.yml', 'retest.yml', 'fork-measure.yml', 'fork-evaluate.yml', 'distributed.yml'];
const TITLES: Record<string, string> = {
  'pr-check.yml': 'PR check against a preview URL from a deploy step',
  'release-gate.yml': 'Release-branch gate',
  'retest.yml': 'Manual retest (`workflow_dispatch`)',
  'fork-measure.yml': 'Fork-safe pair, part 1: measure without privileges (`pull_request`)',
  'fork-evaluate.yml': 'Fork-safe pair, part 2: evaluate and comment (`workflow_run`)',
  'distributed.yml': 'Distributed run: a matrix of runners shares one load, one report',
};

export function workflowsSection(root: string): string {
  const dir = join(root, 'docs', 'workflows');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
  files.sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
  return files
    .map((f) => `#### ${TITLES[f] ?? f}\n\n[\`docs/workflows/${f}\`](docs/workflows/${f})\n\n\`\`\`yaml\n${readFileSync(join(dir, f), 'utf8').trimEnd()}\n\`\`\`\n`)
    .join('\n');
}

export function replaceBetween(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${start} … ${end} block`);
  return `${text.slice(0, a + start.length)}\n${body.trimEnd()}\n${text.slice(b)}`;
}

export function renderReadme(text: string, root: string): string {
  return replaceBetween(text, 'workflows', workflowsSection(root));
}
