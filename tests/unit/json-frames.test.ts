// The JSON-lines framing (docs/protocol.md): every frame a program may send
// parses, nothing a client sends makes the parser throw, a frame's id comes
// back on its answer, and a stream of frames cut anywhere by TCP comes out
// of the line splitter as exactly those frames.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseClientFrame, type ClientFrame, type Parsed } from "../../core/wire/client-frames.ts";
import { LineSplitter } from "../../core/wire/lines.ts";
import { cut } from "../helpers/cut.ts";

const TYPES = ["hello", "nick", "say", "msg", "rename", "list", "help", "command", "quit", "ping"] as const;

/** What parsing `line` must give: ok, and the object the line holds. */
const parsedOk = (line: string): Parsed => ({ ok: true, frame: JSON.parse(line) as ClientFrame });

/** The outcome must be a frame of a known type, or an error with a framing code and a message. */
function expectWellFormed(result: Parsed): void {
  if (result.ok) {
    expect(TYPES as readonly string[]).toContain(result.frame.type);
  } else {
    expect(["bad_json", "bad_frame"]).toContain(result.code);
    expect(typeof result.message).toBe("string");
    expect(result.message.length).toBeGreaterThan(0);
  }
}

describe("every client frame of docs/protocol.md parses", () => {
  // The examples of the protocol document, as written there.
  const examples = [
    '{"type":"hello","client":"mybot","version":1}',
    '{"type":"nick","nick":"bot","id":1}',
    '{"type":"say","text":"hello, 世界 👋"}',
    '{"type":"say","text":"with an ack","id":"m-17"}',
    '{"type":"msg","to":"amy","text":"psst","id":2}',
    '{"type":"rename","nick":"robot","id":3}',
    '{"type":"list","id":4}',
    '{"type":"help","id":5}',
    '{"type":"command","name":"roll","args":"2d6","id":6}',
    '{"type":"command","name":"me","args":["waves"]}',
    '{"type":"ping","id":7}',
    '{"type":"quit","reason":"done"}',
  ];
  for (const line of examples) {
    test(line, () => {
      expect(parseClientFrame(line)).toEqual(parsedOk(line));
    });
  }

  test("the optional fields may be left out: a bare hello, command without args, quit without reason", () => {
    for (const line of ['{"type":"hello"}', '{"type":"hello","version":1}', '{"type":"command","name":"list"}', '{"type":"quit"}', '{"type":"list"}', '{"type":"help"}', '{"type":"ping"}']) {
      expect(parseClientFrame(line)).toEqual(parsedOk(line));
    }
  });

  test("whitespace around and inside the object is fine, as JSON allows", () => {
    const line = '  { "type" : "say" ,\t"text" : "hi" }  ';
    expect(parseClientFrame(line)).toEqual({ ok: true, frame: { type: "say", text: "hi" } });
  });

  test("an args array may be empty, and fields the server does not know are ignored", () => {
    expect(parseClientFrame('{"type":"command","name":"list","args":[]}').ok).toBe(true);
    expect(parseClientFrame('{"type":"say","text":"hi","colour":"red","extra":{"a":[1]}}').ok).toBe(true);
  });
});

describe("a line that is not a JSON object is bad_json", () => {
  const cases = ["", " ", "hello", "{", '{"type":"say"', '{"type":"say","text":"hi"} and more', "[]", '[{"type":"ping"}]', "null", "42", "true", '"ping"', "{'type':'ping'}", "\u0000"];
  for (const line of cases) {
    test(JSON.stringify(line), () => {
      const result = parseClientFrame(line);
      expect(result).toMatchObject({ ok: false, code: "bad_json" });
      expect(result).not.toHaveProperty("id");
    });
  }
});

