// `parley udp MODE`: one sub-command per mode in the registry, built-in and
// dropped-in alike. The plugins folder must be known before the list of
// modes is, so --plugins is read from the words runCli hands the list's
// resolver, wherever it stands (`parley udp --plugins DIR time` or
// `parley udp time --plugins DIR`). The process is this file's: it turns
// SIGINT and SIGTERM into a stop of the mode and exits with its code.

import { defineCommand, renderUsage, type ArgsDef, type CommandDef } from "citty";
import pkg from "../package.json" with { type: "json" };
import type { UdpArgValues } from "../core/plugins/api.ts";
import { builtinPlugins } from "../core/plugins/builtins.ts";
import { pluginFolder } from "../core/plugins/loader.ts";
import { createLogger, type Logger } from "../core/base/log.ts";
import { PluginHost } from "../core/plugins/host.ts";
import { BUILT_IN, type UdpModeEntry } from "../core/plugins/registry.ts";
import { runUdpMode } from "../core/udp/mode-runner.ts";
import { startupDone } from "./_startup.ts";
import type { SubCommandsContext } from "./_cli.ts";
import { allValues } from "./_parse.ts";

/** Flags every mode has. */
const common = {
  json: { type: "boolean", default: false, description: "print one JSON object per line (per datagram) for scripts" },
  "log-level": { type: "string", valueHint: "LEVEL", default: "info", description: "what goes to stderr: silent, error, warn, info or debug" },
  plugins: { type: "string", valueHint: "DIR", description: "folder of plugin files with more modes (default: $PARLEY_PLUGINS, else ./plugins)" },
} as const satisfies ArgsDef;

type ModeCommands = Record<string, CommandDef<ArgsDef>>;

// By folder: a process imports each plugins folder once, however often help
// and the command walk ask for the list.
const loaded = new Map<string | undefined, Promise<ModeCommands>>();

/** The modes: built-in ones, then those of the plugins folder that `rawArgs` (the words after `udp`) name. */
function modeCommands(rawArgs: readonly string[]): Promise<ModeCommands> {
  const end = rawArgs.indexOf("--");
  const folder = pluginFolder(allValues(end === -1 ? rawArgs : rawArgs.slice(0, end), "plugins").at(-1));
  const known = loaded.get(folder);
  if (known) return known;
  const modes = (async () => {
    const host = new PluginHost(builtinPlugins, { folder, strict: false, log: createLogger("warn") });
    await host.load();
    return Object.fromEntries(host.registry.udpModes().map((entry) => [entry.mode.name, modeCommand(entry)]));
  })();
  loaded.set(folder, modes);
  return modes;
}

function modeCommand(entry: UdpModeEntry): CommandDef<ArgsDef> {
  const { mode, owner } = entry;
  const own = (mode.args ?? {}) as ArgsDef;
  return defineCommand<ArgsDef>({
    meta: { name: mode.name, description: mode.summary + (owner.source === BUILT_IN ? "" : ` (${owner.source})`) },
    args: { ...own, ...common },
    async run({ args, rawArgs }) {
      const values: Record<string, string | boolean | undefined> = {};
      for (const name of Object.keys(own)) values[name] = args[name] as string | boolean | undefined;
      // citty reads `--no-X` as X = false; a mode's own boolean flag named "no-X" (probe's --no-send) means true then.
      for (const [name, def] of Object.entries(own)) {
        if (def.type === "boolean" && name.startsWith("no-") && args[name.slice(3)] === false) values[name] = true;
      }
      // Every value of each string flag, for the modes that take one several times (--group A --group B).
      const end = rawArgs.indexOf("--");
      const flags = end === -1 ? rawArgs : rawArgs.slice(0, end);
      const repeated = Object.fromEntries(
        Object.entries(own)
          .filter(([, def]) => def.type === "string")
          .map(([name]) => [name, allValues(flags, name)]),
      );
      const log = createLogger(String(args["log-level"]));
      // Before the mode starts, so no signal finds the process without its handler.
      const stop = stopOnSignals(log);
      startupDone();
      const code = await runUdpMode(entry, values as UdpArgValues, { json: args.json === true, log, words: args._, signal: stop, repeated });
      // Whatever is still open (stdin, a mode's timer) must not keep the process, but what was printed must get out.
      await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
      process.exit(code);
    },
  });
}

/** The first SIGINT or SIGTERM fires the signal, asking the mode to stop; a second one exits at once. */
function stopOnSignals(log: Logger): AbortSignal {
  const controller = new AbortController();
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    process.on(name, () => {
      if (controller.signal.aborted) {
        log.warn(`${name} again: exiting at once`);
        process.exit(130);
      }
      log.debug(`${name}: stopping`);
      controller.abort();
    });
  }
  return controller.signal;
}

const udp: CommandDef<ArgsDef> = defineCommand<ArgsDef>({
  meta: { name: "udp", description: "UDP modes: echo, send, listen, broadcast, multicast, LAN chat, probe, and any dropped in" },
  args: { ...common },
  // runCli passes the words after `udp`, which may name the plugins folder.
  subCommands: (context?: SubCommandsContext) => modeCommands(context?.rawArgs ?? []),
  // Reached with no mode named (`parley udp --plugins DIR`): the help, with the folder's modes in it.
  async run({ rawArgs }) {
    const listed = { ...udp, subCommands: await modeCommands(rawArgs) };
    const usage = await renderUsage(listed, defineCommand({ meta: { name: "parley", version: pkg.version } }));
    process.stdout.write((process.stdout.isTTY ? usage : usage.replace(/\x1b\[[0-9;]*m/g, "")) + "\n");
  },
});

export default udp;
