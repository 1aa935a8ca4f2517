// The problems loadConfig reports for a thresholds.yml text, for the config tests.
import { expect } from 'vitest';
import { ConfigError, loadConfig, type ConfigProblem } from '../../src/config/load.js';
import { InputError } from '../../src/errors.js';

/** The problems loadConfig reports for `text` (fails the test when it loads). */
export function problems(text: string, env: Record<string, string> = {}): ConfigProblem[] {
  try {
    loadConfig('perf/thresholds.yml', { text, env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(InputError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

/** The one problem loadConfig reports for `text` (fails the test when there are more or none). */
export function one(text: string): ConfigProblem {
  const p = problems(text);
  expect(p).toHaveLength(1);
  return p[0] as ConfigProblem;
}
