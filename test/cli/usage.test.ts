import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), cwd: process.cwd(), env: {} } };
}

describe('cli', () => {
  it('rejects an unknown command with exit 2 and the usage', async () => {
    const t = io();
    expect(await main(['frobnicate'], t.io)).toBe(2);
    expect(t.err.join('')).toContain("unknown command 'frobnicate'");
  });
});
