// Whether stderr goes to systemd's journal. systemd sets JOURNAL_STREAM to
// "DEVICE:INODE" of the stream it connects to stdout and stderr; a child
// process inherits the variable but maybe not the stream (parley run from a
// service's shell script with 2>file), so the numbers are checked against
// what fd 2 really is, as sd_journal_stream_fd(3) and systemd.exec(5) ask.
//
// On the journal, a log line carries no time of its own (journald stamps
// every entry) and starts with its syslog priority, "<3>" for an error,
// which journald takes off and records, so `journalctl -p err` works.

import { fstatSync } from "node:fs";

/** True when fd 2 is the stream JOURNAL_STREAM names. */
export function stderrIsJournal(env: Record<string, string | undefined> = process.env): boolean {
  const match = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? "");
  if (!match) return false;
  try {
    const stat = fstatSync(2, { bigint: true });
    return stat.dev === BigInt(match[1]!) && stat.ino === BigInt(match[2]!);
  } catch {
    return false;
  }
}

/** consola's level (0 error, 1 warn, 2 log, 3 info, 4 debug, 5 trace) as a syslog priority. */
export function journalPriority(level: number): number {
  if (level <= 0) return 3; // err
  if (level === 1) return 4; // warning
  if (level <= 3) return 6; // info
  return 7; // debug
}

/** A message as journal lines: each line prefixed (journald reads the stream line by line). */
export function journalLines(priority: number, text: string): string {
  return text
    .split("\n")
    .map((line) => `<${priority}>${line}\n`)
    .join("");
}
