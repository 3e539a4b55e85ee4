// A session: one connected person or program, as a small state machine
// (password → nick → chatting → closed). Bytes come in through the telnet
// filter and the line splitter; the inbox hands each line, in order, to the
// framing (text, or JSON after a hello frame), which drives the operations
// here. The session is also what plugins reach of one user (UserSession)
// and what the room delivers to (Member).

import { andThen, settled, type Maybe } from "../base/maybe.ts";
import type { Answer, RenameResult, RoomResult, UserInfo, UserPreferences } from "../plugins/api.ts";
import type { Entry, LoadedPlugin } from "../plugins/registry.ts";
import { parseParams, splitArgs } from "../plugins/params.ts";
import { runCommand, runHooks, runMessageHooks, runNickHooks, runRoomHooks } from "../plugins/runner.ts";
import type { UserSession } from "../plugins/services.ts";
import { Frame } from "../wire/frame.ts";
import { LineSplitter, type LineSink } from "../wire/lines.ts";
import { checkNick, nickKey } from "../wire/nick.ts";
import type { FrameId, ServerFrame } from "../wire/protocol.ts";
import { sanitize } from "../wire/sanitize.ts";
import { DO, IAC, OPT_BINARY, OPT_ECHO, TelnetFilter, WILL, type TelnetReplies } from "../wire/telnet.ts";
import pkg from "../../package.json" with { type: "json" };
import { PROTOCOL_VERSION } from "../wire/protocol.ts";
import { bytesFor, type Reader } from "./delivery.ts";
import { Pacer } from "./flood.ts";
import type { Framing, NickResult, SessionCore, SessionState } from "./framing.ts";
import { Inbox, type InboxOwner } from "./inbox.ts";
import { JsonFraming } from "./json-framing.ts";
import type { Outbox } from "./outbox.ts";
import { PasswordGate, PASSWORD_TRIES } from "./password-gate.ts";
import { Personal } from "./personal.ts";
import { safeEqual } from "../base/safe-equal.ts";
import { counters, disconnectKind, type DisconnectReason } from "../base/counters.ts";
import type { Member, PlainReader } from "./room.ts";
import type { NamedRoom } from "./named-room.ts";
import type { HistoryEntry } from "../store/history.ts";
import { MAX_TOPIC } from "./rooms.ts";
import { route, type Route } from "./router.ts";
import type { ChatContext } from "./shared.ts";
import { TEXT_FRAMING } from "./text-framing.ts";

export type { NickResult };

/** The socket side of a session, whatever the transport. */
export interface Connection {
  readonly address: string;
  readonly port: number;
  /** a WebSocket (/ws), not a TCP connection: /whois says how a user is connected */
  readonly websocket?: boolean;
  readonly outbox: Outbox;
  pause(): void;
  resume(): void;
  /** Sends what is queued, then closes. */
  end(): void;
  /** Closes at once, dropping what is queued. */
  destroy(): void;
}

type Inbound = string | { tooLong: number };

/** Which frame an answer belongs to: undefined, the one being handled; null, none; or that id. */
type ReplyTo = FrameId | null | undefined;

/**
 * One command's view of its user: what it sends answers the frame that
 * asked for it, whatever the session handles by the time it answers.
 */
class ReplyScope implements UserSession {
  private readonly session: Session;
  private readonly id: FrameId;

  constructor(session: Session, id: FrameId) {
    this.session = session;
    this.id = id;
  }

  get nick(): string {
    return this.session.nick;
  }
  get present(): boolean {
    return this.session.present;
  }
  info(): UserInfo {
    return this.session.info();
  }
  reply(text: string): void {
    this.session.reply(text, this.id);
  }
  error(text: string, code?: string): void {
    this.session.error(text, code, this.id);
  }
  answer(answer: Answer): void {
    this.session.answer(answer, this.id);
  }
  pass(text: string, from?: LoadedPlugin): Maybe<string | null> {
    return this.session.pass(text, from);
  }
  say(text: string, action: boolean, room?: string): Maybe<string | null> {
    return this.session.say(text, action, this.id, room);
  }
  get room(): string {
    return this.session.room;
  }
  myRooms(): string[] {
    return this.session.myRooms();
  }
  joinRoom(name: string, key?: string): RoomResult {
    return this.session.joinRoom(name, key, this.id);
  }
  partRoom(name?: string, reason?: string): RoomResult {
    return this.session.partRoom(name, reason, this.id);
  }
  switchRoom(name: string): RoomResult {
    return this.session.switchRoom(name, this.id);
  }
  setTopic(text: string): RoomResult {
    return this.session.setTopic(text, this.id);
  }
  whisper(nick: string, text: string): boolean {
    return this.session.whisper(nick, text, this.id);
  }
  rename(nick: string): Maybe<RenameResult> {
    return this.session.rename(nick);
  }
  disconnect(reason: string): void {
    this.session.disconnect(reason);
  }
  setAway(text: string | undefined): void {
    this.session.setAway(text);
  }
  preferences(): UserPreferences {
    return this.session.preferences();
  }
  setPreferences(changes: Partial<UserPreferences>): void {
    this.session.setPreferences(changes);
  }
  setAccount(account: string): Maybe<void> {
    return this.session.setAccount(account);
  }
  setOperator(on: boolean): void {
    this.session.setOperator(on);
  }
}

