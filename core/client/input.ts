// What a person types, as a frame to send. The same forms a telnet user
// types (core/router.ts), converted on the client:
//   b:TEXT  c:NICK:TEXT  n:NICK  l        the tutorial's colon style
//   /say /msg /nick /list /help /quit /me  slash style; any other /NAME ARGS
//                                          becomes a `command` frame
//   help, quit                             words alone on a line
//   //text                                 says "/text"
//   anything else                          said to the room
// Pure: a line in, a decision out.

import type { ClientFrame } from "./protocol.ts";

export type Typed =
  | { kind: "frame"; frame: ClientFrame }
  /** the client's own help, then the server's */
  | { kind: "help" }
  /** a form used wrongly: the usage to show, nothing sent */
  | { kind: "usage"; message: string }
  | { kind: "empty" };

/**
 * Short forms that name a command: one-letter colon aliases and words alone
 * on a line. The defaults are the built-in plugins'; a client may add what
 * the server's help frame lists (see learnForms).
 */
export interface Forms {
  colon: ReadonlyMap<string, string>;
  words: ReadonlyMap<string, string>;
}

export const DEFAULT_FORMS: Forms = {
  colon: new Map([
    ["b", "say"],
    ["c", "msg"],
    ["n", "nick"],
    ["l", "list"],
    ["?", "help"],
  ]),
  words: new Map([
    ["l", "list"],
    ["?", "help"],
    ["help", "help"],
    ["quit", "quit"],
    ["byebye", "quit"],
    ["exit", "quit"],
  ]),
};

// Slash names (and aliases) that have a frame of their own.
const SLASH: Record<string, string> = {
  say: "say",
  b: "say",
  msg: "msg",
  c: "msg",
  tell: "msg",
  nick: "nick",
  n: "nick",
  list: "list",
  l: "list",
  who: "list",
  help: "help",
  "?": "help",
  quit: "quit",
};

const USAGE: Record<string, string> = {
  say: "usage: b:TEXT  or  /say TEXT",
  msg: "usage: c:NICK:TEXT  or  /msg NICK TEXT",
  nick: "usage: n:NICK  or  /nick NICK",
};

export function toFrame(line: string, forms: Forms = DEFAULT_FORMS): Typed {
  const text = line.replace(/[\r\n]+$/, "");
  if (text.trim() === "") return { kind: "empty" };
  if (text.startsWith("//")) return say(text.slice(1));
  if (text.startsWith("/")) {
    const match = /^\/(\S+)\s*([\s\S]*)$/.exec(text);
    if (!match) return say(text); // a lone "/"
    const word = match[1]!.toLowerCase();
    return byName(SLASH[word] ?? word, match[2]!, " ");
  }
  const colon = text.indexOf(":");
  if (colon > 0) {
    const prefix = text.slice(0, colon);
    const name = [...prefix].length === 1 ? forms.colon.get(prefix.toLowerCase()) : undefined;
    if (name) return byName(name, text.slice(colon + 1), ":");
  }
  const name = forms.words.get(text.trim().toLowerCase());
  if (name) return byName(name, "", " ");
  return say(text);
}

function byName(name: string, raw: string, separator: " " | ":"): Typed {
  const args = raw.trim();
  switch (name) {
    case "say":
      return args ? say(raw.trimStart()) : usage(name);
    case "msg": {
      const at = separator === " " ? args.search(/\s/) : args.indexOf(":");
      const to = at === -1 ? args : args.slice(0, at).trim();
      const body = at === -1 ? "" : args.slice(at + 1).trimStart();
      return to && body ? frame({ type: "msg", to, text: body }) : usage(name);
    }
    case "nick":
      return args && !/\s/.test(args) ? frame({ type: "rename", nick: args }) : usage(name);
    case "list":
      return frame({ type: "list" });
    case "help":
      return args ? frame({ type: "command", name: "help", args }) : { kind: "help" };
    case "quit":
      return frame(args ? { type: "quit", reason: args } : { type: "quit" });
    default:
      return frame({ type: "command", name, args });
  }
}

const say = (text: string): Typed => frame({ type: "say", text });
const frame = (f: ClientFrame): Typed => ({ kind: "frame", frame: f });
const usage = (name: string): Typed => ({ kind: "usage", message: USAGE[name]! });

/**
 * Adds the short forms the server's help frame lists ("x:ARGS" or "x" for a
 * one-letter alias, a bare word such as "byebye"), so a plugin's aliases
 * work as they do for a telnet user.
 */
export function learnForms(commands: readonly { name: string; forms: readonly string[] }[], base: Forms = DEFAULT_FORMS): Forms {
  const colon = new Map(base.colon);
  const words = new Map(base.words);
  for (const { name, forms } of commands) {
    for (const form of forms) {
      const letter = /^([^\s/:]):/u.exec(form)?.[1];
      if (letter) colon.set(letter.toLowerCase(), name);
      else if (/^[^\s/:]+$/u.test(form)) {
        words.set(form.toLowerCase(), name);
        if ([...form].length === 1) colon.set(form.toLowerCase(), name);
      }
    }
  }
  return { colon, words };
}

/** What `help` shows before the server's own list: the forms this client converts, and its keys. */
export const CLIENT_HELP: readonly string[] = [
  "* parley connect: type a line to talk to everyone, or:",
  "*   b:TEXT | /say TEXT              say TEXT to the room",
  "*   c:NICK:TEXT | /msg NICK TEXT    send TEXT to NICK only",
  "*   n:NICK | /nick NICK             change your nickname",
  "*   l | /list                       who is online",
  "*   /me ACTION                      show ACTION as something you do",
  "*   /NAME ARGS                      any command the server lists below",
  "*   quit | /quit [REASON] | Ctrl-D  leave",
  "*   keys: Up/Down earlier lines, Ctrl-A/Ctrl-E start/end, Ctrl-U/Ctrl-W delete line/word",
];
