// What one reader's own settings make of a frame the room delivers
// (core/chat/delivery.ts): ignore and quiet drop it, timestamps and the bell
// choose a text variant, a mention flags the JSON. Each variant's bytes are
// built once per frame and shared by every reader who wants them.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { bytesFor, type Reader } from "../../core/chat/delivery.ts";
import { IgnoreList, MAX_IGNORED, MAX_KEYS_PER_PERSON } from "../../core/chat/ignore-list.ts";
import { Personal } from "../../core/chat/personal.ts";
import { Frame } from "../../core/wire/frame.ts";
import { nickKey } from "../../core/wire/nick.ts";
import type { ServerFrame } from "../../core/wire/protocol.ts";
import { sanitize } from "../../core/wire/sanitize.ts";

function reader(nick: string, json: boolean, set?: (p: Personal) => void, room = "#lobby"): Reader {
  const personal = set ? new Personal() : null;
  if (personal && set) set(personal);
  return { json, key: nickKey(nick), room, personal };
}

const said = (from: string, text: string, more: Partial<Extract<ServerFrame, { type: "said" }>> = {}) => new Frame({ type: "said", from, text, ...more });
const text = (b: Buffer | null) => (b === null ? null : b.toString());
const STAMP = /^\[\d\d:\d\d\] /;

describe("ignore", () => {
  test("an ignored nick's room lines, actions and private messages do not reach the reader; others' do", () => {
    const amy = reader("amy", false, (p) => p.ignored.replace([{ nick: "Troll", keys: [nickKey("Troll")] }]));
    expect(bytesFor(said("troll", "hi"), amy)).toBeNull();
    expect(bytesFor(said("TROLL", "waves", { action: true }), amy)).toBeNull();
    expect(bytesFor(new Frame({ type: "private", from: "troll", to: "amy", text: "psst" }), amy)).toBeNull();
    expect(text(bytesFor(said("bob", "hi"), amy))).toBe("bob: hi\r\n");
    // Their comings and goings still show: the reader knows they are there.
    expect(text(bytesFor(new Frame({ type: "joined", nick: "troll", online: 3 }), amy))).toBe("* troll joined (3 online)\r\n");
  });

  test("follows the person through a rename the reader sees, and the notice is shown", () => {
    const amy = reader("amy", true, (p) => p.ignored.replace([{ nick: "troll", keys: [nickKey("troll")] }]));
    expect(bytesFor(new Frame({ type: "renamed", from: "troll", to: "nice" }), amy)).not.toBeNull();
    expect(bytesFor(said("nice", "hi"), amy)).toBeNull();
    expect(amy.personal!.ignored.list()).toEqual([{ nick: "nice", keys: [nickKey("troll"), nickKey("nice")] }]);
  });

  test("is by nick key: look-alikes of an ignored nick are ignored", () => {
    const amy = reader("amy", false, (p) => p.ignored.replace([{ nick: "bob", keys: [nickKey("bob")] }]));
    expect(bytesFor(said("bоb", "hi"), amy)).toBeNull(); // a Cyrillic о
    expect(bytesFor(said("ＢＯＢ", "hi"), amy)).toBeNull(); // fullwidth
  });

  test("a list set by a plugin is checked: malformed entries dropped, at most MAX_IGNORED people and MAX_KEYS_PER_PERSON keys each", () => {
    const list = new IgnoreList();
    const junk = [null, { nick: 5 }, { nick: "", keys: [] }, { nick: "ok", keys: "x" }] as never[];
    list.replace([...junk, { nick: "real", keys: [] }]);
    expect(list.list()).toEqual([{ nick: "real", keys: [nickKey("real")] }]);
    // A nick as long as a line is kept short, its key too.
    list.replace([{ nick: "x".repeat(4000), keys: ["y".repeat(4000)] }]);
    expect(list.list()[0]!.nick.length).toBe(64);
    expect(list.list()[0]!.keys).toEqual([nickKey("x".repeat(64))]);
    list.replace(Array.from({ length: MAX_IGNORED + 50 }, (_, i) => ({ nick: `n${i}`, keys: [nickKey(`n${i}`)] })));
    expect(list.size).toBe(MAX_IGNORED);
    list.replace([{ nick: "a", keys: [nickKey("a")] }]);
    for (let i = 0; i < 30; i++) list.renamed(i === 0 ? "a" : `a${i - 1}`, `a${i}`);
    const [only] = list.list();
    expect(only!.keys.length).toBe(MAX_KEYS_PER_PERSON);
    expect(only!.keys[0]).toBe(nickKey("a")); // the nick ignored stays
    expect(list.has(nickKey("a29"))).toBe(true);
  });
});