// The options a connection may turn on: BINARY both ways (RFC 856), so stock
// telnet sends and shows every UTF-8 byte as it is. ECHO on our side is asked
// for, never accepted unasked.
const TELNET_POLICY = { local: new Set([OPT_BINARY]), remote: new Set([OPT_BINARY]) };
// After the options, a carriage return: a raw client (nc, socat) shows the
// option bytes as a few odd characters, and the welcome line overwrites them.
const CR = Uint8Array.of(0x0d);
// The options every connection is asked for at connect, and the CR: one
// buffer shared by every connection (the filter is told what was asked).
const AT_CONNECT = Uint8Array.of(IAC, DO, OPT_BINARY, IAC, WILL, OPT_BINARY, 0x0d);
const AT_CONNECT_LOCKED = Uint8Array.of(IAC, DO, OPT_BINARY, IAC, WILL, OPT_BINARY, IAC, WILL, OPT_ECHO, 0x0d);

// Lines waiting for their turn under flood control; past either, the rest of
// a paste is refused (and counted) instead of trickling in for minutes.
const FLOOD_QUEUE_LINES = 100;
const FLOOD_QUEUE_BYTES = 64 * 1024;

/** A command typed without its secret params, waiting for them on the next lines. */
interface SecretWait {
  entry: Entry;
  args: string[];
  raw: string;
  missing: string[];
}

let lastId = 0;

/** What a user who set nothing gets. */
const NO_PREFERENCES: UserPreferences = Object.freeze({ quiet: false, timestamps: false, bell: false, ignored: Object.freeze([]) });

// Per-connection state is kept small on purpose (the idle-connection memory
// target is 2 KB): the telnet filter and the line splitter are made when the
// client first sends bytes that need them, the session is their line sink
// and reply sink, and queues are allocated only when used.
export class Session implements LineSink, TelnetReplies, SessionCore, UserSession, Member, Reader, InboxOwner<Inbound> {
  private current: SessionState;
  nick = "";
  /** Member: the room plain lines go to (core/chat/rooms.ts keeps it) */
  room = "";
  readonly id = ++lastId;
  readonly connectedAt = Date.now();
  private connectedDate: Date | undefined;
  lastInput = this.connectedAt;
  /** why the session ended, for the log line when the socket closes */
  endReason = "";
  private framing: Framing;
  private firstLine = true;
  /** made when the client first sends a telnet command (or one is asked of it): a raw client never has one */
  private telnetFilter: TelnetFilter | null = null;
  /** the options asked at connect, told to the filter when it is made: 0 none, 1 BINARY, 2 BINARY and ECHO */
  private askedAtConnect = 0;
  private gate: PasswordGate | null = null;
  private pacer: Pacer | null = null;
  /** bytes of the lines waiting in the inbox, and lines refused since it was last empty (flood control) */
  private queuedBytes = 0;
  private refused = 0;
  private secretWait: SecretWait | null = null;
  /** made on the first bytes in: a connection that never sent any has none */
  private splitter: LineSplitter | null = null;
  private inboxQueue: Inbox<Inbound> | null = null;
  private ended = false;
  /** what the user set for themselves (away, quiet, ignores...): made when they first set something */
  private mine: Personal | null = null;
  /** the nick and its key, worked out once per nick: every delivery asks for the key */
  private keyedNick = "";
  private nickKeyed = "";

  readonly conn: Connection;
  readonly chat: ChatContext;

  constructor(conn: Connection, chat: ChatContext) {
    this.conn = conn;
    this.chat = chat;
    this.current = chat.password ? "password" : "nick";
    this.framing = TEXT_FRAMING;
  }

  private get telnet(): TelnetFilter {
    if (this.telnetFilter !== null) return this.telnetFilter;
    const filter = (this.telnetFilter = new TelnetFilter(this, TELNET_POLICY));
    if (this.askedAtConnect > 0) {
      filter.markAsked("remote", OPT_BINARY);
      filter.markAsked("local", OPT_BINARY);
      if (this.askedAtConnect > 1) filter.markAsked("local", OPT_ECHO);
    }
    return filter;
  }

  private get lines(): LineSplitter {
    return (this.splitter ??= new LineSplitter(this.chat.limits.maxLine, this));
  }

  /** TelnetReplies: the filter's answers to the client's negotiation. */
  telnetReply(bytes: Uint8Array): void {
    this.conn.outbox.push(bytes);
  }

  /** The lines read but not handled yet: made on the first line, so an idle connection has none. */
  private get inbox(): Inbox<Inbound> {
    // With flood control the queue is capped by what it refuses, not by pausing the socket.
    return (this.inboxQueue ??= new Inbox<Inbound>(this, this.chat.limits.floodRate > 0 ? Infinity : undefined));
  }

  // -- InboxOwner ---------------------------------------------------------------
  handleInbound(item: Inbound): Maybe<void> {
    return this.handle(item);
  }
  inboxOpen(): boolean {
    return this.current !== "closed";
  }
  pauseInput(): void {
    this.conn.pause();
  }
  resumeInput(): void {
    this.conn.resume();
  }
  inboxIdle(): void {
    if (this.refused > 0) this.toldRefused();
    if (this.ended) this.close("connection closed");
  }

  get state(): SessionState {
    return this.current;
  }

  /** UserSession: false once the user has left. */
  get present(): boolean {
    return this.current !== "closed";
  }

