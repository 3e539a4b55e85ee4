// The JSON-lines framing (docs/protocol.md): what each client frame does.
// Every frame that asks for a command (msg, rename, list, help, quit,
// command, line) runs that command through the registry, exactly as a
// typed line does, so a plugin that replaces a command replaces it here too.
// Answers to a frame carry its id.

import { andThen, type Maybe } from "../base/maybe.ts";
import { parseClientFrame } from "../wire/client-frames.ts";
import { sanitize } from "../wire/sanitize.ts";
import type { ClientFrame, FrameId } from "../wire/protocol.ts";
import type { Framing, SessionCore } from "./framing.ts";

const BEFORE_JOIN = new Set(["hello", "nick", "ping", "help", "password"]);
const BEFORE_PASSWORD = new Set(["hello", "ping", "password"]);

export class JsonFraming implements Framing {
  readonly json = true;
  private current: FrameId | undefined;
  private readonly session: SessionCore;

  constructor(session: SessionCore) {
    this.session = session;
  }

  get replyId(): FrameId | undefined {
    return this.current;
  }

  /** Whether a client's first line opens this framing: a hello frame, of any version. */
  static opens(line: string): boolean {
    const parsed = parseClientFrame(line);
    return parsed.ok ? parsed.frame.type === "hello" : isHello(line);
  }

  /**
   * Answers the hello with the welcome. A hello of another version is
   * answered in JSON, which it reads, and the connection closed.
   */
  hello(line: string): void {
    const session = this.session;
    const parsed = parseClientFrame(line);
    if (!parsed.ok) {
      session.error(parsed.message, parsed.code);
      return session.close("unsupported protocol");
    }
    const locked = session.state === "password";
    session.send({ ...session.welcomeFrame(!locked), ...(locked ? { password: true } : {}), ...idOf(parsed.frame) });
  }

  line(_session: SessionCore, line: string): Maybe<void> {
    if (line.trim() === "") return;
    const parsed = parseClientFrame(line);
    if (!parsed.ok) return this.answering(parsed.id, () => this.session.error(parsed.message, parsed.code));
    return this.answering(parsed.frame.id, () => this.frame(parsed.frame));
  }

  /** Runs `fn` with `id` as the id that answers carry, until what it returns settles. */
  private answering<T>(id: FrameId | undefined, fn: () => Maybe<T>): Maybe<T> {
    this.current = id;
    const done = <V>(value: V): V => {
      if (this.current === id) this.current = undefined;
      return value;
    };
    let result: Maybe<T>;
    try {
      result = fn();
    } catch (error) {
      done(undefined);
      throw error;
    }
    return andThen(result, done);
  }

  private frame(frame: ClientFrame): Maybe<void> {
    const session = this.session;
    if (session.state === "password" && !BEFORE_PASSWORD.has(frame.type)) {
      return session.error("this server has a password: send a password frame first", "password_required");
    }
    if (session.state !== "chatting" && !BEFORE_JOIN.has(frame.type)) {
      return session.error("choose a nickname first (a nick frame)", "not_joined");
    }
    switch (frame.type) {
      case "hello":
        return session.error("hello is only for the first line", "bad_frame");
      case "nick":
        if (session.state === "chatting") return session.error(`you are ${session.nick} already; use a rename frame`, "already_joined");
        return andThen(session.enter(frame.nick), (joined) => {
          if (!joined.ok) session.error(joined.reason, joined.code);
        });
      // With an id, the sender gets its own copy of what the room saw (session.say).
      case "say":
        return andThen(frame.room === undefined ? session.say(frame.text) : session.sayIn(frame.text, frame.room), () => {});
      case "line": {
        // Cleaned as a typed line is, before the router or any plugin sees it.
        const text = sanitize(frame.text).trimEnd();
        if (text.trim() === "") return;
        return andThen(session.typed(text), () => {});
      }
      case "msg":
        return session.command("msg", [frame.to, frame.text]);
      case "rename":
        return session.command("nick", [frame.nick]);
      case "list":
        return session.command("list", []);
      case "help":
        return session.command("help", frame.command ? [frame.command] : []);
      case "command":
        return session.command(frame.name.replace(/^\//, ""), frame.args ?? "");
      case "quit":
        return session.command("quit", frame.reason ? [frame.reason] : []);
      case "join":
        return session.command("join", frame.key !== undefined ? [frame.room, frame.key] : [frame.room]);
      case "part":
        // A room is named with its #: "help" read as /part's first word would be taken for the reason.
        if (frame.room !== undefined && !frame.room.startsWith("#")) return session.error("a room name starts with #, like #help", "room_invalid");
        // The reason goes after the room; with no room, the current one (the command reads "/part REASON" so).
        return session.command("part", frame.room !== undefined ? [frame.room, ...(frame.reason ? [frame.reason] : [])] : frame.reason ? frame.reason : []);
      case "rooms":
        return session.command("rooms", []);
      case "topic":
        return session.command("topic", frame.text ?? "");
      case "switch":
        return session.command("switch", [frame.room]);
      case "ping":
        return session.send({ type: "pong", time: new Date().toISOString(), ...idOf(frame) });
      case "password":
        if (session.state !== "password") return session.error("no password is needed now", "bad_frame");
        return andThen(session.password(frame.password), (outcome) => {
          if (outcome !== "ok") return;
          session.system("password accepted");
          // Now the room may be described: a second welcome with the count and the motd.
          session.send(session.welcomeFrame(true));
        });
    }
  }

}

function idOf(frame: ClientFrame): { id?: FrameId } {
  return frame.id !== undefined ? { id: frame.id } : {};
}

/** A first line that is a JSON object with type "hello", valid or not. */
function isHello(line: string): boolean {
  try {
    const value = JSON.parse(line) as { type?: unknown } | null;
    return typeof value === "object" && value !== null && value.type === "hello";
  } catch {
    return false;
  }
}
