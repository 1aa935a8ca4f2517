// The CLI's stdout carries the report (`perf-gate run > report.md`). Libraries shared with the Action
// (@actions/tool-cache while it installs k6) print GitHub workflow commands there (`::debug::…`): the
// CLI's bin sends those lines to stderr, where they stay in a job's log and out of the report.

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
