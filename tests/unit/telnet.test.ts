// The telnet filter, fed what real clients send. parley refuses every option
// (RFC 1143 Q method), keeps telnet commands out of the chat text, and turns
// telnet's editing commands into the keys a raw client would have sent.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { cut } from "../helpers/cut.ts";
import {
  AYT,
  DO,
  DONT,
  EC,
  EL,
  ERASE_CHAR,
  ERASE_LINE,
  escapeIAC,
  IAC,
  OPT_ECHO,
  OPT_SGA,
  SB,
  SE,
  TelnetFilter,
  type TelnetPolicy,
  WILL,
  WONT,
} from "../../core/wire/telnet.ts";

const NAWS = 31;
const TSPEED = 32;
const TTYPE = 24;
const NEW_ENVIRON = 39;
const NOP = 241;
const IS = 0;
const VAR = 0;
const VALUE = 1;

/** Bytes from numbers and UTF-8 text, in order. */
function bytes(...parts: (number | string)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "number") out.push(part);
    else out.push(...new TextEncoder().encode(part));
  }
  return Uint8Array.from(out);
}

/** A filter that records every reply it sends, one array per reply. */
function connection(policy?: TelnetPolicy) {
  const replies: number[][] = [];
  const filter = new TelnetFilter((reply) => replies.push([...reply]), policy);
  const feed = (...parts: (number | string)[]): number[] => [...filter.feed(bytes(...parts))];
  /** Replies since the last call. */
  const take = (): number[][] => replies.splice(0);
  return { filter, feed, take };
}

const text = (data: number[]): string => new TextDecoder().decode(Uint8Array.from(data));

// netkit telnet (Linux `telnet host port`), as in the tutorial's capture.
const NETKIT_OPENING = [
  IAC, WILL, NAWS, IAC, WILL, TSPEED, IAC, WILL, TTYPE, IAC, WILL, NEW_ENVIRON,
  IAC, DO, OPT_ECHO, IAC, WILL, OPT_SGA, IAC, DO, OPT_SGA,
];
// PuTTY in telnet mode walks its option table (putty/telnet.c `opts[]`) and
// asks for each option it wants: the same seven requests, in the same order.
const PUTTY_OPENING = [
  IAC, WILL, NAWS, // o_naws
  IAC, WILL, TSPEED, // o_tspeed
  IAC, WILL, TTYPE, // o_ttype (o_oenv starts inactive)
  IAC, WILL, NEW_ENVIRON, // o_nenv
  IAC, DO, OPT_ECHO, // o_echo
  IAC, WILL, OPT_SGA, // o_we_sga
  IAC, DO, OPT_SGA, // o_they_sga
];
const REFUSALS = [
  [IAC, DONT, NAWS],
  [IAC, DONT, TSPEED],
  [IAC, DONT, TTYPE],
  [IAC, DONT, NEW_ENVIRON],
  [IAC, WONT, OPT_ECHO],
  [IAC, DONT, OPT_SGA],
  [IAC, WONT, OPT_SGA],
];

describe("a netkit telnet client's opening handshake", () => {
  test("the hex capture matches what the tutorial shows", () => {
    const hex = Buffer.from(NETKIT_OPENING).toString("hex").toUpperCase().match(/../g)!.join(" ");
    expect(hex).toBe("FF FB 1F FF FB 20 FF FB 18 FF FB 27 FF FD 01 FF FB 03 FF FD 03");
  });

  test("the text typed after it arrives without any telnet bytes", () => {
    const c = connection();
    expect(text(c.feed(...NETKIT_OPENING, "hello\r\n"))).toBe("hello\r\n");
    expect(c.filter.seenTelnet).toBe(true);
  });

  test("every offer is refused exactly once: WILL x gets DONT x, DO x gets WONT x", () => {
    const c = connection();
    c.feed(...NETKIT_OPENING);
    expect(c.take()).toEqual(REFUSALS);
  });

  test("the client's own DONT and WONT for options already off get no reply", () => {
    const c = connection();
    c.feed(...NETKIT_OPENING);
    c.take();
    c.feed(IAC, WONT, NAWS, IAC, WONT, TTYPE, IAC, DONT, OPT_ECHO, IAC, WONT, OPT_SGA, IAC, DONT, OPT_SGA);
    expect(c.take()).toEqual([]);
    expect(c.filter.isLocal(OPT_ECHO)).toBe(false);
    expect(c.filter.isRemote(OPT_SGA)).toBe(false);
  });

  test("the handshake split byte by byte gets the same replies and data", () => {
    const c = connection();
    const data: number[] = [];
    for (const b of bytes(...NETKIT_OPENING, "hi\n")) data.push(...c.feed(b));
    expect(text(data)).toBe("hi\n");
    expect(c.take()).toEqual(REFUSALS);
  });
});

