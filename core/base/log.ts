// The process log: consola, fancy on a terminal, plain when piped, one JSON
// object per line with --json-logs. Everything goes to stderr so stdout
// stays free for what a mode prints (UDP datagrams, plugin listings).
// On systemd's journal (journal.ts) lines carry no timestamp of their own
// and start with their syslog priority.

import { createConsola, type ConsolaInstance, type LogObject } from "consola";
import { UserError } from "./errors.ts";
import { journalLines, journalPriority, stderrIsJournal } from "./journal.ts";
import { emit } from "./log-batch.ts";

export const LOG_LEVELS = { silent: -999, error: 0, warn: 1, info: 3, debug: 4, trace: 5 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

export type Logger = ConsolaInstance;

export function createLogger(level: string = "info", json = false): Logger {
  if (!(level in LOG_LEVELS)) {
    throw new UserError(`--log-level must be one of ${Object.keys(LOG_LEVELS).join(", ")} (got "${level}")`);
  }
  const journal = stderrIsJournal();
  const reporter = json ? { log: (entry: LogObject) => writeJson(entry, !journal) } : journal ? { log: writeJournal } : undefined;
  return createConsola({
    level: LOG_LEVELS[level as LogLevelName],
    stdout: process.stderr,
    stderr: process.stderr,
    ...(reporter ? { reporters: [reporter] } : { fancy: process.stderr.isTTY === true }),
  });
}

function messageOf(entry: LogObject): string {
  const { args } = entry;
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return args.map((a) => (typeof a === "string" ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(" ");
}

function writeJson(entry: LogObject, withTime: boolean): void {
  // The same bytes as JSON.stringify of { time, level, tag, message }, without the object.
  const time = withTime ? `"time":"${entry.date.toISOString()}",` : "";
  const tag = entry.tag ? `,"tag":${JSON.stringify(entry.tag)}` : "";
  emit(`{${time}"level":${JSON.stringify(entry.type)}${tag},"message":${JSON.stringify(messageOf(entry))}}\n`, entry.level);
}

function writeJournal(entry: LogObject): void {
  emit(journalLines(journalPriority(entry.level), `${entry.tag ? `[${entry.tag}] ` : ""}${messageOf(entry)}`), entry.level);
}
