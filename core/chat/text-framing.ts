// The text framing (people on telnet, nc, PuTTY): the welcome, the password
// and nickname prompts, and each later line routed to a command or said to
// the room. What they read of each event is core/wire/render.ts's lines.

import { andThen } from "../base/maybe.ts";
import { sanitize } from "../wire/sanitize.ts";
import type { Framing, SessionCore } from "./framing.ts";

export class TextFraming implements Framing {
  readonly json = false;
  readonly replyId = undefined;
  private readonly session: SessionCore;

  constructor(session: SessionCore) {
    this.session = session;
  }

  /**
   * Greets a new connection and asks for the password or a nickname. Telnet
   * options go first, so a client is 8-bit clean before anything is typed
   * (docs/protocol.md says what a raw client sees of them). Behind a
   * password, nothing about the room is told until it is given.
   */
  welcome(): void {
    const locked = this.session.state === "password";
    this.session.negotiate(locked);
    this.session.send(this.session.welcomeFrame(!locked));
    if (locked) this.askPassword();
    else this.askNick();
  }

  line(line: string) {
    const session = this.session;
    if (session.state === "password") return andThen(session.password(line), (outcome) => this.afterPassword(outcome));
    const text = sanitize(line).trimEnd();
    if (session.state === "nick") return this.chooseNick(text);
    // An empty line is nothing, unless a command is waiting for a secret (then it cancels).
    return andThen(session.typed(text), () => {});
  }

  private askPassword(): void {
    // A telnet client is asked to stop echoing while the password is typed.
    this.session.hideTyping(true);
    this.session.system("This server has a password. Password:");
  }

  private askNick(): void {
    this.session.system("Please choose a nickname:");
  }

  private afterPassword(outcome: "ok" | "wrong" | "too_many"): void {
    if (outcome === "ok") {
      this.session.system(""); // the user's Enter was not echoed
      this.session.send(this.session.welcomeFrame(true));
      this.askNick();
    } else if (outcome === "wrong") {
      this.askPassword();
    }
  }

  private chooseNick(text: string) {
    if (text.trim() === "") return this.askNick();
    return andThen(this.session.enter(text), (joined) => {
      if (joined.ok) return;
      this.session.error(joined.reason);
      this.askNick();
    });
  }
}