describe("an object that is not a frame is bad_frame", () => {
  const cases: [string, string][] = [
    ["no type", "{}"],
    ["a type that is not a string", '{"type":5}'],
    ["an unknown type", '{"type":"shout","text":"hi"}'],
    ["a type in the wrong case", '{"type":"SAY","text":"hi"}'],
    ["a type named after an Object.prototype key: __proto__", '{"type":"__proto__"}'],
    ["a type named after an Object.prototype key: constructor", '{"type":"constructor"}'],
    ["a type named after an Object.prototype key: toString", '{"type":"toString"}'],
    ["a type named after an Object.prototype key: hasOwnProperty", '{"type":"hasOwnProperty"}'],
    ["say without text", '{"type":"say"}'],
    ["say with a number for text", '{"type":"say","text":5}'],
    ["say with null for text", '{"type":"say","text":null}'],
    ["msg without to", '{"type":"msg","text":"hi"}'],
    ["msg with an array for to", '{"type":"msg","to":["amy"],"text":"hi"}'],
    ["nick without nick", '{"type":"nick"}'],
    ["rename with an object for nick", '{"type":"rename","nick":{}}'],
    ["command without name", '{"type":"command","args":"2d6"}'],
    ["command with a number for args", '{"type":"command","name":"roll","args":2}'],
    ["command with a non-string in the args array", '{"type":"command","name":"me","args":["waves",1]}'],
    ["command with null in the args array", '{"type":"command","name":"me","args":[null]}'],
    ["quit with a number for reason", '{"type":"quit","reason":1}'],
    ["hello for protocol version 2", '{"type":"hello","version":2}'],
    ['hello with the version as a string ("1")', '{"type":"hello","version":"1"}'],
    ["an id that is an object", '{"type":"ping","id":{}}'],
    ["an id that is a boolean", '{"type":"ping","id":true}'],
    ["an id that is null", '{"type":"ping","id":null}'],
    ["an id that is an array", '{"type":"ping","id":[1]}'],
    ["an id that overflows to Infinity", '{"type":"ping","id":1e999}'],
  ];
  for (const [what, line] of cases) {
    test(what, () => {
      expect(parseClientFrame(line)).toMatchObject({ ok: false, code: "bad_frame" });
    });
  }

  // docs/protocol.md: "a field of the wrong type ... get[s] an error frame".
  test("hello with a client that is not a string", () => {
    expect(parseClientFrame('{"type":"hello","client":5,"version":1}')).toMatchObject({ ok: false, code: "bad_frame" });
    expect(parseClientFrame('{"type":"hello","client":{"name":"x"}}')).toMatchObject({ ok: false, code: "bad_frame" });
  });
});

describe("the id of a frame comes back", () => {
  test("a frame keeps its id, a string or a number, zero and the empty string included", () => {
    for (const id of [1, 0, -3, 2.5, "m-17", "", "世界"]) {
      const result = parseClientFrame(JSON.stringify({ type: "ping", id }));
      expect(result).toEqual({ ok: true, frame: { type: "ping", id } });
    }
  });

  test("an error about a frame with a valid id carries that id", () => {
    expect(parseClientFrame('{"type":"shout","id":"x"}')).toMatchObject({ ok: false, code: "bad_frame", id: "x" });
    expect(parseClientFrame('{"type":"say","id":0}')).toMatchObject({ ok: false, code: "bad_frame", id: 0 });
    expect(parseClientFrame('{"id":""}')).toMatchObject({ ok: false, code: "bad_frame", id: "" });
  });

  test("an error about an invalid id carries no id", () => {
    const result = parseClientFrame('{"type":"ping","id":{"n":1}}');
    expect(result).toMatchObject({ ok: false, code: "bad_frame" });
    expect(result).not.toHaveProperty("id");
  });
});

// -- properties ------------------------------------------------------------

// Text with every kind of code point: astral, lone surrogates (JSON.stringify
// escapes them), controls, and DEL (which JSON.stringify leaves raw).
const anyText = fc.string({ unit: "binary", maxLength: 30 });
const validId = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const withId = <T extends object>(frame: fc.Arbitrary<T>) =>
  fc.tuple(frame, fc.option(validId, { nil: undefined })).map(([f, id]) => (id === undefined ? f : { ...f, id }));

