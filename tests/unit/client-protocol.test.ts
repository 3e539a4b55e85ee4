// The client's side of the wire: however TCP cuts the server's bytes, each
// line arrives once and whole, and a line is read as a frame only when it is
// a JSON object with a type.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { hello, LineCutter, readLine, toLine } from "../../core/client/protocol.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

function cut(chunks: Uint8Array[], maxLine?: number) {
  const lines: string[] = [];
  const cutter = new LineCutter((line) => lines.push(line), maxLine);
  for (const chunk of chunks) cutter.feed(chunk);
  cutter.end();
  return { lines, dropped: cutter.dropped };
}

/** The bytes cut at every position in `cuts`. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const c of at) {
    parts.push(bytes.subarray(from, c));
    from = c;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

describe("server lines, however the bytes are cut", () => {
  const stream = utf8('Welcome to parley!\r\n{"type":"said","from":"丽","text":"你好 👋"}\n{"type":"pong","time":"t"}\r\nlast');

  test("one read gives every line, CR LF or LF, and a last line without a newline", () => {
    expect(cut([stream]).lines).toEqual(['Welcome to parley!', '{"type":"said","from":"丽","text":"你好 👋"}', '{"type":"pong","time":"t"}', "last"]);
  });

  test("a byte at a time gives the same lines: characters split across reads arrive whole", () => {
    const bytes = [...stream].map((b) => Uint8Array.of(b));
    expect(cut(bytes).lines).toEqual(cut([stream]).lines);
  });

  test("cut anywhere, the lines are the same", () => {
    const whole = cut([stream]).lines;
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(cut(split(stream, cuts)).lines).toEqual(whole);
      }),
    );
  });

  test("any text, cut anywhere, comes back line for line", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\n") && !s.endsWith("\r")), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const bytes = utf8(lines.map((l) => l + "\n").join(""));
        expect(cut(split(bytes, cuts)).lines).toEqual(lines);
      }),
    );
  });

  test("a line over the limit is dropped and counted; the next line is whole", () => {
    const { lines, dropped } = cut([utf8("x".repeat(30)), utf8("y".repeat(30) + "\nshort\n")], 40);
    expect(lines).toEqual(["short"]);
    expect(dropped).toBe(1);
  });
});

describe("a line is a frame or text", () => {
  test("a JSON object with a string type is a frame", () => {
    expect(readLine('{"type":"said","from":"amy","text":"hi"}')).toEqual({ kind: "frame", frame: { type: "said", from: "amy", text: "hi" } });
    expect(readLine('  {"type":"pong","time":"x","id":7}  ')).toEqual({ kind: "frame", frame: { type: "pong", time: "x", id: 7 } });
  });

  test("greetings, broken JSON, arrays and objects without a type are text", () => {
    for (const line of ["Welcome to parley! 1 person online.", "{not json}", '["type"]', '{"kind":"said"}', '{"type":3}', "{", ""]) {
      expect(readLine(line)).toEqual({ kind: "text", line });
    }
  });
});

describe("frames the client sends", () => {
  test("one JSON object per line; the hello names the client and the protocol version", () => {
    expect(toLine(hello())).toBe('{"type":"hello","client":"parley-connect","version":1}\n');
    expect(toLine({ type: "say", text: "a\nb", id: "pc1" })).toBe('{"type":"say","text":"a\\nb","id":"pc1"}\n');
  });
});
