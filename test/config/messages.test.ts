// Messages for mistakes whose first wording was wrong or library-speak: each names what is expected at
// that place (a map, a duration), the fix uses the user's own values, and the file's encoding is named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { problems } from './problems.js';

/** The one problem loadConfig reports for the file at `path`. */
function fileProblem(path: string) {
  let err: unknown;
  try {
    loadConfig(path);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems).toHaveLength(1);
  return (err as ConfigError).problems[0]!;
}

const only = (text: string) => {
  const p = problems(text);
  expect(p).toHaveLength(1);
  return p[0]!;
};

describe('what a utilization source expects', () => {
  it('headers is a map of header → value, not one string', () => {
    const p = only('version: 1\nutilization:\n  sources:\n    prometheus: { url: "http://x", headers: "Bearer abc" }\n');
    expect(p.message).toBe('utilization.sources.prometheus.headers: expected a map of HTTP header name → value, got `Bearer abc`');
    expect(p.hint).toContain('headers: { Authorization: "Bearer ${PROMETHEUS_TOKEN}" }');
  });

  it('a source written as its URL alone is told to be { url: … }, with that URL', () => {
    const p = only('version: 1\nutilization:\n  sources:\n    prometheus: "http://prom:9090"\n');
    expect(p.message).toBe('utilization.sources.prometheus: expected a map with url (and headers, scrape-wait, timeout), got `http://prom:9090`');
    expect(p.hint).toBe('write `prometheus: { url: "http://prom:9090" }`');
    expect(only('version: 1\nutilization:\n  sources:\n    redis: 6379\n').hint).toBe('write `redis: { url: "${REDIS_URL}" }`');
  });

  it('scrape-wait is a duration', () => {
    for (const v of ['-1', '"abc"']) {
      const p = only(`version: 1\nutilization:\n  sources:\n    prometheus: { url: "http://x", scrape-wait: ${v} }\n`);
      expect(p.message).toMatch(/^utilization\.sources\.prometheus\.scrape-wait: expected seconds \(a non-negative number\) or a duration such as 30s/);
    }
  });

  it('timeout is a duration greater than 0, read into the configuration', () => {
    const yml = (v: string) => `version: 1\nutilization:\n  sources:\n    prometheus: { url: "http://x", timeout: ${v} }\n`;
    for (const v of ['-1', '0', '4000', '"abc"']) {
      const p = only(yml(v));
      expect(p.message, v).toMatch(/^utilization\.sources\.prometheus\.timeout: expected seconds \(more than 0, at most 3600\) or a duration such as 30s, 2m, at most 1h/);
      expect(p.hint).toContain('timeout: 30s');
    }
    const zero = only(yml('0s'));
    expect(zero.message).toBe('utilization.sources.prometheus.timeout must be greater than 0');
    expect(zero.where).toBe('perf/thresholds.yml:4:45');
    expect(zero.hint).toContain('timeout: 30s');
    expect(only(yml('2h')).message).toBe('utilization.sources.prometheus.timeout must be at most 1h (one query; it is 7200 s)');
    // refused also where the URL's variable is unset (the source then unavailable): the file loads alike everywhere
    expect(only('version: 1\nutilization:\n  sources:\n    prometheus: { url: "${PROMETHEUS_URL}", timeout: 0s }\n').message).toBe('utilization.sources.prometheus.timeout must be greater than 0');
    expect(loadConfig('t.yml', { text: yml('1m30s'), env: {} }).utilization?.prometheusTimeoutSeconds).toBe(90);
    expect(loadConfig('t.yml', { text: yml('2.5'), env: {} }).utilization?.prometheusTimeoutSeconds).toBe(2.5);
    expect(loadConfig('t.yml', { text: 'version: 1\nutilization:\n  sources:\n    prometheus: { url: "http://x" }\n', env: {} }).utilization?.prometheusTimeoutSeconds).toBeUndefined();
    // a misspelt key is pointed at the real one
    expect(only('version: 1\nutilization:\n  sources:\n    prometheus: { url: "http://x", timout: 30s }\n').message).toMatch(/timout.*timeout/s);
  });
});

describe('metric keys and YAML', () => {
  it('a tag given twice is told to split into keys with the values written', () => {
    const p = only('version: 1\nthresholds:\n  "http_req_duration{tenant:acme,tenant:globex}": ["p(99)<500"]\n');
    expect(p.hint).toContain('(`http_req_duration{tenant:acme}`, `http_req_duration{tenant:globex}`)');
  });

  it('a second YAML document and an alias bomb are said in plain words', () => {
    expect(only('version: 1\n---\nversion: 1\n').message).toBe('YAML syntax: the file holds more than one YAML document (a `---` line)');
    const row = (name: string, of: string) => `${name}: &${name} [${Array(9).fill(`*${of}`).join(', ')}]`;
    const bomb = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]', row('b', 'a'), row('c', 'b'), row('d', 'c'), row('e', 'd')].join('\n');
    const p = only(`${bomb}\n`);
    expect(p.message).toBe('YAML: the aliases (`*name`) expand to too many values (over 1,000 expansions)');
    expect(p.message).not.toMatch(/attack|parseAllDocuments/);
  });
});

describe('encoding', () => {
  it('a UTF-16 file is named as such, with how to save it as UTF-8', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-enc-'));
    const file = join(dir, 'thresholds.yml');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('version: 1\nthresholds: {}\n', 'utf16le')]));
    const p = fileProblem(file);
    expect(p.where).toBe(`${file}:1:1`);
    expect(p.message).toBe(`${file} is not UTF-8 text (it looks like UTF-16)`);
    expect(p.hint).toMatch(/save it as UTF-8/);
    // the same text as UTF-8 loads
    writeFileSync(file, 'version: 1\nthresholds: {}\n');
    expect(loadConfig(file).version).toBe(1);
  });
});

describe('a thresholds path that cannot be read', () => {
  it('a directory is named as one, with the file to pass instead; no raw system error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-dir-'));
    const p = fileProblem(dir);
    expect(p.message).toBe(`${dir} is a directory, not a thresholds file`);
    expect(p.hint).toBe(`pass the file inside it, e.g. --thresholds ${dir}/thresholds.yml`);
    expect(p.message).not.toMatch(/EISDIR/);
  });
});

describe('a utilization metric unit', () => {
  it('an unknown unit is an error at its line naming the allowed ones (it was read as a plain number)', () => {
    const p = only('version: 1\nutilization:\n  metrics:\n    q: { prometheus: "sum(up)", unit: furlongs }\n');
    expect(p.where).toBe('perf/thresholds.yml:4:39');
    expect(p.message).toMatch(/^utilization metric q: unknown unit `furlongs`; allowed: ms, %, percent, ratio, count, bytes, \/s/);
    expect(only('version: 1\nutilization:\n  metrics:\n    q: { prometheus: "sum(up)", unit: byte }\n').message).toContain('Did you mean `bytes`?');
    const ok = loadConfig('t.yml', { text: 'version: 1\nutilization:\n  metrics:\n    q: { prometheus: "sum(up)", unit: /s }\n' });
    expect(ok.utilization!.metrics[0]!.unit).toBe('/s');
  });
});
