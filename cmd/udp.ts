// `parley udp MODE`: one sub-command per mode in the registry, built-in and
// dropped-in alike. The plugins folder must be known before the list of
// modes is, so --plugins is read from the command line first, wherever it
// stands (`parley udp --plugins DIR time` or `parley udp time --plugins DIR`).

import { defineCommand, renderUsage, type ArgsDef, type CommandDef } from "citty";
import pkg from "../package.json" with { type: "json" };
import type { UdpArgValues } from "../core/plugins/api.ts";
import { builtinPlugins } from "../core/plugins/builtins.ts";
import { pluginFolder } from "../core/plugins/loader.ts";
import { createLogger } from "../core/base/log.ts";
import { PluginHost } from "../core/plugins/host.ts";
import { BUILT_IN, type UdpModeEntry } from "../core/plugins/registry.ts";
import { runUdpMode } from "../core/udp/mode-runner.ts";
import { allValues } from "./_parse.ts";

/** Flags every mode has. */
const common = {
  json: { type: "boolean", default: false, description: "print one JSON object per line (per datagram) for scripts" },
  "log-level": { type: "string", valueHint: "LEVEL", default: "info", description: "what goes to stderr: silent, error, warn, info or debug" },
  plugins: { type: "string", valueHint: "DIR", description: "folder of plugin files with more modes (default: $PARLEY_PLUGINS, else ./plugins)" },
} as const satisfies ArgsDef;

let modes: Promise<Record<string, CommandDef<ArgsDef>>> | undefined;

/** The modes, once: built-in ones, then those of the plugins folder. */
function modeCommands(): Promise<Record<string, CommandDef<ArgsDef>>> {
  modes ??= (async () => {
    const argv = process.argv.slice(2);
    const end = argv.indexOf("--");
    const flag = allValues(end === -1 ? argv : argv.slice(0, end), "plugins").at(-1);
    const host = new PluginHost(builtinPlugins, { folder: pluginFolder(flag), strict: false, log: createLogger("warn") });
    await host.load();
    return Object.fromEntries(host.registry.udpModes().map((entry) => [entry.mode.name, modeCommand(entry)]));
  })();
  return modes;
}

function modeCommand(entry: UdpModeEntry): CommandDef<ArgsDef> {
  const { mode, owner } = entry;
  const own = (mode.args ?? {}) as ArgsDef;
  return defineCommand<ArgsDef>({
    meta: { name: mode.name, description: mode.summary + (owner.source === BUILT_IN ? "" : ` (${owner.source})`) },
    args: { ...own, ...common },
    async run({ args }) {
      const values: Record<string, string | boolean | undefined> = {};
      for (const name of Object.keys(own)) values[name] = args[name] as string | boolean | undefined;
      await runUdpMode(entry, values as UdpArgValues, { json: args.json === true, logLevel: String(args["log-level"]), words: args._ });
    },
  });
}

const udp: CommandDef<ArgsDef> = defineCommand<ArgsDef>({
  meta: { name: "udp", description: "UDP modes: echo, send, listen, broadcast, multicast, LAN chat, and any dropped in" },
  args: { ...common },
  subCommands: modeCommands,
  // Reached with no mode named (`parley udp --plugins DIR`): the help, with the folder's modes in it.
  async run() {
    const usage = await renderUsage(udp, defineCommand({ meta: { name: "parley", version: pkg.version } }));
    process.stdout.write((process.stdout.isTTY ? usage : usage.replace(/\x1b\[[0-9;]*m/g, "")) + "\n");
  },
});

export default udp;
