// A chat client over a real loopback TCP socket: sends bytes or lines,
// and awaits the lines the server sends back. Every client is closed when
// the test file ends.

import { afterAll } from "bun:test";
import net from "node:net";
import { optionsAtConnect } from "../../core/wire/telnet.ts";
import { atRunEnd } from "./run-end.ts";

const open = new Set<net.Socket>();
const closeAll = () => {
  for (const socket of open) socket.destroy();
};
// This module's afterAll belongs to the first test file that imports it (it
// is loaded once per run); what later files leave open goes when the run ends.
afterAll(closeAll);
atRunEnd(closeAll);

export class Client {
  readonly socket: net.Socket;
  /** every line received, CRLF removed */
  readonly lines: string[] = [];
  /** every byte received after the telnet options parley sends at connect */
  readonly received: Buffer[] = [];
  /**
   * The options parley asks for at connect (IAC DO/WILL BINARY, and WILL
   * ECHO before a password) and the CR after them: what a raw client such as
   * nc receives first, and a terminal overwrites with the welcome line. Kept
   * apart, so `lines` and `received` are the conversation (docs/protocol.md).
   */
  negotiation: Buffer | undefined;
  private buffer = "";
  private readIndex = 0;
  private waiters: (() => void)[] = [];
  closed = false;
  private closeWaiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    open.add(socket);
    const decoder = new TextDecoder();
    socket.on("data", (chunk: Buffer) => {
      let bytes = chunk;
      if (this.negotiation === undefined) {
        const cut = optionsAtConnect(bytes);
        this.negotiation = bytes.subarray(0, cut);
        bytes = bytes.subarray(cut);
      }
      this.received.push(bytes);
      this.buffer += decoder.decode(bytes, { stream: true });
      let at: number;
      while ((at = this.buffer.indexOf("\n")) !== -1) {
        this.lines.push(this.buffer.slice(0, at).replace(/\r$/, ""));
        this.buffer = this.buffer.slice(at + 1);
      }
      this.wake();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      open.delete(socket);
      this.wake();
      for (const w of this.closeWaiters) w();
    });
  }

  /** A client over a socket already connected (say, from another local address). */
  static adopt(socket: net.Socket): Client {
    socket.setNoDelay(true);
    return new Client(socket);
  }

  static connect(port: number, options: { allowHalfOpen?: boolean } = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: options.allowHalfOpen ?? false });
      socket.setNoDelay(true);
      socket.once("connect", () => resolve(new Client(socket)));
      socket.once("error", reject);
    });
  }

  /** Connects, answers the nickname prompt and waits for the greeting. */
  static async join(port: number, nick: string): Promise<Client> {
    const client = await Client.connect(port);
    await client.waitFor("choose a nickname");
    client.send(nick);
    await client.waitFor(`* Hi ${nick}!`);
    return client;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Writes raw bytes; resolves once they are handed to the kernel. */
  write(bytes: Uint8Array | string): Promise<void> {
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  /** Sends one line with CRLF, as telnet does. */
  send(line: string): void {
    this.socket.write(line + "\r\n");
  }

  /**
   * Waits for the next line (after those already consumed) that matches, and
   * consumes everything up to it. Fails if the connection closes first.
   */
  async waitFor(match: string | RegExp): Promise<string> {
    const test = (line: string) => (typeof match === "string" ? line.includes(match) : match.test(line));
    for (;;) {
      while (this.readIndex < this.lines.length) {
        const line = this.lines[this.readIndex++]!;
        if (test(line)) return line;
      }
      if (this.closed) throw new Error(`connection closed before a line matching ${match}; last lines:\n${this.lines.slice(-5).map((l) => l.slice(0, 200)).join("\n")}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Lines received since the last waitFor, consumed. */
  drainLines(): string[] {
    const lines = this.lines.slice(this.readIndex);
    this.readIndex = this.lines.length;
    return lines;
  }

  /**
   * A sync point: asks the server for the user list and waits for the
   * answer. Everything the server sent this client before it has arrived.
   */
  async sync(): Promise<string[]> {
    const before = this.readIndex;
    this.send("/list");
    await this.waitFor(/^\* \d+ online( in \S+)?:$/);
    return this.lines.slice(before, this.readIndex - 1);
  }

  whenClosed(): Promise<void> {
    return this.closed ? Promise.resolve() : new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}
