// What a person types in `parley connect`, as what to do. The client keeps
// no copy of the server's commands: a line goes to the server as typed (a
// `line` frame) and is routed there exactly as a telnet user's line is, so
// every command, alias and plugin form works as it does in telnet, and a
// plugin that replaces a built-in replaces it here too. Only what the
// client acts on itself is told apart, by the forms the server's help
// frame lists: help (the client's keys first) and quit (it closes).
// Pure: a line in, a decision out.

import type { ClientFrame } from "./protocol.ts";

export type Typed =
  | { kind: "frame"; frame: ClientFrame }
  /** the client's own help, then the server's */
  | { kind: "help" }
  /** leave: a quit frame, then close */
  | { kind: "quit"; reason?: string }
  | { kind: "empty" };

/** How one command can be typed: its slash names and the words that run it alone on a line. */
interface Spelling {
  slash: ReadonlySet<string>;
  words: ReadonlySet<string>;
}

/** The spellings of the commands the client acts on, from the server's help frame. */
export interface Forms {
  help: Spelling;
  quit: Spelling;
}

const NONE: Spelling = { slash: new Set(), words: new Set() };

/** Before the server's help frame: nothing is known, every line goes to the server. */
export const NO_FORMS: Forms = { help: NONE, quit: NONE };

export function toFrame(line: string, forms: Forms = NO_FORMS): Typed {
  const text = line.replace(/[\r\n]+$/, "");
  if (text.trim() === "") return { kind: "empty" };
  const slash = /^\/(\S+)\s*([\s\S]*)$/.exec(text);
  if (slash && !text.startsWith("//")) {
    const word = slash[1]!.toLowerCase();
    const rest = slash[2]!.trim();
    if (forms.quit.slash.has(word)) return rest ? { kind: "quit", reason: rest } : { kind: "quit" };
    if (forms.help.slash.has(word) && rest === "") return { kind: "help" };
  }
  const alone = text.trim().toLowerCase();
  if (forms.quit.words.has(alone)) return { kind: "quit" };
  if (forms.help.words.has(alone)) return { kind: "help" };
  return { kind: "frame", frame: { type: "line", text } };
}

/** Reads the spellings of help and quit from the server's help frame ("/quit [REASON]", "byebye", "?"). */
export function learnForms(commands: readonly { name: string; forms: readonly string[] }[]): Forms {
  const spelling = (name: string): Spelling => {
    const slash = new Set<string>();
    const words = new Set<string>();
    for (const form of commands.find((c) => c.name === name)?.forms ?? []) {
      const named = /^\/([^\s/]+)/u.exec(form)?.[1];
      if (named) slash.add(named.toLowerCase());
      else if (/^[^\s/:]+$/u.test(form)) words.add(form.toLowerCase());
    }
    return { slash, words };
  };
  return { help: spelling("help"), quit: spelling("quit") };
}

/** What `help` shows before the server's own list: how this client takes lines, and its keys. */
export const CLIENT_HELP: readonly string[] = [
  "* parley connect: type a line to talk to everyone, or:",
  "*   any command the server lists below, typed as in telnet (c:NICK:TEXT, /msg NICK TEXT, l ...)",
  "*   quit | /quit [REASON] | Ctrl-D  leave",
  "*   keys: Up/Down earlier lines, Ctrl-A/Ctrl-E start/end, Ctrl-U/Ctrl-W delete line/word, Tab next room",
];
