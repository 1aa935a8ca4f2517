// The CLI's stdout carries the report (`perf-gate run > report.md`). Libraries shared with the Action
// (@actions/tool-cache while it installs k6) print GitHub workflow commands there (`::debug::…`),
// which mean nothing outside Actions: the CLI's bin drops them.

type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

/** `write` without the lines that are GitHub workflow commands (`::name …::message`). */
export function withoutWorkflowCommands(write: Write): Write {
  return (chunk, ...rest) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!text.includes('::')) return write(chunk, ...rest);
    const kept = text
      .split(/(?<=\n)/)
      .filter((line) => !/^::[a-z-]+( [^:]*)?::/.test(line))
      .join('');
    if (kept === text) return write(chunk, ...rest);
    if (kept === '') {
      // the callback, when given, still has to be called
      const cb = rest.find((r): r is (err?: Error | null) => void => typeof r === 'function');
      if (cb) queueMicrotask(() => cb(null));
      return true;
    }
    return write(kept, ...rest);
  };
}