describe("quiet", () => {
  test("hides join and leave notices only", () => {
    const amy = reader("amy", false, (p) => (p.quiet = true));
    expect(bytesFor(new Frame({ type: "joined", nick: "bob", online: 2 }), amy)).toBeNull();
    expect(bytesFor(new Frame({ type: "left", nick: "bob", reason: "quit", online: 1 }), amy)).toBeNull();
    expect(bytesFor(new Frame({ type: "joined", nick: "amy", online: 2, self: true, users: ["amy"] }), amy)).not.toBeNull();
    expect(text(bytesFor(new Frame({ type: "renamed", from: "bob", to: "rob" }), amy))).toBe("* bob is now rob\r\n");
    expect(text(bytesFor(said("bob", "hi"), amy))).toBe("bob: hi\r\n");
    expect(bytesFor(new Frame({ type: "system", text: "note", plugin: "greeter" }), amy)).not.toBeNull();
  });
});

describe("timestamps", () => {
  test("a text reader's live lines start with [HH:MM]; answers and replayed lines do not get a second one", () => {
    const amy = reader("amy", false, (p) => (p.timestamps = true));
    expect(text(bytesFor(said("bob", "hi"), amy))).toMatch(/^\[\d\d:\d\d\] bob: hi\r\n$/);
    expect(text(bytesFor(new Frame({ type: "private", from: "bob", to: "amy", text: "psst" }), amy))).toMatch(/^\[\d\d:\d\d\] \[private\] bob: psst\r\n$/);
    expect(text(bytesFor(new Frame({ type: "left", nick: "bob", reason: "quit", online: 1 }), amy))).toMatch(STAMP);
    expect(text(bytesFor(new Frame({ type: "system", text: "a\nb", plugin: "dice" }), amy))).toMatch(/^\[\d\d:\d\d\] \[dice\] a\r\n\[\d\d:\d\d\] \[dice\] b\r\n$/);
    expect(text(bytesFor(new Frame({ type: "system", text: "* you are away" }), amy))).toBe("* you are away\r\n");
    const replay = said("bob", "old", { history: true, time: "2026-01-01T10:00:00.000Z" });
    expect(text(bytesFor(replay, amy))!.match(/\[\d\d:\d\d\]/g)).toHaveLength(1);
  });

  test("every reader of a frame shares one stamped copy, and readers without timestamps the plain one", () => {
    const frame = said("bob", "hi");
    const a = reader("amy", false, (p) => (p.timestamps = true));
    const c = reader("cat", false, (p) => (p.timestamps = true));
    expect(bytesFor(frame, a)).toBe(bytesFor(frame, c));
    expect(bytesFor(frame, reader("dan", false))).toBe(frame.text());
  });

  test("a JSON reader never gets them: the data as it is", () => {
    const amy = reader("amy", true, (p) => (p.timestamps = true));
    expect(text(bytesFor(said("bob", "hi"), amy))).toBe('{"type":"said","from":"bob","text":"hi"}\n');
  });
});

describe("timestamps on the room's own events", () => {
  test("a join, a part and a topic set by someone have the time; one's own and an answer to /topic do not", () => {
    const amy = reader("amy", false, (p) => (p.timestamps = true));
    const stamped = (event: ServerFrame) => STAMP.test(text(bytesFor(new Frame(event), amy))!);
    expect(stamped({ type: "join", room: "#lobby", nick: "bob", members: 2 })).toBe(true);
    expect(stamped({ type: "part", room: "#lobby", nick: "bob", reason: "parted", members: 1 })).toBe(true);
    expect(stamped({ type: "topic", room: "#lobby", topic: "lunch", by: "bob", set: true })).toBe(true);
    expect(stamped({ type: "join", room: "#lobby", nick: "amy", members: 2, self: true, users: ["bob", "amy"] })).toBe(false);
    expect(stamped({ type: "topic", room: "#lobby", topic: "lunch" })).toBe(false);
  });
});

