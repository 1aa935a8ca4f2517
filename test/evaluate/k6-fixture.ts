// A k6 `--out json` run written with the k6 line writers, with known answers.
import { writeFileSync } from 'node:fs';
import { k6Time, metricLine, pointLine } from '../../src/k6/format.js';

export const T0 = 1_764_000_000_000n; // ms
export const TENANTS = ['acme', 'globex', 'hooli', 'initech', 'umbrella'];
export const ENDPOINTS = ['portfolio', 'trades', 'positions'];

export interface Written {
  durations: number[];
  byTenant: Record<string, number[]>;
  steadyDurations: number[];
  statuses: number[];
}

/**
 * 60 s: VUs ramp 0→9 over 0–10 s, hold 10 from 10 s to 50 s, ramp down 9→0 after. Ten requests a second;
 * ramp requests take 900+ ms, steady ones 50–250 ms, except umbrella's (600+ ms); 1 in 150 answers 503.
 */
export function writeFixture(path: string): Written {
  const lines: string[] = [];
  const seen = new Set<string>();
  const w: Written = { durations: [], byTenant: {}, steadyDurations: [], statuses: [] };
  const emit = (name: string, type: 'trend' | 'rate' | 'counter' | 'gauge', contains: 'time' | 'default', t: bigint, value: number, tags: Record<string, string> | null) => {
    if (!seen.has(name)) {
      seen.add(name);
      lines.push(metricLine({ name, type, contains, thresholds: [], submetrics: null }));
    }
    lines.push(pointLine(name, k6Time(t * 1_000_000n + 123_456n), value, tags));
  };
  for (let s = 0; s < 60; s++) {
    const vus = s < 10 ? s : s < 50 ? 10 : 59 - s;
    emit('vus', 'gauge', 'default', T0 + BigInt(s * 1000), vus, {});
    for (let k = 0; k < 10; k++) {
      const i = s * 10 + k;
      const tenant = TENANTS[i % 5] as string;
      const endpoint = ENDPOINTS[i % 3] as string;
      const steady = s >= 10 && s < 50;
      const duration = !steady ? 900 + (i % 50) : tenant === 'umbrella' ? 600 + (i % 37) : 50 + ((i * 37) % 200) + 0.125;
      const status = i % 150 === 7 ? 503 : 200;
      const tags = {
        endpoint,
        expected_response: String(status < 400),
        group: '',
        method: 'GET',
        name: `http://127.0.0.1:8080/api/${endpoint}`,
        proto: 'HTTP/1.1',
        scenario: 'target-capacity',
        status: String(status),
        tenant,
        url: `http://127.0.0.1:8080/api/${endpoint}`,
      };
      const t = T0 + BigInt(s * 1000 + k * 100);
      emit('http_reqs', 'counter', 'default', t, 1, tags);
      emit('http_req_duration', 'trend', 'time', t, duration, tags);
      emit('http_req_failed', 'rate', 'default', t, status >= 400 ? 1 : 0, tags);
      w.durations.push(duration);
      (w.byTenant[tenant] ??= []).push(duration);
      if (steady) w.steadyDurations.push(duration);
      w.statuses.push(status);
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return w;
}

