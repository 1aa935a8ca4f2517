// Writers for k6's `--out json` lines, byte for byte as k6 writes them (see k6-formats.md):
// the Metric line once per metric before its first point, Point lines with tags sorted by key,
// times in RFC 3339 with nanoseconds (trailing zeros trimmed) and the machine's UTC offset,
// strings escaped as Go's JSON encoder does (<, >, & and U+2028/2029 as \u escapes).
import type { Contains, MetricType } from '../model.js';

export interface MetricLineInput {
  name: string;
  type: MetricType;
  contains: Contains;
  thresholds?: string[];
  submetrics?: { name: string; suffix: string; tags: Record<string, string> }[] | null;
}

/** JSON text of a string as Go's encoding/json writes it. */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A number as Go's encoding/json writes a float64 (same as JavaScript's shortest form for finite values). */
export function goJsonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`k6 cannot write a non-finite value (${n})`);
  return Object.is(n, -0) ? '-0' : String(n);
}

function tagsJson(tags: Record<string, string> | null): string {
  if (tags === null) return 'null';
  const keys = Object.keys(tags).sort();
  return `{${keys.map((k) => `${goJsonString(k)}:${goJsonString(tags[k] as string)}`).join(',')}}`;
}

export function metricLine(m: MetricLineInput): string {
  const subs =
    m.submetrics == null
      ? 'null'
      : `[${m.submetrics
          .map((s) => `{"name":${goJsonString(s.name)},"suffix":${goJsonString(s.suffix)},"tags":${tagsJson(s.tags)}}`)
          .join(',')}]`;
  const thresholds = `[${(m.thresholds ?? []).map(goJsonString).join(',')}]`;
  return `{"type":"Metric","data":{"name":${goJsonString(m.name)},"type":"${m.type}","contains":"${m.contains}","thresholds":${thresholds},"submetrics":${subs}},"metric":${goJsonString(m.name)}}`;
}

/**
 * A k6 timestamp. `epochNs` is nanoseconds since the epoch as a bigint (JavaScript Date keeps only ms);
 * `offsetMinutes` is the machine's UTC offset (0 writes `Z`).
 */
export function k6Time(epochNs: bigint, offsetMinutes = 0): string {
  const local = epochNs + BigInt(offsetMinutes) * 60_000_000_000n;
  const ms = Number(local / 1_000_000n);
  const nanos = Number(((local % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n);
  const d = new Date(ms - (ms % 1000 + 1000) % 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}`;
  const frac = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  let zone = 'Z';
  if (offsetMinutes !== 0) {
    const sign = offsetMinutes > 0 ? '+' : '-';
    const abs = Math.abs(offsetMinutes);
    zone = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }
  return `${base}${frac}${zone}`;
}

export function pointLine(
  metric: string,
  time: string,
  value: number,
  tags: Record<string, string> | null,
  metadata?: Record<string, string>,
): string {
  const meta = metadata ? `,"metadata":${tagsJson(metadata)}` : '';
  return `{"metric":${goJsonString(metric)},"type":"Point","data":{"time":"${time}","value":${goJsonNumber(value)},"tags":${tagsJson(tags)}${meta}}}`;
}
