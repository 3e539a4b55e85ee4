// `parley plugins`: list what is loaded, print the API's types for editors,
// or write a starter plugin file.

import { defineCommand } from "citty";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { builtinPlugins } from "../core/plugins/builtins.ts";
import { UserError } from "../core/base/errors.ts";
import { pluginFolder } from "../core/plugins/loader.ts";
import { createLogger } from "../core/base/log.ts";
import { PluginHost } from "../core/plugins/host.ts";
import { apiDeclarations } from "../core/plugins/api-declarations.ts";
import { starterPlugin, starterUdpPlugin } from "../core/plugins/starter.ts";

const folderFlag = {
  plugins: { type: "string", valueHint: "DIR", description: "folder of plugin files (default: $PARLEY_PLUGINS, else ./plugins)" },
} as const;

const list = defineCommand({
  meta: { name: "plugins", description: "List every plugin, built-in or from a file, with its commands" },
  args: { ...folderFlag },
  async run({ args }) {
    const folder = pluginFolder(args.plugins);
    const host = new PluginHost(builtinPlugins, { folder, strict: false, log: createLogger("warn") });
    await host.load();
    const infos = host.registry.infos();
    const rows = host.list().map((owner) => {
      const forms = infos.filter((c) => c.plugin === owner.plugin.name).map((c) => c.forms.join(" "));
      for (const mode of owner.plugin.udpModes ?? []) forms.push(`parley udp ${mode.name}`);
      return [owner.plugin.name, owner.source, forms.join(", ") || "-"];
    });
    // Widths in terminal cells (Bun.stringWidth), so a file named in Chinese lines up too.
    const widths = [0, 1].map((i) => Math.max(...rows.map((r) => Bun.stringWidth(r[i]!)), 6));
    const pad = (cell: string, width: number) => cell + " ".repeat(Math.max(0, width - Bun.stringWidth(cell)));
    const line = (r: string[]) => `${pad(r[0]!, widths[0]!)}  ${pad(r[1]!, widths[1]!)}  ${r[2]}`;
    process.stdout.write([line(["PLUGIN", "SOURCE", "COMMANDS"]), ...rows.map(line)].join("\n") + "\n");
    // Declared options: what --plugin-opt NAME.KEY=VALUE (or [NAME] in parley.toml) may set.
    const options = host.list().flatMap(({ plugin }) =>
      Object.entries(plugin.options ?? {}).map(([key, o]) => {
        const range = o.min !== undefined || o.max !== undefined ? `, ${o.min ?? ""}..${o.max ?? ""}` : "";
        const fallback = o.default !== undefined ? `, default ${JSON.stringify(o.default)}` : "";
        return `  ${plugin.name}.${key}  (${o.integer ? "integer" : o.type}${range}${fallback})  ${o.description}`;
      }),
    );
    if (options.length > 0) process.stdout.write(["", "OPTIONS (--plugin-opt NAME.KEY=VALUE, or [NAME] in parley.toml)", ...options].join("\n") + "\n");
    if (!folder) process.stdout.write("(no plugins folder: give --plugins DIR, set PARLEY_PLUGINS, or create ./plugins)\n");
  },
});

const types = defineCommand({
  meta: { name: "types", description: 'Print the .d.ts of the plugin API (module "parley") for editors' },
  run() {
    process.stdout.write(apiDeclarations());
  },
});

const create = defineCommand({
  meta: { name: "new", description: "Write a commented starter plugin NAME.ts into the plugins folder" },
  args: {
    name: { type: "positional", description: "the plugin's name: letters, digits, _ or -", required: true },
    ...folderFlag,
    force: { type: "boolean", default: false, description: "overwrite an existing file" },
    udp: { type: "boolean", default: false, description: "a UDP mode (parley udp NAME) instead of a chat command" },
  },
  run({ args }) {
    const name = args.name;
    if (!/^[a-z][a-z0-9_-]*$/i.test(name)) throw new UserError(`a plugin name is a letter then letters, digits, _ or - (got "${name}")`);
    const folder = pluginFolder(args.plugins) ?? join(process.cwd(), "plugins");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${name}.ts`);
    if (existsSync(file) && !args.force) throw new UserError(`${relative(process.cwd(), file)} already exists (use --force to overwrite)`);
    writeFileSync(file, args.udp ? starterUdpPlugin(name) : starterPlugin(name));
    const shown = relative(process.cwd(), file) || file;
    const dir = relative(process.cwd(), folder) || ".";
    const hint = args.udp ? `parley udp ${name} --port 5000 --plugins ${dir}` : `parley chat --plugins ${dir}   then type /${name} in the chat`;
    process.stdout.write(`wrote ${shown}\nrun it: ${hint}\n`);
  },
});

export default defineCommand({
  ...list,
  subCommands: { types, new: create },
});
