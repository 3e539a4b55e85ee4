// What `parley connect` shows for each frame: piped, exactly what a telnet
// user reads for the same event; on a terminal, with a timestamp, a stable
// colour per nick, private and system lines styled apart. Nothing the
// server sends can act on the terminal.
import { describe, expect, test } from "bun:test";
import type { ServerFrame } from "../../core/client/protocol.ts";
import { decorate, linesOf, nickColour, plain } from "../../core/client/render.ts";

const text = (frame: ServerFrame, self?: string) => linesOf(frame, self).map(plain);
const at = new Date(2026, 10, 26, 12, 3, 45);

describe("piped: the lines a telnet user reads", () => {
  test("chat, actions and private messages", () => {
    expect(text({ type: "said", from: "amy", text: "hi" })).toEqual(["amy: hi"]);
    expect(text({ type: "said", from: "amy", text: "waves", action: true })).toEqual(["** amy waves"]);
    expect(text({ type: "private", from: "amy", to: "bob", text: "psst" }, "bob")).toEqual(["[private] amy: psst"]);
  });

  test("our own private message, acknowledged, says whom it went to", () => {
    expect(text({ type: "private", from: "amy", to: "bob", text: "psst", id: "pc3" }, "amy")).toEqual(["[private] you -> bob: psst"]);
  });

  test("room events", () => {
    expect(text({ type: "joined", nick: "bob", online: 3 })).toEqual(["* bob joined (3 online)"]);
    expect(text({ type: "left", nick: "bob", reason: "quit", online: 2 })).toEqual(["* bob left (quit)"]);
    expect(text({ type: "renamed", from: "bob", to: "rob" })).toEqual(["* bob is now rob"]);
    expect(text({ type: "renamed", from: "amy", to: "amelia" }, "amy")).toEqual(["* you are now amelia"]);
  });

  test("the welcome and our own join read as the text greeting does", () => {
    expect(text({ type: "welcome", server: "parley", version: "0.2.0", protocol: 1, online: 2, motd: "be nice\nno spam" })).toEqual([
      "Welcome to parley! 2 people online.",
      "be nice",
      "no spam",
    ]);
    expect(text({ type: "welcome", server: "parley", version: "0.2.0", protocol: 1, online: 0, motd: "" })).toEqual(["Welcome to parley! no one else is here yet."]);
    expect(text({ type: "joined", nick: "amy", online: 2, self: true, users: ["bob", "amy"] })).toEqual([
      "* Hi amy! Online (2): bob, amy",
      "* Type a line to talk to everyone, or help for commands.",
    ]);
  });

  test("system lines, plugin notices and errors, one line each", () => {
    expect(text({ type: "system", text: "* bye, amy!" })).toEqual(["* bye, amy!"]);
    expect(text({ type: "system", text: "amy rolled 8", plugin: "dice" })).toEqual(["[dice] amy rolled 8"]);
    expect(text({ type: "system", text: "a\nb" })).toEqual(["a", "b"]);
    expect(text({ type: "error", code: "no_such_nick", message: "no one called zed is online" })).toEqual(["! no one called zed is online"]);
  });

  test("the list and help frames read like the text commands' answers", () => {
    const list = text({ type: "list", online: 2, users: [{ nick: "amy", idle: 75 }, { nick: "丽", idle: 3 }] }, "丽");
    expect(list).toEqual(["* 2 online:", "*   amy  idle 1m 15s", "*   丽   idle 3s  (you)"]);
    const help = text({ type: "help", commands: [{ name: "say", summary: "say TEXT", forms: ["b:TEXT", "/say TEXT"] }] });
    expect(help).toEqual(["* Type a line to talk to everyone. Commands:", "*   b:TEXT | /say TEXT  say TEXT", "* help COMMAND explains one."]);
  });

  test("a line replayed from history shows its time, as the text server does", () => {
    const time = new Date(2026, 10, 26, 9, 5).toISOString();
    expect(text({ type: "said", from: "amy", text: "earlier", time, history: true } as ServerFrame)).toEqual(["[09:05] amy: earlier"]);
    expect(linesOf({ type: "said", from: "amy", text: "earlier", time, history: true } as ServerFrame, undefined, false).map(plain)).toEqual(["amy: earlier"]);
  });

  test("a pong shows nothing; an unknown frame shows its text, if any", () => {
    expect(text({ type: "pong", time: "t" })).toEqual([]);
    expect(text({ type: "future", text: "news" } as unknown as ServerFrame)).toEqual(["news"]);
    expect(text({ type: "future" } as unknown as ServerFrame)).toEqual([]);
  });
});

