// The text framing (people on telnet, nc, PuTTY): the welcome, the password
// and nickname prompts, and each later line routed to a command or said to
// the room. What they read of each event is core/wire/render.ts's lines.
// It keeps no state of its own: one object serves every text session (an
// idle connection's memory counts).

import { andThen } from "../base/maybe.ts";
import { Frame } from "../wire/frame.ts";
import type { ServerFrame } from "../wire/protocol.ts";
import { sanitize } from "../wire/sanitize.ts";
import type { Framing, SessionCore } from "./framing.ts";

class TextFraming implements Framing {
  readonly json = false;
  readonly replyId = undefined;

  /**
   * Greets a new connection and asks for the password or a nickname. Telnet
   * options go first, so a client is 8-bit clean before anything is typed
   * (docs/protocol.md says what a raw client sees of them). Behind a
   * password, nothing about the room is told until it is given.
   */
  welcome(session: SessionCore): void {
    const locked = session.state === "password";
    session.negotiate(locked);
    greet(session, session.welcomeFrame(!locked));
    if (locked) askPassword(session);
    else askNick(session);
  }

  line(session: SessionCore, line: string) {
    if (session.state === "password") return andThen(session.password(line), (outcome) => afterPassword(session, outcome));
    const text = sanitize(line).trimEnd();
    if (session.state === "nick") return chooseNick(session, text);
    // An empty line is nothing, unless a command is waiting for a secret (then it cancels).
    const typed = session.typed(text);
    if (typed instanceof Promise) return typed.then(nothing);
  }
}

export const TEXT_FRAMING = new TextFraming();

const nothing = () => {};

function askPassword(session: SessionCore): void {
  // A telnet client is asked to stop echoing while the password is typed.
  session.hideTyping(true);
  session.system("This server has a password. Password:");
}

// Every connection is greeted the same way while the room's count and the
// motd stay the same: the greeting's frames are built once and their bytes
// shared, as a room's events are (a connect/quit cycle rendered them anew).
const ASK_NICK = new Frame({ type: "system", text: "Please choose a nickname:" });
let lastWelcome: { event: ServerFrame; frame: Frame } | null = null;

function greet(session: SessionCore, event: ServerFrame): void {
  if (session.state === "closed") return;
  if (!lastWelcome || !sameWelcome(lastWelcome.event, event)) lastWelcome = { event, frame: new Frame(event) };
  session.deliver(lastWelcome.frame);
}

function sameWelcome(a: ServerFrame, b: ServerFrame): boolean {
  if (a.type !== "welcome" || b.type !== "welcome") return false;
  return a.online === b.online && a.motd === b.motd && a.version === b.version && a.protocol === b.protocol && a.server === b.server && a.password === b.password;
}

function askNick(session: SessionCore): void {
  if (session.state !== "closed") session.deliver(ASK_NICK);
}

function afterPassword(session: SessionCore, outcome: "ok" | "wrong" | "too_many"): void {
  if (outcome === "ok") {
    session.system(""); // the user's Enter was not echoed
    greet(session, session.welcomeFrame(true));
    askNick(session);
  } else if (outcome === "wrong") {
    askPassword(session);
  }
}

function chooseNick(session: SessionCore, text: string) {
  if (text.trim() === "") return askNick(session);
  return andThen(session.enter(text), (joined) => {
    if (joined.ok) return;
    session.error(joined.reason);
    askNick(session);
  });
}
