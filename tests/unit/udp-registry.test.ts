// UDP modes in the registry: the built-in ones in order, a dropped-in one
// beside them, the same replace-or-clash rule as commands, and what the
// loader says about a mode that is written wrong.

import { describe, expect, test } from "bun:test";
import type { Plugin, UdpMode } from "../../core/plugins/api.ts";
import { builtinPlugins } from "../../core/plugins/builtins.ts";
import { BUILT_IN, Registry } from "../../core/plugins/registry.ts";
import { validatePlugin } from "../../core/plugins/validate.ts";

const mode = (name: string): UdpMode => ({ name, summary: `${name} mode`, run() {} });
const plugin = (name: string, ...modes: string[]): Plugin => ({ name, udpModes: modes.map(mode) });

function builtins(): Registry {
  const registry = new Registry();
  for (const p of builtinPlugins) registry.add(p, BUILT_IN);
  return registry;
}

describe("the registry's UDP modes", () => {
  test("the built-in modes, in the order help lists them", () => {
    expect(builtins().udpModes().map((e) => e.mode.name)).toEqual(["echo", "send", "listen", "broadcast", "multicast", "chat", "probe"]);
  });

  test("a dropped-in mode comes after them, with its file", () => {
    const registry = builtins();
    expect(registry.add(plugin("time", "time"), "plugins/time.ts")).toEqual([]);
    const last = registry.udpModes().at(-1)!;
    expect([last.mode.name, last.owner.source]).toEqual(["time", "plugins/time.ts"]);
  });

  test("a dropped-in mode named like a built-in one replaces it, with a note", () => {
    const registry = builtins();
    expect(registry.add(plugin("my-echo", "echo"), "plugins/my-echo.ts")).toEqual([
      'udp mode "echo" of built-in plugin udp-echo is replaced by my-echo (plugins/my-echo.ts)',
    ]);
    expect(registry.udpModes().filter((e) => e.mode.name === "echo").map((e) => e.owner.source)).toEqual(["plugins/my-echo.ts"]);
  });

  test("two dropped-in files with one mode name clash, naming both", () => {
    const registry = builtins();
    registry.add(plugin("a", "time"), "plugins/a.ts");
    expect(() => registry.add(plugin("b", "time"), "plugins/b.ts")).toThrow('udp mode "time" is defined twice: by plugins/a.ts and plugins/b.ts');
    expect(() => new Registry().add(plugin("c", "x", "x"), "plugins/c.ts")).toThrow('udp mode "x" is defined twice in plugins/c.ts');
  });
});

describe("a udpModes entry written wrong is named in one line", () => {
  const cases: [string, unknown, string][] = [
    ["not an array", { name: "p", udpModes: {} }, '"udpModes" must be an array'],
    ["a bad name", { name: "p", udpModes: [{ name: "Time", summary: "", run() {} }] }, 'udp mode "Time": "name" must be a lower-case word (letters, digits, -)'],
    ["no run", { name: "p", udpModes: [{ name: "t", summary: "" }] }, 'udp mode "t": "run" must be a function'],
    ["no summary", { name: "p", udpModes: [{ name: "t", run() {} }] }, 'udp mode "t": "summary" must be a string'],
    ["a common flag", { name: "p", udpModes: [{ name: "t", summary: "", run() {}, args: { json: { type: "boolean" } } }] }, 'udp mode "t": --json is given to every mode; choose another name'],
    ["a bad arg type", { name: "p", udpModes: [{ name: "t", summary: "", run() {}, args: { n: { type: "number" } } }] }, 'udp mode "t": argument "n" needs type "string", "boolean" or "positional"'],
    ["a bad default", { name: "p", udpModes: [{ name: "t", summary: "", run() {}, args: { n: { type: "string", default: 5 } } }] }, 'udp mode "t": argument "n": "default" must be a string or a boolean'],
  ];
  for (const [what, value, message] of cases) {
    test(what, () => expect(() => validatePlugin(value)).toThrow(message));
  }

  test("a right one passes as it is", () => {
    const value = { name: "p", udpModes: [{ name: "t", summary: "s", run() {}, args: { port: { type: "string", valueHint: "PORT", required: true, alias: "p" } } }] };
    expect(validatePlugin(value)).toBe(value as unknown as Plugin);
  });
});
