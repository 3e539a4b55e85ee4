// Password guessing is slow per address and server-wide, whatever the
// client does: a wrong guess delays the address's next one, doubling.
import { describe, expect, test } from "bun:test";
import { GuessLimiter } from "../../core/base/guess-limiter.ts";
import { WorkPool } from "../../core/base/work-pool.ts";

describe("guesses from one address", () => {
  test("the first is checked at once; after a wrong one the next waits 1 s, then 2 s, 4 s, up to a minute", () => {
    const g = new GuessLimiter();
    let now = 1_000_000;
    expect(g.turn("10.0.0.1", now)).toBe(0);
    g.wrong("10.0.0.1", now);
    expect(g.turn("10.0.0.1", now)).toBe(1000);
    now += 1000;
    g.wrong("10.0.0.1", now);
    expect(g.turn("10.0.0.1", now)).toBe(2000);
    for (let i = 0; i < 10; i++) g.wrong("10.0.0.1", now);
    expect(g.turn("10.0.0.1", now)).toBeLessThanOrEqual(10 * 60_000 + 2000);
  });

  test("hanging up does not help: the wait is the address's, not the connection's", () => {
    const g = new GuessLimiter();
    g.wrong("10.0.0.2", 0);
    // A new connection from the same address, at once: still waits.
    expect(g.turn("10.0.0.2", 10)).toBe(990);
  });

  test("a right guess starts the address afresh; other addresses only feel the server-wide pace", () => {
    const g = new GuessLimiter();
    g.wrong("10.0.0.3", 0);
    g.right("10.0.0.3");
    expect(g.turn("10.0.0.3", 100)).toBe(0);
    g.wrong("10.0.0.4", 200);
    expect(g.turn("10.0.0.5", 200)).toBe(50); // 20 wrong guesses a second, server-wide
  });

  test("many addresses together are held to the server-wide pace", () => {
    const g = new GuessLimiter();
    for (let i = 0; i < 100; i++) g.wrong(`10.1.0.${i}`, 0);
    expect(g.turn("10.2.0.1", 0)).toBe(5000);
  });
});

describe("attempts from one address are checked one after another", () => {
  test("guesses sent together wait for the one before: the second is checked a second after the first was wrong", async () => {
    const g = new GuessLimiter();
    const checkedAt: number[] = [];
    const wrong = () => (checkedAt.push(Date.now()), false);
    const start = Date.now();
    const results = await Promise.all([g.attempt("10.9.0.1", wrong), g.attempt("10.9.0.1", wrong)]);
    expect(results).toEqual([false, false]);
    expect(checkedAt[0]! - start).toBeLessThan(1000);
    // A lower bound only: a slow machine can only make it later.
    expect(checkedAt[1]! - checkedAt[0]!).toBeGreaterThanOrEqual(990);
  });

  test("a guesser who left before its turn is not checked", async () => {
    const g = new GuessLimiter();
    let checks = 0;
    expect(await g.attempt("10.9.0.2", () => (checks++, true), () => false)).toBeUndefined();
    expect(checks).toBe(0);
  });
});

describe("expensive work runs a few at a time", () => {
  test("at most `size` at once, in order; work for a gone asker is skipped", async () => {
    const pool = new WorkPool(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const job = (n: number) => async () => {
      running++;
      most = Math.max(most, running);
      await Bun.sleep(5);
      order.push(n);
      running--;
      return n;
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.run(job(n), () => n !== 4)));
    expect(most).toBe(2);
    expect(results).toEqual([1, 2, 3, undefined, 5]);
    expect(order).toEqual([1, 2, 3, 5]);
  });
});
