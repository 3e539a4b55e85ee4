// The ledger of one run: how many receivers have seen each line, by id
// (sender index, sequence number). From it come deliveries, losses,
// latency, and the closed-loop window.
//
// The window: a sender may have at most `window` lines that not every
// receiver has seen yet. Each receiver reads a sender's lines in order
// (TCP), so once every receiver has seen line q, every receiver is past all
// earlier lines too: the sender's frontier becomes q + 1. A line lost at
// one receiver therefore cannot stall its sender for ever, only until a
// later line reaches everyone.

import { Histogram } from "./stats.ts";

/** Where a receiver's line counter records each delivery: the ledger, or something in front of it (W6 splits by node). */
export interface Recorder {
  record(sender: number, seq: number, latency: number, now: number): void;
}

export class Ledger {
  readonly senders: number;
  readonly linesPerSender: number;
  /** receivers each line should reach */
  readonly fanout: number;
  /** per sender: every line below this has been seen by every receiver (or lost) */
  readonly frontier: Int32Array;
  readonly latency = new Histogram();
  /** deliveries counted (each line at each receiver once) */
  delivered = 0;
  /** the same line seen twice at one receiver count, or an id out of range */
  strays = 0;
  private lastMicros = 0;
  /** called when a sender's frontier moves (closed loop) */
  onAdvance: ((sender: number) => void) | null = null;

  private readonly seen: Uint32Array;

  constructor(senders: number, linesPerSender: number, fanout: number) {
    this.senders = senders;
    this.linesPerSender = linesPerSender;
    this.fanout = fanout;
    this.frontier = new Int32Array(senders);
    this.seen = new Uint32Array(senders * linesPerSender);
  }

  get expected(): number {
    return this.senders * this.linesPerSender * this.fanout;
  }

  get lost(): number {
    return this.expected - this.delivered;
  }

  get complete(): boolean {
    return this.delivered >= this.expected;
  }

  /** performance.now() of the last counted delivery (0: none yet) */
  get lastDeliveryAt(): number {
    return this.lastMicros / 1000;
  }

  /** One line arrived at one receiver at `now` (µs), `latency` µs after it was stamped. */
  record(sender: number, seq: number, latency: number, now: number): void {
    if (sender >= this.senders || seq >= this.linesPerSender) {
      this.strays++;
      return;
    }
    const at = sender * this.linesPerSender + seq;
    const n = ++this.seen[at]!;
    if (n > this.fanout) {
      this.strays++;
      return;
    }
    this.delivered++;
    this.lastMicros = now;
    this.latency.record(latency);
    if (n === this.fanout && seq >= this.frontier[sender]!) {
      this.frontier[sender] = seq + 1;
      this.onAdvance?.(sender);
    }
  }
}
