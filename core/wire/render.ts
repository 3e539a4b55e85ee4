// A server frame as the lines a person reads: the one rendering of the
// protocol to text. The server writes these lines to telnet users, and
// `parley connect` prints them (piped) or decorates them (on a terminal), so
// both read the same. Every field is sanitized as it is read: a client
// renders frames from any server, and nothing in one can act on a terminal.
// Pure.

import { localMinute } from "../base/local-time.ts";
import { sanitize, sanitizeBlock } from "./sanitize.ts";
import type { ServerFrame } from "./protocol.ts";

export type Style = "chat" | "private" | "system" | "notice" | "error";

/** One display line: `before`, then the nick (coloured), then `after`. */
export interface Line {
  style: Style;
  before?: string;
  nick?: string;
  after: string;
  /** the line names the reader's nick (the server said so: a said frame's `mention`) */
  mention?: boolean;
}

const NAMES_IN_GREETING = 20;

/**
 * The display lines for a frame; `self` is our nick, when we have one.
 * `stamped`: a line replayed from history shows its time in front (off
 * when the caller puts every line's time in front anyway).
 */
export function linesOf(frame: ServerFrame, self?: string, stamped = true): Line[] {
  const f = frame as Record<string, unknown>;
  switch (frame.type) {
    case "welcome": {
      // Behind a password the room is not described: no count, no motd.
      if (f.online === undefined) return [system("Welcome to parley!")];
      const n = Number(f.online) || 0;
      const who = n === 0 ? "no one else is here yet" : n === 1 ? "1 person online" : `${n} people online`;
      return [system(`Welcome to parley! ${who}.`), ...block(f.motd).map(system)];
    }
    case "joined": {
      if (f.self !== true) return [{ style: "system", before: "* ", nick: str(f.nick), after: ` joined (${num(f.online)} online)` }];
      const users = Array.isArray(f.users) ? f.users.map(str) : [str(f.nick)];
      const more = users.length > NAMES_IN_GREETING ? ` and ${users.length - NAMES_IN_GREETING} more (type l)` : "";
      return [
        system(`* Hi ${str(f.nick)}! Online (${users.length}): ${users.slice(0, NAMES_IN_GREETING).join(", ")}${more}`),
        system("* Type a line to talk to everyone, or help for commands."),
      ];
    }
    case "left":
      return [{ style: "system", before: "* ", nick: str(f.nick), after: ` left (${str(f.reason)})` }];
    case "renamed":
      // Our own rename: `self` may be the nick before it or after.
      if (self !== undefined && (str(f.from) === self || str(f.to) === self)) return [system(`* you are now ${str(f.to)}`)];
      return [{ style: "system", before: "* ", nick: str(f.from), after: ` is now ${str(f.to)}` }];
    case "said": {
      // A line replayed from history carries its time: "[12:03] amy: hi", as a telnet user reads it.
      const at = f.history === true && stamped ? timeOf(frame) : undefined;
      const replayed = at ? `[${clock(at)}] ` : "";
      const mention = f.mention === true ? { mention: true } : {};
      // "** amy waves": two stars, so an action can never read like the "* " of a
      // server line ("* amy left (quit)", "* amy is now bob").
      if (f.action === true) return [{ style: "chat", before: `${replayed}** `, nick: str(f.from), after: ` ${str(f.text)}`, ...mention }];
      return [{ style: "chat", ...(replayed ? { before: replayed } : {}), nick: str(f.from), after: `: ${str(f.text)}`, ...mention }];
    }
    case "private": {
      // Our own message, confirmed: "[private] you -> bob: psst".
      const mine = self !== undefined && str(f.from) === self && str(f.to) !== self;
      if (mine) return [{ style: "private", before: "[private] you -> ", nick: str(f.to), after: `: ${str(f.text)}` }];
      return [{ style: "private", before: "[private] ", nick: str(f.from), after: `: ${str(f.text)}` }];
    }
    case "list":
      return listLines(f, self);
    case "join": {
      if (f.self !== true) return [{ style: "system", before: "* ", nick: str(f.nick), after: ` joined ${str(f.room)} (${num(f.members)} here)` }];
      const users = Array.isArray(f.users) ? f.users.map(str) : [str(f.nick)];
      const more = users.length > NAMES_IN_GREETING ? ` and ${users.length - NAMES_IN_GREETING} more (type l)` : "";
      const lines = [system(`* you are in ${str(f.room)} now, with ${users.length} here: ${users.slice(0, NAMES_IN_GREETING).join(", ")}${more}`)];
      if (typeof f.topic === "string" && f.topic !== "") lines.push(system(`* topic of ${str(f.room)}: ${str(f.topic)}`));
      return lines;
    }
    case "part":
      if (f.self === true && typeof f.back === "string") return [system(`* you left ${str(f.room)} and are back in ${str(f.back)}: your lines go there`)];
      if (f.self === true) return [system(`* you left ${str(f.room)}`)];
      return [{ style: "system", before: "* ", nick: str(f.nick), after: ` left ${str(f.room)} (${str(f.reason)})` }];
    case "switch":
      return [system(`* now talking in ${str(f.room)}: your lines go there`)];
    case "topic": {
      const room = str(f.room);
      const topic = str(f.topic);
      if (f.set === true && typeof f.by === "string") {
        if (topic === "") return [{ style: "system", before: "* ", nick: str(f.by), after: ` cleared the topic of ${room}` }];
        return [{ style: "system", before: "* ", nick: str(f.by), after: ` set the topic of ${room}: ${topic}` }];
      }
      return [system(topic === "" ? `* ${room} has no topic` : `* topic of ${room}: ${topic}`)];
    }
    case "rooms":
      return roomLines(f);
    case "help":
      return typeof f.topic === "string" ? topicLines(f.commands) : helpLines(f.commands);
    case "system":
      if (typeof f.plugin === "string") return block(f.text).map((t) => ({ style: "notice", before: `[${sanitize(f.plugin as string)}] `, after: t }));
      return block(f.text).map(system);
    case "error":
      return block(f.message ?? f.code).map((t) => ({ style: "error", after: `! ${t}` }));
    case "pong":
      return [];
    case "away":
      if (f.self === true) return [system(`* you are away${awayText(f.text)} (/back when you return)`)];
      return [{ style: "system", before: "* ", nick: str(f.nick), after: ` is away${awayText(f.text)}` }];
    case "back":
      return [system("* you are back")];
    case "whois":
      return whoisLines(f);
    case "ignore": {
      const nicks = Array.isArray(f.nicks) ? f.nicks.map(str) : [];
      if (nicks.length === 0) return [system("* you ignore no one")];
      return [system(`* you ignore (${nicks.length}): ${nicks.join(", ")}`)];
    }
    default:
      return typeof f.text === "string" ? block(f.text).map(system) : [];
  }
}

