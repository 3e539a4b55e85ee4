// Outbox: the bytes waiting to go to one client, with a hard cap.
// Writes are coalesced: everything pushed during one event-loop turn goes
// out in one write() at the end of it, for every client at once. write()'s
// return value is honoured; after `false` nothing more is written until the
// transport reports it drained. A client whose pending bytes (ours plus the
// transport's) pass the cap has stopped reading: it is cut off, so it can
// neither grow memory nor slow anyone else down.

export interface ByteSink {
  /** false: the transport is full, wait for `drained()` */
  write(bytes: Uint8Array): boolean;
  /** bytes accepted by write() but not yet sent */
  readonly writableLength: number;
}

// A burst bigger than this inside one turn (a paste relayed to everyone) is
// written at once rather than held to the end of the turn, so the cap
// measures a client that is not reading, not the size of one burst.
const EARLY_FLUSH = 64 * 1024;

const dirty: Outbox[] = [];
let scheduled = false;

function flushDirty(): void {
  scheduled = false;
  // Outboxes pushed to while flushing (by a write callback) wait for the next turn.
  const batch = dirty.splice(0);
  for (const outbox of batch) outbox.flushMarked();
}

export class Outbox {
  private queue: Uint8Array[] | null = null; // allocated while bytes wait
  private queued = 0;
  private waiting = false;
  private marked = false;
  private closed = false;
  private emptied: (() => void)[] | null = null;

  private readonly sink: ByteSink;
  private readonly cap: number;
  private readonly overflow: (pending: number) => void;

  constructor(sink: ByteSink, cap: number, overflow: (pending: number) => void) {
    this.sink = sink;
    this.cap = cap;
    this.overflow = overflow;
  }

  /** Bytes waiting in this outbox and in the transport. */
  get pending(): number {
    return this.queued + this.sink.writableLength;
  }

  push(bytes: Uint8Array): void {
    if (this.closed) return;
    (this.queue ??= []).push(bytes);
    this.queued += bytes.length;
    if (this.queued >= EARLY_FLUSH && !this.waiting) this.flush();
    const pending = this.pending;
    if (pending > this.cap) {
      this.close();
      this.overflow(pending);
      return;
    }
    if (!this.marked && !this.waiting) {
      this.marked = true;
      dirty.push(this);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushDirty);
      }
    }
  }

  /** The end-of-turn flush. */
  flushMarked(): void {
    this.marked = false;
    this.flush();
  }

  /** Writes everything queued in one write, unless the transport is full. */
  flush(): void {
    const queue = this.queue;
    if (this.closed || this.waiting || !queue) return;
    const bytes = queue.length === 1 ? queue[0]! : Buffer.concat(queue, this.queued);
    this.queue = null;
    this.queued = 0;
    const ok = this.sink.write(bytes);
    if (!ok) this.waiting = true;
    else this.settle();
  }

  /** The transport has room again. */
  drained(): void {
    this.waiting = false;
    if (this.queue) this.flush();
    else this.settle();
  }

  /** Resolves once everything pushed so far has been handed to the transport. */
  whenEmpty(): Promise<void> {
    if (this.closed || (!this.queue && !this.waiting)) return Promise.resolve();
    return new Promise((resolve) => (this.emptied ??= []).push(resolve));
  }

  /** Drops whatever is queued and accepts nothing more. */
  close(): void {
    this.closed = true;
    this.queue = null;
    this.queued = 0;
    this.settle();
  }

  private settle(): void {
    if (!this.emptied) return;
    if (!this.closed && (this.waiting || this.queue)) return;
    const waiters = this.emptied;
    this.emptied = null;
    for (const resolve of waiters) resolve();
  }
}
