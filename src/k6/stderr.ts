// k6's error lines on stderr, kept for the report when a run does not complete: without a TTY k6 logs
// in logfmt (`time="…" level=error msg="ReferenceError: foo is not defined\n\tat file:///x.ts:10:5(12)"
// hint="script exception"`); a Go panic, a JS exception printed before the logger exists, or a wrapper
// script's own message is plain text.
//
// What is kept of a line:
//   - logfmt with `level=error|fatal|panic`: the first line of `msg` (Go-quoted values decoded), then
//     `: <error>` when k6 put the cause in an `error` field, then the first stack frame of `msg`
//     (`at …`) if any, then ` (<hint>)`. Other logfmt levels (info, warn, debug) are skipped.
//   - logrus' terminal form (`ERRO[0001] message`, when k6 thinks it writes to a TTY): ERRO/FATA/PANI
//     lines, without the prefix; the other levels are skipped.
//   - any other line, as written (trimmed): panics, uncaught exceptions, wrappers' messages. An indented
//     `at …` line right after such a line is its first stack frame and is appended to it (later frames
//     are skipped), as for a logfmt `msg`. A Go goroutine dump (`goroutine 1 [running]:` and the frames
//     under it) is skipped: the `panic: …` line above it says what happened, the log has the rest.
//   - k6's progress lines (`running (00m01.0s), …`, `[ 50% ]` bars) are skipped wherever they go.
// Each text is masked (`maskSecrets`: credentials in URLs, secret query parameters, authorization
// headers, bearer tokens, `password=…` pairs, and the secret values of k6's environment), made one line, and cut
// to `K6_ERROR_TEXT_MAX` characters; only the last `K6_ERROR_LINES_KEPT` are kept, oldest first.
import { maskSecrets } from '../mask.js';

/** How many error lines a run keeps (the last ones). */
export const K6_ERROR_LINES_KEPT = 5;
/** The longest text kept per line, in characters (a longer one ends in `…`). */
export const K6_ERROR_TEXT_MAX = 300;

const KEY = /[^\s="]+/y;
const BARE = /[^\s]*/y;
const ERROR_LEVELS = new Set(['error', 'fatal', 'panic']);

/** A Go-quoted string's escapes decoded (`\"`, `\\`, `\n`, `\t`, `\r`, `\xHH`, `\uHHHH`, `\UHHHHHHHH`, octal). */
export function unquoteGo(body: string): string {
  return body.replace(/\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3})|(.))/gs, (all, x?: string, u?: string, U?: string, o?: string, c?: string) => {
    const hex = x ?? u ?? U;
    if (hex !== undefined) {
      const cp = Number.parseInt(hex, 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
    }
    if (o !== undefined) return String.fromCodePoint(Number.parseInt(o, 8));
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'a':
        return '\u0007';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case '\\':
      case '"':
      case "'":
        return c;
      default:
        return all;
    }
  });
}

/**
 * The `key=value` pairs of a logfmt line (values unquoted), or undefined when the line is not logfmt:
 * every token must be `key=value` or `key="quoted value"`, and a `level` key must be among them.
 */
export function parseLogfmt(line: string): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n) break;
    KEY.lastIndex = i;
    const key = KEY.exec(line)?.[0];
    if (key === undefined || line[i + key.length] !== '=') return undefined;
    i += key.length + 1;
    let value: string;
    if (line[i] === '"') {
      let j = i + 1;
      while (j < n && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      if (j >= n) return undefined;
      value = unquoteGo(line.slice(i + 1, j));
      i = j + 1;
      if (i < n && line[i] !== ' ' && line[i] !== '\t') return undefined;
    } else {
      BARE.lastIndex = i;
      value = BARE.exec(line)?.[0] ?? '';
      i += value.length;
    }
    fields[key] = value;
  }
  return 'level' in fields ? fields : undefined;
}

/** The text cut to `max` characters (code points), ending in `…` when it was longer. */
function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Masked, on one line (control characters and runs of white space as one space), at most `K6_ERROR_TEXT_MAX` characters. */
function finish(text: string, secrets: readonly string[]): string {
  // eslint-disable-next-line no-control-regex
  return cut(maskSecrets(text, secrets).replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim(), K6_ERROR_TEXT_MAX);
}

