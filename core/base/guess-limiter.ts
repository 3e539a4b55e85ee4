// Password guessing is slow for everyone, not per connection. A guess waits
// for its address's turn before it is checked: after a wrong guess an
// address waits a second (doubling with each more, up to a minute) before
// its next guess is even looked at, whether or not the client waited for the
// answer or hung up, and however many connections it opens. Server-wide, at
// most GLOBAL_PER_SECOND wrong guesses a second are checked, so many
// addresses cannot add up to a fast attack either. Pure: time is passed in.

const FIRST_WAIT_MS = 1000;
const MOST_WAIT_MS = 60_000;
const GLOBAL_PER_SECOND = 20;
// Addresses remembered; the oldest are forgotten past this (bounded memory).
const ADDRESSES = 10_000;
// Guesses that may wait for one address's turns; past this more are refused
// unchecked, so a flood of guesses cannot queue a real one behind hours of turns.
const QUEUED_MAX = 8;

interface Record {
  /** wrong guesses in a row */
  wrong: number;
  /** ms since the epoch before which no guess from the address is checked */
  next: number;
}

export class GuessLimiter {
  private readonly byAddress = new Map<string, Record>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly queued = new Map<string, number>();
  private globalNext = 0;

  /**
   * Checks one guess from `address` when its turn comes: guesses from one
   * address are checked one after another, each waiting for the outcome of
   * the one before and then for the wait a wrong one set. Resolves to what
   * `check` says, or undefined when it was not checked: `wanted()` was false
   * by the time it would run (the guesser left), or too many guesses from
   * the address were waiting already.
   */
  attempt(address: string, check: () => boolean | Promise<boolean>, wanted: () => boolean = () => true): Promise<boolean | undefined> {
    const waiting = this.queued.get(address) ?? 0;
    // Refused unchecked (undefined, as for a guesser who left): it would wait behind too many turns.
    if (waiting >= QUEUED_MAX) return Promise.resolve(undefined);
    this.queued.set(address, waiting + 1);
    const before = this.queues.get(address) ?? Promise.resolve();
    const mine = before.then(async () => {
      const wait = this.turn(address, Date.now());
      if (wait > 0) await Bun.sleep(wait);
      if (!wanted()) return undefined;
      const right = await check();
      if (right) this.right(address);
      else this.wrong(address, Date.now());
      return right;
    });
    const settled = mine.catch(() => undefined);
    this.queues.set(address, settled);
    void settled.then(() => {
      const left = (this.queued.get(address) ?? 1) - 1;
      if (left > 0) this.queued.set(address, left);
      else this.queued.delete(address);
      if (this.queues.get(address) === settled) this.queues.delete(address);
    });
    return mine;
  }

  /** How long a guess from `address` arriving at `now` must wait before it is checked; the turn is taken. */
  turn(address: string, now: number): number {
    const record = this.byAddress.get(address);
    const at = Math.max(now, record?.next ?? 0, this.globalNext);
    // The turn is taken now, so guesses that wait behind it queue up in order.
    if (record) record.next = at;
    return at - now;
  }

  /** A guess from `address` was wrong: its next one waits longer, and so does the server's next check. */
  wrong(address: string, now: number): void {
    const record = this.byAddress.get(address) ?? { wrong: 0, next: 0 };
    record.wrong++;
    record.next = Math.max(record.next, now) + Math.min(MOST_WAIT_MS, FIRST_WAIT_MS * 2 ** (record.wrong - 1));
    this.byAddress.delete(address);
    this.byAddress.set(address, record);
    if (this.byAddress.size > ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value!);
    this.globalNext = Math.max(this.globalNext, now) + 1000 / GLOBAL_PER_SECOND;
  }

  /** A right guess: the address starts afresh. */
  right(address: string): void {
    this.byAddress.delete(address);
  }
}
