// Test helpers of the run stage: a recording Logger, paths of the k6 double and temp dirs.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from '../../src/model.js';

export const K6_DOUBLE = resolve(import.meta.dirname, '../support/k6-double.mjs');

export interface RecordingLogger extends Logger {
  lines: { level: string; message: string; groups: string[] }[];
  text(): string;
}

export function recordingLogger(): RecordingLogger {
  const stack: string[] = [];
  const lines: RecordingLogger['lines'] = [];
  const add = (level: string) => (message: string) => lines.push({ level, message, groups: [...stack] });
  return {
    lines,
    info: add('info'),
    warning: add('warning'),
    error: add('error'),
    debug: add('debug'),
    async group(name, fn) {
      lines.push({ level: 'group', message: name, groups: [...stack] });
      stack.push(name);
      try {
        return await fn();
      } finally {
        stack.pop();
      }
    },
    text: () => lines.map((l) => `${l.level}: ${l.message}`).join('\n'),
  };
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `perf-gate-${prefix}-`));
}
