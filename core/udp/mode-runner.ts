// Runs one UDP mode: builds its context (checks, sockets, output, stdin,
// the stop signal), runs it, and on the way out closes what it left open
// and prints the one-line summary. The process is the caller's: it decides
// what stops the mode (an AbortSignal) and when to exit with the code.

import { lookup } from "node:dns/promises";
import type { UdpArgValues, UdpContext, UdpSocket } from "../plugins/api.ts";
import { errorText, UserError } from "../base/errors.ts";
import type { Logger } from "../base/log.ts";
import type { UdpModeEntry } from "../plugins/registry.ts";
import { BUILT_IN } from "../plugins/registry.ts";
import { familyOf, makeChecks } from "./checks.ts";
import { datagramJson, datagramLine, escapeControls, noteJson, showEndpoint, summaryLine } from "./format.ts";
import { localAddresses, lookupInterface } from "./interfaces.ts";
import { openSocket, type Counters } from "./sockets.ts";
import { byteLines, inputDatagrams, stdinChunks } from "./input.ts";
import { sanitize } from "../wire/sanitize.ts";

// A mode that does not return within this long after the stop signal is left behind.
const STOP_GRACE_MS = 2000;

export interface RunOptions {
  json: boolean;
  /** the log on stderr, at the level --log-level asked for */
  log: Logger;
  /** every positional word */
  words: readonly string[];
  /** fires when the mode is to stop: the caller decides what asks (cmd/udp.ts: SIGINT, SIGTERM) */
  signal: AbortSignal;
  /** every value of each flag as typed, for flags that may be repeated (--group A --group B) */
  repeated?: Readonly<Record<string, readonly string[]>>;
}

/** Runs the mode until it returns or `options.signal` fires; resolves with the exit code, rejects with a UserError when the mode failed. */
export async function runUdpMode({ mode, owner }: UdpModeEntry, args: UdpArgValues, options: RunOptions): Promise<number> {
  const { signal, log } = options;
  const counts: Counters = { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0, dropped: 0 };
  const sockets = new Set<UdpSocket>();
  const stopped = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  const out = (line: string) => process.stdout.write(line + "\n");

  const ctx: UdpContext = {
    mode: mode.name,
    args,
    words: options.words,
    json: options.json,
    log,
    signal,
    check: makeChecks((message) => log.warn(message)),
    counts,
    async open(socketOptions = {}) {
      const socket = await openSocket(socketOptions, { log, counts, hasReuseFlag: "reuse" in (mode.args ?? {}), hasInterfaceFlag: "interface" in (mode.args ?? {}) });
      sockets.add(socket);
      return socket;
    },
    async resolve(host, family) {
      const known = familyOf(host);
      if (known !== 0) return { address: host, family: known };
      try {
        const found = await lookup(host, family ? { family } : { family: 0, order: "ipv4first" });
        return { address: found.address, family: found.family === 6 ? 6 : 4 };
      } catch {
        throw new UserError(`cannot find the address of ${host}`);
      }
    },
    endpoint: showEndpoint,
    networkInterface: lookupInterface,
    localAddresses,
    print(datagram, fields) {
      out(options.json ? datagramJson(datagram, fields) : datagramLine(datagram));
    },
    note(text, fields) {
      out(options.json ? noteJson(text, fields) : text.split("\n").map(escapeControls).join("\n"));
    },
    clean: (text) => sanitize(text),
    values(name) {
      const given = options.repeated?.[name];
      if (given && given.length) return [...given];
      const one = args[name];
      return typeof one === "string" ? [one] : [];
    },
    input: (input) => inputDatagrams(input, { log, signal, sleep: (ms) => ctx.sleep(ms) }),
    lines: () => stdinLines(signal),
    async *messages(message, { count, interval = 0 } = {}) {
      if (!message) {
        let n = 0;
        for await (const line of stdinLines(signal)) {
          if (count !== undefined && n >= count) return;
          if (n++ > 0 && interval > 0 && !(await ctx.sleep(interval))) return;
          yield line;
        }
        return;
      }
      for (let i = 0; i < (count ?? 1); i++) {
        if (i > 0 && !(await ctx.sleep(interval))) return;
        yield message;
      }
    },
    sleep(ms) {
      return new Promise((resolve) => {
        if (signal.aborted) return resolve(false);
        const done = () => {
          clearTimeout(timer);
          resolve(false);
        };
        const timer = setTimeout(() => {
          signal.removeEventListener("abort", done);
          resolve(true);
        }, ms);
        signal.addEventListener("abort", done, { once: true });
      });
    },
    stopped: () => stopped,
    fail(message) {
      throw new UserError(message);
    },
  };

  try {
    const running = Promise.resolve(mode.run(ctx, args));
    const late = stopped.then(() => new Promise<"late">((resolve) => setTimeout(() => resolve("late"), STOP_GRACE_MS).unref()));
    if ((await Promise.race([running, late])) === "late") log.warn(`udp mode ${mode.name} did not stop within ${STOP_GRACE_MS} ms; closing its sockets`);
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (process.env.PARLEY_DEBUG && error instanceof Error) console.error(error.stack);
    const from = owner.source === BUILT_IN ? "" : ` (${owner.source})`;
    throw new UserError(`udp mode ${mode.name}${from} failed: ${errorText(error)}`);
  }
  for (const socket of sockets) await socket.close();
  log.info(summaryLine(counts));
  return 0;
}

/** Lines of stdin (split on \n only), until it ends or the mode is stopped. */
async function* stdinLines(signal: AbortSignal): AsyncGenerator<string> {
  if (signal.aborted) return;
  const decoder = new TextDecoder();
  for await (const line of byteLines(stdinChunks(signal))) yield decoder.decode(line);
}
