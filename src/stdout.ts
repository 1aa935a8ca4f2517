// The CLI's stdout carries the report (`perf-gate run > report.md`). Libraries shared with the Action
// (@actions/tool-cache while it installs k6) print GitHub workflow commands there (`::debug::…`): the
// CLI's bin sends those lines to stderr, where they stay in a job's log and out of the report; outside
// GitHub Actions, as plain text (`warning: …`; debug lines only with PERF_GATE_DEBUG=1).

type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

/** A workflow-command line: `::name::message` or `::name key=value,…::message`. */
const COMMAND = /^::[a-z][a-z-]*(?: [^\n]*?)?::/;

/** `write` with the lines that are GitHub workflow commands passed to `divert` instead. */
export function withoutWorkflowCommands(write: Write, divert: (text: string) => void = () => undefined): Write {
  return (chunk, ...rest) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!text.includes('::')) return write(chunk, ...rest);
    const lines = text.split(/(?<=\n)/);
    const commands = lines.filter((line) => COMMAND.test(line));
    if (commands.length === 0) return write(chunk, ...rest);
    divert(commands.join(''));
    const kept = lines.filter((line) => !COMMAND.test(line)).join('');
    if (kept === '') {
      // the callback, when given, still has to be called
      const cb = rest.find((r): r is (err?: Error | null) => void => typeof r === 'function');
      if (cb) queueMicrotask(() => cb(null));
      return true;
    }
    return write(kept, ...rest);
  };
}

/** A workflow command's message as written (`%25`, `%0D`, `%0A` are how commands escape `%`, CR, LF). */
function unescapeMessage(m: string): string {
  return m.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

/**
 * Workflow-command lines as plain text for a terminal outside GitHub Actions, where nothing reads
 * them: `::warning …::x` → `warning: x`, `::error …::x` → `error: x`, `::notice …::x` → `notice: x`,
 * `::group::x` → `x`; `::debug::x` → `debug: x` only when `debug`; `::add-mask::`, `::endgroup::` and
 * other commands are dropped (a mask's value is never printed).
 */
export function plainWorkflowCommands(text: string, debug: boolean): string {
  return text
    .split(/(?<=\n)/)
    .map((line) => {
      const m = /^::([a-z][a-z-]*)(?: [^\n]*?)?::(.*?)(\r?\n)?$/s.exec(line);
      if (!m) return line;
      const [, name, message = '', eol = ''] = m;
      const text = unescapeMessage(message);
      if (name === 'warning' || name === 'error' || name === 'notice') return `${name}: ${text}${eol}`;
      if (name === 'group') return `${text}${eol}`;
      if (name === 'debug') return debug ? `debug: ${text}${eol}` : '';
      return '';
    })
    .join('');
}
