// The process log: consola, fancy on a terminal, plain when piped, one JSON
// object per line with --json-logs. Everything goes to stderr so stdout
// stays free for what a mode prints (UDP datagrams, plugin listings).
// On systemd's journal (journal.ts) lines carry no timestamp of their own
// and start with their syslog priority.
//
// Only a terminal gets consola's own (fancy) reporter: it loads node:util,
// node:tty and node:path, about 2 MB of a resting server's memory. Piped,
// to a file or to the journal, which is how a service runs, the lines are
// written here, in the form consola's basic reporter gives them
// ("[warn] [plugin] text").

import { createConsola, type ConsolaInstance, type LogObject } from "consola/core";
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
  const options = { level: LOG_LEVELS[level as LogLevelName], stdout: process.stderr, stderr: process.stderr };
  if (!json && !journal && process.stderr.isTTY === true) {
    // Required here, not imported: a process that never logs to a terminal never loads it.
    const full: typeof import("consola") = require("consola");
    // (Its types as TypeScript resolves them here lack `fancy`, which the Node build has.)
    return full.createConsola({ ...options, fancy: true } as Parameters<typeof full.createConsola>[0]);
  }
  const reporter = json ? { log: (entry: LogObject) => writeJson(entry, !journal) } : journal ? { log: writeJournal } : { log: writePlain };
  return createConsola({ ...options, reporters: [reporter] });
}

function messageOf(entry: LogObject): string {
  const { args } = entry;
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return args.map((a) => (typeof a === "string" ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(" ");
}

/** "[type] [tag] message", as consola's basic reporter writes it; an Error with its stack, indented. */
function writePlain(entry: LogObject): void {
  const message = entry.args
    .map((a) => (typeof a === "string" ? a : a instanceof Error ? errorLines(a) : typeof a === "object" && a !== null ? JSON.stringify(a) : String(a)))
    .join(" ");
  emit([`[${entry.type}]`, entry.tag ? `[${entry.tag}]` : "", message].filter(Boolean).join(" ") + "\n", entry.level);
}

function errorLines(error: Error): string {
  const stack = (error.stack ?? "").split("\n").slice(error.message.split("\n").length).map((l) => "  " + l.trim());
  return [error.message, ...stack].join("\n");
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
