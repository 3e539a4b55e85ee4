// Declared plugin options (Plugin.options): core checks what was given,
// types it and fills in defaults, so a plugin never re-parses its options
// and a typo is one line at start-up.
import { describe, expect, test } from "bun:test";
import type { Plugin } from "../../core/plugins/api.ts";
import { resolveOptions } from "../../core/plugins/options.ts";
import { validatePlugin } from "../../core/plugins/validate.ts";

const dice: Plugin = {
  name: "dice",
  options: {
    sides: { type: "number", integer: true, min: 2, max: 1000, default: 6, description: "sides of a die" },
    loud: { type: "boolean", default: false, description: "announce every roll" },
    label: { type: "string", description: "shown before a roll" },
  },
};

describe("a declared option is checked and typed", () => {
  test("nothing given: the defaults, typed; an option without one stays undefined", () => {
    expect(resolveOptions(dice, {})).toEqual({ config: { sides: "6", loud: "false" }, options: { sides: 6, loud: false, label: undefined } });
  });

  test("given values become numbers and booleans", () => {
    const { options, config } = resolveOptions(dice, { sides: "20", loud: "yes", label: "🎲" });
    expect(options).toEqual({ sides: 20, loud: true, label: "🎲" });
    expect(config).toEqual({ sides: "20", loud: "yes", label: "🎲" });
  });

  test("a wrong value is one line naming the plugin, the key and what is allowed", () => {
    expect(() => resolveOptions(dice, { sides: "many" })).toThrow('dice.sides must be a whole number from 2 to 1000 (got "many")');
    expect(() => resolveOptions(dice, { sides: "2.5" })).toThrow("dice.sides must be a whole number");
    expect(() => resolveOptions(dice, { sides: "1" })).toThrow("from 2 to 1000");
    expect(() => resolveOptions(dice, { loud: "maybe" })).toThrow('dice.loud must be true or false (got "maybe")');
  });

  test("an unknown key names the options the plugin has", () => {
    expect(() => resolveOptions(dice, { sidez: "6" })).toThrow('plugin dice has no option "sidez" (its options: sides, loud, label)');
  });

  test("a plugin that declares no options takes any key, as strings", () => {
    expect(resolveOptions({ name: "free" }, { anything: "x" })).toEqual({ config: { anything: "x" }, options: { anything: "x" } });
  });
});

describe("a plugin's option declarations are checked when it loads", () => {
  test("a well-formed declaration passes", () => {
    expect(validatePlugin(dice)).toBe(dice);
  });

  test("each mistake is named", () => {
    const bad = (options: unknown) => () => validatePlugin({ name: "p", options });
    expect(bad([])).toThrow('"options" must be an object');
    expect(bad({ x: { type: "int", description: "" } })).toThrow('option "x" needs type "string", "number" or "boolean"');
    expect(bad({ x: { type: "number" } })).toThrow('option "x": "description" must be a string');
    expect(bad({ x: { type: "number", default: "6", description: "" } })).toThrow('option "x": "default" must be a number');
    expect(bad({ x: { type: "string", min: 1, description: "" } })).toThrow('"min" is for number options');
  });
});
