// The process log: consola, fancy on a terminal, plain when piped, one JSON
// object per line with --json-logs. Everything goes to stderr so stdout
// stays free for what a mode prints (UDP datagrams, plugin listings).

import { createConsola, type ConsolaInstance, type LogObject } from "consola";
import { UserError } from "./errors.ts";

export const LOG_LEVELS = { silent: -999, error: 0, warn: 1, info: 3, debug: 4, trace: 5 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

export type Logger = ConsolaInstance;

export function createLogger(level: string = "info", json = false): Logger {
  if (!(level in LOG_LEVELS)) {
    throw new UserError(`--log-level must be one of ${Object.keys(LOG_LEVELS).join(", ")} (got "${level}")`);
  }
  return createConsola({
    level: LOG_LEVELS[level as LogLevelName],
    stdout: process.stderr,
    stderr: process.stderr,
    ...(json ? { reporters: [{ log: writeJson }] } : { fancy: process.stderr.isTTY === true }),
  });
}

function writeJson(entry: LogObject): void {
  const [first, ...rest] = entry.args;
  const message = [first, ...rest].map((a) => (typeof a === "string" ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(" ");
  process.stderr.write(
    JSON.stringify({ time: entry.date.toISOString(), level: entry.type, ...(entry.tag ? { tag: entry.tag } : {}), message }) + "\n",
  );
}