  /** Greets the new connection (in text: a JSON client's hello comes after). */
  welcome(): void {
    TEXT_FRAMING.welcome(this);
  }

  // -- bytes in -------------------------------------------------------------

  /** LineSink: a whole line arrived. */
  line(text: string): void {
    counters.linesReceived++;
    this.lastInput = Date.now();
    // A telnet client that receives in BINARY turns its terminal's output
    // processing off, so the local echo of Enter moved the cursor down but not
    // back: a CR puts it at the start of the line before anything is shown.
    if (this.telnetFilter?.isLocal(OPT_BINARY)) this.conn.outbox.push(CR);
    if (this.chat.limits.floodRate > 0) {
      // Flood control queues what is over the rate (handle waits its turn),
      // up to a cap; the rest of a runaway paste is refused and counted.
      const bytes = Buffer.byteLength(text);
      // A line longer than the byte cap (--max-line allows up to 16 MiB) still goes when nothing waits.
      const waiting = this.inbox.waiting;
      const full = waiting >= FLOOD_QUEUE_LINES || (waiting > 0 && this.queuedBytes + bytes > FLOOD_QUEUE_BYTES);
      if (full && !this.chat.stalls.stalled()) return this.refuse();
      this.queuedBytes += bytes;
    }
    this.inbox.push(text);
  }

  private refuse(): void {
    counters.floodRefused++;
    if (this.refused++ > 0) return;
    const { floodRate } = this.chat.limits;
    this.error(`slow down: your lines reach the room at ${floodRate} a second and ${FLOOD_QUEUE_LINES} are waiting; what you send now is not sent`, "flood", null);
  }

  private toldRefused(): void {
    const n = this.refused;
    this.refused = 0;
    this.error(`${n} line${n === 1 ? " was" : "s were"} not sent (more than ${FLOOD_QUEUE_LINES} were waiting); send them again, more slowly`, "flood", null);
  }

  /** LineSink: a line over --max-line was dropped. */
  tooLong(bytes: number): void {
    const now = (this.lastInput = Date.now());
    if (this.chat.limits.floodRate > 0) {
      // Flood control counts an over-long line like a line: it takes a turn.
      // Within the burst each is answered; past the rate it is refused with
      // the lines over the rate (one "slow down", and how many when the
      // burst is over), so a stream of them cannot make a stream of errors.
      if (this.refused > 0) return this.refuse(); // already refusing: counted, no turn taken
      const wait = this.pace(now);
      if (wait > 0) {
        this.refuse();
        // The count is told when the inbox next empties, or once the rate allows again.
        setTimeout(() => {
          if (this.refused > 0 && !this.inboxQueue?.busy) this.toldRefused();
        }, wait).unref();
        return;
      }
    }
    this.inbox.push({ tooLong: bytes });
  }

  receive(bytes: Uint8Array): void {
    if (this.current === "closed") return;
    counters.bytesIn += bytes.length;
    // No filter until the first IAC: what has none is data as it is.
    const data = this.telnetFilter === null && bytes.indexOf(IAC) === -1 ? bytes : this.telnet.feed(bytes);
    if (data.length > 0) this.lines.feed(data);
  }

  /** The client shut down its sending side: finish its lines, answer them, then close. */
  eof(): void {
    if (this.ended) return;
    this.ended = true;
    this.splitter?.end();
    if (!this.inboxQueue?.busy) this.close("connection closed");
  }

  private handle(item: Inbound): Maybe<void> {
    if (typeof item !== "string") {
      return this.error(`that line was ${item.tooLong} bytes, over the limit of ${this.chat.limits.maxLine}; it was not sent`, "too_long");
    }
    if (this.chat.limits.floodRate > 0) this.queuedBytes -= Buffer.byteLength(item);
    const wait = this.chat.limits.floodRate > 0 ? this.pace(Date.now()) : 0;
    // Over the rate: the line waits its turn, and the lines after it wait behind it.
    if (wait > 0) {
      counters.floodDelayed++;
      return Bun.sleep(wait).then(() => this.process(item));
    }
    return this.process(item);
  }

  private process(item: string): Maybe<void> {
    if (this.current === "closed") return;
    const first = this.firstLine;
    this.firstLine = false;
    // A program opens with a hello frame as its first line (docs/protocol.md).
    if (first && item.trimStart().startsWith("{") && JsonFraming.opens(item)) {
      const json = new JsonFraming(this);
      this.framing = json;
      this.lines.erase = false; // JSON lines: backspace and DEL are data, not editing keys
      return json.hello(item);
    }
    return this.framing.line(this, item);
  }

  /** Flood control: how long this line must wait for its turn (0: none). */
  private pace(now: number): number {
    const { floodRate, floodBurst } = this.chat.limits;
    // Lines that waited in the kernel while the server was stopped were typed over the whole pause.
    if (floodRate <= 0 || this.chat.stalls.stalled(now)) return 0;
    this.pacer ??= new Pacer(floodRate, floodBurst, now);
    return this.pacer.take(now);
  }

  // -- output -----------------------------------------------------------------

  /** Member: an event the room relays, its bytes shared with every recipient. */
  deliver(frame: Frame): void {
    // The text is UTF-8, which never holds 0xFF: a telnet client never reads
    // a stray command byte in it, so every client gets the same shared bytes
    // (or the variant its settings ask for, shared too: delivery.ts).
    const bytes = bytesFor(frame, this);
    if (bytes !== null) this.conn.outbox.push(bytes);
  }

