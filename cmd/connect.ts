// `parley connect`: flags in, a chat client out. Interactive when stdin and
// stdout are a terminal; like nc (line in, line out) when piped. The
// process is this file's: the client says how it ended, and this prints
// the error, flushes and exits with the code; at the terminal, SIGTERM and
// SIGHUP go to the client's quit.

import { defineCommand } from "citty";
import { UserError } from "../core/base/errors.ts";
import type { ClientEnd } from "../core/client/end.ts";
import type { ConnectOptions } from "../core/client/options.ts";
import { exitWith } from "./_exit.ts";
import { parseHostPort } from "./_parse.ts";
import { startupDone } from "./_startup.ts";

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
    let end: ClientEnd;
    startupDone();
    if (process.stdin.isTTY && process.stdout.isTTY && !args.json) {
      const { runInteractive } = await import("../core/client/interactive.ts");
      end = await runInteractive(options, {
        // The terminal went away (SIGHUP) or we were asked to stop (SIGTERM):
        // the client says goodbye to the server, a bounded time, and ends.
        stoppable: (stop) => {
          for (const signal of ["SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
        },
      });
    } else {
      // Piped, the signals end the process at once, as they do nc's.
      const { runPiped } = await import("../core/client/piped.ts");
      end = await runPiped(options);
    }
    // Whatever is still open (stdin, the socket's timers) must not keep the process, but what was printed must get out.
    await exitWith(end.code, end.error);
  },
});
