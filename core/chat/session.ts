// A session: one connected person or program. Bytes come in through the
// telnet filter and the line splitter; each line is handled in order, by the
// text framing (text-session.ts) or, after a hello frame, the JSON one
// (json-session.ts). The session holds the state and the operations both
// use: join, rename, say, whisper, close.
//
// Lines are handled synchronously while every handler is synchronous (the
// common case, and the fast one); when a handler returns a promise, later
// lines wait for it, so a user's lines are always handled in the order sent.

import type { UserInfo } from "../plugins/api.ts";
import { Frame, type ChatEvent, type FrameId } from "../wire/protocol.ts";
import { handleJsonLine, startJson } from "./json-framing.ts";
import { handleTextLine } from "./text-framing.ts";
import type { Entry } from "../plugins/registry.ts";
import { LineSplitter, type LineSink } from "../wire/lines.ts";
import { checkNick } from "../wire/nick.ts";
import type { Outbox } from "./outbox.ts";
import { sanitize } from "../wire/sanitize.ts";
import { IAC, OPT_ECHO, TelnetFilter } from "../wire/telnet.ts";
import { FloodGate } from "./flood.ts";
import type { ChatContext } from "./shared.ts";
import { runHooks, runMessageHooks, runNickHooks } from "../plugins/runner.ts";

/** The socket side of a session, whatever the transport. */
export interface Connection {
  readonly address: string;
  readonly port: number;
  readonly outbox: Outbox;
  pause(): void;
  resume(): void;
  /** Sends what is queued, then closes. */
  end(): void;
  /** Closes at once, dropping what is queued. */
  destroy(): void;
}

// Lines read but not yet handled. Past this the socket is paused, so a
// paste of a megabyte waits in the kernel instead of in our memory.
const INBOX_PAUSE = 64;

type Inbound = string | { tooLong: number };

/** The outcome of asking for a nickname. */
export type NickResult<T extends object = object> = ({ ok: true } & T) | { ok: false; code: "nick_invalid" | "nick_taken"; reason: string };

let lastId = 0;

// Per-connection state is kept small on purpose (the idle-connection memory
// target is 4 KB): the telnet filter is created on the first IAC byte, the
// session is its own line sink, and queues are allocated only when used.
export class Session implements LineSink {
  nick = "";
  /** password (when the server has one), then nick, then chat */
  state: "password" | "nick" | "chat" | "closed";
  /** true once the client opened with a hello frame: JSON lines both ways */
  json = false;
  /** the id of the JSON frame being answered, put on replies and errors */
  replyId: FrameId | undefined;
  private firstLine = true;
  readonly id = ++lastId;
  readonly connectedAt = Date.now();
  private connectedDate: Date | undefined;
  lastInput = this.connectedAt;
  /** why the session ended, for the log line when the socket closes */
  endReason = "";
  private telnet: TelnetFilter | null = null;
  /** wrong server passwords so far */
  passwordTries = 0;
  private flood: FloodGate | null = null;
  private readonly lines: LineSplitter;
  private inbox: Inbound[] | null = null;
  private head = 0;
  private busy = false;
  private paused = false;
  private ended = false;

  readonly conn: Connection;
  readonly chat: ChatContext;

  constructor(conn: Connection, chat: ChatContext) {
    this.conn = conn;
    this.chat = chat;
    this.state = chat.password ? "password" : "nick";
    this.lines = new LineSplitter(chat.limits.maxLine, this);
  }

  /** LineSink: a whole line arrived. */
  line(text: string): void {
    this.enqueue(text);
  }

  /** LineSink: a line over --max-line was dropped. */
  tooLong(bytes: number): void {
    this.enqueue({ tooLong: bytes });
  }

  receive(bytes: Uint8Array): void {
    if (this.state === "closed") return;
    if (!this.telnet && bytes.indexOf(IAC) !== -1) this.telnet = new TelnetFilter((reply) => this.conn.outbox.push(reply));
    const data = this.telnet ? this.telnet.feed(bytes) : bytes;
    if (data.length > 0) this.lines.feed(data);
  }

  /** The client shut down its sending side: finish its lines, answer them, then close. */
  eof(): void {
    if (this.ended) return;
    this.ended = true;
    this.lines.end();
    if (!this.busy) this.close("connection closed");
  }

  // -- what the room and the plugins call --------------------------------

  info(): UserInfo {
    const { nick, lastInput } = this;
    const node = this.chat.node ? { node: this.chat.node } : {};
    return { id: this.id, nick, address: this.conn.address, port: this.conn.port, connectedAt: (this.connectedDate ??= new Date(this.connectedAt)), idle: Date.now() - lastInput, ...node };
  }

