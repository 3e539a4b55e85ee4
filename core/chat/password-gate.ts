// The server password (--password): compared in constant time, a wrong one
// answered after a delay, and after a few the connection closed: guessing
// is slow. Never logged. Pure of sockets: the session asks, this answers.

import { safeEqual } from "../base/safe-equal.ts";

const WRONG_PASSWORD_DELAY_MS = 1000;
export const PASSWORD_TRIES = 3;

export type PasswordOutcome = "ok" | "wrong" | "too_many";

export class PasswordGate {
  private readonly expected: string;
  /** wrong passwords so far */
  tries = 0;

  constructor(expected: string) {
    this.expected = expected;
  }

  /** "ok" at once; a wrong one resolves after the delay, "too_many" on the last try. */
  check(given: string): PasswordOutcome | Promise<PasswordOutcome> {
    if (safeEqual(given, this.expected)) return "ok";
    const tries = ++this.tries;
    return new Promise((resolve) => {
      setTimeout(() => resolve(tries >= PASSWORD_TRIES ? "too_many" : "wrong"), WRONG_PASSWORD_DELAY_MS).unref();
    });
  }
}
