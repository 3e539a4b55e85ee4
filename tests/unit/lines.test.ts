// The line splitter: whatever way a client ends its lines and however TCP
// cuts the bytes, each line arrives once, whole, as text.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { applyErasures, LineSplitter } from "../../core/wire/lines.ts";
import { cut } from "../helpers/cut.ts";

type Event = { line: string } | { tooLong: number };

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A splitter that records what it reports. */
function splitter(maxLine = 100) {
  const events: Event[] = [];
  const lines = new LineSplitter(maxLine, {
    line: (text) => events.push({ line: text }),
    tooLong: (bytes) => events.push({ tooLong: bytes }),
  });
  return { lines, events };
}

/** Feeds each chunk in turn (text as UTF-8), then ends the stream when asked. */
function split(chunks: (string | Uint8Array)[], options: { maxLine?: number; end?: boolean } = {}): Event[] {
  const { lines, events } = splitter(options.maxLine);
  for (const chunk of chunks) lines.feed(typeof chunk === "string" ? utf8(chunk) : chunk);
  if (options.end) lines.end();
  return events;
}

const said = (...texts: string[]): Event[] => texts.map((line) => ({ line }));

describe("every way a client ends a line", () => {
  test("LF, CR LF, CR NUL and a bare CR each end one line", () => {
    expect(split(["unix\n"])).toEqual(said("unix"));
    expect(split(["telnet\r\n"])).toEqual(said("telnet"));
    expect(split(["nvt\r\0"])).toEqual(said("nvt"));
    expect(split(["old mac\r"])).toEqual(said("old mac"));
  });

  test("mixed endings in one read give one line each", () => {
    expect(split(["a\nb\r\nc\r\0d\re\n"])).toEqual(said("a", "b", "c", "d", "e"));
  });

  test("empty lines are lines too", () => {
    expect(split(["\n\r\n\r\0\r"])).toEqual(said("", "", "", ""));
  });

  test("CR at the end of one read and LF at the start of the next is one line end", () => {
    expect(split(["hello\r", "\nworld\r\n"])).toEqual(said("hello", "world"));
    expect(split(["hello\r", "\0world\n"])).toEqual(said("hello", "world"));
    expect(split(["hello\r", "", "\nworld\n"])).toEqual(said("hello", "world"));
  });

  test("a bare CR at the end of a read followed by text starts the next line", () => {
    expect(split(["one\r", "two\r"])).toEqual(said("one", "two"));
  });

  test("two CRs are two line ends, even when CR LF follows", () => {
    expect(split(["a\r\r\nb\n"])).toEqual(said("a", "", "b"));
    expect(split(["a\r", "\r", "\nb\n"])).toEqual(said("a", "", "b"));
  });
});

describe("characters split across reads arrive whole", () => {
  const texts = ["你好世界", "こんにちは", "héllo wörld", "😀👍🏽", "👩‍👩‍👧 family", "🇯🇵🇫🇷", "مرحبا"];

  for (const text of texts) {
    test(`"${text}" cut at every byte position`, () => {
      const bytes = utf8(`${text}\n`);
      for (let at = 0; at <= bytes.length; at++) {
        expect(split([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(said(text));
      }
    });
  }

  test("a line sent one byte per read", () => {
    const bytes = utf8("你好, 😀!\r\n");
    expect(split([...bytes].map((b) => Uint8Array.of(b)))).toEqual(said("你好, 😀!"));
  });
});

describe("invalid UTF-8 becomes U+FFFD", () => {
  test("a stray byte, a cut-off character and an overlong form each become replacement characters", () => {
    expect(split([Uint8Array.of(0x61, 0xff, 0x62, 0x0a)])).toEqual(said("a\uFFFDb"));
    expect(split([Uint8Array.of(0x61, 0xe4, 0xbd, 0x0a)])).toEqual(said("a\uFFFD"));
    expect(split([Uint8Array.of(0xc0, 0xaf, 0x0a)])).toEqual(said("\uFFFD\uFFFD"));
  });

  test("the bad line does not spoil the next one", () => {
    expect(split([Uint8Array.of(0xe4, 0xbd, 0x0a), utf8("你好\n")])).toEqual(said("\uFFFD", "你好"));
  });
});

describe("an over-long line is dropped and reported once", () => {
  test("one tooLong with the byte count, no line, and the next line is fine", () => {
    expect(split([`${"x".repeat(25)}\nok\n`], { maxLine: 10 })).toEqual([{ tooLong: 25 }, { line: "ok" }]);
  });

  test("the same when it streams in one byte at a time", () => {
    const bytes = utf8(`${"x".repeat(25)}\r\nok\r\n`);
    const { lines, events } = splitter(10);
    for (const b of bytes) {
      lines.feed(Uint8Array.of(b));
      expect(lines.pending).toBeLessThanOrEqual(10);
    }
    expect(events).toEqual([{ tooLong: 25 }, { line: "ok" }]);
  });

  test("exactly maxLine bytes is allowed, one more is not", () => {
    expect(split(["0123456789\n"], { maxLine: 10 })).toEqual(said("0123456789"));
    expect(split(["0123456789a\n"], { maxLine: 10 })).toEqual([{ tooLong: 11 }]);
  });

  test("the limit counts bytes, not characters", () => {
    expect(split(["你好世界\n"], { maxLine: 10 })).toEqual([{ tooLong: 12 }]);
  });

  test("an over-long last line without an ending is reported when the stream ends", () => {
    expect(split(["x".repeat(8), "x".repeat(8)], { maxLine: 10, end: true })).toEqual([{ tooLong: 16 }]);
  });
});

describe("the end of the stream", () => {
  test("end() delivers an unterminated last line", () => {
    expect(split(["hello\nbye"], { end: true })).toEqual(said("hello", "bye"));
  });

  test("end() adds nothing after a finished line, even one ended by a bare CR", () => {
    expect(split(["hello\n"], { end: true })).toEqual(said("hello"));
    expect(split(["hello\r"], { end: true })).toEqual(said("hello"));
    expect(split([], { end: true })).toEqual([]);
  });
});

describe("erasing as a line-mode terminal would", () => {
  test("backspace and DEL erase the character before them", () => {
    expect(applyErasures("helo\blo")).toBe("hello");
    expect(applyErasures("hex\x7f\x7fello")).toBe("hello");
  });

  test("a whole code point is erased: an emoji, a Chinese character", () => {
    expect(applyErasures("ok😀\b!")).toBe("ok!");
    expect(applyErasures("你好\x7f")).toBe("你");
  });

  test("backspace at the start of a line erases nothing", () => {
    expect(applyErasures("\b\b\x7fhi")).toBe("hi");
  });

  test("^U erases everything typed before it", () => {
    expect(applyErasures("wrong\x15right")).toBe("right");
  });

  test("text without erasures comes back unchanged", () => {
    expect(applyErasures("plain 你好 😀")).toBe("plain 你好 😀");
  });

  test("erasures typed in a raw client reach the line splitter's output", () => {
    expect(split(["abx\bc\r\n", "junk\x15ok\n"])).toEqual(said("abc", "ok"));
  });
});

// Bytes heavy in line endings, NUL, erasures and multi-byte characters.
const lineByte = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) },
  { weight: 3, arbitrary: fc.constantFrom(0x0d, 0x0a, 0x00, 0x08, 0x7f, 0x15) },
  { weight: 2, arbitrary: fc.constantFrom(0x61, 0xe4, 0xbd, 0xa0, 0xf0, 0x9f, 0x98, 0x80) },
);
const lineBytes = fc.array(lineByte, { maxLength: 200 }).map((a) => Uint8Array.from(a));


