// The parley executable: one command tree, sub-commands loaded on demand.

import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import pkg from "../package.json" with { type: "json" };
import { runCli } from "./_cli.ts";

const main: CommandDef<ArgsDef> = defineCommand({
  meta: { name: "parley", version: pkg.version, description: "A telnet-clean chat server and UDP toolbox in one executable" },
  subCommands: {
    chat: () => import("./chat.ts").then((m) => m.default),
    connect: () => import("./connect.ts").then((m) => m.default),
    udp: () => import("./udp.ts").then((m) => m.default),
    plugins: () => import("./plugins.ts").then((m) => m.default),
    bans: () => import("./bans.ts").then((m) => m.default),
    accounts: () => import("./accounts.ts").then((m) => m.default),
    config: () => import("./config.ts").then((m) => m.default),
    completion: (): Promise<CommandDef<ArgsDef>> => import("./completion.ts").then((m) => m.completionCommand(main)),
    backup: () => import("./backup.ts").then((m) => m.default),
  },
});

// When the reader of stdout goes away (`parley connect ... | head`), or of
// stderr, there is no one left to tell anything: exit at once, with no
// EPIPE stack trace. The code is 0, as many tools choose, not 141
// (128 + SIGPIPE, what a process killed by the signal reports): the reader
// stopping early is its choice, not a failure of this command, and so
// `set -o pipefail` scripts that cut the output short do not fail on it.
// The same when the terminal itself is gone (EIO: the window was closed).
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "EIO") process.exit(0);
    throw error;
  });
}

await runCli(main, process.argv.slice(2), pkg.version);
