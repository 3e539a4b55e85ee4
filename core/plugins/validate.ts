// Checks that what a plugin file exports is a plugin, and says exactly what
// is wrong when it is not: a user who wrote `comands:` deserves to be told.

import type { Plugin } from "./api.ts";
import { parseParams } from "./params.ts";

const NAME = /^[a-z0-9][a-z0-9_-]*$/i;
// A command word: what may follow "/" (no spaces, no colon, no slash).
const WORD = /^[^\s:/]+$/u;

export function validatePlugin(value: unknown): Plugin {
  if (!isObject(value)) throw new Error("the default export is not a plugin object (export default definePlugin({ name, commands }))");
  const p = value as Record<string, unknown>;
  if (typeof p.name !== "string" || !NAME.test(p.name)) throw new Error(`"name" must be a word of letters, digits, _ or - (got ${JSON.stringify(p.name)})`);
  for (const key of ["version", "description"]) {
    if (p[key] !== undefined && typeof p[key] !== "string") throw new Error(`"${key}" must be a string`);
  }
  const known = new Set(["name", "version", "description", "options", "commands", "hooks", "udpModes"]);
  for (const key of Object.keys(p)) if (!known.has(key)) throw new Error(`unknown field "${key}" (a plugin has ${[...known].join(", ")})`);

  if (p.commands !== undefined) {
    if (!Array.isArray(p.commands)) throw new Error(`"commands" must be an array`);
    p.commands.forEach((c, i) => checkCommand(c, i));
  }
  if (p.hooks !== undefined) {
    if (!isObject(p.hooks)) throw new Error(`"hooks" must be an object`);
    const hooks = new Set(["start", "stop", "connect", "nick", "room", "join", "login", "leave", "message"]);
    for (const [key, fn] of Object.entries(p.hooks)) {
      if (!hooks.has(key)) throw new Error(`unknown hook "${key}" (hooks are ${[...hooks].join(", ")})`);
      if (typeof fn !== "function") throw new Error(`hook "${key}" must be a function`);
    }
  }
  if (p.options !== undefined) checkOptions(p.options);
  if (p.udpModes !== undefined) {
    if (!Array.isArray(p.udpModes)) throw new Error(`"udpModes" must be an array`);
    p.udpModes.forEach((m, i) => checkUdpMode(m, i));
  }
  return value as Plugin;
}

// A mode name is a word of `parley udp NAME`; these flags every mode gets.
const MODE_NAME = /^[a-z][a-z0-9-]*$/;
const COMMON_FLAGS = new Set(["json", "log-level", "plugins", "help"]);
const ARG_TYPES = new Set(["string", "boolean", "positional"]);

function checkUdpMode(value: unknown, index: number): void {
  if (!isObject(value)) throw new Error(`udpModes[${index}] is not an object`);
  const m = value as Record<string, unknown>;
  const where = typeof m.name === "string" ? `udp mode "${m.name}"` : `udpModes[${index}]`;
  if (typeof m.name !== "string" || !MODE_NAME.test(m.name)) throw new Error(`${where}: "name" must be a lower-case word (letters, digits, -)`);
  if (typeof m.summary !== "string") throw new Error(`${where}: "summary" must be a string`);
  if (typeof m.run !== "function") throw new Error(`${where}: "run" must be a function`);
  if (m.args === undefined) return;
  if (!isObject(m.args)) throw new Error(`${where}: "args" must be an object of flags`);
  for (const [name, arg] of Object.entries(m.args)) {
    if (!/^[a-z][a-z0-9-]*$/i.test(name)) throw new Error(`${where}: argument "${name}" must be a word of letters, digits or -`);
    if (COMMON_FLAGS.has(name)) throw new Error(`${where}: --${name} is given to every mode; choose another name`);
    if (!isObject(arg)) throw new Error(`${where}: argument "${name}" must be an object like { type: "string" }`);
    const a = arg as Record<string, unknown>;
    if (!ARG_TYPES.has(a.type as string)) throw new Error(`${where}: argument "${name}" needs type "string", "boolean" or "positional"`);
    for (const key of ["description", "valueHint"]) {
      if (a[key] !== undefined && typeof a[key] !== "string") throw new Error(`${where}: argument "${name}": "${key}" must be a string`);
    }
    if (a.default !== undefined && typeof a.default !== "string" && typeof a.default !== "boolean") throw new Error(`${where}: argument "${name}": "default" must be a string or a boolean`);
    if (a.required !== undefined && typeof a.required !== "boolean") throw new Error(`${where}: argument "${name}": "required" must be a boolean`);
    const alias = a.alias;
    if (alias !== undefined && typeof alias !== "string" && !(Array.isArray(alias) && alias.every((s) => typeof s === "string"))) {
      throw new Error(`${where}: argument "${name}": "alias" must be a string or an array of strings`);
    }
  }
}

