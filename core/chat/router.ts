// Router: decides what a chat line is. Pure: a line and the registry in,
// a route out.
//   /name args      slash form (any command name or alias); "//x" says "/x"
//   x:args          colon form, only for registered one-letter aliases, so
//                   "note: see you" is ordinary chat
//   word            a command's bare word alone on a line (l, help, quit);
//   word args       the same, with arguments, for commands that ask (help msg)
//   anything else   said to the room

import type { Entry, Registry } from "../plugins/registry.ts";
import { splitArgs } from "../plugins/params.ts";

export type Route =
  | { kind: "say"; text: string }
  | { kind: "command"; entry: Entry; args: string[]; raw: string }
  /** `raw` and `separator`: the arguments as typed, for a command that asks for what is missing */
  | { kind: "usage"; entry: Entry; typed: string; raw: string; separator: " " | ":" }
  | { kind: "unknown"; word: string };

export function route(line: string, registry: Registry): Route {
  if (line.startsWith("//")) return { kind: "say", text: line.slice(1) };
  if (line.startsWith("/")) {
    const match = /^\/(\S+)\s*([\s\S]*)$/.exec(line);
    if (!match) return { kind: "say", text: line }; // a lone "/"
    const [, word, raw] = match as unknown as [string, string, string];
    const entry = registry.bySlash(word);
    if (!entry) return { kind: "unknown", word: `/${word}` };
    return invoke(entry, raw, " ", line);
  }
  const colon = line.indexOf(":");
  if (colon > 0) {
    const prefix = line.slice(0, colon);
    const entry = [...prefix].length === 1 ? registry.byColon(prefix) : undefined;
    if (entry) return invoke(entry, line.slice(colon + 1), ":", line);
  }
  const entry = registry.byWord(line.trim());
  if (entry) return invoke(entry, "", " ", line);
  // "help msg": a word that takes arguments, when they fit (else it is chat: "help me please").
  const spoken = /^(\S+)\s+(\S[\s\S]*)$/.exec(line.trim());
  const worded = spoken ? registry.byWord(spoken[1]!) : undefined;
  if (worded?.command.wordArgs) {
    const args = splitArgs(spoken![2]!, worded.params, " ");
    if (args) return { kind: "command", entry: worded, args, raw: spoken![2]!.trim() };
  }
  return { kind: "say", text: line };
}

function invoke(entry: Entry, raw: string, separator: " " | ":", typed: string): Route {
  const args = splitArgs(raw, entry.params, separator);
  if (!args) return { kind: "usage", entry, typed, raw, separator };
  return { kind: "command", entry, args, raw: raw.trim() };
}
