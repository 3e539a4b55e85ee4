// The load generator's client: one Bun socket (Bun.connect, the native
// transport, cheaper per byte than node:net) that does a server's
// handshake, then sends stamped lines and hands what it receives to its
// LineCounter (bench/line-counter.ts), which keeps the receive path lean.

import type { Socket, SocketHandler } from "bun";
import type { Dialect, Stage } from "./dialects.ts";
import type { Recorder } from "./ledger.ts";
import { LineCounter } from "./line-counter.ts";
import { HOST } from "./targets.ts";

const LF = 0x0a;
const SPACE = 0x20;
const MARK = 0x62; // "b", the first byte of every benchmark payload
const ZERO = 0x30;

/** Microseconds on the generator's monotonic clock: the stamp in every line. */
export function nowMicros(): number {
  return Math.floor(performance.now() * 1000);
}

/** After the handshake: count benchmark lines, or ignore everything (idle clients). */
export type AfterHandshake = "count" | "ignore";

/** What the workloads drive of a client, over TCP (BenchClient) or WebSocket (bench/ws-clients.ts). */
export interface LoadClient {
  readonly nick: string;
  /** where benchmark lines are counted once the handshake is done */
  readonly counter: { ledger: Recorder | null; otherLines: number };
  readonly bytesIn: number;
  readonly closed: boolean;
  readonly failure: string | null;
  connect(port: number, timeoutMs: number): Promise<void>;
  sendLines(sender: number, first: number, count: number, stampOf: (seq: number) => number): void;
  destroy(): void;
}

export class BenchClient implements LoadClient {
  readonly nick: string;
  readonly dialect: Dialect;
  readonly stage: Stage;
  /** counts the benchmark lines this client receives once the handshake is done */
  readonly counter = new LineCounter();
  bytesIn = 0;
  closed = false;
  failure: string | null = null;

  private socket: Socket<BenchClient> | null = null;
  private mode: "handshake" | AfterHandshake = "handshake";
  private readonly after: AfterHandshake;
  private text = "";
  private readonly decoder = new TextDecoder();
  private unsent: Uint8Array | null = null;
  private readonly prefix: Uint8Array;
  private readonly lineEnd: Uint8Array;
  private readyWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private closeWaiters: (() => void)[] = [];

  constructor(nick: string, dialect: Dialect, stage: Stage, after: AfterHandshake) {
    this.nick = nick;
    this.dialect = dialect;
    this.stage = stage;
    this.after = after;
    this.prefix = Buffer.from(dialect.sayPrefix);
    this.lineEnd = Buffer.from(dialect.lineEnd);
  }

  /** Connects and completes the handshake up to `stage`; rejects after `timeoutMs`. */
  async connect(port: number, timeoutMs: number): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => (this.readyWaiter = { resolve, reject }));
    ready.catch(() => {}); // a refused connect rejects it before anyone awaits it
    const timer = setTimeout(() => this.fail(`handshake timed out after ${timeoutMs} ms`), timeoutMs);
    try {
      this.socket = await Bun.connect<BenchClient>({ hostname: HOST, port, socket: HANDLERS, data: this });
      this.socket.setNoDelay(true);
      const hello = this.dialect.hello(this.nick, this.stage);
      if (hello) this.write(Buffer.from(hello));
      await ready;
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  // -- receiving ------------------------------------------------------------

  /** @internal socket handler */
  receive(bytes: Uint8Array): void {
    this.bytesIn += bytes.length;
    if (this.mode === "count") this.counter.feed(bytes, nowMicros());
    else if (this.mode === "handshake") this.handshake(bytes);
  }

  private handshake(bytes: Uint8Array): void {
    // A long line (ncat lists everyone already connected) can come in many
    // reads: split only when a line has ended, or the text is re-split per read.
    this.text += this.decoder.decode(bytes, { stream: true });
    if (indexOf.call(bytes, LF, 0) === -1) return;
    const lines = this.text.split("\n");
    this.text = lines.pop() ?? "";
    for (const raw of lines) {
      const step = this.dialect.step(raw.replace(/\r$/, ""), this.nick, this.stage);
      if (step === null) continue;
      if ("send" in step) this.write(Buffer.from(step.send));
      else if ("fail" in step) return this.fail(`${this.nick}: ${step.fail}`);
      else {
        // Whatever follows in this read is server chatter (greetings,
        // joins): no benchmark line is sent before every client is ready.
        this.mode = this.after;
        this.text = "";
        this.readyWaiter?.resolve();
        this.readyWaiter = null;
        return;
      }
    }
  }

  // -- sending --------------------------------------------------------------

  /** Sends lines `first`..`first+count-1` of `sender` in one write, each stamped by `stampOf(seq)`. */
  sendLines(sender: number, first: number, count: number, stampOf: (seq: number) => number): void {
    const out = SCRATCH_OUT;
    let pos = 0;
    for (let seq = first; seq < first + count; seq++) {
      if (pos + 96 + this.prefix.length > out.length) {
        this.write(out.slice(0, pos));
        pos = 0;
      }
      out.set(this.prefix, pos);
      pos += this.prefix.length;
      out[pos++] = MARK;
      pos = writeDecimal(out, pos, sender);
      out[pos++] = SPACE;
      pos = writeDecimal(out, pos, seq);
      out[pos++] = SPACE;
      pos = writeDecimal(out, pos, stampOf(seq));
      out.set(this.lineEnd, pos);
      pos += this.lineEnd.length;
    }
    if (pos > 0) this.write(out.subarray(0, pos));
  }

  /** Writes now, keeping (a copy of) what the kernel did not take until `drain`. */
  write(bytes: Uint8Array): void {
    if (!this.socket || this.closed) return;
    if (this.unsent) {
      this.unsent = Buffer.concat([this.unsent, bytes]);
      return;
    }
    const n = this.socket.write(bytes);
    if (n < bytes.length) this.unsent = bytes.slice(Math.max(0, n));
  }

  /** @internal socket handler */
  drained(): void {
    const pending = this.unsent;
    if (!pending || !this.socket) return;
    this.unsent = null;
    const n = this.socket.write(pending);
    if (n < pending.length) this.unsent = pending.subarray(Math.max(0, n));
  }

  // -- leaving --------------------------------------------------------------

  /** Says goodbye the server's way and resolves once the connection is closed. */
  quit(): Promise<void> {
    const closed = this.whenClosed();
    if (this.dialect.quit) this.write(Buffer.from(this.dialect.quit));
    else this.socket?.end();
    return closed;
  }

  /** Closes at once. */
  destroy(): void {
    this.socket?.terminate();
  }

  whenClosed(): Promise<void> {
    return this.closed ? Promise.resolve() : new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** @internal socket handler */
  gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.readyWaiter?.reject(new Error(`${this.nick}: connection closed during the handshake`));
    this.readyWaiter = null;
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }

  private fail(message: string): void {
    this.failure ??= message;
    this.readyWaiter?.reject(new Error(message));
    this.readyWaiter = null;
    this.destroy();
  }
}

