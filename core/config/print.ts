// `parley chat --print-config`: the effective settings as a parley.toml
// would write them, each with where it came from. A secret that is set is
// a comment (`# password = ***`): saved as a config file, the output must
// not give the server the password "***". What is printed loads back as a
// config file, less the secrets.

import { keyOf, SETTINGS } from "./settings.ts";
import type { Resolved, Settings, Source } from "./resolve.ts";

export function printConfig(settings: Settings, pluginOptions: readonly string[]): string {
  const rows: [string, string][] = [];
  for (const s of SETTINGS) {
    const r = settings.values.get(s.flag)!;
    const key = keyOf(s);
    if (r.value === undefined) rows.push([`# ${key}`, "not set"]);
    else if (s.secret) rows.push([`# ${key} = ***`, `set: ${origin(r)}`]);
    else rows.push([`${key} = ${tomlValue(r.value)}`, origin(r)]);
  }
  const width = Math.min(48, Math.max(...rows.map(([left]) => left.length)));
  const lines = [
    `# parley chat: the effective settings (a flag, else PARLEY_*, else ${settings.file ?? "no config file"}, else the default)`,
    ...rows.map(([left, right]) => `${left.padEnd(width)}  # ${right}`),
  ];
  for (const plugin of Object.keys(settings.pluginTables)) lines.push(`# [${plugin}]: plugin options from ${settings.file}`);
  for (const option of pluginOptions) lines.push(`# --plugin-opt ${option.replace(/=.*$/s, "=…")}`);
  return lines.join("\n") + "\n";
}

function tomlValue(value: string | number | boolean): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function origin(r: Resolved): string {
  const where = sourceText(r.source);
  return r.secretFile ? `${where}, read from ${r.secretFile}` : where;
}

export function sourceText(source: Source): string {
  switch (source.from) {
    case "default":
      return "default";
    case "flag":
      return `flag ${source.name}`;
    case "env":
      return `env ${source.name}`;
    case "file":
      return `file ${source.file}${source.line ? `:${source.line}` : ""}`;
  }
}
