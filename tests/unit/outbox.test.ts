// The outbox: what waits for one client is delivered whole and in order,
// and the cap bounds the memory it holds, however small the writes.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ENTRY_COST, Outbox } from "../../core/chat/outbox.ts";

/** A transport that takes the first write, then is full until `drain()`. */
function sink() {
  const written: Uint8Array[] = [];
  let full = false;
  return {
    written,
    writableLength: 0,
    write(bytes: Uint8Array): boolean {
      written.push(bytes.slice());
      if (full) return false;
      full = true;
      return false;
    },
    /** the kernel took everything: room again */
    drain(): void {
      full = false;
    },
    text: () => Buffer.concat(written).toString("latin1"),
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const reply = (n: number) => Uint8Array.of(255, 252, n % 256);

describe("small writes", () => {
  test("100,000 three-byte telnet replies to a client that does not read hold about their bytes, not an array entry each", () => {
    const s = sink();
    let cut = 0;
    const box = new Outbox(s, 1024 * 1024, () => cut++);
    box.push(Buffer.from("first"));
    box.flush(); // the transport is now full: everything else waits in the outbox
    for (let i = 0; i < 100_000; i++) box.push(reply(i));
    expect(cut).toBe(0);
    // 300,000 bytes of payload; the buffers they were copied into cost little more.
    expect(box.pending).toBeGreaterThanOrEqual(300_000);
    expect(box.pending).toBeLessThan(300_000 * 1.1);
  });

  test("a client that streams negotiation and never reads is cut once the memory held passes the cap", () => {
    const s = sink();
    let cutAt = 0;
    const cap = 64 * 1024;
    const box = new Outbox(s, cap, (pending) => (cutAt = pending));
    box.push(Buffer.from("x"));
    box.flush();
    let pushed = 0;
    while (!cutAt && pushed < 1_000_000) box.push(reply(pushed++));
    expect(cutAt).toBeGreaterThan(cap);
    // Cut near the cap: the payload queued is at least most of it, never more.
    expect(pushed * 3).toBeGreaterThan(cap * 0.7);
    expect(pushed * 3).toBeLessThanOrEqual(cap);
  });

  test("each write bigger than the coalescing size is charged its bytes and ENTRY_COST", () => {
    const s = sink();
    const box = new Outbox(s, 1024 * 1024, () => {});
    box.push(Buffer.from("x"));
    box.flush();
    const big = new Uint8Array(1000);
    for (let i = 0; i < 10; i++) box.push(big);
    expect(box.pending).toBe(10 * (1000 + ENTRY_COST));
  });
});

describe("order and completeness", () => {
  test("any mix of small and big writes arrives whole and in order, across full transports and drains", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.boolean()), { minLength: 1, maxLength: 60 }), async (writes) => {
        const s = sink();
        const box = new Outbox(s, 1024 * 1024, () => {
          throw new Error("cut");
        });
        let expected = "";
        let n = 0;
        for (const [size, drainAfter] of writes) {
          const text = String.fromCharCode(97 + (n++ % 26)).repeat(size);
          expected += text;
          box.push(Buffer.from(text));
          if (drainAfter) {
            s.drain();
            box.drained();
          }
        }
        await turn();
        for (let i = 0; i < writes.length + 2; i++) {
          s.drain();
          box.drained();
        }
        await box.whenEmpty();
        expect(s.text()).toBe(expected);
        expect(box.pending).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  test("whenEmpty waits for bytes still in the coalescing buffer", async () => {
    const s = sink();
    const box = new Outbox(s, 1024 * 1024, () => {});
    box.push(Buffer.from("a"));
    box.flush();
    box.push(Buffer.from("b"));
    let done = false;
    void box.whenEmpty().then(() => (done = true));
    await turn();
    expect(done).toBe(false);
    s.drain();
    box.drained();
    s.drain();
    box.drained();
    await turn();
    expect(done).toBe(true);
    expect(s.text()).toBe("ab");
  });
});
