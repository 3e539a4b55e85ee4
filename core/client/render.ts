// How `parley connect` shows a server frame on a terminal: the lines of
// core/wire/render.ts (what a telnet user reads), with a timestamp and a
// colour per nick.

import { nickKey } from "../wire/nick.ts";
import { clock, plain, type Line } from "../wire/render.ts";

export { linesIn, linesOf, plain, timeOf, type Line, type Style } from "../wire/render.ts";

const NICK_COLOURS = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];
const sgr = (code: string, text: string) => (text ? `\x1b[${code}m${text}\x1b[0m` : "");

/** A colour for a nick, the same every time and for every case of it. */
export function nickColour(nick: string): number {
  let hash = 0x811c9dc5; // FNV-1a
  for (const ch of nickKey(nick)) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return NICK_COLOURS[hash % NICK_COLOURS.length]!;
}

export interface Decoration {
  /** when set, an HH:MM timestamp in front */
  time?: Date;
  colour: boolean;
}

/**
 * `12:03 amy: hi`, with colours when asked: nicks by hash, private tagged,
 * system dim, errors red, and a line that says our nick (the server's
 * `mention` flag) in bold yellow. Only the server sets that flag, and text
 * can carry no escape sequence (sanitize), so no one can make a line look
 * like a mention of us.
 */
export function decorate(line: Line, { time, colour }: Decoration): string {
  const stamp = time ? `${clock(time)} ` : "";
  if (!colour) return stamp + plain(line);
  const head = stamp ? sgr("2", stamp.trimEnd()) + " " : "";
  if (line.style === "error") return head + sgr("31", plain(line));
  const nick = line.nick ? sgr(String(nickColour(line.nick)), line.nick) : "";
  if (line.style === "system") return head + sgr("2", line.before ?? "") + nick + sgr("2", line.after);
  const before = line.before ? sgr(line.style === "private" ? "1;35" : line.style === "notice" ? "36" : "0", line.before) : "";
  return head + before + nick + (line.mention ? sgr("1;33", line.after) : line.after);
}
