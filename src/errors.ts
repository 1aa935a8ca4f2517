// Errors the faces turn into a clear message (and exit code 2 / a failed step) instead of a stack trace.

/** Bad input from the user: config, results, arguments. `where` is `file:line:column` when known. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly where?: string,
    readonly hint?: string,
  ) {
    super(where ? `${where}: ${message}${hint ? `\n  fix: ${hint}` : ''}` : `${message}${hint ? `\n  fix: ${hint}` : ''}`);
  }
}

/** Turns anything thrown (including non-Error values) into an Error, so `setFailed` and exit codes see it. */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  try {
    return new Error(JSON.stringify(thrown));
  } catch {
    return new Error(String(thrown));
  }
}
