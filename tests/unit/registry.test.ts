// The command registry: built-in and dropped-in plugins go through the same
// `add`, help is generated from it, and a later plugin can replace a command.
import { describe, expect, test } from "bun:test";
import type { Command, Plugin } from "../../core/plugins/api.ts";
import { builtinPlugins } from "../../core/plugins/builtins.ts";
import { Registry } from "../../core/plugins/registry.ts";
import { route } from "../../core/chat/router.ts";

function builtins(): Registry {
  const registry = new Registry();
  for (const plugin of builtinPlugins) registry.add(plugin, "built-in");
  return registry;
}

function plugin(name: string, ...commands: Omit<Command, "run" | "summary">[]): Plugin {
  return { name, commands: commands.map((c) => ({ summary: `${c.name} from ${name}`, run() {}, ...c })) };
}

const formsOf = (registry: Registry, name: string) => registry.infos().find((i) => i.name === name)?.forms;

describe("help shows every way to type a command", () => {
  const registry = builtins();

  test("msg: c:NICK:TEXT, /msg NICK TEXT and /tell", () => {
    expect(formsOf(registry, "msg")).toEqual(["c:NICK:TEXT", "/msg NICK TEXT", "/tell"]);
  });

  test("say: b:TEXT and /say TEXT", () => {
    expect(formsOf(registry, "say")).toEqual(["b:TEXT", "/say TEXT"]);
  });

  test("list: l, /list [#ROOM] and /who", () => {
    expect(formsOf(registry, "list")).toEqual(["l", "/list [#ROOM]", "/who"]);
  });

  test("quit: its usage line and the words that run it", () => {
    expect(formsOf(registry, "quit")).toEqual(["/quit [REASON]", "quit", "byebye", "exit"]);
  });

  test("every built-in command is listed once, with its plugin and summary", () => {
    const infos = registry.infos();
    const names = infos.map((i) => i.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["help", "list", "me", "msg", "nick", "quit", "say"]));
    expect(infos.find((i) => i.name === "msg")).toMatchObject({ plugin: "secret", summary: expect.any(String) });
  });
});

describe("a later plugin can replace a command by name", () => {
  test("add returns what it replaced: one note naming the command and its plugin", () => {
    const registry = builtins();
    const replaced = registry.add(plugin("mine", { name: "msg", params: ["nick", "text..."] }), "mine.ts");
    expect(replaced).toHaveLength(1);
    expect(replaced[0]).toContain("msg");
    expect(replaced[0]).toContain("secret");
  });

  test("the new command runs in its place, and help lists it once", () => {
    const registry = builtins();
    registry.add(plugin("mine", { name: "msg", aliases: ["c"], params: ["nick", "text..."] }), "mine.ts");
    const r = route("c:bob:hi", registry);
    expect(r.kind === "command" && r.entry.owner.plugin.name).toBe("mine");
    expect(registry.infos().filter((i) => i.name === "msg")).toHaveLength(1);
    expect(formsOf(registry, "msg")).toEqual(["c:NICK:TEXT", "/msg NICK TEXT"]);
  });

  test("the replaced command's other names go with it", () => {
    const registry = builtins();
    registry.add(plugin("mine", { name: "msg", params: ["nick", "text..."] }), "mine.ts");
    expect(route("/tell bob hi", registry)).toEqual({ kind: "unknown", word: "/tell" });
    expect(route("c:bob:hi", registry)).toEqual({ kind: "say", text: "c:bob:hi" });
  });

  test("a new command replaces nothing", () => {
    const registry = builtins();
    expect(registry.add(plugin("dice", { name: "roll", aliases: ["r"] }), "dice.ts")).toEqual([]);
    const r = route("r", registry);
    expect(r.kind === "command" && r.entry.command.name).toBe("roll");
  });
});

describe("a malformed plugin is refused and changes nothing", () => {
  test("a rest parameter that is not last throws, and the registry is as before", () => {
    const registry = builtins();
    const before = registry.infos();
    expect(() => registry.add(plugin("bad", { name: "msg", params: ["text...", "nick"] }), "bad.ts")).toThrow();
    expect(registry.infos()).toEqual(before);
    expect(registry.plugins).toHaveLength(builtinPlugins.length);
  });
});

describe("command words are reserved", () => {
  test("names, aliases and words of every built-in, lower-cased", () => {
    const words = builtins().reservedWords();
    for (const w of ["say", "b", "msg", "c", "tell", "nick", "n", "list", "l", "who", "me", "help", "?", "quit", "byebye", "exit"]) {
      expect(words.has(w)).toBe(true);
    }
  });
});