  /** Member: this session as a plain reader (turn-buffer.ts), while it has set nothing of its own. */
  plain(): PlainReader | null {
    return this.mine === null && this.current !== "closed" ? this : null;
  }
  get outbox(): Outbox {
    return this.conn.outbox;
  }

  // -- Reader: what delivery.ts asks of the one who reads --
  /** Whether this session speaks JSON lines (it opened with a hello frame): delivery.ts and the figures ask. */
  get json(): boolean {
    return this.framing.json;
  }
  get key(): string {
    if (this.keyedNick !== this.nick) {
      this.nickKeyed = nickKey(this.nick);
      this.keyedNick = this.nick;
    }
    return this.nickKeyed;
  }
  get personal(): Personal | null {
    return this.mine;
  }

  /** Member: a rename this user is not shown still moves their ignore of that nick. */
  renamedElsewhere(from: string, to: string): void {
    if (this.mine !== null && this.mine.ignored.size > 0) this.mine.ignored.renamed(from, to);
  }

  /**
   * An event to this user alone. In JSON, system lines and errors carry the
   * id of the frame they answer: `replyTo`, by default the frame being
   * handled now; null for what answers no frame (a flood warning, a kick).
   */
  send(event: ServerFrame, replyTo: ReplyTo = undefined): void {
    if (this.current === "closed") return;
    const id = this.idFor(replyTo);
    if (id !== undefined && event.id === undefined && (event.type === "system" || event.type === "error")) event = { ...event, id };
    this.deliver(new Frame(event, this.nick || undefined));
  }

  /** The id an answer carries: the given one, none for null, else the frame being handled. */
  private idFor(replyTo: ReplyTo): FrameId | undefined {
    return replyTo === undefined ? this.framing.replyId : (replyTo ?? undefined);
  }

  system(text: string, replyTo: ReplyTo = undefined): void {
    this.send({ type: "system", text }, replyTo);
  }

  /** An error line (text) or error frame with `code` (JSON). */
  error(text: string, code = "command_error", replyTo: ReplyTo = undefined): void {
    this.send({ type: "error", code, message: text }, replyTo);
  }

  /** A command's structured answer (UserSession), with the id of the frame it answers. */
  answer(answer: Answer, replyTo: ReplyTo = undefined): void {
    const id = this.idFor(replyTo);
    const tag = id !== undefined ? { id } : {};
    switch (answer.type) {
      case "list": {
        const users = answer.users.map((u) => ({ nick: u.nick, idle: Math.floor(u.idle / 1000), connectedAt: u.connectedAt.toISOString(), ...(u.away !== undefined ? { away: u.away } : {}) }));
        const room = answer.room === undefined ? undefined : this.chat.rooms.find(answer.room);
        const where = room ? { room: room.name, ...(room === this.chat.rooms.lobby ? { defaultRoom: true } : {}) } : {};
        return this.send({ type: "list", online: users.length, users, ...where, ...tag });
      }
      case "rooms": {
        const rooms = answer.rooms.map((r) => ({ room: r.name, members: r.members, ...(r.topic ? { topic: r.topic } : {}), ...(r.keyed ? { keyed: true } : {}), ...(r.permanent ? { permanent: true } : {}) }));
        return this.send({ type: "rooms", rooms, current: this.room, ...tag });
      }
      case "topic":
        return this.send({ type: "topic", room: answer.room, topic: answer.topic, ...tag });
      case "away":
        return this.send({ type: "away", nick: answer.nick, text: answer.text, ...(answer.self ? { self: true } : {}), ...tag });
      case "back":
        return this.send({ type: "back", nick: this.nick, ...tag });
      case "whois": {
        const u = answer.user;
        // Another node's user: their idle time and away text live on that node.
        const here = answer.remote ? {} : { idle: Math.floor(u.idle / 1000), ...(u.away !== undefined ? { away: u.away } : {}), ...(u.client ? { client: u.client } : {}) };
        const more = { ...(u.account ? { account: u.account } : {}), ...(u.node ? { node: u.node } : {}), ...(answer.address ? { address: `${u.address}:${u.port}` } : {}) };
        return this.send({ type: "whois", nick: u.nick, connectedAt: u.connectedAt.toISOString(), ...here, ...more, ...(answer.rooms ? { rooms: [...answer.rooms] } : {}), ...tag });
      }
      case "ignore":
        return this.send({ type: "ignore", nicks: [...answer.nicks], ...tag });
      case "help":
        return this.send({ type: "help", commands: [...answer.commands], ...(answer.topic !== undefined ? { topic: answer.topic } : {}), ...tag });
      case "renamed":
        return this.send({ type: "renamed", from: answer.from, to: answer.to, ...tag });
    }
  }

  reply(text: string, replyTo: ReplyTo = undefined): void {
    this.system(text, replyTo);
  }

  usage(entry: Entry): void {
    const forms = this.chat.registry.infos().find((c) => c.name === entry.command.name)?.forms ?? [];
    this.error(`usage: ${forms.join("  or  ")}`, "usage");
  }

