// Keeps the README's copies true: the workflows section is the files of docs/workflows/ verbatim.
//   npm run readme        rewrite README.md
// test/docs/readme.test.ts fails when README.md differs from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderReadme } from '../src/docs/readme.js';

const next = renderReadme(readFileSync('README.md', 'utf8'), '.');
writeFileSync('README.md', next);