describe("property: how the bytes are split into reads does not matter", () => {
  test("split anywhere, the same lines and tooLong reports come out as unsplit", () => {
    fc.assert(
      fc.property(lineBytes, fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 1, max: 30 }), (data, points, maxLine) => {
        const whole = split([data], { maxLine, end: true });
        expect(split(cut(data, points), { maxLine, end: true })).toEqual(whole);
      }),
      { numRuns: 1000 },
    );
  });

  test("a reused input buffer does not change lines already being collected", () => {
    const { lines, events } = splitter();
    const buffer = utf8("abc");
    lines.feed(buffer);
    buffer.set(utf8("xyz"));
    lines.feed(utf8("\n"));
    expect(events).toEqual(said("abc"));
  });
});

describe("property: memory stays bounded", () => {
  test("pending never exceeds maxLine, whatever arrives", () => {
    fc.assert(
      fc.property(fc.array(lineBytes, { maxLength: 10 }), fc.integer({ min: 1, max: 30 }), (chunks, maxLine) => {
        const { lines } = splitter(maxLine);
        for (const chunk of chunks) {
          lines.feed(chunk);
          expect(lines.pending).toBeLessThanOrEqual(maxLine);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("an unfinished line is kept in one buffer", () => {
  /** The buffer the splitter holds for the line being collected (white-box: its size is the memory cost). */
  const held = (lines: LineSplitter): number => (lines as unknown as { buffer: Uint8Array | null }).buffer?.length ?? 0;

  test("4000 bytes sent one byte per read: one buffer, at most maxLine, dropped when the line ends", () => {
    const { lines, events } = splitter(4096);
    const byte = utf8("x");
    for (let i = 0; i < 4000; i++) {
      lines.feed(byte);
      expect(held(lines)).toBeLessThanOrEqual(4096);
    }
    expect(lines.pending).toBe(4000);
    expect(held(lines)).toBe(4096);
    lines.feed(utf8("\r\n"));
    expect(events).toEqual(said("x".repeat(4000)));
    expect(held(lines)).toBe(0);
  });

  test("property: what is held never passes maxLine, nor twice what is pending plus the first buffer", () => {
    fc.assert(
      fc.property(fc.array(lineBytes, { maxLength: 30 }), fc.integer({ min: 1, max: 5000 }), (chunks, maxLine) => {
        const { lines } = splitter(maxLine);
        for (const chunk of chunks) {
          lines.feed(chunk);
          expect(held(lines)).toBeLessThanOrEqual(maxLine);
          expect(held(lines)).toBeLessThanOrEqual(Math.max(256, 2 * lines.pending));
        }
      }),
      { numRuns: 500 },
    );
  });

  test("a line past maxLine, sent a byte at a time, frees its buffer and is reported with every byte counted", () => {
    const { lines, events } = splitter(100);
    for (let i = 0; i < 250; i++) lines.feed(utf8("y"));
    expect(held(lines)).toBe(0);
    lines.feed(utf8("\nnext\n"));
    expect(events).toEqual([{ tooLong: 250 }, { line: "next" }]);
  });
});
