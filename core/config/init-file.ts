// The text `parley config init` writes: every key of parley.toml, grouped,
// each with its help, its flag and variable, and its default (or an
// example) commented out, so the binary's defaults keep applying until a
// line is uncommented. Generated from the settings table.

import { envOf, fileFormOf, keyOf, PLUGIN_OPT, SETTINGS, type Section, type Setting } from "./settings.ts";

const SECTION_TITLES: Record<Section, string> = {
  listen: "Where it listens",
  limits: "Limits: what one client may cost the server",
  access: "Access (secrets: prefer the _file form, or the environment, to the flag, which ps shows)",
  messages: "What users are told",
  logs: "Logs",
  plugins: "Plugins",
  data: "Data: kept by default in the state directory",
  cluster: "A cluster through Redis (docs/cluster.md)",
  web: "The web page, /ws and /metrics (docs/web.md)",
};

export function initFileText(): string {
  const out = [
    "# parley.toml: the settings of `parley chat`, written by `parley config init`.",
    "# Found by --config FILE, else ./parley.toml, else $XDG_CONFIG_HOME/parley/parley.toml",
    "# (~/.config/parley/parley.toml), else /etc/parley/parley.toml.",
    "# A flag wins over its PARLEY_* variable, which wins over this file, which wins over the default.",
    "# Every setting is commented out with its default (or an example): uncomment to change it.",
    "# Relative paths are relative to this file's folder. See docs/configuration.md.",
  ];
  let section: Section | undefined;
  for (const s of SETTINGS) {
    if (s.section !== section) {
      section = s.section;
      out.push("", `# --- ${SECTION_TITLES[section]} ---`);
    }
    out.push("", ...entry(s));
  }
  out.push(
    "",
    "# --- Plugin options ---",
    `# ${PLUGIN_OPT.description}; \`parley plugins\` lists each plugin's options.`,
    "# [dice]",
    "# sides = 20",
    "",
  );
  return out.join("\n");
}

function entry(s: Setting): string[] {
  const names = `--${s.flag}, $${envOf(s)}`;
  const lines = [`# ${s.description} (${names})`];
  const shown = s.default !== undefined ? s.default : s.example!;
  const kind = s.kind.type;
  const literal = kind === "boolean" || ((kind === "integer" || kind === "bytes") && /^\d+$/.test(String(shown))) ? String(shown) : JSON.stringify(String(shown));
  lines.push(`#${keyOf(s)} = ${literal}${s.default === undefined ? "   # an example" : ""}`);
  if (s.secret) {
    const form = fileFormOf(s);
    lines.push(`# or read it from a file, one trailing newline dropped (--${form.flag}, $${form.env}):`, `#${form.key} = "/run/secrets/parley-${s.flag}"`);
  }
  return lines;
}
