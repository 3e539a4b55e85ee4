// The text framing of a session (people on telnet, nc, PuTTY): the welcome,
// the password and nickname prompts, and each later line routed to a
// command or said to the room. core/json-session.ts is the same for
// programs; both drive the session's own operations.

import { runCommand, runHooks } from "../plugins/runner.ts";
import { tryPassword } from "./password-gate.ts";
import { route } from "./router.ts";
import { sanitize } from "../wire/sanitize.ts";
import type { NickResult, Session } from "./session.ts";

// Names listed in the greeting; past this, "and N more (type l)".
const NAMES_IN_GREETING = 20;

/** Greets a new connection and asks for the password or a nickname. */
export function welcome(session: Session): void {
  const online = session.chat.room.size;
  const who = online === 0 ? "no one else is here yet" : online === 1 ? "1 person online" : `${online} people online`;
  session.system(`Welcome to parley! ${who}.`);
  if (session.chat.motd) session.system(session.chat.motd);
  if (session.state === "password") askPassword(session);
  else prompt(session);
}

export function handleTextLine(session: Session, line: string): Promise<void> | void {
  if (session.state === "password") return tryPassword(session, line);
  const text = sanitize(line).trimEnd();
  if (session.state === "nick") return chooseNick(session, text);
  if (text.trim() === "") return;
  return chatLine(session, text);
}

export function askPassword(session: Session): void {
  // A telnet client is asked to stop echoing while the password is typed.
  session.hideTyping(true);
  session.system("This server has a password. Password:");
}

export function prompt(session: Session): void {
  session.system("Please choose a nickname:");
}

function chooseNick(session: Session, text: string): Promise<void> | void {
  if (text.trim() === "") return prompt(session);
  const after = (joined: NickResult) => {
    if (!joined.ok) {
      session.error(joined.reason);
      return prompt(session);
    }
    greet(session);
    session.replayHistory();
    void runHooks(session, "join");
  };
  const joined = session.join(text);
  return joined instanceof Promise ? joined.then(after) : after(joined);
}

function greet(session: Session): void {
  const members = session.chat.room.list();
  const names = members.slice(0, NAMES_IN_GREETING).map((m) => m.nick);
  const more = members.length > NAMES_IN_GREETING ? ` and ${members.length - NAMES_IN_GREETING} more (type l)` : "";
  session.system(`* Hi ${session.nick}! Online (${members.length}): ${names.join(", ")}${more}`);
  session.system("* Type a line to talk to everyone, or help for commands.");
}

function chatLine(session: Session, text: string): Promise<void> | void {
  const r = route(text, session.chat.registry);
  switch (r.kind) {
    case "say":
      return settled(session.say(r.text));
    case "command":
      return runCommand(session, r.entry, r.args, r.raw);
    case "usage":
      return session.usage(r.entry);
    case "unknown":
      return session.error(`unknown command ${r.word} - type help`, "unknown_command");
  }
}

/** A value, or a promise of one, as something to wait for and nothing more. */
function settled(value: unknown): Promise<void> | void {
  if (value instanceof Promise) return value.then(() => {});
}