  /** Asks a telnet client to stop (true) or go back to (false) echoing what is typed. */
  hideTyping(hide: boolean): void {
    // Only a client that speaks telnet (it answered the options asked at
    // connect) can stop echoing; a raw one (nc) would show the bytes as
    // stray characters in the middle of the chat.
    if (!this.telnetFilter?.seenTelnet) return;
    this.telnet.requestLocal(OPT_ECHO, hide);
  }

  negotiate(hideTyping: boolean): void {
    // Told to the filter when it is made (the first IAC the client sends), or now if it exists.
    this.askedAtConnect = hideTyping ? 2 : 1;
    if (this.telnetFilter !== null) {
      this.telnetFilter.markAsked("remote", OPT_BINARY);
      this.telnetFilter.markAsked("local", OPT_BINARY);
      if (hideTyping) this.telnetFilter.markAsked("local", OPT_ECHO);
    }
    this.conn.outbox.push(hideTyping ? AT_CONNECT_LOCKED : AT_CONNECT);
  }

  welcomeFrame(room: boolean): ServerFrame {
    const about = room ? { online: this.chat.room.size, motd: this.chat.motd } : {};
    return { type: "welcome", server: "parley", version: pkg.version, protocol: PROTOCOL_VERSION, ...about };
  }

  // -- the states -----------------------------------------------------------

  password(given: string): Maybe<"ok" | "wrong" | "too_many"> {
    // The guess waits for its address's turn: hanging up and trying again from
    // another connection does not make guessing faster.
    // Read now: a reload may have changed the password, or removed it, since this prompt.
    const expected = this.chat.password;
    const right = this.chat.services.guesses.attempt(this.conn.address, () => expected === undefined || safeEqual(given, expected), () => this.current === "password");
    return right.then((ok) => {
      if (ok !== undefined) return this.afterPassword(ok);
      // Not checked: too many guesses from this address are waiting (or we left).
      if (this.current === "password") this.error("too many password guesses from your address are waiting; try again in a minute", "bad_password");
      return "wrong";
    });
  }

  private afterPassword(right: boolean): Maybe<"ok" | "wrong" | "too_many"> {
    const gate = (this.gate ??= new PasswordGate());
    const outcome = gate.outcome(right);
    if (!right) this.chat.log.info(`${this.conn.address}:${this.conn.port}: wrong password (${gate.tries} of ${PASSWORD_TRIES})`);
    return andThen(outcome, (result) => {
      if (this.current !== "password") return result;
      if (result === "ok") {
        this.hideTyping(false);
        this.current = "nick";
      } else if (result === "too_many") {
        this.error("wrong password; too many tries, bye", "bad_password");
        this.close("wrong password");
      } else {
        this.error("wrong password", "bad_password");
      }
      return result;
    });
  }

  /** Takes a first nickname and enters the room: the others are told, this user is greeted and shown the history. */
  enter(wanted: string): Maybe<NickResult> {
    return andThen(this.join(wanted), (joined) => {
      if (!joined.ok) return joined;
      const { room } = this.chat;
      const id = this.framing.replyId;
      const lobby = this.chat.rooms.enter(this);
      this.send({ type: "joined", room: lobby.name, nick: this.nick, online: room.size, self: true, users: room.list().map((m) => m.nick), ...(id !== undefined ? { id } : {}) });
      this.replayHistory(lobby);
      return andThen(runHooks(this, this.chat.services, "join"), () => joined);
    });
  }

  private join(wanted: string): Maybe<NickResult> {
    const check = checkNick(wanted, this.chat.registry.reservedWords(), this.chat.limits.maxNick);
    if (!check.ok) return { ok: false, code: "nick_invalid", reason: check.reason };
    const refused = runNickHooks(this, this.chat.services, check.nick);
    if (refused) return { ok: false, code: "nick_taken", reason: refused };
    // Taken at once, so lines that arrive while a cluster is asked see a nick.
    this.nick = check.nick;
    return andThen(this.chat.room.join(this, check.nick), (taken): NickResult => {
      if (!taken) {
        this.nick = "";
        return this.refusedNick(check.nick);
      }
      if (this.current === "closed") {
        // The socket closed while a cluster was asked: undo the join the others were told of.
        this.chat.room.leave(this, "connection closed");
        return { ok: false, code: "nick_taken", reason: "the connection closed" };
      }
      this.current = "chatting";
      return { ok: true };
    });
  }

  /** Replays a room's recent messages to a user who just joined it. */
  private replayHistory(room: NamedRoom): void {
    const entries = this.chat.history.recent(this.chat.limits.history, room.history);
    if (entries.length === 0) return;
    if (!this.framing.json) this.system(`* the last ${entries.length} message${entries.length === 1 ? "" : "s"}${room === this.chat.rooms.lobby ? "" : ` of ${room.name}`}:`);
    for (const e of entries) {
      this.send({ type: "said", room: room.name, from: e.from, text: e.text, ...(e.action ? { action: true } : {}), time: new Date(e.time).toISOString(), history: true });
    }
  }

  // -- rooms (core/chat/rooms.ts holds them; the notices are sent from here) ----

  myRooms(): string[] {
    return this.chat.rooms.of(this).map((r) => r.name);
  }

