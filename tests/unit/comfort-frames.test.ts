// The comforts' frames as a person reads them (core/wire/render.ts): what a
// telnet user is sent and what `parley connect` prints, from the same
// lines. Fields are sanitized as they are read: a frame from any server
// cannot put an escape on the screen.
import { describe, expect, test } from "bun:test";
import { localMinute } from "../../core/base/local-time.ts";
import { decorate } from "../../core/client/render.ts";
import { renderText } from "../../core/wire/frame.ts";
import { linesOf } from "../../core/wire/render.ts";
import type { ServerFrame } from "../../core/wire/protocol.ts";

const text = (frame: ServerFrame, self?: string) => renderText(frame, self).split("\n");

describe("away and back", () => {
  test("someone else's away, with and without a text; one's own; back", () => {
    expect(text({ type: "away", nick: "amy", text: "lunch" })).toEqual(["* amy is away: lunch"]);
    expect(text({ type: "away", nick: "amy", text: "" })).toEqual(["* amy is away"]);
    expect(text({ type: "away", nick: "bob", text: "lunch", self: true })).toEqual(["* you are away: lunch (/back when you return)"]);
    expect(text({ type: "back", nick: "bob" })).toEqual(["* you are back"]);
  });

  test("the nick is its own part of the line, for parley connect to colour", () => {
    expect(linesOf({ type: "away", nick: "amy", text: "x" })).toEqual([{ style: "system", before: "* ", nick: "amy", after: " is away: x" }]);
  });

  test("an away user in a list", () => {
    const users = [
      { nick: "amy", idle: 75, away: "lunch" },
      { nick: "bob", idle: 3, away: "" },
      { nick: "cat", idle: 0 },
    ];
    expect(text({ type: "list", online: 3, users }, "cat")).toEqual(["* 3 online:", "*   amy  idle 1m 15s  (away: lunch)", "*   bob  idle 3s  (away)", "*   cat  idle 0s  (you)"]);
  });
});

describe("whois", () => {
  const at = "2026-12-01T09:30:00.000Z";
  test("every field known, in a fixed order", () => {
    const frame: ServerFrame = { type: "whois", nick: "amy", connectedAt: at, idle: 3725, away: "lunch", account: "amy", node: "left", address: "10.0.0.7:5123" };
    expect(text(frame)).toEqual([
      "* amy",
      "*   registered, logged in as amy",
      `*   connected since ${localMinute(Date.parse(at))}`,
      "*   idle 1h 2m",
      "*   away: lunch",
      "*   on node left",
      "*   address 10.0.0.7:5123",
    ]);
  });

  test("a user of another node: no idle time or away text, and the line says why", () => {
    expect(text({ type: "whois", nick: "bob", connectedAt: at, node: "right" })).toEqual(["* bob", `*   connected since ${localMinute(Date.parse(at))}`, "*   on node right (idle time and away text are known there only)"]);
  });

  test("rooms in common, once a server sends them", () => {
    const frame = { type: "whois", nick: "bob", connectedAt: at, idle: 0, rooms: ["#lobby", "#help"] } as unknown as ServerFrame;
    expect(text(frame).at(-1)).toBe("*   rooms in common: #lobby, #help");
  });
});

describe("ignore", () => {
  test("the list, or no one", () => {
    expect(text({ type: "ignore", nicks: [] })).toEqual(["* you ignore no one"]);
    expect(text({ type: "ignore", nicks: ["troll", "spam"] })).toEqual(["* you ignore (2): troll, spam"]);
  });
});

describe("a hostile server's fields", () => {
  test("are cleaned: no escape, no bell, no line break reaches the screen", () => {
    const evil = "\x1b[2J\x07x\r\ny";
    const frames = [
      { type: "away", nick: evil, text: evil },
      { type: "whois", nick: evil, connectedAt: "not a date", idle: 5, away: evil, account: evil, node: evil, address: evil },
      { type: "ignore", nicks: [evil] },
      { type: "list", online: 1, users: [{ nick: evil, idle: 0, away: evil }] },
    ] as ServerFrame[];
    for (const frame of frames) {
      for (const line of text(frame)) expect(line).not.toMatch(/[\x00-\x1f\x7f]/);
    }
  });

  test("a said frame's mention flag marks the display line, and nothing else", () => {
    expect(linesOf({ type: "said", from: "bob", text: "amy!", mention: true })[0]!.mention).toBe(true);
    expect(linesOf({ type: "said", from: "bob", text: "amy!" })[0]!.mention).toBeUndefined();
    expect(text({ type: "said", from: "bob", text: "amy!", mention: true })).toEqual(["bob: amy!"]);
  });
});

describe("parley connect's decoration of a mention", () => {
  test("bold yellow text with colours; the same plain text without", () => {
    const [line] = linesOf({ type: "said", from: "bob", text: "amy, look", mention: true });
    expect(decorate(line!, { colour: true })).toContain("\x1b[1;33m: amy, look\x1b[0m");
    expect(decorate(line!, { colour: false })).toBe("bob: amy, look");
    const [plainLine] = linesOf({ type: "said", from: "bob", text: "amy, look" });
    expect(decorate(plainLine!, { colour: true })).not.toContain("\x1b[1;33m");
  });
});