/** How a user is connected, as /whois says it (a Map: a server's "constructor" is no key of it). */
const CLIENTS: ReadonlyMap<string, string> = new Map([
  ["text", "in text (telnet, nc, PuTTY)"],
  ["json", "in JSON lines (parley connect or a program)"],
  ["websocket", "over a WebSocket (the web page or a program)"],
]);

function listLines(f: Record<string, unknown>, self?: string): Line[] {
  const users = Array.isArray(f.users) ? (f.users as Record<string, unknown>[]).filter((u) => u && typeof u === "object") : [];
  const nicks = users.map((u) => str(u.nick));
  const width = Math.max(0, ...nicks.map((n) => Bun.stringWidth(n)));
  const rows = users.map((u, i): Line => {
    const nick = nicks[i]!;
    const pad = " ".repeat(width - Bun.stringWidth(nick));
    const you = nick === self ? "  (you)" : "";
    const away = typeof u.away === "string" ? `  (away${awayText(u.away)})` : "";
    return { style: "system", before: "*   ", nick, after: `${pad}  idle ${formatIdle(Number(u.idle) || 0)}${away}${you}` };
  });
  const where = typeof f.room === "string" && f.defaultRoom !== true ? ` in ${str(f.room)}` : "";
  return [system(`* ${users.length} online${where}:`), ...rows];
}

function roomLines(f: Record<string, unknown>): Line[] {
  const rooms = Array.isArray(f.rooms) ? (f.rooms as Record<string, unknown>[]).filter((r) => r && typeof r === "object") : [];
  const names = rooms.map((r) => str(r.room));
  const width = Math.max(0, ...names.map((n) => Bun.stringWidth(n)));
  const rows = rooms.map((r, i): Line => {
    const name = names[i]!;
    const count = `${num(r.members)} here`.padEnd(8);
    const marks = [[r.keyed === true ? "keyed" : "", r.permanent === true ? "kept" : ""].filter(Boolean).join(", "), name === str(f.current) ? "(you talk here)" : ""].filter(Boolean).join(" ");
    const topic = typeof r.topic === "string" && r.topic !== "" ? `  ${str(r.topic)}` : "";
    return system(`*   ${name}${" ".repeat(width - Bun.stringWidth(name))}  ${count}${marks ? `  ${marks}` : ""}${topic}`);
  });
  return [system(`* ${rooms.length} room${rooms.length === 1 ? "" : "s"} (/join #room to enter one):`), ...rows];
}