/** Every frame docs/protocol.md lets a client send, with and without its optional fields. */
const validFrame = withId(
  fc.oneof(
    fc.record({ type: fc.constant("hello"), client: anyText, version: fc.constant(1) }, { requiredKeys: ["type"] }),
    fc.record({ type: fc.constant("nick"), nick: anyText }),
    fc.record({ type: fc.constant("say"), text: anyText }),
    fc.record({ type: fc.constant("msg"), to: anyText, text: anyText }),
    fc.record({ type: fc.constant("rename"), nick: anyText }),
    fc.record({ type: fc.constantFrom("list", "help", "ping") }),
    fc.record({ type: fc.constant("command"), name: anyText, args: fc.oneof(anyText, fc.array(anyText, { maxLength: 4 })) }, { requiredKeys: ["type", "name"] }),
    fc.record({ type: fc.constant("quit"), reason: anyText }, { requiredKeys: ["type"] }),
  ),
);

// Objects close to frames: a known or near-known type, and each field
// missing, right, or of some wrong type.
const anyValue = fc.oneof(anyText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(anyText, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }));
// Mostly the right type, so that every frame type is accepted now and then.
const field = fc.oneof({ weight: 4, arbitrary: anyText }, { weight: 1, arbitrary: anyValue });
const nearFrame = fc
  .record(
    {
      type: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TYPES) }, fc.constantFrom("shout", "SAY", "", "__proto__", "constructor", "toString"), anyValue),
      id: fc.oneof(validId, anyValue),
      client: field,
      nick: field,
      text: field,
      to: field,
      name: field,
      args: fc.oneof(field, fc.array(field, { maxLength: 3 })),
      reason: field,
      version: fc.oneof(fc.constant(1), anyValue),
    },
    { requiredKeys: [] },
  )
  .map((o) => o as Record<string, unknown>);

/** The rules of docs/protocol.md, written independently of the parser. */
function isFrameBySpec(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const f = value as Record<string, unknown>;
  const str = (v: unknown) => typeof v === "string";
  const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);
  if (!optional(f.id, (id) => str(id) || (typeof id === "number" && Number.isFinite(id)))) return false;
  switch (f.type) {
    case "hello":
      return optional(f.client, str) && optional(f.version, (v) => v === 1);
    case "nick":
    case "rename":
      return str(f.nick);
    case "say":
      return str(f.text);
    case "msg":
      return str(f.to) && str(f.text);
    case "command":
      return str(f.name) && optional(f.args, (a) => str(a) || (Array.isArray(a) && a.every(str)));
    case "quit":
      return optional(f.reason, str);
    case "list":
    case "help":
    case "ping":
      return true;
    default:
      return false;
  }
}

