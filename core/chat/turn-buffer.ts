// A room's turn buffer: what the room relays during one event-loop turn to
// its plain followers, written once into one buffer they all share. A
// follower is a member who reads a room's lines exactly as they are: in that
// one room only, with nothing of their own set (no ignore, quiet,
// timestamps, bell: core/chat/delivery.ts), in one framing (a room keeps a
// buffer for text readers and one for JSON readers). Most users are.
//
// Relaying a line then costs one append, whatever the number of followers;
// at the end of the turn each follower's outbox takes its share by
// reference (a view of the buffer, not a copy) and writes it with whatever
// else it has, in one write. The per-recipient work of a turn is one take
// and one write, not one push per line: a turn of 100 lines to 1,000 users
// is 1,000 writes, not 100,000 pushes and 1,000 concats.
//
// What a follower must not get (its own line, a line it is sent another way)
// is skipped in its view (Outbox.skip). Anything pushed to a follower's
// outbox directly (a private message, an answer, a notice) first takes in
// what the buffer holds for it, so each reader's order is the order things
// were sent (Outbox.take).
//
// Bytes written to the buffer are never changed: views of it may still be
// waiting in a transport. A full buffer, or a new turn, starts a new one.

import { endOfTurn, type Outbox, type SharedTurn } from "./outbox.ts";

// A turn's buffer grows by doubling from this size...
const FIRST = 4 * 1024;
// ...and is handed out when it holds this much, so a burst (a paste relayed
// to everyone) goes out while the turn goes on, as the outbox's own early
// flush does (outbox.ts).
const HAND_OUT_AT = 64 * 1024;

export class TurnBuffer implements SharedTurn {
  /** the outboxes that follow this buffer */
  readonly followers = new Set<Outbox>();
  /** bumped each time the buffer starts again: a follower's offsets of an older one mean nothing */
  generation = 0;
  ending: { generation: number; bytes: Uint8Array; end: number } | null = null;
  private buffer: Buffer | null = null;
  private used = 0;

  /**
   * While pinned, offsets into this generation stay good: the buffer grows
   * past its hand-out size rather than start a new generation. The fan-out
   * pins it while it skips a line for some followers (core/chat/rooms.ts),
   * since that can cut a client whose leave is appended meanwhile.
   */
  pin(): void {
    this.pins++;
  }
  unpin(): void {
    this.pins--;
  }
  private pins = 0;

  /** `outbox` follows this buffer from now on. */
  add(outbox: Outbox): void {
    this.followers.add(outbox);
    outbox.follow(this);
  }

  /** `outbox` takes what is still due to it, and follows no more. */
  remove(outbox: Outbox): void {
    if (!this.followers.delete(outbox)) return;
    outbox.unfollow();
  }

  get length(): number {
    return this.used;
  }

  /** A view of bytes `start`..`end` of this generation. */
  bytes(start: number, end: number): Uint8Array {
    return this.buffer!.subarray(start, end);
  }

  /** Adds `bytes` for every follower; returns where they start (they end at `length`). */
  append(bytes: Uint8Array): number {
    const start = this.room(bytes.length);
    this.buffer!.set(bytes, start);
    this.used = start + bytes.length;
    return start;
  }

  /** Adds `text` as UTF-8, written straight into the buffer (no Buffer of its own); returns where it starts. */
  appendText(text: string): number {
    const start = this.room(text.length * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
    this.used = start + this.buffer!.write(text, start, "utf8");
    return start;
  }

  /** Makes room for `size` more bytes; returns where they go. */
  private room(size: number): number {
    // (Not while a generation is being handed out, nor while pinned: the buffer then just grows.)
    if (this.used > 0 && this.used + size > HAND_OUT_AT && this.ending === null && this.pins === 0) this.handOut();
    const start = this.used;
    let buffer = this.buffer;
    if (buffer === null || start + size > buffer.length) {
      // A new, bigger buffer: the old one's bytes are copied (offsets stay), and views of it stay valid.
      let length = buffer === null ? FIRST : buffer.length * 2;
      while (length < start + size) length *= 2;
      const grown = Buffer.allocUnsafe(length);
      if (buffer !== null && start > 0) buffer.copy(grown, 0, 0, start);
      buffer = this.buffer = grown;
    }
    if (start === 0) endOfTurn(this);
    return start;
  }

  /** The end of the turn: every follower takes what is theirs, and the next turn starts a new buffer. */
  endTurn(): void {
    if (this.used > 0) this.handOut();
  }

  private handOut(): void {
    // The next generation starts before anyone takes this one: taking can cut
    // a client that is not reading, and its leave is then relayed here at
    // once; that line must go into the new buffer, for every follower. While
    // the shares are handed out, `ending` keeps the old bytes for whoever
    // reaches for them first (Outbox.position).
    const bytes = this.buffer;
    const end = this.used;
    const generation = this.generation++;
    this.buffer = null;
    this.used = 0;
    if (bytes === null) return;
    this.ending = { generation, bytes, end };
    try {
      for (const outbox of this.followers) outbox.ended(generation);
    } finally {
      this.ending = null;
    }
  }
}
