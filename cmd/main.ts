// The parley executable: one command tree, sub-commands loaded on demand.

import { defineCommand } from "citty";
import pkg from "../package.json" with { type: "json" };
import { runCli } from "./_cli.ts";

const main = defineCommand({
  meta: { name: "parley", version: pkg.version, description: "A telnet-clean chat server and UDP toolbox in one executable" },
  subCommands: {
    chat: () => import("./chat.ts").then((m) => m.default),
    connect: () => import("./connect.ts").then((m) => m.default),
    udp: () => import("./udp.ts").then((m) => m.default),
    plugins: () => import("./plugins.ts").then((m) => m.default),
    bans: () => import("./bans.ts").then((m) => m.default),
    accounts: () => import("./accounts.ts").then((m) => m.default),
  },
});

await runCli(main, process.argv.slice(2), pkg.version);
