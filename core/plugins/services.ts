// The two seams between the plugin host and the chat server. Plugin code
// reaches the server and a user only through these interfaces: core/chat
// implements them (ChatServices in chat/services.ts, UserSession by the
// Session), and nothing in core/plugins knows a socket, a room or a framing.

import type { Logger } from "../base/log.ts";
import type { GuessLimiter } from "../base/guess-limiter.ts";
import type { Maybe } from "../base/maybe.ts";
import type { WorkPool } from "../base/work-pool.ts";
import type { Answer, PluginStore, ReloadResult, RenameResult, RoomInfo, RoomMessage, RoomResult, ServerStats, UserInfo, UserPreferences } from "./api.ts";
import type { LoadedPlugin, Registry } from "./registry.ts";

/** What plugins reach of the server, with or without a user. */
export interface ServerServices {
  /** replaced as a whole when plugins are reloaded: read it fresh each time */
  readonly registry: Registry;
  readonly log: Logger;
  /** ms a plugin handler may run before its user is answered anyway */
  readonly handlerTimeout: number;
  /** raw options as given (strings), and the declared ones checked and typed */
  config(plugin: string): Readonly<Record<string, string>>;
  options(plugin: string): Readonly<Record<string, string | number | boolean | undefined>>;
  store(plugin: string): PluginStore;
  adminPassword: { readonly set: boolean; matches(given: string): boolean };
  users(): UserInfo[];
  findUser(nick: string): UserInfo | undefined;
  /** a `[plugin] text` line to everyone but `except` (nicks); with `room`, to that room's members only */
  notice(plugin: string, text: string, except?: readonly string[], room?: string): void;
  /** a `[plugin] text` line to one nick; false when no one has it */
  noticeTo(nick: string, plugin: string, text: string): boolean;
  kick(nick: string, reason: string): boolean;
  /** the last messages of `room` (the default room when absent) */
  history(limit: number, room?: string): RoomMessage[];
  /** every room, the default one first */
  rooms(): RoomInfo[];
  /** the users in `room` on this server, in the order they joined; undefined when there is no such room */
  members(room: string): UserInfo[] | undefined;
  /** an operator keeps `room` when it is empty (true), or lets it go (false) */
  keepRoom(room: string, keep: boolean): RoomResult;
  /** the default room's name */
  readonly defaultRoom: string;
  /** re-reads the server's settings, as SIGHUP does */
  reload(): Promise<ReloadResult>;
  /** the figures of /stats and /metrics */
  stats(): ServerStats;
  /** guesses of secrets, slowed per address and server-wide */
  readonly guesses: GuessLimiter;
  /** argon2 and other costly work, a few at a time */
  readonly work: WorkPool;
}

/** What plugins reach of one user's session. */
export interface UserSession {
  readonly nick: string;
  /** false once the user has left */
  readonly present: boolean;
  info(): UserInfo;
  reply(text: string): void;
  error(text: string, code?: string): void;
  answer(answer: Answer): void;
  /**
   * The plugins' message hooks for a line of this user's: the text to
   * relay, or null when a hook dropped it. `from`: a plugin speaking on the
   * user's behalf, whose own hook does not see its own words.
   */
  pass(text: string, from?: LoadedPlugin): Maybe<string | null>;
  /** says a line as this user, through the message hooks; resolves to what the room saw, or null */
  say(text: string, action: boolean, room?: string): Maybe<string | null>;
  /** the room the user's plain lines go to now */
  readonly room: string;
  /** the rooms the user is in, in the order joined */
  myRooms(): string[];
  joinRoom(name: string, key?: string): RoomResult;
  partRoom(name?: string, reason?: string): RoomResult;
  switchRoom(name: string): RoomResult;
  /** sets the topic of the user's current room ("" clears it) */
  setTopic(text: string): RoomResult;
  whisper(nick: string, text: string): boolean;
  rename(nick: string): Maybe<RenameResult>;
  disconnect(reason: string): void;
  /** away with a text ("" none), or back (undefined) */
  setAway(text: string | undefined): void;
  /** how lines reach the user: quiet, timestamps, bell, whom they ignore */
  preferences(): UserPreferences;
  setPreferences(changes: Partial<UserPreferences>): void;
  /** binds the connection to an account and runs the login hooks */
  setAccount(account: string): Maybe<void>;
  setOperator(on: boolean): void;
}
