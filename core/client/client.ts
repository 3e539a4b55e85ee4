// One person's connection to a chat server, whatever is on the screen: the
// hello/welcome handshake (falling back to plain text lines when no welcome
// comes: the server is not parley), answers matched to frames by id, the
// nickname, and reconnecting with backoff when the connection drops.

import type net from "node:net";
import { UserError } from "../base/errors.ts";
import { Answers, failure, type StepResult } from "./answers.ts";
import { addressOf, open, type Target } from "./connection.ts";
import { handshake } from "./handshake.ts";
import { reconnect } from "./reconnect.ts";
import { readLine, toLine, type ClientFrame, type ServerFrame } from "./protocol.ts";

/** How long to wait for a welcome before deciding the server is not parley. */
export const WELCOME_WAIT = 1500;
// Frames typed while reconnecting wait here; past this the oldest are dropped.
const QUEUE_LIMIT = 1000;

export interface ClientEvents {
  /** every frame a parley server sends, the welcome first */
  frame(frame: ServerFrame): void;
  /** a line from a server that is not parley */
  text(line: string): void;
  /** something the person should know: plain text fallback, reconnecting */
  notice(message: string): void;
  /** after a reconnect the nickname could not be taken back */
  rejoinFailed(code: string, message: string): void;
  /** the connection is over: `error` says why, unless we closed it */
  closed(error?: string): void;
}

export class ChatClient {
  mode: "json" | "text" = "json";
  /** our nickname, once the server has given it */
  nick: string | undefined;
  /** the room our plain lines go to, and every room we are in (from join, part and switch frames) */
  room: string | undefined;
  rooms: string[] = [];
  /** the last welcome frame: `password: true` when the server asks for one */
  welcome: ServerFrame | undefined;
  private password: string | undefined;
  private socket: net.Socket | null = null;
  private ready = false;
  private closing = false;
  private reconnecting = false;
  private greetedOnce = false;
  private rejoinError: { code: string; message: string } | undefined;
  private toldText = false;
  private queue: string[] = [];
  private readonly answers = new Answers();
  private readonly target: Target;
  private readonly events: ClientEvents;
  private readonly options: { reconnect: boolean; welcomeWait: number };

  constructor(target: Target, events: ClientEvents, options: { reconnect?: boolean; welcomeWait?: number } = {}) {
    this.target = target;
    this.events = events;
    this.options = { reconnect: options.reconnect ?? false, welcomeWait: options.welcomeWait ?? WELCOME_WAIT };
  }

  /** The server asked for its password in the welcome. */
  get passwordAsked(): boolean {
    return this.welcome?.type === "welcome" && this.welcome.password === true;
  }

  get address(): string {
    return addressOf(this.target);
  }

  /** Connects and waits for the greeting; a UserError when the server cannot be reached. */
  async start(): Promise<void> {
    let socket: net.Socket;
    try {
      socket = await open(this.target);
    } catch (error) {
      throw new UserError(`cannot connect to ${this.address}: ${(error as Error).message}`);
    }
    await this.attach(socket);
  }

  /**
   * Sends a frame now, or once the connection is back (frames wait while
   * reconnecting). `withId`: the server answers it (your own line comes back
   * as an acknowledgement).
   */
  send(frame: ClientFrame, withId = false): boolean {
    return this.write(toLine(withId ? { ...frame, id: this.answers.id() } : frame), true);
  }

  /** Sends a line as it is (plain text mode). */
  sendText(line: string): boolean {
    return this.write(line + "\n", true);
  }

  /** Sends a frame with a fresh id; resolves with the answer, or undefined if the connection closes first. */
  request(frame: ClientFrame, quiet = false, now = false): Promise<ServerFrame | undefined> {
    const { id, answer } = this.answers.expect(quiet);
    this.write(toLine({ ...frame, id }), !now);
    return answer;
  }

  /** Gives the server password (when the welcome asks for one); kept for reconnects. */
  async authenticate(password: string): Promise<StepResult> {
    const answer = await this.request({ type: "password", password }, true, true);
    if (answer?.type !== "system") return failure(answer);
    this.password = password;
    return { ok: true };
  }

  /** Takes a nickname; the frames that waited for it go out once it is ours. */
  async join(nick: string): Promise<StepResult> {
    // After a reconnect: the rooms we were in (the default room among them, or parted), to go back to.
    const had = { rooms: [...this.rooms], room: this.room };
    const answer = await this.request({ type: "nick", nick }, true, true);
    if (answer?.type !== "joined") return failure(answer);
    this.nick = answer.nick;
    this.follow(answer);
    this.ready = true;
    // Back into our rooms (a keyed one answers that it needs its key), out of the default room if we had
    // left it, and into the one we talked in, before what was typed meanwhile goes.
    const lobby = this.room;
    for (const room of had.rooms) if (room !== lobby) this.socket?.write(toLine({ type: "join", room }));
    if (lobby !== undefined && had.rooms.length > 0 && !had.rooms.includes(lobby)) this.socket?.write(toLine({ type: "part", room: lobby }));
    if (had.room !== undefined && had.room !== lobby && had.rooms.includes(had.room)) this.socket?.write(toLine({ type: "switch", room: had.room }));
    this.events.frame(answer);
    for (const line of this.queue.splice(0)) this.socket?.write(line);
    return { ok: true };
  }

