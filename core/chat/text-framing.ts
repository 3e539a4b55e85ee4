// The text framing (people on telnet, nc, PuTTY): the welcome, the password
// and nickname prompts, and each later line routed to a command or said to
// the room. What they read of each event is core/wire/render.ts's lines.

import pkg from "../../package.json" with { type: "json" };
import { andThen } from "../base/maybe.ts";
import { PROTOCOL_VERSION } from "../wire/protocol.ts";
import { sanitize } from "../wire/sanitize.ts";
import type { Framing, SessionCore } from "./framing.ts";

export class TextFraming implements Framing {
  readonly json = false;
  readonly replyId = undefined;
  private readonly session: SessionCore;

  constructor(session: SessionCore) {
    this.session = session;
  }

  /** Greets a new connection and asks for the password or a nickname. */
  welcome(): void {
    const { room, motd } = this.session.chat;
    this.session.send({ type: "welcome", server: "parley", version: pkg.version, protocol: PROTOCOL_VERSION, online: room.size, motd });
    if (this.session.state === "password") this.askPassword();
    else this.askNick();
  }

  line(line: string) {
    const session = this.session;
    if (session.state === "password") return andThen(session.password(line), (outcome) => this.afterPassword(outcome));
    const text = sanitize(line).trimEnd();
    if (session.state === "nick") return this.chooseNick(text);
    if (text.trim() === "") return;
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
