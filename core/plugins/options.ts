// Per-plugin options: a parley.json or parley.toml beside the plugins
// folder, the [NAME] tables of the config file (core/config), then
// --plugin-opt NAME.KEY=VALUE on the command line, which wins.
//
//   # parley.toml               // parley.json
//   [dice]                      { "dice": { "sides": 20 } }
//   sides = 20

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UserError, errorText } from "../base/errors.ts";
import type { Plugin, PluginOption } from "./api.ts";

export type PluginOptions = Map<string, Record<string, string>>;

/**
 * Plugin options, each source over the one before: parley.json and
 * parley.toml beside the plugins folder, the config file's [NAME] tables
 * (the same file when it is the parley.toml beside the folder: read once),
 * then --plugin-opt flags.
 */
export function loadPluginOptions(
  folder: string | undefined,
  flags: readonly string[],
  configFile?: { file: string; tables: Readonly<Record<string, Readonly<Record<string, string>>>> },
): PluginOptions {
  const options: PluginOptions = new Map();
  const set = (plugin: string, key: string, value: string) => {
    const entry = options.get(plugin) ?? {};
    entry[key] = value;
    options.set(plugin, entry);
  };
  if (folder) {
    for (const name of ["parley.json", "parley.toml"]) {
      const file = join(dirname(folder), name);
      if (!existsSync(file) || (configFile && resolve(configFile.file) === resolve(file))) continue;
      for (const [plugin, values] of Object.entries(readConfig(file))) {
        if (typeof values !== "object" || values === null || Array.isArray(values)) {
          throw new UserError(`${file}: "${plugin}" must be a table of options (like [${plugin}] then key = value)`);
        }
        for (const [key, value] of Object.entries(values)) set(plugin, key, typeof value === "string" ? value : JSON.stringify(value));
      }
    }
  }
  for (const [plugin, values] of Object.entries(configFile?.tables ?? {})) {
    for (const [key, value] of Object.entries(values)) set(plugin, key, value);
  }
  for (const flag of flags) {
    const match = /^([^.=\s]+)\.([^=\s]+)=(.*)$/s.exec(flag);
    if (!match) throw new UserError(`--plugin-opt must look like NAME.KEY=VALUE, as in dice.sides=20 (got "${flag}")`);
    set(match[1]!, match[2]!, match[3]!);
  }
  return options;
}

function readConfig(file: string): Record<string, unknown> {
  try {
    const text = readFileSync(file, "utf8");
    const parsed: unknown = file.endsWith(".toml") ? Bun.TOML.parse(text) : JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("the top level must be a table of plugins");
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${errorText(error)}`);
  }
}

/** A plugin's options as plugin code reads them: as given, and the declared ones checked and typed. */
export interface ResolvedOptions {
  config: Readonly<Record<string, string>>;
  options: Readonly<Record<string, string | number | boolean | undefined>>;
}

/**
 * Checks what was given for a plugin against the options it declares: an
 * unknown key, or a value of the wrong type or range, is one line naming
 * the plugin and the key. A plugin that declares none takes any key, as
 * strings. Defaults fill what was not given.
 */
export function resolveOptions(plugin: Plugin, given: Readonly<Record<string, string>> = {}): ResolvedOptions {
  const declared = plugin.options;
  if (!declared) return { config: given, options: { ...given } };
  const config: Record<string, string> = {};
  const options: Record<string, string | number | boolean | undefined> = {};
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(declared, key)) {
      throw new UserError(`plugin ${plugin.name} has no option "${key}" (its options: ${Object.keys(declared).join(", ") || "none"})`);
    }
  }
  for (const [key, spec] of Object.entries(declared)) {
    const raw = given[key];
    if (raw === undefined) {
      options[key] = spec.default;
      if (spec.default !== undefined) config[key] = String(spec.default);
      continue;
    }
    config[key] = raw;
    options[key] = typedValue(plugin.name, key, spec, raw);
  }
  return { config, options };
}

function typedValue(plugin: string, key: string, spec: PluginOption, raw: string): string | number | boolean {
  const where = `${plugin}.${key}`;
  switch (spec.type) {
    case "string":
      return raw;
    case "boolean":
      if (/^(true|yes|on|1)$/i.test(raw)) return true;
      if (/^(false|no|off|0)$/i.test(raw)) return false;
      throw new UserError(`${where} must be true or false (got "${raw}")`);
    case "number": {
      const n = raw.trim() === "" ? NaN : Number(raw);
      const range = spec.min !== undefined || spec.max !== undefined ? ` from ${spec.min ?? "-∞"} to ${spec.max ?? "∞"}` : "";
      const kind = spec.integer ? "a whole number" : "a number";
      if (!Number.isFinite(n) || (spec.integer && !Number.isInteger(n)) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new UserError(`${where} must be ${kind}${range} (got "${raw}")`);
      }
      return n;
    }
  }
}