  kick(reason: string): boolean {
    if (this.state === "closed") return false;
    this.system(`* You have been disconnected: ${reason}`);
    this.close(reason);
    return true;
  }

  deliver(frame: Frame): void {
    if (this.json) return this.conn.outbox.push(frame.json());
    // A telnet client never reads a stray command byte: escaped once per event.
    this.conn.outbox.push(this.telnet ? frame.telnetText() : frame.text());
  }

  /** Sends an event to this user alone; in JSON, answers carry the id of the frame being handled. */
  send(event: ChatEvent): void {
    if (this.state === "closed") return;
    if (this.replyId !== undefined && event.id === undefined && (event.type === "system" || event.type === "error")) {
      event = { ...event, id: this.replyId };
    }
    this.deliver(new Frame(event));
  }

  system(text: string): void {
    this.send({ type: "system", text });
  }

  /** An error line (text) or error frame with `code` (JSON). */
  error(text: string, code = "command_error"): void {
    this.send({ type: "error", text, code });
  }

  rename(wanted: string): NickResult<{ nick: string }> | Promise<NickResult<{ nick: string }>> {
    if (this.state !== "chat") return { ok: false, code: "nick_invalid", reason: "only a user in the room can change nickname" };
    const check = checkNick(wanted, this.chat.registry.reservedWords(), this.chat.limits.maxNick);
    if (!check.ok) return { ok: false, code: "nick_invalid", reason: check.reason };
    if (check.nick === this.nick) return { ok: false, code: "nick_invalid", reason: `you are already ${this.nick}` };
    const refused = runNickHooks(this, check.nick);
    if (refused) return { ok: false, code: "nick_taken", reason: refused };
    const from = this.nick;
    const done = (taken: boolean): NickResult<{ nick: string }> => {
      if (!taken) return { ok: false, code: "nick_taken", reason: `${check.nick} is taken, pick another` };
      this.nick = check.nick;
      return { ok: true, nick: check.nick };
    };
    const renamed = this.chat.room.rename(this, from, check.nick);
    return renamed instanceof Promise ? renamed.then(done) : done(renamed);
  }

  /**
   * Leaves the room (the others see `reason`) and closes after sending what
   * is queued. `announce: false` when everyone is told something else, as
   * at shutdown.
   */
  close(reason: string, announce = true): void {
    if (this.state === "closed") return;
    const wasIn = this.state === "chat";
    this.state = "closed";
    this.endReason = reason;
    if (wasIn) this.leaveRoom(reason, announce);
    this.conn.end();
  }

  /** The connection is gone (reset, or cut for not reading): leave without sending more. */
  gone(reason: string): void {
    if (this.state === "closed") return;
    const wasIn = this.state === "chat";
    this.state = "closed";
    this.endReason = reason;
    this.conn.outbox.close();
    if (wasIn) this.leaveRoom(reason, true);
  }

  // -- line handling ------------------------------------------------------

  private enqueue(item: Inbound): void {
    const inbox = (this.inbox ??= []);
    inbox.push(item);
    if (!this.paused && inbox.length - this.head > INBOX_PAUSE) {
      this.paused = true;
      this.conn.pause();
    }
    if (!this.busy) this.drain();
  }

  private drain(): void {
    this.busy = true;
    const inbox = this.inbox ?? [];
    while (this.head < inbox.length && this.state !== "closed") {
      const item = inbox[this.head++]!;
      const pending = this.handle(item);
      if (pending) {
        pending.then(() => this.drain());
        return;
      }
    }
    this.inbox = null;
    this.head = 0;
    this.busy = false;
    if (this.paused) {
      this.paused = false;
      this.conn.resume();
    }
    if (this.ended) this.close("connection closed");
  }

  private handle(item: Inbound): Promise<void> | void {
    const first = this.firstLine;
    this.firstLine = false;
    if (typeof item !== "string") {
      const limit = this.chat.limits.maxLine;
      return this.error(`that line was ${item.tooLong} bytes, over the limit of ${limit}; it was not sent`, "too_long");
    }
    const now = Date.now();
    this.lastInput = now;
    if (this.flooding(now)) return;
    if (this.json) return handleJsonLine(this, item);
    // A program opens with a hello frame as its first line (docs/protocol.md).
    if (first && item.trimStart().startsWith("{") && startJson(this, item)) return;
    return handleTextLine(this, item);
  }

