// The router decides what a chat line is, against the real registry loaded
// with the built-in plugins: the tutorial's colon forms, slash commands,
// bare command words, and everything else said to the room.
import { describe, expect, test } from "bun:test";
import { builtinPlugins } from "../../core/plugins/builtins.ts";
import { Registry } from "../../core/plugins/registry.ts";
import { route, type Route } from "../../core/chat/router.ts";

function builtins(): Registry {
  const registry = new Registry();
  for (const plugin of builtinPlugins) registry.add(plugin, "built-in");
  return registry;
}

const registry = builtins();

/** A route with the entry replaced by its command name, for readable comparisons. */
function routed(line: string): unknown {
  const r: Route = route(line, registry);
  if (r.kind === "command") return { kind: "command", name: r.entry.command.name, args: r.args };
  if (r.kind === "usage") return { kind: "usage", name: r.entry.command.name, typed: r.typed };
  return r;
}

const command = (name: string, args: string[]) => ({ kind: "command", name, args });
const usage = (name: string, typed: string) => ({ kind: "usage", name, typed });
const say = (text: string) => ({ kind: "say", text });

describe("the tutorial's colon forms", () => {
  test("b:hi says hi to the room", () => {
    expect(routed("b:hi")).toEqual(command("say", ["hi"]));
  });

  test("c:bob:hi: there is a private message, colons in the text kept", () => {
    expect(routed("c:bob:hi: there")).toEqual(command("msg", ["bob", "hi: there"]));
  });

  test("n:new changes the nickname", () => {
    expect(routed("n:new")).toEqual(command("nick", ["new"]));
  });

  test("the letter may be typed in upper case", () => {
    expect(routed("B:hi")).toEqual(command("say", ["hi"]));
  });

  test("a colon form missing its text gets the usage", () => {
    expect(routed("c:bob")).toEqual(usage("msg", "c:bob"));
    expect(routed("b:")).toEqual(usage("say", "b:"));
  });
});

describe("slash commands", () => {
  test("/msg bob hi there", () => {
    expect(routed("/msg bob hi there")).toEqual(command("msg", ["bob", "hi there"]));
  });

  test("/msg bob, with no text, gets the usage", () => {
    expect(routed("/msg bob")).toEqual(usage("msg", "/msg bob"));
  });

  test("/nick new, and /nick a b is a mistake", () => {
    expect(routed("/nick new")).toEqual(command("nick", ["new"]));
    expect(routed("/nick a b")).toEqual(usage("nick", "/nick a b"));
  });

  test("/list and its alias /who", () => {
    // list takes an optional room: absent, it is "" (the current room)
    expect(routed("/list")).toEqual(command("list", [""]));
    expect(routed("/who")).toEqual(command("list", [""]));
    expect(routed("/list #help")).toEqual(command("list", ["#help"]));
  });

  test("/help msg asks about one command", () => {
    expect(routed("/help msg")).toEqual(command("help", ["msg"]));
  });

  test("/quit gone fishing leaves with a reason", () => {
    expect(routed("/quit gone fishing")).toEqual(command("quit", ["gone fishing"]));
  });

  test("command names ignore case", () => {
    expect(routed("/MSG bob hi")).toEqual(command("msg", ["bob", "hi"]));
  });

  test("the raw text after the command word is kept, trimmed", () => {
    const r = route("/msg   bob  hi  ", registry);
    expect(r.kind === "command" && r.raw).toBe("bob  hi");
  });
});

describe("a command word alone on a line", () => {
  test("l and L list who is online", () => {
    expect(routed("l")).toEqual(command("list", [""]));
    expect(routed("L")).toEqual(command("list", [""]));
  });

  test("help", () => {
    expect(routed("help")).toEqual(command("help", [""]));
  });

  test("quit, byebye and exit leave", () => {
    expect(routed("quit")).toEqual(command("quit", [""]));
    expect(routed("byebye")).toEqual(command("quit", [""]));
    expect(routed("exit")).toEqual(command("quit", [""]));
  });

  test("spaces around the word do not matter", () => {
    expect(routed("  quit ")).toEqual(command("quit", [""]));
  });

  test("the word inside a sentence is just chat", () => {
    expect(routed("quit it")).toEqual(say("quit it"));
    expect(routed("help me please")).toEqual(say("help me please"));
  });
});

describe("everything else is said to the room", () => {
  test("note: see you (the prefix is not a one-letter alias)", () => {
    expect(routed("note: see you")).toEqual(say("note: see you"));
  });

  test("x:y (x is no command letter)", () => {
    expect(routed("x:y")).toEqual(say("x:y"));
  });

  test("//hi says /hi", () => {
    expect(routed("//hi")).toEqual(say("/hi"));
  });

  test("a lone / is said as it is", () => {
    expect(routed("/")).toEqual(say("/"));
  });

  test("Chinese and emoji lines, even with a colon after one character", () => {
    expect(routed("你好，世界！")).toEqual(say("你好，世界！"));
    expect(routed("你:好")).toEqual(say("你:好"));
    expect(routed("😀:)")).toEqual(say("😀:)"));
  });

  test("a line starting with a colon", () => {
    expect(routed(":)")).toEqual(say(":)"));
  });
});

describe("an unknown slash command is reported, not said", () => {
  test("/foo", () => {
    expect(routed("/foo")).toEqual({ kind: "unknown", word: "/foo" });
    expect(routed("/foo bar baz")).toEqual({ kind: "unknown", word: "/foo" });
  });
});
