// The load generator's WebSocket client, for parley's /ws (--http): the
// same work as BenchClient (bench/clients.ts) over JSON frames. It says
// hello (and, to join, picks a nick), sends benchmark lines as `say`
// frames (a batch in one message, one frame per line, as /ws takes them),
// and counts the `said` frames it receives by parsing their text field in
// place: `{"type":"said","from":"u3","text":"b<sender> <seq> <stamp>"}`.

import type { Stage } from "./dialects.ts";
import type { Recorder } from "./ledger.ts";
import { nowMicros, type AfterHandshake, type LoadClient } from "./clients.ts";
import { HOST, type Target } from "./targets.ts";

const TEXT_FIELD = '"text":"b';
const SPACE = 0x20;
const ZERO = 0x30;

/** Counts benchmark lines in `said` frames, without JSON.parse on the hot path. */
export class FrameCounter {
  ledger: Recorder | null = null;
  otherLines = 0;

  frame(text: string, now: number): void {
    const at = text.lastIndexOf(TEXT_FIELD);
    if (at === -1) return void this.otherLines++;
    let i = at + TEXT_FIELD.length;
    const sender = number(text, i);
    i = end;
    if (i === at + TEXT_FIELD.length || text.charCodeAt(i) !== SPACE) return void this.otherLines++;
    const seq = number(text, ++i);
    if (end === i || text.charCodeAt(end) !== SPACE) return void this.otherLines++;
    i = end + 1;
    const stamp = number(text, i);
    if (end === i) return void this.otherLines++;
    this.ledger?.record(sender, seq, now - stamp, now);
  }
}

// Where the last number() stopped: one thread, and no object per frame.
let end = 0;

/** The decimal number at `from` (0 when none); `end` is left after its last digit. */
function number(text: string, from: number): number {
  let value = 0;
  let i = from;
  // Past the end charCodeAt is NaN, and NaN >>> 0 is 0: the length bounds the loop.
  for (let d = text.charCodeAt(i) - ZERO; i < text.length && d >>> 0 < 10; d = text.charCodeAt(++i) - ZERO) value = value * 10 + d;
  end = i;
  return value;
}

export class WsBenchClient implements LoadClient {
  readonly nick: string;
  readonly stage: Stage;
  readonly counter = new FrameCounter();
  bytesIn = 0;
  closed = false;
  failure: string | null = null;
  private ws: WebSocket | null = null;
  private mode: "handshake" | AfterHandshake = "handshake";
  private readonly after: AfterHandshake;
  private readyWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(nick: string, stage: Stage, after: AfterHandshake) {
    this.nick = nick;
    this.stage = stage;
    this.after = after;
  }

  /** Opens /ws and completes the handshake up to `stage`; rejects after `timeoutMs`. */
  async connect(port: number, timeoutMs: number): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => (this.readyWaiter = { resolve, reject }));
    ready.catch(() => {});
    const timer = setTimeout(() => this.fail(`handshake timed out after ${timeoutMs} ms`), timeoutMs);
    try {
      const ws = (this.ws = new WebSocket(`ws://${HOST}:${port}/ws`));
      ws.onopen = () => ws.send(JSON.stringify({ type: "hello", client: "parley-bench", version: 1 }));
      ws.onmessage = (event) => this.receive(event.data as string);
      ws.onclose = () => this.gone();
      ws.onerror = () => this.fail("websocket error");
      await ready;
    } finally {
      clearTimeout(timer);
    }
  }

  private receive(text: string): void {
    this.bytesIn += text.length;
    if (this.mode === "count") return this.counter.frame(text, nowMicros());
    if (this.mode !== "handshake") return;
    const frame = JSON.parse(text) as { type: string; self?: boolean; message?: string };
    if (frame.type === "welcome") {
      if (this.stage === "greeted") return this.ready();
      this.ws?.send(JSON.stringify({ type: "nick", nick: this.nick }));
    } else if (frame.type === "joined" && frame.self) this.ready();
    else if (frame.type === "error") this.fail(`${this.nick}: ${frame.message}`);
  }

  private ready(): void {
    this.mode = this.after;
    this.readyWaiter?.resolve();
    this.readyWaiter = null;
  }

  /** Lines `first`..`first+count-1` of `sender` as say frames, in one message. */
  sendLines(sender: number, first: number, count: number, stampOf: (seq: number) => number): void {
    if (!this.ws || this.closed) return;
    let out = "";
    for (let seq = first; seq < first + count; seq++) out += `{"type":"say","text":"b${sender} ${seq} ${stampOf(seq)}"}\n`;
    this.ws.send(out);
  }

  destroy(): void {
    this.ws?.close();
  }

  private gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.readyWaiter?.reject(new Error(`${this.nick}: connection closed during the handshake`));
    this.readyWaiter = null;
  }

  private fail(message: string): void {
    this.failure ??= message;
    this.readyWaiter?.reject(new Error(message));
    this.readyWaiter = null;
    this.destroy();
  }
}

/** The HTTP port parley names in its "parley web listening on" line, once it has. */
export async function webPort(target: Target, timeoutMs = 5_000): Promise<number> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    for (const line of target.log()) {
      const port = Number(/parley web listening on \S*:(\d+)/.exec(line)?.[1] ?? 0);
      if (port) return port;
    }
    await Bun.sleep(20);
  }
  throw new Error(`${target.name} did not say it serves HTTP (was it started with --http?)`);
}
