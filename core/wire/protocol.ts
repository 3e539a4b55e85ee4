// The JSON-lines protocol (docs/protocol.md), as types both ends share: the
// frames a server sends, the frames a client sends, and the version. The
// server's events are its frames: what the room relays is exactly what a
// program reads, and core/wire/render.ts turns the same value into the
// lines a telnet user reads. Pure types, no code but constants.

export const PROTOCOL_VERSION = 1;

/** The `id` of the client frame an answer belongs to. */
export type FrameId = string | number;

/** A user in a list frame. */
export interface ListedUser {
  nick: string;
  /** seconds since the user last sent a line */
  idle: number;
  connectedAt?: string;
  /** present when the user is away: their away text ("" when they gave none) */
  away?: string;
}

/** A command in a help frame: every form it can be typed in. */
export interface HelpEntry {
  name: string;
  plugin?: string;
  summary: string;
  forms: readonly string[];
}

/** What a server sends. Flags that a server sets to true are typed boolean: a client reads any server. */
export type ServerFrame = { id?: FrameId } & (
  /** with `password`, nothing about the room (online, motd) until the password is accepted; a second welcome brings it */
  | { type: "welcome"; server: string; version: string; protocol: number; online?: number; motd?: string; password?: boolean }
  | { type: "joined"; nick: string; online: number; self?: boolean; users?: string[] }
  | { type: "left"; nick: string; reason: string; online: number }
  | { type: "renamed"; from: string; to: string }
  /**
   * `action`: said with /me; `history` and `time`: replayed to a user who
   * joined; `mention`: the text names the reader's nick (set per reader,
   * only on live lines)
   */
  | { type: "said"; from: string; text: string; action?: boolean; time?: string; history?: boolean; mention?: boolean }
  | { type: "private"; from: string; to: string; text: string }
  | { type: "list"; online: number; users: ListedUser[] }
  /** `topic`: the command asked about (help COMMAND), whose one entry `commands` holds */
  | { type: "help"; commands: HelpEntry[]; topic?: string }
  /** `plugin`: a notice from that plugin, shown as `[plugin] text` */
  | { type: "system"; text: string; plugin?: string }
  | { type: "error"; code: string; message: string }
  | { type: "pong"; time: string }
  /** `nick` is away (the answer to a private message to them, and to /away itself, with `self`) */
  | { type: "away"; nick: string; text: string; self?: boolean }
  /** you are back (/back) */
  | { type: "back"; nick: string }
  | WhoisFrame
  /** the nicks you ignore, after /ignore, /unignore, or /ignore alone */
  | { type: "ignore"; nicks: string[] }
);

/** What /whois tells about one user; fields the server does not know are absent. */
export interface WhoisFrame {
  type: "whois";
  nick: string;
  /** ISO 8601 */
  connectedAt: string;
  /** seconds since the user last sent a line; absent for a user on another node */
  idle?: number;
  /** present when away (and known: users on this node) */
  away?: string;
  /** the registered nick the user logged in to */
  account?: string;
  /** the cluster node the user is connected to */
  node?: string;
  /** "ADDRESS:PORT", for operators only */
  address?: string;
  // Rooms in common go here when there are rooms (issue 14): `rooms?: string[]`.
}

/** What a client sends. */
export type ClientFrame = { id?: FrameId } & (
  | { type: "hello"; client?: string; version?: number }
  | { type: "nick"; nick: string }
  | { type: "say"; text: string }
  /** a line as a person typed it: routed exactly as a telnet user's line (b:, /msg, l, plain chat) */
  | { type: "line"; text: string }
  | { type: "msg"; to: string; text: string }
  | { type: "rename"; nick: string }
  | { type: "list" }
  | { type: "help"; command?: string }
  | { type: "command"; name: string; args?: string | string[] }
  | { type: "quit"; reason?: string }
  | { type: "ping" }
  | { type: "password"; password: string }
);
