// Flood control for one connection: a token bucket that paces instead of
// dropping (Ergo's fakelag). Each line takes a token; tokens come back at
// `rate` per second up to `burst`. A line that finds none waits for its
// turn, so a pasted snippet reaches the room whole, in order, never faster
// than the rate. Pure: time is passed in.

export class Pacer {
  private tokens: number;
  private last: number;
  private readonly rate: number;
  private readonly burst: number;

  constructor(rate: number, burst: number, now: number) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /**
   * Takes the next turn for a line that is ready at `now` (ms): how many ms
   * it must wait first (0: it may go now). Turns taken while waiting are
   * owed, so each later line waits one more turn.
   */
  take(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.rate);
  }
}