/** ": lunch", or nothing for an away without text. */
function awayText(text: unknown): string {
  const t = str(text);
  return t ? `: ${t}` : "";
}

/** /whois NICK: one line per thing known. */
function whoisLines(f: Record<string, unknown>): Line[] {
  const since = typeof f.connectedAt === "string" ? new Date(f.connectedAt) : undefined;
  const rows: string[] = [];
  if (typeof f.account === "string") rows.push(`registered, logged in as ${str(f.account)}`);
  const how = CLIENTS.get(str(f.client));
  if (since && !Number.isNaN(since.getTime())) rows.push(`connected since ${localMinute(since.getTime())}${how ? `, ${how}` : ""}`);
  if (typeof f.idle === "number") rows.push(`idle ${formatIdle(f.idle)}`);
  if (typeof f.away === "string") rows.push(`away${awayText(f.away)}`);
  // Idle time and away text live on the user's own node; another node's whois has neither.
  if (typeof f.node === "string") rows.push(`on node ${str(f.node)}${typeof f.idle === "number" ? "" : " (idle time and away text are known there only)"}`);
  if (typeof f.address === "string") rows.push(`address ${str(f.address)}`);
  if (Array.isArray(f.rooms)) rows.push(`rooms in common: ${f.rooms.map(str).join(", ") || "none"}`);
  return [{ style: "system", before: "* ", nick: str(f.nick), after: "" }, ...rows.map((r) => system(`*   ${r}`))];
}

function helpLines(commands: unknown): Line[] {
  const list = Array.isArray(commands) ? (commands as Record<string, unknown>[]).filter((c) => c && typeof c === "object") : [];
  const rows = list.map((c) => [(Array.isArray(c.forms) ? c.forms.map(str) : [`/${str(c.name)}`]).join(" | "), str(c.summary)] as const);
  const width = Math.min(40, Math.max(0, ...rows.map(([forms]) => forms.length)));
  return [
    system("* Type a line to talk to everyone. Commands:"),
    ...rows.map(([forms, summary]) => system(`*   ${forms.padEnd(width)}  ${summary}`)),
    system("* help COMMAND explains one."),
  ];
}

/** help COMMAND: its forms, then what it does. */
function topicLines(commands: unknown): Line[] {
  const found = Array.isArray(commands) ? (commands[0] as Record<string, unknown> | undefined) : undefined;
  if (!found || typeof found !== "object") return [];
  const forms = Array.isArray(found.forms) ? found.forms.map(str) : [`/${str(found.name)}`];
  return [system(`* ${forms.join("  or  ")}`), system(`*   ${str(found.summary)}`)];
}

function formatIdle(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** When the frame says it happened (a replayed line), if it says. */
export function timeOf(frame: ServerFrame): Date | undefined {
  const time = (frame as { time?: unknown }).time;
  const date = typeof time === "string" ? new Date(time) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** HH:MM, local time. */
export const clock = (time: Date) => `${String(time.getHours()).padStart(2, "0")}:${String(time.getMinutes()).padStart(2, "0")}`;
const system = (text: string): Line => ({ style: "system", after: text });
const str = (value: unknown): string => sanitize(typeof value === "string" ? value : value === undefined ? "" : String(value));
const num = (value: unknown): number => Number(value) || 0;
const block = (value: unknown): string[] => (typeof value === "string" && value !== "" ? sanitizeBlock(value).split("\n") : []);

// Frames whose lines name their room already: no prefix in front of them.
const NAMES_ITS_ROOM = new Set(["join", "part", "rooms", "topic", "switch", "list"]);

/** Whether a frame of another room than the reader's is shown with the room in front. */
export function shownAway(frame: ServerFrame): boolean {
  return typeof frame.room === "string" && !NAMES_ITS_ROOM.has(frame.type);
}

/** What goes in front of a line of another room than the reader's. */
export const awayPrefix = (room: string) => `[${sanitize(room)}] `;

/** The display lines for a reader whose current room is `here` (parley connect): linesOf, with the room in front of another room's lines. */
export function linesIn(frame: ServerFrame, self: string | undefined, here: string | undefined, stamped = true): Line[] {
  const lines = linesOf(frame, self, stamped);
  if (here === undefined || frame.room === undefined || frame.room === here || !shownAway(frame)) return lines;
  const prefix = awayPrefix(frame.room);
  return lines.map((l) => ({ ...l, before: prefix + (l.before ?? "") }));
}

/** A line as plain text: what a telnet user reads. */
export function plain(line: Line): string {
  return `${line.before ?? ""}${line.nick ?? ""}${line.after}`;
}

