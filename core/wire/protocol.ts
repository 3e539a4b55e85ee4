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

/** A room in a rooms frame. Keyed rooms say so and hide nothing else. */
export interface RoomSummary {
  room: string;
  /** members on this server (node) */
  members: number;
  topic?: string;
  keyed?: boolean;
  /** kept by an operator when empty */
  permanent?: boolean;
}

/** A command in a help frame: every form it can be typed in. */
export interface HelpEntry {
  name: string;
  plugin?: string;
  summary: string;
  forms: readonly string[];
}

/**
 * What a server sends. Flags that a server sets to true are typed boolean: a
 * client reads any server. `room`: the room a frame concerns (every frame
 * about a room carries it; a text client shows it in front of the line when
 * it is not the reader's current room).
 */
export type ServerFrame = { id?: FrameId; room?: string } & (
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
  /** `room`: whose members these are; `defaultRoom`: it is the default room (a text client says just "online") */
  | { type: "list"; online: number; users: ListedUser[]; defaultRoom?: boolean }
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
  /** someone joined `room` (`members`: how many are in it now); `self`: you did, and it is your current room now, with its `users` and `topic` */
  | { type: "join"; room: string; nick: string; members: number; self?: boolean; users?: string[]; topic?: string; keyed?: boolean }
  /** someone left `room`; `self`: you did (a switch frame follows when your current room changed); `back`: it was your last room, so you are back in this one, the default room, your current room now */
  | { type: "part"; room: string; nick: string; reason: string; members: number; self?: boolean; back?: string }
  /** every room, and which is yours now */
  | { type: "rooms"; rooms: RoomSummary[]; current?: string }
  /** `room`'s topic ("" for none), set now by `by` or asked for */
  | { type: "topic"; room: string; topic: string; by?: string; set?: boolean }
  /** your current room is now `room`: where your plain lines go */
  | { type: "switch"; room: string }
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
  /** how they are connected (users on this node): "text", "json" or "websocket" */
  client?: string;
  /** "ADDRESS:PORT", for operators only */
  address?: string;
  /** the rooms the asker shares with them */
  rooms?: string[];
}

/** What a client sends. */
export type ClientFrame = { id?: FrameId } & (
  | { type: "hello"; client?: string; version?: number }
  | { type: "nick"; nick: string }
  /** `room`: one of your rooms, instead of your current one */
  | { type: "say"; text: string; room?: string }
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
  | { type: "join"; room: string; key?: string }
  | { type: "part"; room?: string; reason?: string }
  | { type: "rooms" }
  /** without `text`, asks for the current room's topic */
  | { type: "topic"; text?: string }
  | { type: "switch"; room: string }
);
