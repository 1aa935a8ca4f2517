// `vector(1)` through a Prometheus source URL, over the last five seconds: what a test of the
// Prometheus client's HTTP handling (auth, prefixes, TLS, proxies) measures.
import { collectWindow } from '../../src/collectors/collect.js';
import type { Logger, Measurement, UtilizationConfig } from '../../src/model.js';

const quiet: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, debug: () => undefined, group: (_n, fn) => fn() };

/** The max of `vector(1)` through `url` (1, or why not), and everything said about it as one string (to check for secrets). */
export async function vectorOne(url: string): Promise<{ measurement: Measurement; said: string }> {
  const cfg: UtilizationConfig = {
    sources: { prometheus: { url } },
    metrics: [{ name: 'one', prometheus: 'vector(1)', params: {}, pos: { file: 'thresholds.yml', line: 1, column: 1 } }],
    intervalSeconds: 1,
    slowQueries: false,
    scrapeWaitSeconds: 0,
  };
  const now = Date.now();
  const res = await collectWindow(cfg, { start: now - 5000, end: now }, quiet);
  const measurement = res.measure('one', { kind: 'max' });
  return { measurement, said: JSON.stringify([measurement, res.notes]) };
}
