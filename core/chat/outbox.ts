// Outbox: the bytes waiting to go to one client, with a hard cap.
// Writes are coalesced: everything pushed during one event-loop turn goes
// out in one write() at the end of it, for every client at once. write()'s
// return value is honoured; after `false` nothing more is written until the
// transport reports it drained. A client whose pending bytes (ours plus the
// transport's) pass the cap has stopped reading: it is cut off, so it can
// neither grow memory nor slow anyone else down.
//
// The cap counts the memory held, not only the payload: small writes (a
// telnet reply is 3 bytes, and its own array costs ~30 times that) are
// copied into one growing buffer, and every queued entry is charged
// ENTRY_COST on top of its bytes. So a client that sends telnet negotiation
// and never reads holds about --max-outbox of memory, not 30 times it.

import { counters } from "../base/counters.ts";

/** Told when a client's pending bytes pass the cap (an object saves a closure per connection). */
export interface OverflowSink {
  outboxOverflow(pending: number): void;
}

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
// Writes up to this size are copied into the coalescing buffer: telnet
// replies (3 bytes) and the server's CRs. Anything bigger, above all a line
// relayed to the room (one buffer shared by every recipient), is queued by
// reference: copying it for each of a thousand recipients is the cost the
// shared frame exists to avoid.
const COALESCE = 8;
// The coalescing buffer starts this small and doubles up to TAIL_MAX.
const TAIL_MIN = 256;
const TAIL_MAX = 16 * 1024;
// What one queued entry costs beyond its bytes: the array object, its slot.
export const ENTRY_COST = 64;

/** What an outbox may follow: a room's turn buffer (turn-buffer.ts), bytes shared by many outboxes. */
export interface SharedTurn {
  /** bumped each time it starts again: offsets into an older one mean nothing */
  readonly generation: number;
  readonly length: number;
  /** a view of bytes `start`..`end` */
  bytes(start: number, end: number): Uint8Array;
  /** hands every follower its share, at the end of the turn */
  endTurn(): void;
  /** while the shares of a generation are handed out: that generation, its bytes and length */
  readonly ending: { readonly generation: number; readonly bytes: Uint8Array; readonly end: number } | null;
}

const dirty: Outbox[] = [];
/** the rooms' turn buffers written to this turn: handed to their followers before the outboxes flush */
const dirtyBuffers: SharedTurn[] = [];
let scheduled = false;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(flushDirty);
}

function flushDirty(): void {
  scheduled = false;
  // First what the rooms relayed this turn: each follower takes it into its
  // outbox (by reference), then every outbox writes once.
  const buffers = dirtyBuffers.splice(0);
  for (const buffer of buffers) buffer.endTurn();
  // Outboxes pushed to while flushing (by a write callback) wait for the next turn.
  const batch = dirty.splice(0);
  for (const outbox of batch) outbox.flushMarked();
}

/** A turn buffer has bytes: it is ended (turn-buffer.ts) at the end of this turn, before the outboxes flush. */
export function endOfTurn(buffer: SharedTurn): void {
  dirtyBuffers.push(buffer);
  schedule();
}

export class Outbox {
  private queue: Uint8Array[] | null = null; // allocated while bytes wait
  /** the coalescing buffer (after the entries of `queue`), and how much of it is used */
  private tail: Uint8Array | null = null;
  private tailUsed = 0;
  /** memory held by what waits: bytes, ENTRY_COST per entry, the tail's whole capacity */
  private queued = 0;
  private waiting = false;
  private marked = false;
  private closed = false;
  private emptied: (() => void)[] | null = null;
  /**
   * The room buffer this outbox follows (turn-buffer.ts): everything
   * appended to it since `from` (in its generation `fromGen`) is this
   * client's too, and is taken in before anything else is pushed here, so
   * the order of what this client reads is the order it was sent in.
   */
  private followed: SharedTurn | null = null;
  private from = 0;
  private fromGen = -1;

  private readonly sink: ByteSink;
  private readonly cap: number;
  private readonly overflow: OverflowSink | ((pending: number) => void);

  constructor(sink: ByteSink, cap: number, overflow: OverflowSink | ((pending: number) => void)) {
    this.sink = sink;
    this.cap = cap;
    this.overflow = overflow;
  }

  /** Bytes waiting in this outbox and in the transport. */
  get pending(): number {
    return this.queued + this.sink.writableLength;
  }

  push(bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    if (this.followed !== null) this.take();
    this.enqueue(bytes);
  }

  // -- following a room's turn buffer (turn-buffer.ts) ---------------------------

  /** From now on, what `buffer` is given is this client's too (until unfollow). */
  follow(buffer: SharedTurn): void {
    if (this.followed !== null) this.unfollow();
    this.followed = buffer;
    this.from = buffer.length;
    this.fromGen = buffer.generation;
  }

  /** Takes what is still due from the buffer, then follows it no more. */
  unfollow(): void {
    if (this.followed === null) return;
    this.take();
    this.followed = null;
  }

