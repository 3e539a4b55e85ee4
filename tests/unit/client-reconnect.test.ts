// Reconnecting: waits that double from half a second to ten, a notice
// before each, a bounded number of attempts, and no more tries once the
// person has asked to leave.
import { describe, expect, test } from "bun:test";
import { reconnect } from "../../core/client/reconnect.ts";

function script(results: (true | string)[], stopAfter = Infinity) {
  const waits: number[] = [];
  const notices: string[] = [];
  let attempts = 0;
  return {
    waits,
    notices,
    get attempts() {
      return attempts;
    },
    retry: {
      attempt: async () => results[attempts++] ?? "refused",
      stopped: () => attempts >= stopAfter,
      notice: (m: string) => notices.push(m),
      sleep: async (ms: number) => waits.push(ms),
    },
  };
}

describe("reconnecting", () => {
  test("tries until an attempt succeeds, waiting longer each time", async () => {
    const s = script(["connection refused", "connection refused", true]);
    expect(await reconnect(s.retry, "connection reset")).toEqual({ ok: true });
    expect(s.waits).toEqual([500, 1000, 2000]);
    expect(s.notices).toEqual([
      "connection lost (connection reset); reconnecting in 0.5 s (attempt 1 of 20)",
      "connection lost (connection refused); reconnecting in 1 s (attempt 2 of 20)",
      "connection lost (connection refused); reconnecting in 2 s (attempt 3 of 20)",
    ]);
  });

  test("gives up after the last attempt, saying why", async () => {
    const s = script([]);
    expect(await reconnect(s.retry, "closed by the server", 6)).toEqual({ ok: false, stopped: false, why: "gave up after 6 attempts (refused)" });
    expect(s.waits).toEqual([500, 1000, 2000, 4000, 8000, 10000]);
  });

  test("stops when the person quits", async () => {
    const s = script([], 2);
    expect(await reconnect(s.retry, "x")).toEqual({ ok: false, stopped: true, why: "refused" });
    expect(s.attempts).toBe(2);
  });
});
