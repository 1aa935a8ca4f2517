// Stand-in for the `k6` module (check, sleep, group, fail), recording into recorder.mjs.
import { recorder } from './recorder.mjs';

export function check(value, sets, tags) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = Boolean(fn(value));
    recorder.checks.push({ name, ok, tags: { ...(tags ?? {}) } });
    recorder.samples.push({ metric: 'checks', value: ok ? 1 : 0, tags: { check: name, ...(tags ?? {}) } });
    all = all && ok;
  }
  return all;
}

export function sleep(seconds) {
  recorder.sleeps.push(seconds);
}

export function group(name, fn) {
  return fn();
}

export function fail(message) {
  throw new Error(message);
}

export default { check, sleep, group, fail };
