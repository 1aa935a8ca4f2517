// k6-style durations (`90s`, `2m`, `1h30m`, `500ms`, a bare number of seconds) for timeouts and flags.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration into milliseconds. Accepts k6's Go-style form (`1h2m3.5s`, `250ms`) and a bare
 * number, which means seconds. Returns undefined for anything else (negative, empty, unknown unit).
 */
export function parseDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(s)) !== null) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    pos = re.lastIndex;
  }
  if (pos !== s.length) return undefined;
  return Math.round(total);
}

/** Writes milliseconds the way k6 prints durations (`1h2m3s`, `1m30s`, `250ms`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