describe("property: nothing a client sends makes the parser throw", () => {
  test("any string gives a frame or a bad_json/bad_frame error", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: fc.constantFrom(..."{}[]\":,\\ntype sayid0-1e9.") })), (line) => {
        expectWellFormed(parseClientFrame(line));
      }),
      { numRuns: 2000 },
    );
  });

  test("any JSON value gives a frame or an error; bad_json exactly when it is not an object", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const line = JSON.stringify(value);
        const result = parseClientFrame(line);
        expectWellFormed(result);
        const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
        if (!result.ok) expect(result.code).toBe(isObject ? "bad_frame" : "bad_json");
      }),
      { numRuns: 1000 },
    );
  });

  test("a valid frame with a byte cut out or put in never throws", () => {
    fc.assert(
      fc.property(validFrame, fc.nat(), fc.string({ maxLength: 2 }), (frame, at, insert) => {
        const line = JSON.stringify(frame);
        const i = at % (line.length + 1);
        expectWellFormed(parseClientFrame(line.slice(0, i) + line.slice(i + 1)));
        expectWellFormed(parseClientFrame(line.slice(0, i) + insert + line.slice(i)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("a value that cannot be made a string", () => {
  test("a hello whose version is an object with a toString that is not a function is refused, not thrown on", () => {
    const result = parseClientFrame('{"type":"hello","version":{"toString":""}}');
    expect(result).toEqual(expect.objectContaining({ ok: false, code: "bad_frame" }));
  });
});

describe("property: the parser follows docs/protocol.md", () => {
  test("every valid frame parses to itself", () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        const line = JSON.stringify(frame);
        expect(parseClientFrame(line)).toEqual(parsedOk(line));
      }),
      { numRuns: 1000 },
    );
  });

  test("an object near a frame is accepted exactly when the protocol says it is a frame", () => {
    fc.assert(
      fc.property(nearFrame, (object) => {
        const line = JSON.stringify(object);
        const value = JSON.parse(line) as unknown;
        const result = parseClientFrame(line);
        expectWellFormed(result);
        expect(result.ok).toBe(isFrameBySpec(value));
        if (!result.ok) expect(result.code).toBe("bad_frame");
      }),
      { numRuns: 3000 },
    );
  });

  test("a valid id is echoed on the frame or on its error; an invalid one never is", () => {
    fc.assert(
      fc.property(fc.oneof(validFrame, nearFrame), (object) => {
        const line = JSON.stringify(object);
        const { id } = JSON.parse(line) as { id?: unknown };
        const valid = typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
        const result = parseClientFrame(line);
        const echoed = result.ok ? result.frame.id : result.id;
        if (valid) expect(echoed).toBe(id as string | number);
        else expect(echoed).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});

// -- a stream of frames through the line splitter ---------------------------

/**
 * Feeds `pieces` to a splitter set up as a JSON session has it (erasing off:
 * backspace and DEL are data there), no line limit in reach; the lines, the
 * stream ended.
 */
function lines(pieces: Uint8Array[], options: { erase?: boolean } = {}): string[] {
  const out: string[] = [];
  const splitter = new LineSplitter(1024 * 1024, { line: (text) => out.push(text), tooLong: (bytes) => out.push(`(too long: ${bytes} bytes)`) });
  splitter.erase = options.erase ?? false;
  for (const piece of pieces) splitter.feed(piece);
  splitter.end();
  return out;
}


const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
/** What a program writes: each frame, then LF or CR LF. */
const stream = fc.array(fc.tuple(validFrame, fc.constantFrom("\n", "\r\n")), { maxLength: 12 });
const wire = (frames: [object, string][]) => utf8(frames.map(([f, end]) => JSON.stringify(f) + end).join(""));

describe("property: frames cut anywhere by TCP arrive whole", () => {
  test("the lines are exactly the frames sent, in order, however the bytes are split", () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 30 }), (frames, points) => {
        const received = lines(cut(wire(frames), points)).map(parseClientFrame);
        expect(received).toEqual(frames.map(([f]) => parsedOk(JSON.stringify(f))));
      }),
      { numRuns: 1000 },
    );
  });

  test("a stream split one byte per read gives the same lines as unsplit", () => {
    fc.assert(
      fc.property(stream, (frames) => {
        const bytes = wire(frames);
        expect(lines([...bytes].map((b) => Uint8Array.of(b)))).toEqual(lines([bytes]));
      }),
      { numRuns: 200 },
    );
  });

  test("any bytes, split anywhere, give the same parse results as unsplit, and nothing throws", () => {
    const jsonish = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...utf8('{"type":"say","text":"\\u00e9"}\r\n'), 0xe4, 0xbd, 0xa0, 0x7f, 0x08));
    fc.assert(
      fc.property(fc.array(jsonish, { maxLength: 300 }), fc.array(fc.nat(), { maxLength: 20 }), (data, points) => {
        const bytes = Uint8Array.from(data);
        for (const erase of [false, true]) {
          const whole = lines([bytes], { erase }).map(parseClientFrame);
          whole.forEach(expectWellFormed);
          expect(lines(cut(bytes, points), { erase }).map(parseClientFrame)).toEqual(whole);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

// JSON.stringify leaves U+007F (DEL) unescaped, so a program's frame may
// hold it raw. A terminal's erase keys belong to text lines only: in a JSON
// line DEL is data (with erasing on, {"type":"say","text":"<DEL>"} would
// lose its opening quote and be bad_json).
describe("a frame holding a raw DEL arrives as sent", () => {
  const sent = ["a\x7fb", "\x7f", "\b\x15"].map((text) => JSON.stringify({ type: "say", text, id: 1 }));

  test("with erasing off, as for a JSON session, the frames are unchanged", () => {
    expect(sent[0]).toContain("\x7f");
    expect(lines([utf8(sent.join("\r\n") + "\r\n")]).map(parseClientFrame)).toEqual(sent.map(parsedOk));
  });

  test("with erasing on, as for a person typing, DEL still erases", () => {
    expect(lines([utf8("ab\x7fc\n")], { erase: true })).toEqual(["ac"]);
  });
});
