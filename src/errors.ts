// Errors the faces turn into a clear message (and exit code 2 / a failed step) instead of a stack trace.

/** Bad input from the user: config, results, arguments. `where` is `file:line:column` when known. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    /** What is wrong, without where and the fix (which `message` adds). */
    readonly problem: string,
    readonly where?: string,
    readonly hint?: string,
  ) {
    super(where ? `${where}: ${problem}${hint ? `\n  fix: ${hint}` : ''}` : `${problem}${hint ? `\n  fix: ${hint}` : ''}`);
  }
}

/**
 * Turns anything thrown (including non-Error values) into an Error, so `setFailed` and exit codes see it.
 * An Error of another realm (a vm context, a worker) is not `instanceof Error` here: its string `message`
 * is used. Values JSON cannot write (`undefined`, a Symbol, a function, a BigInt, a cycle) fall back to
 * `String(thrown)`, so the message is never empty.
 */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  if (thrown !== null && typeof thrown === 'object') {
    const message = (thrown as { message?: unknown }).message;
    if (typeof message === 'string' && message.length > 0) {
      const error = new Error(message);
      const name = (thrown as { name?: unknown }).name;
      if (typeof name === 'string' && name.length > 0) error.name = name;
      const stack = (thrown as { stack?: unknown }).stack;
      if (typeof stack === 'string') error.stack = stack;
      return error;
    }
  }
  let text: string | undefined;
  try {
    const json: unknown = JSON.stringify(thrown);
    if (typeof json === 'string') text = json;
  } catch {
    // a cycle or a BigInt: String() below
  }
  if (text === undefined) {
    try {
      text = String(thrown);
    } catch {
      text = Object.prototype.toString.call(thrown);
    }
  }
  return new Error(text);
}
