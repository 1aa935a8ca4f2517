// The per-tenant section covers the scenario's evaluated window when given one, and says so.
import { describe, expect, it } from 'vitest';
import { tenantSection } from '../../src/report/tenants.js';
import { simpleRun } from '../support/fake-results.js';

const T0 = 1_700_000_000_000;

describe('tenantSection with a window', () => {
  // 100 s, tenants a/b alternating; the first 20 s are slow (1000 ms), then 10 ms
  const results = simpleRun({ n: 100, seconds: 100, t0: T0, duration: (i) => (i < 20 ? 1000 : 10), tags: (i) => ({ tenant: i % 2 === 0 ? 'a' : 'b' }) });

  it('measures over the window and names it', () => {
    const window = { start: T0 + 20_000, end: T0 + 100_000 };
    const md = tenantSection('s', results, { window })!.markdown;
    expect(md.split('\n')[0]).toBe("Over the scenario's evaluated window, 22:13:40–22:15:00 UTC (1 min 20 s).");
    const all = md.split('\n').find((l) => l.startsWith('| **all** |'))!;
    expect(all).toBe('| **all** | 80 | 10 ms | 10 ms | ×1.00 | 0.00% |');
  });

  it('without a window: the whole run, no caption', () => {
    const md = tenantSection('s', results)!.markdown;
    expect(md.startsWith('| Tenant |')).toBe(true);
    expect(md).toContain('| **all** | 100 |');
  });
});
