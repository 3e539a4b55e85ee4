// What a person types in `parley connect` goes to the server as typed, and
// the server routes it exactly as a telnet user's line (one command path).
// The client itself acts only on help and quit, spelled as the server's
// help frame lists them.
import { describe, expect, test } from "bun:test";
import { NO_FORMS, learnForms, toFrame, type Typed } from "../../core/client/input.ts";

// The server's help frame, as the built-in plugins list help and quit.
const forms = learnForms([
  { name: "msg", forms: ["c:NICK:TEXT", "/msg NICK TEXT", "/tell"] },
  { name: "help", forms: ["?", "/help [COMMAND]", "/?", "help"] },
  { name: "quit", forms: ["/quit [REASON]", "quit", "byebye", "exit"] },
]);

const line = (text: string): Typed => ({ kind: "frame", frame: { type: "line", text } });

describe("every line goes to the server as typed", () => {
  test("plain chat, Chinese and emoji", () => {
    expect(toFrame("hello everyone", forms)).toEqual(line("hello everyone"));
    expect(toFrame("你好 👋", forms)).toEqual(line("你好 👋"));
  });

  test("the tutorial's colon style, slash style and bare words: the server decides what they are", () => {
    for (const typed of ["b:hi all", "c:bob: at 12:30", "c:丽:你好", "n:robot", "l", "/msg bob psst", "/me waves", "/roll 2d6", "note: see you", "//shrug", "/", "c:bob"]) {
      expect(toFrame(typed, forms)).toEqual(line(typed));
    }
  });

  test("a line end is not part of the line; an empty or blank line sends nothing", () => {
    expect(toFrame("hi\r\n", forms)).toEqual(line("hi"));
    expect(toFrame("", forms)).toEqual({ kind: "empty" });
    expect(toFrame("   ", forms)).toEqual({ kind: "empty" });
  });
});

describe("help and quit, as the server spells them", () => {
  test("help alone shows the client's keys and asks the server; help COMMAND is the server's", () => {
    for (const typed of ["help", "HELP", "?", "/help", "/?"]) expect(toFrame(typed, forms)).toEqual({ kind: "help" });
    expect(toFrame("/help msg", forms)).toEqual(line("/help msg"));
    expect(toFrame("help me please", forms)).toEqual(line("help me please"));
  });

  test("quit, its synonyms and /quit REASON leave", () => {
    for (const typed of ["quit", "byebye", "EXIT", " quit ", "/quit", "/QUIT"]) expect(toFrame(typed, forms)).toEqual({ kind: "quit" });
    expect(toFrame("/quit gone fishing", forms)).toEqual({ kind: "quit", reason: "gone fishing" });
    expect(toFrame("quit it", forms)).toEqual(line("quit it"));
  });

  test("a server whose quit plugin has other words: those leave, and the usual ones are chat", () => {
    const other = learnForms([{ name: "quit", forms: ["/leave", "ciao"] }]);
    expect(toFrame("ciao", other)).toEqual({ kind: "quit" });
    expect(toFrame("/leave", other)).toEqual({ kind: "quit" });
    expect(toFrame("quit", other)).toEqual(line("quit"));
  });

  test("before the server's help frame nothing is the client's: every line goes to the server", () => {
    expect(toFrame("quit", NO_FORMS)).toEqual(line("quit"));
    expect(toFrame("help")).toEqual(line("help"));
  });
});