describe("PuTTY's telnet-mode opening", () => {
  test("its offers are refused once each, in the order it sent them", () => {
    const c = connection();
    c.feed(...PUTTY_OPENING);
    expect(c.take()).toEqual(REFUSALS);
  });

  test("window size, terminal type and environment subnegotiations never reach the chat", () => {
    const c = connection();
    c.feed(...PUTTY_OPENING);
    c.take();
    const data = c.feed(
      IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE,
      "hi ",
      IAC, SB, TTYPE, IS, "XTERM", IAC, SE,
      IAC, SB, TSPEED, IS, "38400,38400", IAC, SE,
      IAC, SB, NEW_ENVIRON, IS, VAR, "USER", VALUE, "bob", IAC, SE,
      "there\r\n",
    );
    expect(text(data)).toBe("hi there\r\n");
    expect(c.take()).toEqual([]);
  });

  test("a window 255 columns wide (its 0xFF doubled inside SB) is skipped too", () => {
    const c = connection();
    expect(text(c.feed(IAC, SB, NAWS, 0, IAC, IAC, 0, 24, IAC, SE, "ok"))).toBe("ok");
  });

  test("a subnegotiation split across reads is still skipped", () => {
    const c = connection();
    const data = [
      ...c.feed("a", IAC, SB, NAWS, 0),
      ...c.feed(80, 0, 24, IAC),
      ...c.feed(SE, "b"),
    ];
    expect(text(data)).toBe("ab");
  });
});

describe("a plain nc client's bytes pass through untouched", () => {
  test("text without 0xFF comes back as it was and nothing is replied", () => {
    const c = connection();
    const chunk = bytes("你好 world\r\n");
    expect(c.filter.feed(chunk)).toEqual(chunk);
    expect(c.take()).toEqual([]);
    expect(c.filter.seenTelnet).toBe(false);
  });
});

describe("telnet commands inside the text", () => {
  test("IAC IAC is a literal 0xFF byte", () => {
    expect(connection().feed("a", IAC, IAC, "b")).toEqual([0x61, 0xff, 0x62]);
  });

  test("IAC EC becomes backspace and IAC EL becomes ^U, for the line splitter", () => {
    const c = connection();
    expect(c.feed("ab", IAC, EC, "c", IAC, EL, "d")).toEqual([0x61, 0x62, ERASE_CHAR, 0x63, ERASE_LINE, 0x64]);
    expect(ERASE_CHAR).toBe(0x08);
    expect(ERASE_LINE).toBe(0x15);
  });

  test("NOP, data mark, break, interrupt, abort output, GA and a stray SE are dropped silently", () => {
    const c = connection();
    expect(text(c.feed("a", IAC, NOP, IAC, 242, IAC, 243, IAC, 244, IAC, 245, IAC, 249, IAC, SE, "b"))).toBe("ab");
    expect(c.take()).toEqual([]);
  });

  test("a command split from its IAC across reads is still a command", () => {
    const c = connection();
    expect([...c.feed("a", IAC), ...c.feed(WILL), ...c.feed(NAWS, "b")]).toEqual([0x61, 0x62]);
    expect(c.take()).toEqual([[IAC, DONT, NAWS]]);
  });
});

describe("are you there", () => {
  test("IAC AYT gets a visible answer and adds nothing to the text", () => {
    const c = connection();
    expect(c.feed(IAC, AYT)).toEqual([]);
    const replies = c.take();
    expect(replies).toHaveLength(1);
    expect(text(replies[0]!)).toMatch(/\S/);
  });
});