const OPTION_TYPES = new Set(["string", "number", "boolean"]);

function checkOptions(value: unknown): void {
  if (!isObject(value)) throw new Error(`"options" must be an object of options, like { sides: { type: "number", default: 6, description: "..." } }`);
  for (const [key, spec] of Object.entries(value)) {
    const where = `option "${key}"`;
    if (!/^[a-z][a-z0-9_-]*$/i.test(key)) throw new Error(`${where}: a name is a word of letters, digits, _ or -`);
    if (!isObject(spec)) throw new Error(`${where} must be an object like { type: "string", description: "..." }`);
    const o = spec as Record<string, unknown>;
    if (!OPTION_TYPES.has(o.type as string)) throw new Error(`${where} needs type "string", "number" or "boolean"`);
    if (typeof o.description !== "string") throw new Error(`${where}: "description" must be a string`);
    if (o.default !== undefined && typeof o.default !== o.type) throw new Error(`${where}: "default" must be a ${o.type as string}`);
    for (const bound of ["min", "max"]) {
      if (o[bound] !== undefined && (o.type !== "number" || typeof o[bound] !== "number")) throw new Error(`${where}: "${bound}" is for number options, and must be a number`);
    }
    if (o.integer !== undefined && (o.type !== "number" || typeof o.integer !== "boolean")) throw new Error(`${where}: "integer" is for number options, and must be a boolean`);
  }
}

function checkCommand(value: unknown, index: number): void {
  if (!isObject(value)) throw new Error(`commands[${index}] is not an object`);
  const c = value as Record<string, unknown>;
  const where = typeof c.name === "string" ? `command "${c.name}"` : `commands[${index}]`;
  if (typeof c.name !== "string" || !WORD.test(c.name)) throw new Error(`${where}: "name" must be one word without spaces, ":" or "/"`);
  if (typeof c.run !== "function") throw new Error(`${where}: "run" must be a function`);
  if (c.summary !== undefined && typeof c.summary !== "string") throw new Error(`${where}: "summary" must be a string`);
  if (c.usage !== undefined && typeof c.usage !== "string") throw new Error(`${where}: "usage" must be a string`);
  for (const key of ["aliases", "words", "params"]) {
    const list = c[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((s) => typeof s === "string" && WORD.test(s))) {
      throw new Error(`${where}: "${key}" must be an array of single words`);
    }
  }
  if (c.params) {
    try {
      parseParams(c.params as string[]);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  }
  if (c.wordArgs !== undefined && typeof c.wordArgs !== "boolean") throw new Error(`${where}: "wordArgs" must be a boolean`);
  if (c.secret !== undefined) {
    const names = parseParams((c.params as string[] | undefined) ?? []).map((p) => p.name);
    const secret = c.secret;
    if (!Array.isArray(secret) || !secret.every((s) => typeof s === "string" && names.includes(s))) {
      throw new Error(`${where}: "secret" must name some of its params (${names.join(", ") || "it has none"})`);
    }
    // Asked for after the line, so they must be the last params.
    const tail = names.slice(names.length - secret.length);
    if (!secret.every((s) => tail.includes(s))) throw new Error(`${where}: "secret" params must be its last params`);
  }
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