// Uint8Array's own indexOf: Buffer's (which also takes strings) costs twice as much per call.
const indexOf = Uint8Array.prototype.indexOf;

// Shared: one client sends at a time (one thread).
const SCRATCH_OUT = new Uint8Array(64 * 1024);

function writeDecimal(out: Uint8Array, pos: number, n: number): number {
  if (n < 10) {
    out[pos] = ZERO + n;
    return pos + 1;
  }
  let digits = 0;
  for (let v = n; v > 0; v = Math.floor(v / 10)) digits++;
  for (let i = pos + digits - 1, v = n; i >= pos; i--, v = Math.floor(v / 10)) out[i] = ZERO + (v % 10);
  return pos + digits;
}

// One handler object for every socket (Bun reuses it; no closures per client).
// Reads arrive as plain Uint8Arrays (not Buffers): the parser's byte reads
// stay monomorphic. (bun-types only types the Buffer variant for connect.)
const HANDLERS: SocketHandler<BenchClient> = {
  binaryType: "uint8array",
  data: (socket, bytes) => socket.data.receive(bytes),
  drain: (socket) => socket.data.drained(),
  close: (socket) => socket.data.gone(),
  error: (socket) => socket.data.gone(),
  connectError: (socket) => socket.data?.gone(),
};

// Handshakes in flight while clients connect. Kept low for every target:
// ngircd listens with a short backlog (connects past it lose their SYN and
// wait a second for the retry), and ncat --chat falls over when ~32
// connect at once. At 8, setup still runs at thousands per second.
export const CONNECT_PARALLEL = 8;

/**
 * Connects `count` clients, at most `parallel` handshakes at a time.
 * Resolves with those that made it; `failures` counts the rest.
 */
export async function connectMany<C extends LoadClient>(
  count: number,
  parallel: number,
  make: (i: number) => C,
  port: number,
  timeoutMs: number,
): Promise<{ clients: C[]; failures: string[] }> {
  const clients: C[] = [];
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const client = make(next++);
      try {
        await client.connect(port, timeoutMs);
        clients.push(client);
      } catch (error) {
        failures.push(client.failure ?? (error instanceof Error ? error.message : String(error)));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return { clients, failures };
}

/**
 * Waits until none of `clients` has received a byte for `silentMs`
 * (greetings and join notices have stopped), at most `maxMs`.
 */
export async function quiet(clients: readonly LoadClient[], silentMs: number, maxMs: number): Promise<void> {
  const total = () => clients.reduce((n, c) => n + c.bytesIn, 0);
  const end = performance.now() + maxMs;
  let last = total();
  let since = performance.now();
  while (performance.now() < end) {
    await Bun.sleep(Math.min(25, silentMs));
    const now = total();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= silentMs) return;
  }
}
