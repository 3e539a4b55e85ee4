// Ending `parley connect`: what was written reaches the pipe, an error is
// one line on stderr, and the exit code says which.

let ending = false;

const flush = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write("", () => resolve()));

/** Prints `error` (if any) as `parley: error` on stderr, flushes, and exits. Only the first call counts. */
export async function exit(code: number, error?: string): Promise<never> {
  if (!ending) {
    ending = true;
    if (error) process.stderr.write(`parley: ${error}\n`);
    await Promise.all([flush(process.stdout), flush(process.stderr)]);
    process.exit(code);
  }
  return new Promise<never>(() => {});
}