describe("turning on our echo while a password is typed", () => {
  test("requestLocal(ECHO) sends IAC WILL ECHO once, however often it is asked", () => {
    const c = connection();
    c.filter.requestLocal(OPT_ECHO, true);
    c.filter.requestLocal(OPT_ECHO, true);
    expect(c.take()).toEqual([[IAC, WILL, OPT_ECHO]]);
    expect(c.filter.isLocal(OPT_ECHO)).toBe(false);
  });

  test("the client's DO enables it without a further reply", () => {
    const c = connection();
    c.filter.requestLocal(OPT_ECHO, true);
    c.take();
    c.feed(IAC, DO, OPT_ECHO);
    expect(c.filter.isLocal(OPT_ECHO)).toBe(true);
    expect(c.take()).toEqual([]);
    c.feed(IAC, DO, OPT_ECHO); // a repeated DO for an enabled option: no loop
    expect(c.take()).toEqual([]);
  });

  test("the client's DONT leaves it off without a further reply", () => {
    const c = connection();
    c.filter.requestLocal(OPT_ECHO, true);
    c.take();
    c.feed(IAC, DONT, OPT_ECHO);
    expect(c.filter.isLocal(OPT_ECHO)).toBe(false);
    expect(c.take()).toEqual([]);
  });

  test("turning it off again sends WONT ECHO, and the DONT answer ends it", () => {
    const c = connection();
    c.filter.requestLocal(OPT_ECHO, true);
    c.feed(IAC, DO, OPT_ECHO);
    c.take();
    c.filter.requestLocal(OPT_ECHO, false);
    expect(c.take()).toEqual([[IAC, WONT, OPT_ECHO]]);
    c.feed(IAC, DONT, OPT_ECHO);
    expect(c.filter.isLocal(OPT_ECHO)).toBe(false);
    expect(c.take()).toEqual([]);
  });

  test("changing our mind before the answer is queued, not sent twice (RFC 1143 queue)", () => {
    const c = connection();
    c.filter.requestLocal(OPT_ECHO, true);
    c.filter.requestLocal(OPT_ECHO, false);
    expect(c.take()).toEqual([[IAC, WILL, OPT_ECHO]]);
    c.feed(IAC, DO, OPT_ECHO); // the answer to WILL arrives: now we take it back
    expect(c.take()).toEqual([[IAC, WONT, OPT_ECHO]]);
    c.feed(IAC, DONT, OPT_ECHO);
    expect(c.take()).toEqual([]);
    expect(c.filter.isLocal(OPT_ECHO)).toBe(false);
  });

  test("asking the client to suppress go-ahead works the same way on its side", () => {
    const c = connection();
    c.filter.requestRemote(OPT_SGA, true);
    expect(c.take()).toEqual([[IAC, DO, OPT_SGA]]);
    c.feed(IAC, WILL, OPT_SGA);
    expect(c.filter.isRemote(OPT_SGA)).toBe(true);
    expect(c.take()).toEqual([]);
  });
});

describe("a policy can accept an option", () => {
  test("accepted options are agreed to once; others are still refused", () => {
    const c = connection({ local: new Set([OPT_SGA]), remote: new Set([NAWS]) });
    c.feed(IAC, DO, OPT_SGA, IAC, WILL, NAWS, IAC, DO, OPT_ECHO);
    expect(c.take()).toEqual([[IAC, WILL, OPT_SGA], [IAC, DO, NAWS], [IAC, WONT, OPT_ECHO]]);
    expect(c.filter.isLocal(OPT_SGA)).toBe(true);
    expect(c.filter.isRemote(NAWS)).toBe(true);
    c.feed(IAC, DO, OPT_SGA, IAC, WILL, NAWS);
    expect(c.take()).toEqual([]);
  });

  test("the client turning an accepted option off is acknowledged once", () => {
    const c = connection({ remote: new Set([NAWS]) });
    c.feed(IAC, WILL, NAWS);
    c.take();
    c.feed(IAC, WONT, NAWS, IAC, WONT, NAWS);
    expect(c.take()).toEqual([[IAC, DONT, NAWS]]);
    expect(c.filter.isRemote(NAWS)).toBe(false);
  });
});

describe("escaping 0xFF in what we send", () => {
  test("text without 0xFF is returned as is", () => {
    const plain = bytes("héllo 你好 😀");
    expect(escapeIAC(plain)).toBe(plain);
  });

  test("every 0xFF is doubled", () => {
    expect([...escapeIAC(Uint8Array.of(1, IAC, 2, IAC, IAC))]).toEqual([1, IAC, IAC, 2, IAC, IAC, IAC, IAC]);
  });

  test("property: a telnet client reading escaped bytes gets the original bytes back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const c = connection();
        expect([...c.filter.feed(escapeIAC(data))]).toEqual([...data]);
        expect(c.take()).toEqual([]);
      }),
    );
  });
});

// Byte streams rich in telnet commands: mostly command bytes and IAC.
const telnetByte = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(IAC, IAC, SB, SE, WILL, WONT, DO, DONT, EC, EL, AYT, NOP, OPT_ECHO, OPT_SGA, NAWS),
);
const telnetBytes = fc.array(telnetByte, { maxLength: 300 }).map((a) => Uint8Array.from(a));