  /** Joins a room (or makes it current when already in it): the room is told, this user shown who is there, its topic and history. */
  joinRoom(name: string, key: string | undefined, replyTo: ReplyTo = undefined): RoomResult {
    if (this.current !== "chatting") return { ok: false, code: "not_joined", reason: "choose a nickname first" };
    // A new room's name is shown to everyone: the plugins may refuse it (a mute does).
    if (!this.chat.rooms.find(name)) {
      const refused = runRoomHooks(this, this.chat.services, name);
      if (refused) return { ok: false, code: "room_refused", reason: refused };
    }
    const outcome = this.chat.rooms.join(this, name, key);
    if (!outcome.ok) return outcome;
    const { room } = outcome;
    if (outcome.already) {
      this.send({ type: "switch", room: room.name, ...this.tag(replyTo) });
      return { ok: true, room: room.name };
    }
    this.enteredRoom(room, replyTo);
    return { ok: true, room: room.name };
  }

  private enteredRoom(room: NamedRoom, replyTo: ReplyTo): void {
    const members = room.size;
    this.chat.room.broadcast({ type: "join", room: room.name, nick: this.nick, members }, this);
    const users = room.nicks();
    const about = { ...(room.topic ? { topic: room.topic } : {}), ...(room.keyed ? { keyed: true } : {}) };
    this.send({ type: "join", room: room.name, nick: this.nick, members, self: true, users, ...about, ...this.tag(replyTo) });
    this.replayHistory(room);
  }

  partRoom(name: string | undefined, reason: string | undefined, replyTo: ReplyTo = undefined): RoomResult {
    if (this.current !== "chatting") return { ok: false, code: "not_joined", reason: "choose a nickname first" };
    const before = this.room;
    const outcome = this.chat.rooms.part(this, name);
    if (!outcome.ok) return outcome;
    const { room, current } = outcome;
    const why = sanitize(reason ?? "").slice(0, 200) || "parted";
    this.chat.room.broadcast({ type: "part", room: room.name, nick: this.nick, reason: why, members: room.size });
    // The last room parted: back in the default room, which is told, and this user reads it in the same one line.
    if (outcome.back) this.chat.room.broadcast({ type: "join", room: current.name, nick: this.nick, members: current.size }, this);
    const back = outcome.back ? { back: current.name } : {};
    this.send({ type: "part", room: room.name, nick: this.nick, reason: why, members: room.size, self: true, ...back, ...this.tag(replyTo) });
    if (!outcome.back && current.name !== before) this.send({ type: "switch", room: current.name, ...this.tag(replyTo) });
    return { ok: true, room: current.name };
  }

  switchRoom(name: string, replyTo: ReplyTo = undefined): RoomResult {
    const outcome = this.chat.rooms.switchTo(this, name);
    if (!outcome.ok) return outcome;
    this.send({ type: "switch", room: outcome.room.name, ...this.tag(replyTo) });
    return { ok: true, room: outcome.room.name };
  }

  setTopic(text: string, replyTo: ReplyTo = undefined): RoomResult {
    const room = this.chat.rooms.current(this);
    const topic = sanitize(text).trim();
    const length = [...topic].length;
    if (length > MAX_TOPIC) return { ok: false, code: "topic_too_long", reason: `a topic has at most ${MAX_TOPIC} characters (that one has ${length})` };
    this.chat.rooms.setTopic(room, topic, this.nick);
    // Everyone in the room sees it, the setter too (their confirmation), once.
    const event: ServerFrame = { type: "topic", room: room.name, topic, by: this.nick, set: true };
    this.chat.room.broadcast(event, this);
    this.send({ ...event, ...this.tag(replyTo) });
    return { ok: true, room: room.name };
  }

  /** The id tag an answer carries, as an object to spread. */
  private tag(replyTo: ReplyTo): { id?: FrameId } {
    const id = this.idFor(replyTo);
    return id !== undefined ? { id } : {};
  }

  typed(text: string): Maybe<string | null> {
    if (this.secretWait) return andThen(this.secretLine(this.secretWait, text), () => null);
    if (text.trim() === "") return null;
    const r = route(text, this.chat.registry);
    switch (r.kind) {
      case "say":
        return this.say(r.text);
      case "command":
        return andThen(this.run(r.entry, r.args, r.raw), () => null);
      case "usage":
        if (!this.askSecrets(r)) this.usage(r.entry);
        return null;
      case "unknown":
        this.error(`unknown command ${r.word} - type help`, "unknown_command");
        return null;
    }
  }

  command(name: string, given: string | readonly string[]): Maybe<void> {
    const entry = this.chat.registry.bySlash(name);
    if (!entry) return this.error(`unknown command ${name} - send a help frame for the list`, "unknown_command");
    // Arguments are what a user typed: cleaned like a typed line before any plugin sees them.
    const clean = typeof given === "string" ? sanitize(given) : given.map((a) => sanitize(a));
    const raw = typeof clean === "string" ? clean : clean.join(" ");
    const args = typeof clean === "string" ? splitArgs(raw, entry.params, " ") : arrayArgs(clean, entry.command.params);
    if (!args) return this.usage(entry);
    return this.run(entry, args, raw);
  }

  /**
   * A command typed without its secret params (`/login amy`): they are asked
   * for on the next lines, with a telnet client's echo off, so a password is
   * never on screen. Only for people: a program gives every argument.
   */
  private askSecrets(r: Extract<Route, { kind: "usage" }>): boolean {
    const secret = r.entry.command.secret;
    if (!secret?.length || this.framing.json) return false;
    const shown = r.entry.params.slice(0, r.entry.params.length - secret.length);
    const args = shown.length === 0 && r.raw.trim() === "" ? [] : splitArgs(r.raw, shown, r.separator);
    if (!args) return false;
    this.secretWait = { entry: r.entry, args, raw: r.raw.trim(), missing: r.entry.params.slice(shown.length).map((p) => p.name) };
    this.askSecret(this.secretWait);
    return true;
  }

