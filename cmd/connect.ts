// `parley connect`: flags in, a chat client out. Interactive when stdin and
// stdout are a terminal; like nc (line in, line out) when piped.

import { defineCommand } from "citty";
import { UserError } from "../core/base/errors.ts";
import type { ConnectOptions } from "../core/client/options.ts";
import { parseHostPort } from "./_parse.ts";

export default defineCommand({
  meta: { name: "connect", description: "Chat with a parley server (or any line-based chat server) from a terminal or a script" },
  args: {
    target: { type: "positional", valueHint: "[HOST:]PORT", required: true, description: "where the server is (HOST defaults to 127.0.0.1)" },
    nick: { type: "string", valueHint: "NICK", description: "nickname to join with (interactive: asked when not given; piped: else the first line)" },
    password: { type: "string", valueHint: "TEXT", description: "the server password, when it asks for one (or $PARLEY_PASSWORD; interactive: asked)" },
    tls: { type: "boolean", default: false, description: "connect with TLS" },
    insecure: { type: "boolean", default: false, description: "with --tls: accept any certificate (self-signed, expired, another name)" },
    json: { type: "boolean", default: false, description: "piped: print each frame as a JSON line, and send lines that are JSON frames as they are" },
    reconnect: { type: "boolean", default: false, description: "when the connection drops, reconnect with backoff and rejoin with the same nick, in the same rooms" },
    time: { type: "boolean", default: true, description: "timestamps in front of lines (interactive); --no-time hides them" },
  },
  async run({ args }) {
    const { host, port } = parseHostPort(args.target, "127.0.0.1");
    const options: ConnectOptions = {
      target: { host, port, tls: args.tls, insecure: args.insecure },
      nick: args.nick,
      password: args.password ?? (process.env.PARLEY_PASSWORD || undefined),
      json: args.json,
      reconnect: args.reconnect,
      time: args.time,
    };
    if (options.nick !== undefined && options.nick.trim() === "") throw new UserError("--nick must not be empty", 2);
    if (process.stdin.isTTY && process.stdout.isTTY && !args.json) {
      const { runInteractive } = await import("../core/client/interactive.ts");
      await runInteractive(options);
    } else {
      const { runPiped } = await import("../core/client/piped.ts");
      await runPiped(options);
    }
  },
});
