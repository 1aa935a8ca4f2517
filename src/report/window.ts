// One line that says which interval the criteria were evaluated over: clock times (UTC), where that
// falls in the run, and why (steady state, warm-up excluded).
import type { TimeWindow } from '../model.js';

export interface WindowNoteOptions {
  mode: 'all' | 'steady';
  warmupSeconds: number;
  /** The VU level of the steady state, when known (shown as "steady state at 500 VUs"). */
  peakVus?: number;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `12:01:30–12:03:30 UTC`; with dates when the interval crosses midnight (UTC). */
export function clockRange(w: TimeWindow): string {
  // `end` is exclusive: the last instant shown is the end itself (a whole-second boundary reads naturally).
  if (day(w.start) !== day(w.end)) return `${day(w.start)} ${clock(w.start)}–${day(w.end)} ${clock(w.end)} UTC`;
  return `${clock(w.start)}–${clock(w.end)} UTC`;
}

/** A duration in words: `0.4 s` (under a second), `45 s`, `2 min 30 s`, `10 min`, `1 h 5 min`. */
export function durationText(ms: number): string {
  // a run shorter than a second (a smoke test) is not "0 s"
  if (ms > 0 && ms < 950) return `${Math.max(1, Math.round(ms / 100)) / 10} s`;
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total} s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return s > 0 ? `${m} min ${s} s` : `${m} min`;
}

/** An offset into the run as `m:ss` (or `h:mm:ss`). */
export function offsetText(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

function sameWindow(a: TimeWindow, b: TimeWindow): boolean {
  return Math.abs(a.start - b.start) < 1000 && Math.abs(a.end - b.end) < 1000;
}

/**
 * One line describing the evaluated interval, e.g.
 * "Evaluated 12:01:30–12:03:30 UTC (2 min, 1:30–3:30 into the run; steady state at 500 VUs, first 30 s warm-up excluded) of a 10 min run."
 */
export function windowNote(window: TimeWindow | undefined, span: TimeWindow | undefined, opts: WindowNoteOptions): string {
  const why: string[] = [];
  if (opts.mode === 'steady') {
    if (window && (!span || !sameWindow(window, span))) {
      why.push(opts.peakVus !== undefined && opts.peakVus > 0 ? `steady state at ${Math.round(opts.peakVus)} VUs` : 'steady state');
    } else {
      why.push('steady state could not be told from the VU series, so the whole run');
    }
  }
  if (opts.warmupSeconds > 0) why.push(`first ${durationText(opts.warmupSeconds * 1000)} warm-up excluded`);

  if (!span) {
    const base = window ? `Evaluated ${clockRange(window)} (${durationText(window.end - window.start)}` : 'Evaluated the whole run (the results carry no sample times';
    return `${base}${why.length ? `; ${why.join(', ')}` : ''}).`;
  }
  const runLength = durationText(span.end - span.start);
  if (!window || sameWindow(window, span)) {
    return `Evaluated the whole run, ${clockRange(span)} (${runLength}${why.length ? `; ${why.join(', ')}` : ''}).`;
  }
  const where = `${offsetText(window.start - span.start)}–${offsetText(window.end - span.start)} into the run`;
  return `Evaluated ${clockRange(window)} (${durationText(window.end - window.start)}, ${where}${why.length ? `; ${why.join(', ')}` : ''}) of a ${runLength} run.`;
}