  private askSecret(wait: SecretWait): void {
    this.hideTyping(true);
    this.system(`* ${wait.missing[0]} for /${wait.entry.command.name} (what you type is not shown; an empty line cancels):`);
  }

  private secretLine(wait: SecretWait, text: string): Maybe<void> {
    this.system(""); // the Enter was not echoed either
    if (text === "") {
      this.secretWait = null;
      this.hideTyping(false);
      return this.system(`* /${wait.entry.command.name} cancelled`);
    }
    // "/register abc" typed at the prompt of a bare /register is a command, not the password it would
    // otherwise become (and then be refused inline by /login, for the space in it): it runs as typed.
    if (text.startsWith("/")) {
      this.secretWait = null;
      this.hideTyping(false);
      this.system(`* /${wait.entry.command.name} cancelled: that line starts with /, so it runs as a command, not as the ${wait.missing[0] ?? "secret"}`);
      return andThen(this.typed(text), () => undefined);
    }
    wait.args.push(text);
    wait.missing.shift();
    if (wait.missing.length > 0) return this.askSecret(wait);
    this.secretWait = null;
    this.hideTyping(false);
    // Plugins may have been reloaded while the user typed: run the command as it is now.
    const entry = this.chat.registry.bySlash(wait.entry.command.name) ?? wait.entry;
    return this.run(entry, wait.args, wait.raw);
  }

  private run(entry: Entry, args: string[], raw: string): Maybe<void> {
    // A command answers the frame that asked for it, even after the session
    // moved on (it ran past --handler-timeout): it gets that frame's id.
    const id = this.framing.replyId;
    return runCommand(id === undefined ? this : new ReplyScope(this, id), this.chat.services, entry, args, raw);
  }

  // -- what the room and the plugins call --------------------------------

  info(): UserInfo {
    // Asked for every line a user says (a message hook's ctx.user): built
    // field by field, as spreading objects into a literal costs more than
    // the rest of the line.
    const { mine } = this;
    const info: { -readonly [K in keyof UserInfo]: UserInfo[K] } = {
      id: this.id,
      nick: this.nick,
      address: this.conn.address,
      port: this.conn.port,
      connectedAt: (this.connectedDate ??= new Date(this.connectedAt)),
      idle: Date.now() - this.lastInput,
      client: this.conn.websocket === true ? "websocket" : this.framing.json ? "json" : "text",
    };
    if (this.chat.node) info.node = this.chat.node;
    if (mine === null) return info;
    if (mine.away !== undefined) info.away = mine.away;
    if (mine.account !== undefined) info.account = mine.account;
    if (mine.operator) info.operator = true;
    return info;
  }

  /** What the user set for themselves, made on first use. */
  private get me(): Personal {
    if (this.mine === null) {
      this.mine = new Personal();
      // Settings of one's own: the room's lines come one by one now, through delivery.ts.
      this.chat.rooms.refollow(this);
    }
    return this.mine;
  }

  setAway(text: string | undefined): void {
    if (text === undefined && this.mine === null) return;
    this.me.setAway(text);
  }

  preferences(): UserPreferences {
    // Asking makes nothing: most users never set anything.
    return this.mine?.preferences() ?? NO_PREFERENCES;
  }

  setPreferences(changes: Partial<UserPreferences>): void {
    this.me.setPreferences(changes);
  }

  /** Binds the connection to an account, then runs every plugin's login hook (they restore what is kept with it). */
  setAccount(account: string): Maybe<void> {
    this.me.account = account;
    return runHooks(this, this.chat.services, "login", account);
  }

  setOperator(on: boolean): void {
    if (!on && this.mine === null) return;
    this.me.operator = on;
  }

  kick(reason: string): boolean {
    if (this.current === "closed") return false;
    this.system(`* You have been disconnected: ${reason}`, null);
    this.close(reason, true, "kicked");
    return true;
  }

  pass(text: string, from?: LoadedPlugin): Maybe<string | null> {
    return runMessageHooks(this, this.chat.services, text, from);
  }

  /**
   * Says a line as this user, after the plugins' message hooks. Resolves to
   * the text the room saw, or null when nothing was said (dropped by a hook,
   * or nothing left once cleaned).
   */
  say(text: string, action = false, replyTo: ReplyTo = undefined, inRoom?: string): Maybe<string | null> {
    const clean = sanitize(text);
    if (clean.trim() === "") return null;
    // The room is fixed when the line is typed: a /switch while hooks run does not move it.
    let room = this.chat.rooms.current(this);
    if (inRoom !== undefined) {
      const named = this.chat.rooms.find(inRoom);
      if (!named || !named.members.has(this)) {
        this.error(`you are not in ${inRoom}`, "not_in_room", replyTo);
        return null;
      }
      room = named;
    }
    // The hot path: no closure per line while the hooks answer at once.
    const passed = this.pass(clean);
    if (passed instanceof Promise) return passed.then((final) => this.relay(clean, final, action, replyTo, room));
    return this.relay(clean, passed, action, replyTo, room);
  }

