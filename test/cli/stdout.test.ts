// The CLI's stdout carries the report: GitHub workflow commands that shared libraries print there
// (@actions/tool-cache's `::debug::` lines while k6 is installed) are moved to stderr, and outside
// Actions shown as plain text.
import { describe, expect, it } from 'vitest';
import { plainWorkflowCommands, withoutWorkflowCommands } from '../../src/stdout.js';

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

describe('plainWorkflowCommands (a terminal outside Actions)', () => {
  const lines = '::debug::isExplicit: 2.3.0\n::add-mask::s3cret\n::warning file=a.yml,line=3::careful%0Atwo lines 100%25\n::error::broke\n::group::Installing k6\n::endgroup::\n::notice title=x::fyi\n';

  it('shows warnings, errors, notices and group titles as text, unescaped, and never a masked value', () => {
    const out = plainWorkflowCommands(lines, false);
    expect(out).toBe('warning: careful\ntwo lines 100%\nerror: broke\nInstalling k6\nnotice: fyi\n');
    expect(out).not.toContain('s3cret');
    expect(out).not.toContain('::');
  });

  it('shows debug lines only when asked', () => {
    expect(plainWorkflowCommands('::debug::isExplicit: 2.3.0\n', true)).toBe('debug: isExplicit: 2.3.0\n');
    expect(plainWorkflowCommands(lines, true)).toContain('debug: isExplicit: 2.3.0\n');
    expect(plainWorkflowCommands('::debug::x\n', false)).toBe('');
  });

  it('leaves lines that are not commands as they are', () => {
    expect(plainWorkflowCommands('value with :: inside\n', false)).toBe('value with :: inside\n');
  });
});
