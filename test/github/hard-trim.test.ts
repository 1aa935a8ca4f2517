// The comment's last-resort cut: at a line end, within the limit, and a code block it cuts through
// closed with a fence that really closes it (k6's error lines sit in a block fenced by more backticks
// than any message holds).
import { describe, expect, it } from 'vitest';
import { hardTrim, unclosedFence } from '../../src/github/publish.js';
import { fencedBlock } from '../../src/report/markdown.js';

describe('unclosedFence', () => {
  it('follows CommonMark: only a fence at least as long, of the same character, closes a block', () => {
    expect(unclosedFence('a\n```text\nx\n```\nb')).toBeUndefined();
    expect(unclosedFence('a\n```text\nx')).toBe('```');
    expect(unclosedFence('````text\n``` not a close\n')).toBe('````');
    expect(unclosedFence('````text\n```\n`````\n')).toBeUndefined();
    expect(unclosedFence('~~~\n```\n')).toBe('~~~');
    expect(unclosedFence('``` inline `code` line\n')).toBeUndefined();
  });
});

describe('hardTrim', () => {
  it('cuts inside a block of k6 error lines and closes it with its own fence, within the limit', () => {
    const block = fencedBlock(['``` a message that starts with backticks', ...Array.from({ length: 40 }, (_, i) => `ReferenceError: line ${i} is not defined`)]);
    const text = `# Report\n\n**k6's last error lines**:\n\n${block}\n\n## More\n${'x'.repeat(400)}`;
    const note = '_shortened_';
    const max = 600;
    const out = hardTrim(text, max, note);
    expect(out.length).toBeLessThanOrEqual(max);
    expect(out.endsWith(`\n\n${note}\n`)).toBe(true);
    const body = out.slice(0, -`\n\n${note}\n`.length);
    expect(unclosedFence(body)).toBeUndefined();
    expect(body.split('\n').at(-1)).toBe('````');
  });

  it('leaves a text within the limit alone', () => {
    expect(hardTrim('short', 100, 'n')).toBe('short');
  });
});

describe('hardTrim within the limit whatever the cut', () => {
  it('never returns more than the limit, and never leaves a block open', () => {
    const text = `# R\n\n${fencedBlock(['``` a', 'e1', 'e2', 'e3'])}\n\nmore text here\n${fencedBlock(['x'.repeat(30), '```` b'])}\n\nend\n`;
    for (let max = 20; max < text.length; max++) {
      const out = hardTrim(text, max, '_shortened_');
      expect(out.length, `max ${max}`).toBeLessThanOrEqual(max);
      expect(unclosedFence(out), `max ${max}`).toBeUndefined();
    }
  });
});
