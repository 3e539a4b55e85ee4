// A mistake the user can fix (a bad flag, a port in use): shown as one
// line, with no stack trace, and the exit code is non-zero.
export class UserError extends Error {
  override readonly name = "UserError";
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The one-line text of anything thrown. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] || error.name;
  return String(error);
}