describe("a line from another of the reader's rooms", () => {
  test("has the room in front, after the time and before the bell; the same bytes for every reader alike", () => {
    const frame = said("bob", "amy, in #help?", { room: "#help" });
    const plainHere = reader("cat", false, undefined, "#help");
    const plainAway = reader("dan", false);
    const stampedAway = reader("amy", false, (p) => {
      p.timestamps = true;
      p.bell = true;
    });
    expect(text(bytesFor(frame, plainHere))).toBe("bob: amy, in #help?\r\n");
    expect(text(bytesFor(frame, plainAway))).toBe("[#help] bob: amy, in #help?\r\n");
    expect(bytesFor(frame, plainAway)).toBe(bytesFor(frame, reader("eve", false))!);
    const stamped = text(bytesFor(frame, stampedAway))!;
    expect(stamped).toMatch(/^\[\d\d:\d\d\] \[#help\] bob: amy, in #help\?\x07\r\n$/);
    // JSON readers get the room as a field, never in the text.
    expect(JSON.parse(text(bytesFor(frame, reader("fay", true)))!)).toEqual({ type: "said", room: "#help", from: "bob", text: "amy, in #help?" });
  });
});

describe("mentions and the bell", () => {
  test("the bell rings only after /bell on, only for a live line that says the reader's nick", () => {
    const on = reader("amy", false, (p) => (p.bell = true));
    const off = reader("amy", false, (p) => (p.bell = false));
    expect(text(bytesFor(said("bob", "hi Amy"), on))).toBe("bob: hi Amy\x07\r\n");
    expect(text(bytesFor(said("bob", "hi Amy"), off))).toBe("bob: hi Amy\r\n");
    expect(text(bytesFor(said("bob", "hi Amy"), reader("amy", false)))).toBe("bob: hi Amy\r\n");
    expect(text(bytesFor(said("bob", "hi amygdala"), on))).toBe("bob: hi amygdala\r\n");
    expect(text(bytesFor(said("bob", "hi amy", { history: true, time: new Date().toISOString() }), on))).not.toContain("\x07");
    expect(text(bytesFor(new Frame({ type: "private", from: "bob", to: "amy", text: "amy" }), on))).not.toContain("\x07");
    expect(text(bytesFor(new Frame({ type: "system", text: "amy", plugin: "x" }), on))).not.toContain("\x07");
  });

  test("with timestamps too: one line, stamped, the bell at its end", () => {
    const amy = reader("amy", false, (p) => ((p.bell = true), (p.timestamps = true)));
    expect(text(bytesFor(said("bob", "amy?"), amy))).toMatch(/^\[\d\d:\d\d\] bob: amy\?\x07\r\n$/);
  });

  test("no text a sender can send rings anyone's bell unless it says their nick", () => {
    const amy = reader("amy", false, (p) => (p.bell = true));
    const check = (clean: string) => {
      const bytes = text(bytesFor(said("bob", clean), amy))!;
      const bells = bytes.split("\x07").length - 1;
      // At most one BEL, the server's own, at the end of the line.
      expect(bells).toBeLessThanOrEqual(1);
      if (bells === 1) expect(bytes.endsWith("\x07\r\n")).toBe(true);
      // A plain "amy" as a word always rings.
      if (/(?<![\p{L}\p{M}\p{N}_-])amy(?![\p{L}\p{M}\p{N}_-])/iu.test(clean)) expect(bells).toBe(1);
      return bells === 1;
    };
    fc.assert(
      // What a user types is sanitized before it becomes a said frame (Session.say).
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (raw) => void check(sanitize(raw))),
      { numRuns: 3000 },
    );
    // Bells and bell-ending escapes typed into a line, without the nick: silence.
    for (const raw of ["\x07", "ring\x07\x07", "\x1b]0;title\x07", "\x1b]2;amy\x07", "^G", "\\a", "\u0007"]) {
      expect(check(sanitize(raw))).toBe(false);
    }
    // What the sanitizer takes out cannot hide a nick either: the line shown says "amy".
    for (const raw of ["am\x07y", "a\u200bmy", "\x1b[1mamy\x1b[0m"]) expect(check(sanitize(raw))).toBe(true);
  });

  test("a JSON reader gets a mention flag, never a bell; its own line never mentions it", () => {
    const amy = reader("amy", true, (p) => (p.bell = true));
    expect(JSON.parse(text(bytesFor(said("bob", "hey amy"), amy))!)).toEqual({ type: "said", from: "bob", text: "hey amy", mention: true });
    expect(JSON.parse(text(bytesFor(said("bob", "hey you"), amy))!)).toEqual({ type: "said", from: "bob", text: "hey you" });
    expect(JSON.parse(text(bytesFor(said("amy", "I am amy"), reader("amy", true)))!).mention).toBeUndefined();
    expect(text(bytesFor(said("bob", "hey amy"), amy))).not.toContain("\x07");
  });
});
