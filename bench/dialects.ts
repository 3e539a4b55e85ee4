// How the load generator talks to each server: the handshake up to the
// point where a client may chat, how a chat line is wrapped, how to leave.
// Handshakes are few and short, so they work on decoded strings; the hot
// path (bench/clients.ts) never decodes.

import type { TargetName } from "./targets.ts";

/**
 * How far a client goes before it counts as connected:
 * - "greeted": the server has said hello and is waiting (parley: the
 *   nickname prompt; IRC: registered, end of MOTD; ncat: its announcement)
 * - "joined": in the room and able to talk (parley: nick accepted; IRC:
 *   JOINed #bench; ncat: same as greeted)
 */
export type Stage = "greeted" | "joined";

/** What a handshake line asks of the client. */
export type Step = { send: string } | { ready: true } | { fail: string } | null;

export interface Dialect {
  /** "lines": one relayed line per line sent; "chunks": ncat relays read() chunks */
  readonly framing: "lines" | "chunks";
  /** sent as soon as the TCP connection is up */
  hello(nick: string, stage: Stage): string;
  /** reacts to one handshake line (without its line end) */
  step(line: string, nick: string, stage: Stage): Step;
  /** bytes before the payload of a chat line */
  readonly sayPrefix: string;
  readonly lineEnd: string;
  /** what a client sends to leave; the server then closes (null: the client closes) */
  readonly quit: string | null;
}

const parley: Dialect = {
  framing: "lines",
  hello: () => "",
  step(line, nick, stage) {
    if (line.includes("choose a nickname")) return stage === "greeted" ? { ready: true } : { send: `${nick}\r\n` };
    if (line.startsWith(`* Hi ${nick}!`)) return { ready: true };
    if (line.startsWith("! ")) return { fail: line };
    return null;
  },
  sayPrefix: "",
  lineEnd: "\r\n",
  quit: "/quit\r\n",
};

export const IRC_CHANNEL = "#bench";

const irc: Dialect = {
  framing: "lines",
  hello: (nick) => `NICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\n`,
  step(line, _nick, stage) {
    const numeric = / (\d{3}) /.exec(line)?.[1];
    if (numeric === "376" || numeric === "422") return stage === "greeted" ? { ready: true } : { send: `JOIN ${IRC_CHANNEL}\r\n` };
    if (numeric === "366") return { ready: true };
    if (line.startsWith("ERROR") || (numeric !== undefined && numeric >= "400" && numeric < "600")) return { fail: line };
    if (line.startsWith("PING ")) return { send: `PONG ${line.slice(5)}\r\n` };
    return null;
  },
  sayPrefix: `PRIVMSG ${IRC_CHANNEL} :`,
  lineEnd: "\r\n",
  quit: "QUIT\r\n",
};

const ncat: Dialect = {
  framing: "chunks",
  hello: () => "",
  // ncat tells a newcomer who else is connected, and everyone else about the newcomer.
  step: (line) => (line.startsWith("<announce> already connected") ? { ready: true } : null),
  sayPrefix: "",
  lineEnd: "\n",
  quit: null,
};

export const DIALECTS: Record<TargetName, Dialect> = { parley, ngircd: irc, ncat };
