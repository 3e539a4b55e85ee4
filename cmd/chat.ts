// `parley chat`: settings in (flags, PARLEY_* variables, parley.toml: see
// core/config), a running chat server out. No chat logic here.

import { defineCommand, type ArgsDef } from "citty";
import { startChat, type RunningChat } from "../core/chat/start.ts";
import { startupDone } from "./_startup.ts";
import { chatOptionsOf } from "../core/config/chat-options.ts";
import { CONFIG_FLAG, loadSettings, PRINT_CONFIG_FLAG } from "../core/config/load.ts";
import { printConfig } from "../core/config/print.ts";
import { envOf, fileFormOf, PLUGIN_OPT, SETTINGS } from "../core/config/settings.ts";

/** The flags of `parley chat`, for citty's --help and its check of unknown flags: from the settings table. */
export function chatArgs(): ArgsDef {
  const args: ArgsDef = {
    [CONFIG_FLAG]: { type: "string", valueHint: "FILE", description: "the config file (default: ./parley.toml, else ~/.config/parley/parley.toml, else /etc/parley/parley.toml; or $PARLEY_CONFIG)" },
    [PRINT_CONFIG_FLAG]: { type: "boolean", default: false, description: "print the effective settings and where each came from (secrets as ***), then exit" },
  };
  for (const s of SETTINGS) {
    const also = ` ($${envOf(s)})`;
    args[s.flag] =
      s.kind.type === "boolean"
        ? { type: "boolean", default: s.default === true, description: s.description + also }
        : { type: "string", valueHint: s.valueHint, ...(typeof s.default === "string" ? { default: s.default } : {}), description: s.description + also };
    if (s.secret) {
      const form = fileFormOf(s);
      args[form.flag] = { type: "string", valueHint: "FILE", description: `read --${s.flag} from FILE, which ps does not show ($${form.env})` };
    }
  }
  args[PLUGIN_OPT.flag] = { type: "string", valueHint: PLUGIN_OPT.valueHint, description: PLUGIN_OPT.description };
  return args;
}

export default defineCommand({
  meta: { name: "chat", description: "Run a chat server that telnet, nc and PuTTY users can join" },
  args: chatArgs(),
  async run({ rawArgs }) {
    const loaded = loadSettings(rawArgs);
    if (loaded.printConfig) return void process.stdout.write(printConfig(loaded.settings, loaded.pluginOptions));
    const options = chatOptionsOf(loaded);
    // The process is ours: Ctrl-C or SIGTERM stops the server gracefully, then
    // exits 0. The handlers go in before anything listens, so a signal that
    // comes as the server starts is not the default (an exit with no goodbye).
    let chat: RunningChat | undefined;
    let asked: string | undefined;
    const stop = (signal: string) => {
      if (!chat) return void (asked ??= signal);
      void chat.stop(signal).then(() => process.exit(0));
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    // SIGHUP reloads (systemd's ExecReload, logrotate): no one is dropped.
    // While starting, the files are being read anyway: nothing to do.
    process.on("SIGHUP", () => void chat?.reload("SIGHUP"));
    // A reload reads every source again (the flags as given, PARLEY_*, the
    // config file, and the MOTD and TLS files they name). The node's name, when
    // made up at start, is kept: a new one would read as a changed --redis.
    options.reread = () => {
      const next = chatOptionsOf(loadSettings(rawArgs));
      return next.redis && options.redis && !loaded.settings.text("node-name") ? { ...next, redis: { ...next.redis, node: options.redis.node } } : next;
    };
    chat = await startChat(options);
    startupDone();
    const running = chat;
    if (asked) stop(asked);
    // No plugin code, in a timer or a promise no one awaited, ends the process.
    process.on("uncaughtException", (error) => running.unexpected(error));
    process.on("unhandledRejection", (reason) => running.unexpected(reason));
    // A file size limit (a full quota) fails the write with EFBIG instead of killing the server.
    process.on("SIGXFSZ", () => {});
  },
});
