// A room's turn buffer (core/chat/turn-buffer.ts): lines appended once reach
// every follower whole and in order, interleaved with what each is sent
// directly exactly as they were sent; a skipped line (the sender's own)
// never reaches that follower; joining and leaving the buffer mid-turn
// loses and repeats nothing. Driven against real Outboxes with transports
// that take a write or refuse it until drained.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Outbox } from "../../core/chat/outbox.ts";
import { TurnBuffer } from "../../core/chat/turn-buffer.ts";

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A transport that records what it was given; when `full`, it keeps the bytes but says wait. */
function sink() {
  const written: Uint8Array[] = [];
  return {
    written,
    writableLength: 0,
    full: false,
    write(bytes: Uint8Array): boolean {
      written.push(bytes.slice());
      return !this.full;
    },
    text(): string {
      return Buffer.concat(this.written).toString("utf8");
    },
  };
}

function follower(buffer: TurnBuffer | null) {
  const s = sink();
  const box = new Outbox(s, 64 * 1024 * 1024, () => {
    throw new Error("cut");
  });
  if (buffer) buffer.add(box);
  return { s, box };
}

describe("one append, every follower", () => {
  test("a turn's lines reach each follower in one write, a sender's own line skipped", async () => {
    const buffer = new TurnBuffer();
    const [a, b, c] = [follower(buffer), follower(buffer), follower(buffer)];
    for (let i = 0; i < 10; i++) {
      const start = buffer.append(Buffer.from(`line ${i}\r\n`));
      if (i % 3 === 0) a.box.skip(start, buffer.length); // a said these
    }
    await turn();
    expect(b.s.written.length).toBe(1);
    expect(b.s.text()).toBe(Array.from({ length: 10 }, (_, i) => `line ${i}\r\n`).join(""));
    expect(c.s.text()).toBe(b.s.text());
    expect(a.s.text()).toBe([1, 2, 4, 5, 7, 8].map((i) => `line ${i}\r\n`).join(""));
  });

  test("what is pushed to a follower directly comes after the lines appended before it, and before those after", async () => {
    const buffer = new TurnBuffer();
    const a = follower(buffer);
    buffer.append(Buffer.from("one\r\n"));
    a.box.push(Buffer.from("* private\r\n"));
    buffer.append(Buffer.from("two\r\n"));
    await turn();
    expect(a.s.text()).toBe("one\r\n* private\r\ntwo\r\n");
  });

  test("a burst past the hand-out size goes out while the turn goes on, and nothing of it is lost", async () => {
    const buffer = new TurnBuffer();
    const a = follower(buffer);
    const line = Buffer.from("x".repeat(998) + "\r\n");
    for (let i = 0; i < 200; i++) buffer.append(line);
    // 200 KB in one turn: most of it was written before the turn ended.
    expect(a.s.written.length).toBeGreaterThan(0);
    await turn();
    expect(Buffer.concat(a.s.written).length).toBe(200 * 1000);
  });

  test("bytes handed out are never written over: a transport that keeps a view still has the right text", async () => {
    const buffer = new TurnBuffer();
    const s = { kept: [] as Uint8Array[], writableLength: 0, write: (b: Uint8Array) => (s.kept.push(b), true) };
    const box = new Outbox(s, 1 << 20, () => {});
    buffer.add(box);
    buffer.append(Buffer.from("first turn\r\n"));
    await turn();
    buffer.append(Buffer.from("second turn\r\n"));
    await turn();
    expect(s.kept.map((b) => Buffer.from(b).toString())).toEqual(["first turn\r\n", "second turn\r\n"]);
  });
});

describe("a follower cut while the turn is handed out", () => {
  test("its leave, relayed at once into the buffer, reaches the followers taken before it and after it", async () => {
    const buffer = new TurnBuffer();
    const a = follower(buffer);
    const s = sink();
    const cut = new Outbox(s, 10, () => buffer.append(Buffer.from("* b left\n")));
    buffer.add(cut);
    const c = follower(buffer);
    buffer.append(Buffer.from("a line longer than b's cap\n"));
    await turn();
    await turn();
    expect(a.s.text()).toBe("a line longer than b's cap\n* b left\n");
    expect(c.s.text()).toBe(a.s.text());
    expect(s.text()).toBe("");
  });

  test("a follower sent something directly meanwhile takes the rest of the old turn first", async () => {
    const buffer = new TurnBuffer();
    const a = follower(buffer);
    const s = sink();
    let c: ReturnType<typeof follower> | undefined;
    const cut = new Outbox(s, 10, () => c!.box.push(Buffer.from("<to c>")));
    buffer.add(cut);
    c = follower(buffer);
    buffer.append(Buffer.from("a line longer than the cap\n"));
    await turn();
    expect(c.s.text()).toBe("a line longer than the cap\n<to c>");
    expect(a.s.text()).toBe("a line longer than the cap\n");
  });
});

type Op =
  | { op: "line"; text: string; skip: number[] }
  | { op: "direct"; who: number; text: string }
  | { op: "leave"; who: number }
  | { op: "join"; who: number }
  | { op: "turn" }
  | { op: "full"; who: number; on: boolean };

const text = fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" });
const who = fc.nat({ max: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("line" as const), text, skip: fc.uniqueArray(who, { maxLength: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("direct" as const), who, text }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("leave" as const), who }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("join" as const), who }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("turn" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("full" as const), who, on: fc.boolean() }) },
);

describe("for any mix of lines, direct sends, joins, leaves, turns and full transports", () => {
  test("each reader gets exactly what was meant for it, in the order it was sent", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const buffer = new TurnBuffer();
        const readers = Array.from({ length: 4 }, () => follower(null));
        const following = [true, true, true, false];
        for (let i = 0; i < 4; i++) if (following[i]) buffer.add(readers[i]!.box);
        const expected = ["", "", "", ""];
        for (const o of ops) {
          switch (o.op) {
            case "line": {
              const start = buffer.append(Buffer.from(o.text + "\n"));
              for (let i = 0; i < 4; i++) {
                if (!following[i]) continue;
                if (o.skip.includes(i)) readers[i]!.box.skip(start, buffer.length);
                else expected[i] += o.text + "\n";
              }
              break;
            }
            case "direct":
              readers[o.who]!.box.push(Buffer.from(`<${o.text}>`));
              expected[o.who] += `<${o.text}>`;
              break;
            case "leave":
              buffer.remove(readers[o.who]!.box);
              following[o.who] = false;
              break;
            case "join":
              if (!following[o.who]) buffer.add(readers[o.who]!.box);
              following[o.who] = true;
              break;
            case "turn":
              await turn();
              break;
            case "full": {
              const r = readers[o.who]!;
              r.s.full = o.on;
              if (!o.on) r.box.drained();
              break;
            }
          }
        }
        for (const r of readers) {
          r.s.full = false;
          r.box.drained();
        }
        await turn();
        await turn();
        for (let i = 0; i < 4; i++) expect(readers[i]!.s.text()).toBe(expected[i]!);
      }),
      { numRuns: 300 },
    );
  });
});
