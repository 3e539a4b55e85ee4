// The lines a session has read but not yet handled, handled one at a time
// in the order they came. Handlers are synchronous in the common case (the
// fast one); when one returns a promise, later lines wait for it. Past
// `pauseAt` waiting lines the socket is paused, so a paste of a megabyte
// waits in the kernel instead of in our memory.

import type { Maybe } from "../base/maybe.ts";

/** What an inbox asks of its owner (the session implements it: no closures per connection). */
export interface InboxOwner<T> {
  handleInbound(item: T): Maybe<void>;
  /** false once the session is over: what is left is dropped */
  inboxOpen(): boolean;
  pauseInput(): void;
  resumeInput(): void;
  /** every item is handled and none is waiting */
  inboxIdle(): void;
}

export class Inbox<T> {
  private items: T[] | null = null;
  private head = 0;
  private paused = false;
  /** an item is being handled (perhaps waiting for a promise) */
  busy = false;
  private readonly owner: InboxOwner<T>;
  private readonly pauseAt: number;

  constructor(owner: InboxOwner<T>, pauseAt = 64) {
    this.owner = owner;
    this.pauseAt = pauseAt;
  }

  /** Items waiting, not counting the one being handled. */
  get waiting(): number {
    return this.items ? this.items.length - this.head : 0;
  }

  push(item: T): void {
    const items = (this.items ??= []);
    items.push(item);
    if (!this.paused && items.length - this.head > this.pauseAt) {
      this.paused = true;
      this.owner.pauseInput();
    }
    if (!this.busy) this.drain();
  }

  private drain(): void {
    this.busy = true;
    const items = this.items ?? [];
    while (this.head < items.length && this.owner.inboxOpen()) {
      let pending: Maybe<void>;
      try {
        pending = this.owner.handleInbound(items[this.head++]!);
      } catch {
        // A line whose handling threw is over; the next ones must still be handled.
        continue;
      }
      if (pending instanceof Promise) {
        // Settled either way, the session goes on: a rejection never freezes it.
        const next = () => this.drain();
        pending.then(next, next);
        return;
      }
    }
    this.items = null;
    this.head = 0;
    this.busy = false;
    if (this.paused) {
      this.paused = false;
      this.owner.resumeInput();
    }
    this.owner.inboxIdle();
  }
}
