// Reconnecting after a dropped connection: wait (0.5 s, doubling to 10 s),
// try, and again, a bounded number of times, telling the person before each
// wait. What one attempt does (connect, hello, rejoin) is the caller's.

import { backoff, LIMITS } from "./connection.ts";

export interface Retry {
  /** one attempt: true when connected again, else why not */
  attempt(): Promise<true | string>;
  /** true once the person has asked to leave: stop trying */
  stopped(): boolean;
  notice(message: string): void;
  /** for the tests: how to wait */
  sleep?: (ms: number) => Promise<unknown>;
}

export type Outcome = { ok: true } | { ok: false; stopped: boolean; why: string };

export async function reconnect(retry: Retry, why: string, attempts: number = LIMITS.reconnectAttempts): Promise<Outcome> {
  const sleep = retry.sleep ?? Bun.sleep;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (retry.stopped()) return { ok: false, stopped: true, why };
    const wait = backoff(attempt);
    retry.notice(`connection lost (${why}); reconnecting in ${wait / 1000} s (attempt ${attempt} of ${attempts})`);
    await sleep(wait);
    if (retry.stopped()) return { ok: false, stopped: true, why };
    const result = await retry.attempt();
    if (result === true) return { ok: true };
    why = result;
  }
  return { ok: false, stopped: false, why: `gave up after ${attempts} attempts (${why})` };
}
