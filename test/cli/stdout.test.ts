// The CLI's stdout carries the report: GitHub workflow commands that shared libraries print there
// (@actions/tool-cache's `::debug::` lines while k6 is installed) are dropped outside Actions.
import { describe, expect, it } from 'vitest';
import { withoutWorkflowCommands } from '../../src/stdout.js';

function sink() {
  const got: string[] = [];
  const diverted: string[] = [];
  const write = (chunk: string | Uint8Array) => {
    got.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  return { got, diverted, write: withoutWorkflowCommands(write, (t) => diverted.push(t)) };
}

describe('withoutWorkflowCommands', () => {
  it('moves whole workflow-command lines aside and keeps everything else as written', () => {
    const s = sink();
    s.write('::debug::isExplicit: 2.3.0\n');
    s.write('::add-mask::secret\n');
    s.write('::warning file=a.yml,line=3::careful\n');
    s.write('# ✅ APPROVED — Load test report\n');
    s.write('::debug::one\n| a | b |\n::debug::two\n');
    s.write(Buffer.from('value with :: inside\n'));
    s.write('a line ending in ::debug::x\n');
    s.write('::warning file=C:\\a.yml,line=3::drive letter\n');
    expect(s.got).toEqual(['# ✅ APPROVED — Load test report\n', '| a | b |\n', 'value with :: inside\n', 'a line ending in ::debug::x\n']);
    expect(s.diverted.join('')).toBe('::debug::isExplicit: 2.3.0\n::add-mask::secret\n::warning file=a.yml,line=3::careful\n::debug::one\n::debug::two\n::warning file=C:\\a.yml,line=3::drive letter\n');
  });

  it('calls a write callback also for a chunk it drops', async () => {
    const s = sink();
    let called = false;
    expect(s.write('::debug::x\n', () => (called = true))).toBe(true);
    await Promise.resolve();
    expect(called).toBe(true);
  });
});
