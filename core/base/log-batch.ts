// The log's writes to stderr (core/base/log.ts), kept apart so the
// commands can flush them before they print an error and exit without
// loading the logger.

/** consola's level of warnings: this and below (errors, fatal) are written at once */
const WARN = 1;

// Lines at info and below are written once per event-loop turn, all of a
// turn's lines in one write: a server that logs every connection it closes
// made one write(2) per connection, a measurable part of a connect/quit
// cycle (bench W4). Warnings and errors go at once (with what waits before
// them, so the order holds), and what waits is written before the process
// exits (flushLog, and the exit event).
const LOG_BATCH_BYTES = 64 * 1024;
let waiting = "";
let scheduled = false;

/** Writes the log lines still waiting for the end of this turn. */
export function flushLog(): void {
  scheduled = false;
  if (waiting === "") return;
  const text = waiting;
  waiting = "";
  process.stderr.write(text);
}

/** Writes one log line (or a few) of consola `level`: at once for warnings and errors, else at the end of the turn. */
export function emit(text: string, level: number): void {
  if (level <= WARN) {
    if (waiting !== "") {
      text = waiting + text;
      waiting = "";
    }
    process.stderr.write(text);
    return;
  }
  waiting += text;
  if (waiting.length >= LOG_BATCH_BYTES) return flushLog();
  if (scheduled) return;
  scheduled = true;
  setImmediate(flushLog);
}

process.on("exit", flushLog);

