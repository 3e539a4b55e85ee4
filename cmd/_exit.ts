// Ending the process of a command that prints: what was written reaches the
// pipe, an error is one line on stderr, and the exit code says which.

import { flushLog } from "../core/base/log-batch.ts";

// A terminal that is gone never says a write is done: flushing waits this long at most.
const FLUSH_WAIT_MS = 500;

const flush = (stream: NodeJS.WriteStream) =>
  Promise.race([new Promise<void>((resolve) => stream.write("", () => resolve())), Bun.sleep(FLUSH_WAIT_MS)]);

/** Prints `error` (if any) as `parley: error` on stderr, flushes stdout and stderr (a bounded wait), and exits with `code`. */
export async function exitWith(code: number, error?: string): Promise<never> {
  flushLog(); // the log lines of this turn go before the error
  if (error) process.stderr.write(`parley: ${error}\n`);
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(code);
}