/** The first non-empty line of a (multi-line) message, and its first `at …` stack frame after it. */
function firstLineAndFrame(message: string): { first: string; frame?: string } {
  const lines = message.split(/\r?\n|\r/).map((l) => l.trim());
  const at = lines.findIndex((l) => l !== '');
  if (at < 0) return { first: '' };
  const frame = lines.slice(at + 1).find((l) => /^at\s/.test(l));
  return frame === undefined ? { first: lines[at] as string } : { first: lines[at] as string, frame };
}

/** The report's text of a logfmt error record (see the top of this file). */
function logfmtText(f: Record<string, string>): string {
  const msg = firstLineAndFrame(f.msg ?? '');
  const error = f.error ? firstLineAndFrame(f.error).first : '';
  let text = msg.first;
  if (error && !text.includes(error)) text = text ? `${text}: ${error}` : error;
  if (!text) text = Object.entries(f).filter(([k, v]) => k !== 'time' && k !== 'level' && v !== '').map(([k, v]) => `${k}=${v}`).join(' ');
  if (msg.frame) text += ` ${msg.frame}`;
  if (f.hint) text += ` (${f.hint})`;
  return text;
}

const TERMINAL = /^(INFO|WARN|ERRO|FATA|PANI|DEBU|TRAC)\[\d+\]\s*(.*)$/;
const PROGRESS = /^running \(\d+m\d+(?:\.\d+)?s\)|\[\s*\d+%\s*\]/;
const GOROUTINE = /^goroutine \d+ \[/;
const JS_FRAME = /^\s+at\s/;

export interface K6ErrorCollector {
  /** One line of k6's stderr, as written (without its line break). */
  push(line: string): void;
  /** The error texts kept so far, oldest first (at most `K6_ERROR_LINES_KEPT`). */
  lines(): string[];
}

/**
 * Collects the last error lines of one k6 run's stderr (see the top of this file for what is kept).
 * `secrets`: values masked wherever they appear (the secret values of k6's environment, see `envSecrets`).
 */
export function k6ErrorCollector(keep = K6_ERROR_LINES_KEPT, secrets: readonly string[] = []): K6ErrorCollector {
  const kept: string[] = [];
  /** The raw text of the last kept plain line while the next line may still be its first frame. */
  let open: string | undefined;
  let inGoroutineDump = false;
  const add = (text: string) => {
    kept.push(finish(text, secrets));
    if (kept.length > keep) kept.shift();
  };
  return {
    push(line) {
      if (line.trim() === '') return;
      const fields = parseLogfmt(line);
      if (fields) {
        open = undefined;
        inGoroutineDump = false;
        if (ERROR_LEVELS.has((fields.level ?? '').toLowerCase())) add(logfmtText(fields));
        return;
      }
      if (JS_FRAME.test(line)) {
        if (open !== undefined) {
          open = `${open} ${line.trim()}`;
          kept[kept.length - 1] = finish(open, secrets);
          open = undefined;
        }
        return;
      }
      if (GOROUTINE.test(line)) {
        inGoroutineDump = true;
        open = undefined;
        return;
      }
      // Under a goroutine header: `pkg.func(…)` lines, indented `file.go:12 +0x1d` lines, `created by …`.
      if (inGoroutineDump && (/^\s/.test(line) || /^created by /.test(line) || /^[\w./*()\-[\]]+\(.*\)$/.test(line))) return;
      inGoroutineDump = false;
      open = undefined;
      const terminal = TERMINAL.exec(line);
      if (terminal) {
        const [, level, rest] = terminal;
        if (level === 'ERRO' || level === 'FATA' || level === 'PANI') add(rest ?? '');
        return;
      }
      if (PROGRESS.test(line)) return;
      open = line.trim();
      add(open);
    },
    lines: () => [...kept],
  };
}

/** The error texts `k6ErrorCollector` keeps of these stderr lines. */
export function k6ErrorLines(lines: Iterable<string>, keep = K6_ERROR_LINES_KEPT): string[] {
  const c = k6ErrorCollector(keep);
  for (const l of lines) c.push(l);
  return c.lines();
}