  /** Asks a telnet client to stop (true) or go back to (false) echoing what is typed. */
  hideTyping(hide: boolean): void {
    this.telnet?.requestLocal(OPT_ECHO, hide);
  }

  /** JSON lines: backspace and DEL are data, not editing keys. */
  rawLines(): void {
    this.lines.erase = false;
  }

  /** Flood control: true when this line is to be dropped. */
  private flooding(now: number): boolean {
    const { floodRate, floodBurst } = this.chat.limits;
    if (floodRate <= 0) return false;
    this.flood ??= new FloodGate(floodRate, floodBurst, now);
    switch (this.flood.take(now)) {
      case "ok":
        return false;
      case "warn":
        this.error(`slow down: more than ${floodRate} lines a second; your lines are being dropped`, "flood");
        return true;
      case "drop":
        return true;
      case "disconnect":
        this.chat.log.info(`${this.nick || this.conn.address + ":" + this.conn.port} disconnected: flooding (over ${floodRate} lines/s)`);
        this.error("disconnected for flooding", "flood");
        this.close("flooding");
        return true;
    }
  }

  /** Replays the room's recent messages to a user who just joined. */
  replayHistory(): void {
    const entries = this.chat.history.recent(this.chat.limits.history);
    if (entries.length === 0) return;
    if (!this.json) this.system(`* the last ${entries.length} message${entries.length === 1 ? "" : "s"}:`);
    for (const e of entries) {
      this.send({ type: e.action ? "emote" : "said", from: e.from, text: e.text, time: new Date(e.time).toISOString(), history: true });
    }
  }

  /** Takes a first nickname and enters the room (the others are told). */
  join(wanted: string): NickResult | Promise<NickResult> {
    const check = checkNick(wanted, this.chat.registry.reservedWords(), this.chat.limits.maxNick);
    if (!check.ok) return { ok: false, code: "nick_invalid", reason: check.reason };
    const refused = runNickHooks(this, check.nick);
    if (refused) return { ok: false, code: "nick_taken", reason: refused };
    // Taken at once, so lines that arrive while a cluster is asked see a nick.
    this.nick = check.nick;
    const done = (taken: boolean): NickResult => {
      if (!taken) {
        this.nick = "";
        return { ok: false, code: "nick_taken", reason: `${check.nick} is taken, pick another` };
      }
      if (this.state === "closed") {
        // The socket closed while a cluster was asked: undo the join the others were told of.
        this.chat.room.leave(this, "connection closed");
        return { ok: false, code: "nick_taken", reason: "the connection closed" };
      }
      this.state = "chat";
      return { ok: true };
    };
    const joined = this.chat.room.join(this, check.nick);
    return joined instanceof Promise ? joined.then(done) : done(joined);
  }

  usage(entry: Entry): void {
    const forms = this.chat.registry.infos().find((c) => c.name === entry.command.name)?.forms ?? [];
    this.error(`usage: ${forms.join("  or  ")}`, "usage");
  }

  /**
   * Says a line as this user, after the plugins' message hooks. Resolves to
   * the text the room saw, or null when nothing was said (dropped by a hook,
   * or nothing left once cleaned).
   */
  say(text: string, type: "said" | "emote" = "said"): string | null | Promise<string | null> {
    const relay = (final: string | null): string | null => {
      if (final === null || this.state !== "chat") return null;
      // A hook's rewrite is plugin text: it is cleaned like the user's own.
      const text = final === clean ? clean : sanitize(final);
      if (text.trim() === "") return null;
      // Kept before it is relayed: with --data, a kill -9 loses nothing anyone saw.
      this.chat.history.add({ time: Date.now(), from: this.nick, text, action: type === "emote" });
      this.chat.room.broadcast({ type, from: this.nick, text }, this);
      return text;
    };
    const clean = sanitize(text);
    if (clean.trim() === "") return null;
    const result = runMessageHooks(this, clean);
    return result instanceof Promise ? result.then(relay) : relay(result);
  }

  whisper(nick: string, text: string): boolean {
    const target = this.chat.room.find(nick);
    if (!target) return false;
    return this.chat.room.sendTo(target.nick, { type: "private", from: this.nick, to: target.nick, text: sanitize(text) });
  }

  private leaveRoom(why: string, announce: boolean): void {
    // A reason can come from the user (/quit, a quit frame): clean it like their lines.
    const reason = sanitize(why).slice(0, 200) || "quit";
    if (announce) this.chat.room.leave(this, reason);
    else this.chat.room.remove(this);
    void runHooks(this, "leave", reason);
  }
}
