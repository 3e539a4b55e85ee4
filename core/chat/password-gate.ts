// The server password (--password), per connection: a wrong one is answered
// after a delay, and after a few the connection is closed. The guess itself
// is compared in constant time and paced per address by the GuessLimiter
// (core/base/guess-limiter.ts) before it gets here. Never logged. Pure of
// sockets: the session asks, this answers.

const WRONG_PASSWORD_DELAY_MS = 1000;
export const PASSWORD_TRIES = 3;

export type PasswordOutcome = "ok" | "wrong" | "too_many";

export class PasswordGate {
  /** wrong passwords so far */
  tries = 0;

  /** "ok" at once; a wrong one resolves after the delay, "too_many" on the last try. */
  outcome(right: boolean): PasswordOutcome | Promise<PasswordOutcome> {
    if (right) return "ok";
    const tries = ++this.tries;
    return new Promise((resolve) => {
      setTimeout(() => resolve(tries >= PASSWORD_TRIES ? "too_many" : "wrong"), WRONG_PASSWORD_DELAY_MS).unref();
    });
  }
}
