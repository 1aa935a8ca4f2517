import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config/load.js';

// Values shaped like thresholds.yml, with wrong types and stray keys mixed in.
const KEYS = ['version', 'marginal', 'fail-on', 'no-data', 'window', 'warmup', 'thresholds', 'scenarios', 'utilization', 'script', 'env', 'threshold', 'severity', 'min-change', 'sources', 'metrics', 'url', 'preset', 'prometheus', 'namespace', 'http_req_duration', 'checks', 'x'];
const leaf = fc.oneof(
  fc.constantFrom(1, 2, 0.5, -1, true, null, '10%', '150%', '30s', 'p(99)<500', 'rate<+5%', 'steady', 'warn', 'k8s.cpu', '${X}', 'http_req_duration{tenant:*}'),
  fc.string({ maxLength: 8 }),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('tree'), { maxLength: 3 }), fc.dictionary(fc.constantFrom(...KEYS), tie('tree'), { maxKeys: 4 })),
}));

describe('loadConfig never crashes', () => {
  it('any config-shaped document loads or throws a ConfigError whose problems all have file:line:column', () => {
    fc.assert(
      fc.property(tree, fc.boolean(), (doc, withVersion) => {
        const value = withVersion && typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? { version: 1, ...doc } : doc;
        const text = stringify(value);
        try {
          const c = loadConfig('f.yml', { text, env: {} });
          expect(c.version).toBe(1);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          for (const p of (err as ConfigError).problems) expect(p.where).toMatch(/^f\.yml:\d+:\d+$/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary text loads or throws a ConfigError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          loadConfig('f.yml', { text });
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
