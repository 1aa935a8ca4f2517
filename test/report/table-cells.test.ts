import { describe, expect, it } from 'vitest';
import { marked, type Tokens } from 'marked';
import { code, escapeCell } from '../../src/report/units.js';
import { tenantTable } from '../../src/report/tenants.js';
import { simpleRun } from '../support/fake-results.js';

/**
 * The cells of one GFM table row, split as GFM parsers do (micromark, marked): a backslash escapes the
 * next `\` or `|`, any other `|` separates cells; the row's leading and trailing pipes are dropped.
 */
function gfmCells(row: string): string[] {
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < row.length; i++) {
    const ch = row[i] as string;
    if (ch === '\\' && (row[i + 1] === '\\' || row[i + 1] === '|')) {
      cur += ch + (row[i + 1] as string);
      i++;
    } else if (ch === '|') {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  cells.push(cur);
  if (row.trimStart().startsWith('|')) cells.shift();
  if (row.trimEnd().endsWith('|') && cells[cells.length - 1]?.trim() === '') cells.pop();
  return cells;
}

const VALUES = ['pipe\\|esc', 'two\\\\|slashes', 'x|y', 'end\\', 'plain', ''];

describe('table cells survive backslashes, pipes and empty values', () => {
  it('escapeCell: one cell per value, whatever backslashes precede a pipe', () => {
    for (const v of VALUES) {
      expect(gfmCells(`| ${escapeCell(v)} | ${escapeCell(code(v))} | z |`)).toHaveLength(3);
    }
    expect(escapeCell('pipe\\|esc')).toBe('pipe\\\\\\|esc');
    expect(escapeCell('a|b')).toBe('a\\|b');
    expect(escapeCell('a\\b')).toBe('a\\b');
  });

  it('the tenant table keeps one cell per column in every row, and marked reads the values back', () => {
    const results = simpleRun({ n: 60, seconds: 60, duration: (i) => 10 + i, tags: (i) => ({ tenant: VALUES[i % VALUES.length] as string }) });
    const md = tenantTable(results);
    const rows = md.split('\n').filter((l) => l.startsWith('|'));
    expect(rows).toHaveLength(2 + VALUES.length + 1);
    for (const r of rows) expect(gfmCells(r)).toHaveLength(6);

    const table = marked.lexer(md).find((t) => t.type === 'table') as Tokens.Table;
    const firsts = table.rows.map((r) => r[0]!.text);
    // outside the pipes the code spans hold the value; GFM unescapes `\|` inside them
    expect(firsts).toContain('`pipe\\\\|esc`');
    expect(firsts).toContain('`x|y`');
    expect(firsts).toContain('(empty)');
    expect(table.rows.every((r) => r.length === 6 && r[5]!.text !== '')).toBe(true);
  });

  it('an empty text renders as (empty), not as an empty code span', () => {
    expect(code('')).toBe('(empty)');
    expect(code('a')).toBe('`a`');
  });
});