/** Feeds pieces; returns all data and all reply bytes, concatenated. */
function run(pieces: Uint8Array[]): { data: number[]; replies: number[] } {
  const replies: number[] = [];
  const filter = new TelnetFilter((reply) => replies.push(...reply));
  const data: number[] = [];
  for (const piece of pieces) data.push(...filter.feed(piece));
  return { data, replies };
}

describe("property: how the bytes are split into reads does not matter", () => {
  test("feeding in pieces gives the same data and replies as feeding at once", () => {
    fc.assert(
      fc.property(telnetBytes, fc.array(fc.nat(), { maxLength: 20 }), (data, points) => {
        expect(run(cut(data, points))).toEqual(run([data]));
      }),
      { numRuns: 500 },
    );
  });

  test("no input makes the filter throw", () => {
    fc.assert(
      fc.property(fc.array(telnetBytes, { maxLength: 5 }), (chunks) => {
        expect(() => run(chunks)).not.toThrow();
      }),
    );
  });
});

// A stream built from known segments, so the data it must yield is known exactly.
const dataSegment = fc
  .array(fc.integer({ min: 0, max: IAC - 1 }), { minLength: 1, maxLength: 20 })
  .map((text) => ({ wire: text, data: text }));
const subnegotiation = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 30 }))
  .map(([option, payload]) => ({ wire: [IAC, SB, ...escapeIAC(Uint8Array.of(option, ...payload)), IAC, SE], data: [] as number[] }));
const negotiation = fc
  .tuple(fc.constantFrom(WILL, WONT, DO, DONT, NOP), fc.integer({ min: 0, max: 255 }))
  .map(([verb, option]) => ({ wire: verb === NOP ? [IAC, NOP] : [IAC, verb, option], data: [] as number[] }));

describe("property: subnegotiation bytes never reach the chat", () => {
  test("the data is exactly the text segments, whatever SB blocks and commands sit between them", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(dataSegment, subnegotiation, negotiation), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (segments, points) => {
          const wire = Uint8Array.from(segments.flatMap((s) => [...s.wire]));
          const expected = segments.flatMap((s) => [...s.data]);
          expect(run(cut(wire, points)).data).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("property: negotiation between two RFC 1143 peers always settles and agrees", () => {
  // Two filters wired back to back, each asking for options at random moments
  // while the other's replies are still in flight.
  // ECHO and SGA are kept in the filter's packed states (options 0..6), 6 at
  // their last nibble, TTYPE and 63 in its array (7..63): every kind of slot.
  const OPTIONS = [OPT_ECHO, OPT_SGA, 6, TTYPE, 63];
  const action = fc.oneof(
    fc.record({
      kind: fc.constant("request" as const),
      peer: fc.constantFrom(0, 1),
      side: fc.constantFrom("local", "remote"),
      option: fc.constantFrom(...OPTIONS),
      enable: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("deliver" as const), peer: fc.constantFrom(0, 1) }),
  );
  const policy = fc.record({
    local: fc.subarray(OPTIONS).map((o) => new Set(o)),
    remote: fc.subarray(OPTIONS).map((o) => new Set(o)),
  });

  test("no loop, and each side's view of every option matches the other's", () => {
    fc.assert(
      fc.property(policy, policy, fc.array(action, { maxLength: 40 }), (policyA, policyB, actions) => {
        const inFlight: number[][][] = [[], []]; // inFlight[i]: replies on their way to peer i
        const peers = [
          new TelnetFilter((r) => inFlight[1]!.push([...r]), policyA),
          new TelnetFilter((r) => inFlight[0]!.push([...r]), policyB),
        ] as const;
        let delivered = 0;
        const deliver = (i: 0 | 1): void => {
          const next = inFlight[i]!.shift();
          if (!next) return;
          delivered++;
          expect([...peers[i].feed(Uint8Array.from(next))]).toEqual([]);
        };
        for (const a of actions) {
          if (a.kind === "deliver") deliver(a.peer as 0 | 1);
          else if (a.side === "local") peers[a.peer]!.requestLocal(a.option, a.enable);
          else peers[a.peer]!.requestRemote(a.option, a.enable);
        }
        while (inFlight[0]!.length + inFlight[1]!.length > 0) {
          deliver(0);
          deliver(1);
          expect(delivered).toBeLessThan(1000);
        }
        for (const option of OPTIONS) {
          expect(peers[0].isLocal(option)).toBe(peers[1].isRemote(option));
          expect(peers[0].isRemote(option)).toBe(peers[1].isLocal(option));
        }
      }),
      { numRuns: 500 },
    );
  });
});