  sayIn(text: string, room: string): Maybe<string | null> {
    return this.say(text, false, undefined, room);
  }

  /** Relays what the message hooks let through; the text the room saw, or null. */
  private relay(clean: string, final: string | null, action: boolean, replyTo: ReplyTo, room: NamedRoom): string | null {
    if (final === null || this.current !== "chatting" || !room.members.has(this)) return null;
    // A hook's rewrite is plugin text: it is cleaned like the user's own.
    const said = final === clean ? clean : sanitize(final);
    if (said.trim() === "") return null;
    // Kept before it is relayed: with --data, a kill -9 loses nothing anyone saw.
    const entry: HistoryEntry = { time: Date.now(), from: this.nick, text: said, action };
    if (room.history) entry.room = room.history;
    this.chat.history.add(entry);
    const event: ServerFrame = action ? { type: "said", room: room.name, from: this.nick, text: said, action: true } : { type: "said", room: room.name, from: this.nick, text: said };
    this.chat.room.broadcast(event, this);
    // A program that asked with an id gets its own copy as the acknowledgement;
    // nothing when nothing was said (a mute, a dropped line).
    const id = this.idFor(replyTo);
    if (id !== undefined) this.send({ ...event, id });
    return said;
  }

  whisper(nick: string, text: string, replyTo: ReplyTo = undefined): boolean {
    const target = this.chat.room.find(nick);
    if (!target) return false;
    const event = { type: "private", from: this.nick, to: target.nick, text: sanitize(text) } as const;
    if (!this.chat.room.sendTo(target.nick, event)) return false;
    // The sender is told it went ("[private] you -> bob: ..."); a program
    // only when it asked with an id, as its acknowledgement.
    const id = this.idFor(replyTo);
    if (id !== undefined) this.send({ ...event, id });
    else if (!this.framing.json) this.send(event);
    return true;
  }

  rename(wanted: string): Maybe<RenameResult> {
    if (this.current !== "chatting") return { ok: false, code: "nick_invalid", reason: "only a user in the room can change nickname" };
    const check = checkNick(wanted, this.chat.registry.reservedWords(), this.chat.limits.maxNick);
    if (!check.ok) return { ok: false, code: "nick_invalid", reason: check.reason };
    if (check.nick === this.nick) return { ok: false, code: "nick_invalid", reason: `you are already ${this.nick}` };
    const refused = runNickHooks(this, this.chat.services, check.nick);
    if (refused) return { ok: false, code: "nick_taken", reason: refused };
    const from = this.nick;
    return andThen(this.chat.room.rename(this, from, check.nick), (taken): RenameResult => {
      if (!taken) return this.refusedNick(check.nick);
      this.nick = check.nick;
      this.chat.rooms.refollow(this); // a JSON follower is found by its nick's key
      return { ok: true, nick: check.nick };
    });
  }

  /** Why the room refused a nick: someone has it, or (a cluster) it could not be confirmed. */
  private refusedNick(nick: string): { ok: false; code: "nick_taken" | "cluster_unreachable"; reason: string } {
    const why = this.chat.room.refusal?.(this);
    if (why) return { ok: false, code: "cluster_unreachable", reason: why };
    return { ok: false, code: "nick_taken", reason: `${nick} is taken, pick another` };
  }

  disconnect(reason: string): void {
    this.close(reason, true, "quit");
  }

  // -- the end ----------------------------------------------------------------

  /**
   * Leaves the room (the others see `reason`) and closes after sending what
   * is queued. `announce: false` when everyone is told something else, as
   * at shutdown.
   */
  close(reason: string, announce = true, kind: DisconnectReason = disconnectKind(reason)): void {
    if (this.current === "closed") return;
    counters.disconnects[kind]++;
    const wasIn = this.current === "chatting";
    this.current = "closed";
    this.endReason = reason;
    if (wasIn) this.leaveRoom(reason, announce);
    this.conn.end();
  }

  /** The connection is gone (reset, or cut for not reading): leave without sending more. */
  gone(reason: string): void {
    if (this.current === "closed") return;
    counters.disconnects[disconnectKind(reason)]++;
    const wasIn = this.current === "chatting";
    this.current = "closed";
    this.endReason = reason;
    this.conn.outbox.close();
    if (wasIn) this.leaveRoom(reason, true);
  }

  private leaveRoom(why: string, announce: boolean): void {
    // A reason can come from the user (/quit, a quit frame): clean it like their lines.
    const reason = sanitize(why).slice(0, 200) || "quit";
    if (announce) this.chat.room.leave(this, reason);
    else this.chat.room.remove(this);
    // Out of every room at once (nothing more reaches them); the leave hooks still see ctx.room, the last current one.
    this.chat.rooms.leaveAll(this);
    settled(runHooks(this, this.chat.services, "leave", reason));
  }
}

/** Args given as an array: taken as they are, if the required ones are there. */
function arrayArgs(args: readonly string[], specs: readonly string[] | undefined): string[] | null {
  const params = parseParams(specs);
  if (params.length === 0) return [...args];
  const required = params.filter((p) => !p.optional).length;
  if (args.length < required) return null;
  const last = params[params.length - 1]!;
  if (args.length > params.length && !last.rest) return null;
  // Extra words go to a rest parameter, as they would when typed.
  return args.length > params.length ? [...args.slice(0, params.length - 1), args.slice(params.length - 1).join(" ")] : [...args];
}