  /** Queues (by reference) what the followed buffer holds that this client has not taken yet. */
  take(): void {
    const buffer = this.followed;
    if (buffer === null || this.closed) return;
    const start = this.position(buffer);
    const end = buffer.length;
    this.from = end;
    if (end > start) this.enqueue(buffer.bytes(start, end));
  }

  /**
   * The followed buffer's generation `generation` is over, while its
   * followers are handed their shares (turn-buffer.ts): takes what of it is
   * still this client's, if it has not already.
   */
  ended(generation: number): void {
    const buffer = this.followed;
    if (buffer === null || this.closed || this.fromGen !== generation) return;
    this.position(buffer);
  }

  /**
   * Bytes `start`..`end` of the followed buffer are not for this client (its
   * own line, or one it gets another way): it takes what came before them.
   */
  skip(start: number, end: number): void {
    const buffer = this.followed;
    if (buffer === null || this.closed) return;
    const from = this.position(buffer);
    this.from = end;
    if (start > from) this.enqueue(buffer.bytes(from, start));
  }

  /**
   * Where this client is in the buffer's current generation. One that is
   * still at an earlier generation first takes what is left of it: the one
   * being handed out right now (a cut client's leave, relayed while the
   * shares are handed out, can reach here first), or, had it somehow missed
   * one, nothing (its bytes are gone).
   */
  private position(buffer: SharedTurn): number {
    if (this.fromGen === buffer.generation) return this.from;
    const old = buffer.ending;
    if (old !== null && this.fromGen === old.generation && old.end > this.from) this.enqueue(old.bytes.subarray(this.from, old.end));
    this.fromGen = buffer.generation;
    this.from = 0;
    return 0;
  }

  private enqueue(bytes: Uint8Array): void {
    if (bytes.length > COALESCE) {
      if (this.tail) this.seal();
      (this.queue ??= []).push(bytes);
      this.queued += bytes.length + ENTRY_COST;
    } else this.append(bytes);
    if (this.queued >= EARLY_FLUSH && !this.waiting) this.flush();
    const pending = this.pending;
    if (pending > counters.outboxHighWater) counters.outboxHighWater = pending;
    if (pending > this.cap) {
      this.close();
      const told = this.overflow;
      if (typeof told === "function") told(pending);
      else told.outboxOverflow(pending);
      return;
    }
    if (!this.marked && !this.waiting) {
      this.marked = true;
      dirty.push(this);
      schedule();
    }
  }

  /** The end-of-turn flush. */
  flushMarked(): void {
    this.marked = false;
    this.flush();
  }

  /** Copies a small write into the tail, starting a bigger tail when it is full. */
  private append(bytes: Uint8Array): void {
    let tail = this.tail;
    if (!tail || this.tailUsed + bytes.length > tail.length) {
      const size = Math.max(bytes.length, tail ? Math.min(TAIL_MAX, tail.length * 2) : TAIL_MIN);
      this.seal();
      tail = this.tail = new Uint8Array(size);
      this.queued += size + ENTRY_COST;
    }
    tail.set(bytes, this.tailUsed);
    this.tailUsed += bytes.length;
  }

  /** Ends the tail: what it holds becomes an entry of the queue. */
  private seal(): void {
    const tail = this.tail;
    if (!tail) return;
    const used = this.tailUsed;
    if (used * 2 >= tail.length) (this.queue ??= []).push(tail.subarray(0, used));
    else {
      // Mostly empty (a big write came after a few small ones): keep a copy of the right size.
      (this.queue ??= []).push(tail.slice(0, used));
      this.queued -= tail.length - used;
    }
    this.tail = null;
    this.tailUsed = 0;
  }

  /** Writes everything queued in one write, unless the transport is full. */
  flush(): void {
    if (this.closed || this.waiting) return;
    this.seal();
    const queue = this.queue;
    if (!queue) return;
    const bytes = queue.length === 1 ? queue[0]! : Buffer.concat(queue);
    this.queue = null;
    this.queued = 0;
    counters.bytesOut += bytes.length;
    const ok = this.sink.write(bytes);
    if (!ok) this.waiting = true;
    else this.settle();
  }

  /** The transport has room again. */
  drained(): void {
    this.waiting = false;
    if (this.queue || this.tail) this.flush();
    else this.settle();
  }

  /** Resolves once everything pushed so far has been handed to the transport. */
  whenEmpty(): Promise<void> {
    this.take();
    if (this.closed || (!this.queue && !this.tail && !this.waiting)) return Promise.resolve();
    return new Promise((resolve) => (this.emptied ??= []).push(resolve));
  }

  /** Drops whatever is queued and accepts nothing more. */
  close(): void {
    this.closed = true;
    this.followed = null;
    this.queue = null;
    this.tail = null;
    this.tailUsed = 0;
    this.queued = 0;
    this.settle();
  }

  private settle(): void {
    if (!this.emptied) return;
    if (!this.closed && (this.waiting || this.queue || this.tail)) return;
    const waiters = this.emptied;
    this.emptied = null;
    for (const resolve of waiters) resolve();
  }
}