  /** Resolves when the socket can take more (for a sender reading a pipe). */
  drained(): Promise<void> {
    const socket = this.socket;
    if (!socket || !socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => (socket.off("drain", done), socket.off("close", done), resolve());
      socket.on("drain", done).on("close", done);
    });
  }

  /** Says goodbye (a quit frame when the server is parley) and waits, a bounded time, for the close. */
  async quit(reason?: string): Promise<void> {
    this.closing = true;
    const socket = this.socket;
    if (!socket) return;
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    // Before a nickname a quit frame would only get not_joined: just close.
    if (this.mode === "json" && this.nick !== undefined) socket.write(toLine(reason ? { type: "quit", reason } : { type: "quit" }));
    socket.end();
    const timer = setTimeout(() => socket.destroy(), 2000);
    await closed;
    clearTimeout(timer);
  }

  private write(line: string, wait: boolean): boolean {
    if (this.socket && (this.ready || !wait)) return this.socket.write(line);
    if (this.queue.push(line) > QUEUE_LIMIT) this.queue.shift();
    return true;
  }

  /** Speaks hello on a new socket; resolves once welcomed, fallen back to text, or closed. */
  private async attach(socket: net.Socket): Promise<void> {
    this.socket = socket;
    this.ready = false;
    const greeting = await handshake(socket, {
      wait: this.options.welcomeWait,
      tls: this.target.tls,
      line: (line) => this.line(line),
      close: (error) => this.dropped(socket, error),
    });
    if (greeting.mode !== "closed") {
      this.mode = greeting.mode;
      this.greetedOnce = true;
      // After a reconnect, frames wait until the nickname is ours again.
      this.ready = greeting.mode === "text" || !this.reconnecting || this.nick === undefined;
    }
    if (greeting.mode === "json") return this.events.frame((this.welcome = greeting.welcome));
    if (greeting.mode === "text" && !this.toldText) this.events.notice("not a parley server; speaking plain text");
    this.toldText ||= greeting.mode === "text";
    for (const line of greeting.early) this.events.text(line);
    if (greeting.mode === "closed") this.dropped(socket, greeting.error);
  }

  private line(line: string): void {
    if (this.mode === "text") return this.events.text(line);
    const incoming = readLine(line);
    if (incoming.kind === "text") return this.events.text(line);
    const frame = incoming.frame;
    this.follow(frame);
    if (this.answers.settle(frame)) return;
    this.events.frame(frame);
    if (frame.type === "renamed" && frame.from === this.nick) this.nick = frame.to;
  }

  /** Keeps `room` and `rooms` as the server says: our own joins, parts and switches. */
  private follow(frame: ServerFrame): void {
    const room = typeof frame.room === "string" ? frame.room : undefined;
    if (room === undefined) return;
    if (frame.type === "joined" && frame.self === true) {
      this.rooms = [room];
      this.room = room;
    } else if (frame.type === "join" && frame.self === true) {
      if (!this.rooms.includes(room)) this.rooms.push(room);
      this.room = room;
    } else if (frame.type === "part" && frame.self === true) {
      this.rooms = this.rooms.filter((r) => r !== room);
      // Our last room: back in the default one.
      if (typeof frame.back === "string") {
        this.rooms = [frame.back];
        this.room = frame.back;
      }
    } else if (frame.type === "switch") {
      this.room = room;
    }
  }

  /** The room after ours in the order joined (the first after the last), for the key that switches; undefined with one room. */
  nextRoom(): string | undefined {
    if (this.rooms.length < 2) return undefined;
    const at = this.room === undefined ? -1 : this.rooms.indexOf(this.room);
    return this.rooms[(at + 1) % this.rooms.length];
  }

  private dropped(socket: net.Socket, error: string | undefined): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.ready = false;
    this.answers.abandon();
    if (this.closing) return this.events.closed();
    if (this.reconnecting) return;
    const why = error ?? "closed by the server";
    if (!this.options.reconnect || !this.greetedOnce) return this.events.closed(`connection to ${this.address} ${error ? `lost: ${error}` : "closed by the server"}`);
    void this.reconnect(why);
  }

  private async reconnect(why: string): Promise<void> {
    this.reconnecting = true;
    const outcome = await reconnect({ attempt: () => this.reattach(), stopped: () => this.closing, notice: (m) => this.events.notice(m) }, why);
    this.reconnecting = false;
    if (!outcome.ok) return this.events.closed(outcome.stopped ? undefined : `connection to ${this.address} lost: ${outcome.why}`);
    if (this.rejoinError) {
      // Connected again, but the nickname was not ours to take back.
      this.nick = undefined;
      this.ready = true;
      return this.events.rejoinFailed(this.rejoinError.code, this.rejoinError.message);
    }
    for (const line of this.queue.splice(0)) this.socket?.write(line);
    this.events.notice("reconnected");
  }

  /** One reconnect attempt: connect, hello, and take the nickname back. */
  private async reattach(): Promise<true | string> {
    this.rejoinError = undefined;
    try {
      await this.attach(await open(this.target));
    } catch (error) {
      return (error as Error).message;
    }
    if (!this.socket) return "closed by the server";
    if (this.mode !== "json" || this.nick === undefined) return true;
    const result = await this.rejoin(this.nick);
    if (result.ok) return true;
    if (result.code === "closed") return "closed by the server";
    this.rejoinError = result;
    return true;
  }

  /** The server password again (when asked for), then the nickname. */
  private async rejoin(nick: string): Promise<StepResult> {
    const accepted = this.passwordAsked && this.password !== undefined ? await this.authenticate(this.password) : undefined;
    return accepted && !accepted.ok ? accepted : this.join(nick);
  }
}