describe("nothing from the server acts on the terminal", () => {
  test("escapes, controls and bidi overrides are removed from every field", () => {
    const lines = text({ type: "said", from: "ev\x1b[31mil", text: "clear\x1b[2J\x07 \u202eme\r\nx" });
    expect(lines).toEqual(["evil: clear mex"]);
    expect(text({ type: "system", text: "\x1b]0;title\x07ok", plugin: "p\x1bc" })).toEqual(["[p] ok"]);
    expect(text({ type: "error", code: "x", message: "\x9b31mred" })).toEqual(["! red"]);
  });

  test("fields of the wrong type do not break rendering", () => {
    expect(text({ type: "said", from: 42, text: null } as unknown as ServerFrame)).toEqual(["42: null"]);
    expect(text({ type: "list", online: 1, users: "amy" } as unknown as ServerFrame)).toEqual(["* 0 online:"]);
  });
});

describe("on a terminal", () => {
  test("a timestamp in front; no colour codes when colour is off", () => {
    const [line] = linesOf({ type: "said", from: "amy", text: "hi" });
    expect(decorate(line!, { time: at, colour: false })).toBe("12:03 amy: hi");
    expect(decorate(line!, { colour: false })).toBe("amy: hi");
    const [action] = linesOf({ type: "said", from: "amy", text: "waves", action: true });
    expect(decorate(action!, { time: at, colour: false })).toBe("12:03 ** amy waves");
    const [secret] = linesOf({ type: "private", from: "amy", to: "me", text: "psst" }, "me");
    expect(decorate(secret!, { time: at, colour: false })).toBe("12:03 [private] amy: psst");
    const [joined] = linesOf({ type: "joined", nick: "bob", online: 3 });
    expect(decorate(joined!, { time: at, colour: false })).toBe("12:03 * bob joined (3 online)");
    const [error] = linesOf({ type: "error", code: "x", message: "error text" });
    expect(decorate(error!, { time: at, colour: false })).toBe("12:03 ! error text");
  });

  test("a nick has the same colour every time, in any case", () => {
    expect(nickColour("amy")).toBe(nickColour("amy"));
    expect(nickColour("AMY")).toBe(nickColour("amy"));
    const colours = new Set(["amy", "bob", "cat", "dan", "eve", "fay", "丽", "👋"].map(nickColour));
    expect(colours.size).toBeGreaterThan(3);
  });

  test("the nick is coloured, system lines dim, errors red, private tagged", () => {
    const [said] = linesOf({ type: "said", from: "amy", text: "hi" });
    expect(decorate(said!, { time: at, colour: true })).toBe(`\x1b[2m12:03\x1b[0m \x1b[${nickColour("amy")}mamy\x1b[0m: hi`);
    const [system] = linesOf({ type: "system", text: "* bye" });
    expect(decorate(system!, { colour: true })).toBe("\x1b[2m* bye\x1b[0m");
    const [error] = linesOf({ type: "error", code: "x", message: "no" });
    expect(decorate(error!, { colour: true })).toBe("\x1b[31m! no\x1b[0m");
    const [secret] = linesOf({ type: "private", from: "amy", to: "me", text: "psst" }, "me");
    expect(decorate(secret!, { colour: true })).toContain("\x1b[1;35m[private] \x1b[0m");
  });
});
