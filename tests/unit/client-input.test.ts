// What a person types in `parley connect` becomes the frame a telnet user's
// same line would have meant: the tutorial's colon style, slash style, the
// bare words, and plain chat.
import { describe, expect, test } from "bun:test";
import { DEFAULT_FORMS, learnForms, toFrame } from "../../core/client/input.ts";

const frame = (line: string) => {
  const typed = toFrame(line);
  if (typed.kind !== "frame") throw new Error(`${line} gave ${typed.kind}`);
  return typed.frame;
};

describe("a plain line is said to the room", () => {
  test("text, Chinese and emoji as typed", () => {
    expect(frame("hello everyone")).toEqual({ type: "say", text: "hello everyone" });
    expect(frame("你好 👋")).toEqual({ type: "say", text: "你好 👋" });
  });

  test("a colon after a word that is not a one-letter command is chat", () => {
    expect(frame("note: see you")).toEqual({ type: "say", text: "note: see you" });
    expect(frame("x:y")).toEqual({ type: "say", text: "x:y" });
    expect(frame(":)")).toEqual({ type: "say", text: ":)" });
  });

  test("//text says /text; a lone / is said", () => {
    expect(frame("//shrug")).toEqual({ type: "say", text: "/shrug" });
    expect(frame("/")).toEqual({ type: "say", text: "/" });
  });

  test("an empty or blank line sends nothing", () => {
    expect(toFrame("")).toEqual({ kind: "empty" });
    expect(toFrame("   ")).toEqual({ kind: "empty" });
  });
});

describe("the tutorial's colon style", () => {
  test("b:text says text", () => {
    expect(frame("b:hi all")).toEqual({ type: "say", text: "hi all" });
    expect(frame("B:hi")).toEqual({ type: "say", text: "hi" });
  });

  test("c:nick:text is a private message; the text may hold colons", () => {
    expect(frame("c:bob:psst")).toEqual({ type: "msg", to: "bob", text: "psst" });
    expect(frame("c:bob: at 12:30")).toEqual({ type: "msg", to: "bob", text: "at 12:30" });
    expect(frame("c:丽:你好")).toEqual({ type: "msg", to: "丽", text: "你好" });
  });

  test("n:nick renames, l lists", () => {
    expect(frame("n:robot")).toEqual({ type: "rename", nick: "robot" });
    expect(frame("l")).toEqual({ type: "list" });
    expect(frame(" L ")).toEqual({ type: "list" });
  });

  test("a form missing its parts shows the usage and sends nothing", () => {
    for (const line of ["b:", "c:bob", "c:bob:", "c::hi", "n:", "n:two words"]) {
      expect(toFrame(line).kind).toBe("usage");
    }
    expect(toFrame("c:bob")).toEqual({ kind: "usage", message: "usage: c:NICK:TEXT  or  /msg NICK TEXT" });
  });
});

describe("slash style", () => {
  test("/msg, /tell, /nick, /list, /who, /say", () => {
    expect(frame("/msg bob psst, it's me")).toEqual({ type: "msg", to: "bob", text: "psst, it's me" });
    expect(frame("/tell bob hi")).toEqual({ type: "msg", to: "bob", text: "hi" });
    expect(frame("/nick robot")).toEqual({ type: "rename", nick: "robot" });
    expect(frame("/NICK robot")).toEqual({ type: "rename", nick: "robot" });
    expect(frame("/list")).toEqual({ type: "list" });
    expect(frame("/who")).toEqual({ type: "list" });
    expect(frame("/say /not a command")).toEqual({ type: "say", text: "/not a command" });
  });

  test("/quit with and without a reason", () => {
    expect(frame("/quit")).toEqual({ type: "quit" });
    expect(frame("/quit gone fishing")).toEqual({ type: "quit", reason: "gone fishing" });
  });

  test("/me and any other /word become command frames for the server's plugins", () => {
    expect(frame("/me waves")).toEqual({ type: "command", name: "me", args: "waves" });
    expect(frame("/roll 2d6")).toEqual({ type: "command", name: "roll", args: "2d6" });
    expect(frame("/Uptime")).toEqual({ type: "command", name: "uptime", args: "" });
  });

  test("/help shows the client's help and asks the server; /help COMMAND asks the server about one", () => {
    expect(toFrame("/help")).toEqual({ kind: "help" });
    expect(frame("/help msg")).toEqual({ type: "command", name: "help", args: "msg" });
  });

  test("/msg without text shows the usage", () => {
    expect(toFrame("/msg bob").kind).toBe("usage");
    expect(toFrame("/nick").kind).toBe("usage");
  });
});

describe("words alone on a line", () => {
  test("help, quit and its synonyms", () => {
    expect(toFrame("help")).toEqual({ kind: "help" });
    expect(toFrame("?")).toEqual({ kind: "help" });
    expect(frame("quit")).toEqual({ type: "quit" });
    expect(frame("byebye")).toEqual({ type: "quit" });
    expect(frame("EXIT")).toEqual({ type: "quit" });
  });

  test("the words inside a sentence are chat", () => {
    expect(frame("help me please")).toEqual({ type: "say", text: "help me please" });
    expect(frame("quit it")).toEqual({ type: "say", text: "quit it" });
  });
});

describe("the server's own short forms, learned from its help frame", () => {
  const forms = learnForms([
    { name: "roll", forms: ["r:DICE", "/roll DICE"] },
    { name: "uptime", forms: ["u", "/uptime"] },
    { name: "away", forms: ["/away [REASON]", "brb"] },
  ]);

  test("a plugin's one-letter alias and its bare words become command frames", () => {
    expect(toFrame("r:2d6", forms)).toEqual({ kind: "frame", frame: { type: "command", name: "roll", args: "2d6" } });
    expect(toFrame("u", forms)).toEqual({ kind: "frame", frame: { type: "command", name: "uptime", args: "" } });
    expect(toFrame("brb", forms)).toEqual({ kind: "frame", frame: { type: "command", name: "away", args: "" } });
  });

  test("the built-in forms still work, and unknown ones are still chat", () => {
    expect(toFrame("c:bob:hi", forms)).toEqual({ kind: "frame", frame: { type: "msg", to: "bob", text: "hi" } });
    expect(toFrame("r:2d6")).toEqual({ kind: "frame", frame: { type: "say", text: "r:2d6" } });
    expect(DEFAULT_FORMS.colon.has("r")).toBe(false);
  });
});
