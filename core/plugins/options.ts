// Per-plugin options: a parley.json or parley.toml beside the plugins
// folder, then --plugin-opt NAME.KEY=VALUE on the command line, which wins.
//
//   # parley.toml               // parley.json
//   [dice]                      { "dice": { "sides": 20 } }
//   sides = 20

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UserError, errorText } from "../base/errors.ts";

export type PluginOptions = Map<string, Record<string, string>>;

export function loadPluginOptions(folder: string | undefined, flags: readonly string[]): PluginOptions {
  const options: PluginOptions = new Map();
  const set = (plugin: string, key: string, value: string) => {
    const entry = options.get(plugin) ?? {};
    entry[key] = value;
    options.set(plugin, entry);
  };
  if (folder) {
    for (const name of ["parley.json", "parley.toml"]) {
      const file = join(dirname(folder), name);
      if (!existsSync(file)) continue;
      for (const [plugin, values] of Object.entries(readConfig(file))) {
        if (typeof values !== "object" || values === null || Array.isArray(values)) {
          throw new UserError(`${file}: "${plugin}" must be a table of options (like [${plugin}] then key = value)`);
        }
        for (const [key, value] of Object.entries(values)) set(plugin, key, typeof value === "string" ? value : JSON.stringify(value));
      }
    }
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
