// Flood control for one connection: a token bucket. Each line takes a
// token; tokens come back at `rate` per second up to `burst`. A user past
// it is warned once, then their lines are dropped, and if they keep going
// for ten more bursts' worth without a pause they are disconnected: a
// pasted snippet costs its tail, a pasted megabyte costs the connection.
// Pure: time is passed in.

const DISCONNECT_AFTER_BURSTS = 10;

export type FloodVerdict = "ok" | "warn" | "drop" | "disconnect";

export class FloodGate {
  private tokens: number;
  private last: number;
  private dropped = 0;
  private readonly rate: number;
  private readonly burst: number;

  constructor(rate: number, burst: number, now: number) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /** What to do with one more line arriving at `now` (ms). */
  take(now: number): FloodVerdict {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.dropped = 0;
      return "ok";
    }
    this.dropped++;
    if (this.dropped === 1) return "warn";
    return this.dropped > this.burst * DISCONNECT_AFTER_BURSTS ? "disconnect" : "drop";
  }
}
