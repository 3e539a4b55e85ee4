// The public plugin API: the module `parley` that built-in plugins import
// (tsconfig maps it here) and that dropped-in plugin files import at run time.
// Everything a plugin can do goes through these types. If a built-in plugin
// needs something that is not here, this file grows; no plugin reaches into core.
// (Re-exported helpers are core's own, so a plugin compares nicknames and
// secrets exactly as the server does.)

/** The key two nicknames collide on: what the server compares ("Bob", "BOB" and "ｂｏｂ" are one nick). */
export { nickKey } from "../wire/nick.ts";
/** The key two room names collide on: "#Help" and "#help" are one room. */
export { roomKey } from "../wire/room-name.ts";
/** Compares a secret in constant time (hashed first, so lengths match too). */
export { safeEqual } from "../base/safe-equal.ts";
/** An IP address in one form ("::ffff:1.2.3.4" is "1.2.3.4", IPv6 shortened); undefined when it is not one. */
export { canonicalAddress } from "../base/address.ts";
/** A time as people read it: local time zone, to the minute ("2026-12-01 23:14"). */
export { localMinute } from "../base/local-time.ts";
/** Rows as lines, each column as wide as its widest cell on screen (a Chinese character is two cells). */
export { columns } from "../base/columns.ts";

/** A person in the room, as plugins see them. */
export interface UserInfo {
  /** unique per connection while the server runs: tells apart two users with the same nick over time */
  readonly id: number;
  /** "" before the user has chosen one */
  readonly nick: string;
  readonly address: string;
  readonly port: number;
  readonly connectedAt: Date;
  /** milliseconds since this user last sent a line (0 for users on other nodes of a cluster) */
  readonly idle: number;
  /** the cluster node the user is connected to; absent on a single server */
  readonly node?: string;
  /** how they are connected, for users on this node: text (telnet, nc, PuTTY), json (JSON lines over TCP: parley connect, programs) or websocket (the web page, programs on /ws) */
  readonly client?: "text" | "json" | "websocket";
  /** present when the user is away (/away): their away text, "" when they gave none; known for users on this node */
  readonly away?: string;
  /** the registered nick this connection proved is its own (/register, /login), whatever nick it has now */
  readonly account?: string;
  /** true once the user became an operator (/op) */
  readonly operator?: boolean;
}

/**
 * Someone a user ignores: the nick they have now (what /ignore lists) and
 * the nick keys (nickKey) they are known by, the first the one ignored, then
 * those they took since: an ignore follows its person through the renames
 * the server sees while the ignorer is online.
 */
export interface Ignored {
  readonly nick: string;
  readonly keys: readonly string[];
}

/** How the server delivers lines to one user: what only they see and hear. */
export interface UserPreferences {
  /** join and leave notices are not shown */
  readonly quiet: boolean;
  /** a text client's live lines start with [HH:MM], the server's local time */
  readonly timestamps: boolean;
  /** a text client hears the terminal bell when a line says their nick */
  readonly bell: boolean;
  /** whose lines and private messages do not reach the user, at most 100 */
  readonly ignored: readonly Ignored[];
}

/**
 * The server's figures for operators (what /stats shows and /metrics
 * serves, docs/web.md): open connections, counts since start, the
 * process. Counts only grow; a restart starts them again from 0.
 */
export interface ServerStats {
  /** open connections: TCP in text (telnet, nc), TCP in JSON lines, WebSockets */
  readonly connections: { readonly text: number; readonly json: number; readonly websocket: number };
  /** users with a nickname in the room (the whole cluster's, with --redis) */
  readonly usersOnline: number;
  /** rooms this node holds now, the default room and kept ones too */
  readonly rooms: number;
  readonly websocketsAccepted: number;
  readonly linesReceived: number;
  /** events the room fanned out, and the copies of them delivered to users */
  readonly eventsRelayed: number;
  readonly deliveries: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** lines flood control made wait, and lines it refused */
  readonly floodDelayed: number;
  readonly floodRefused: number;
  /** connections ended, by reason: closed, quit, kicked, not_reading, idle_timeout, nick_timeout, wrong_password, flood, protocol, shutdown, other */
  readonly disconnects: Readonly<Record<string, number>>;
  /** bytes waiting in every outbox now, and the most one outbox has held since start */
  readonly outboxWaiting: number;
  readonly outboxHighWater: number;
  /** plugin handlers that failed (time-outs included), and those that timed out */
  readonly pluginErrors: number;
  readonly handlerTimeouts: number;
  readonly historyWrites: number;
  readonly historyWriteFailures: number;
  /** with --redis: whether the link is up, how often it was lost, the last write's round trip (ms), the writes waiting */
  readonly redis?: { readonly up: boolean; readonly linkLosses: number; readonly publishMs: number; readonly backlog: number };
  readonly process: {
    readonly cpuSeconds: number;
    readonly residentBytes: number;
    readonly heapBytes: number;
    /** undefined where /proc cannot tell */
    readonly openFds?: number;
    readonly maxFds?: number;
    /** seconds since the epoch */
    readonly startTime: number;
    readonly uptimeSeconds: number;
  };
}

/** A room, as plugins see it. */
export interface RoomInfo {
  /** "#name", as it was first written */
  readonly name: string;
  /** how many are in it (on this server, in a cluster) */
  readonly members: number;
  /** "" for none */
  readonly topic: string;
  /** joining it takes a key */
  readonly keyed: boolean;
  /** kept by an operator when empty (/room keep) */
  readonly permanent: boolean;
}

/** What a room operation did: `room` is the user's current room after it; `code` tells programs why not. */
export type RoomResult = { ok: true; room: string } | { ok: false; reason: string; code: string };

/** `code` tells programs why: the nick is someone else's, or not a valid nickname. */
export type RenameResult = { ok: true; nick: string } | { ok: false; reason: string; code: "nick_taken" | "nick_invalid" | "cluster_unreachable" };

export interface PluginLogger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** A command as it appears in help: every form a user can type it in. */
export interface CommandInfo {
  readonly name: string;
  readonly plugin: string;
  readonly summary: string;
  readonly forms: readonly string[];
}

/**
 * A small key/value store of the plugin's own. Values are anything JSON can
 * hold. It outlives the process when the server runs with --data FILE, and
 * lives in memory otherwise.
 */
export interface PluginStore {
  /** false when the server keeps nothing (`--data memory`): what is set here is gone when it restarts */
  readonly kept: boolean;
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): boolean;
  keys(): string[];
}

/** What every plugin can do, with or without a user: in `start`, `stop` and timers. */
export interface PluginContext {
  /** the plugin's options as given, from --plugin-opt NAME.KEY=VALUE and parley.json / parley.toml (declared ones with their defaults) */
  readonly config: Readonly<Record<string, string>>;
  /** the plugin's declared options (Plugin.options), checked and typed: numbers as numbers, booleans as booleans */
  readonly options: Readonly<Record<string, string | number | boolean | undefined>>;
  /** the server's admin password (--admin-password), which plugins may check but never read */
  readonly adminPassword: { readonly set: boolean; matches(given: string): boolean };
  /** the server log, tagged with the plugin's name */
  readonly log: PluginLogger;
  readonly store: PluginStore;
  /** A notice to everyone (with `room`, that room's members only), shown as coming from this plugin (`[name] text`). */
  broadcast(text: string, options?: { except?: readonly string[]; room?: string }): void;
  /** A notice to one user, shown as coming from this plugin; false when no such nick. */
  send(nick: string, text: string): boolean;
  /** Everyone online, in the order they joined. */
  users(): UserInfo[];
  /** The user online with this nick, compared as the server compares nicks; undefined when none. */
  findUser(nick: string): UserInfo | undefined;
  /** Disconnects another user; the room sees them leave with `reason`. False when no such nick. */
  kick(nick: string, reason: string): boolean;
  /** The last `limit` messages said to `room` (by default the default room; in a command, ctx.room), oldest first (never private ones). */
  history(limit: number, room?: string): RoomMessage[];
  /** Every room, the default one first, then by name. */
  rooms(): RoomInfo[];
  /** The users in `room`, in the order they joined it; undefined when there is no such room. */
  members(room: string): UserInfo[] | undefined;
  /** Keeps `room` when it is empty (true; it is made if it does not exist), or lets it go again (false). Check the user may first. */
  keepRoom(room: string, keep: boolean): RoomResult;
  /** The room everyone lands in (--default-room). */
  readonly defaultRoom: string;
  /** The server's figures now (what /metrics serves), for operators' commands such as /stats. */
  stats(): ServerStats;
  /**
   * Re-reads the server's settings as SIGHUP does (the MOTD file, the TLS
   * certificate, the plugins folder, the chat log file); no one is
   * disconnected. What /reload runs; check who asks before calling it.
   */
  reload(): Promise<ReloadResult>;
}

/** What a reload did: one line per change or problem; ok is false when something read could not be applied. */
export interface ReloadResult {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

/** A message said to the room, as history keeps it. */
export interface RoomMessage {
  readonly time: Date;
  readonly from: string;
  readonly text: string;
  /** said with /me */
  readonly action: boolean;
  /** the room it was said in */
  readonly room: string;
}

/** What a command or hook about one user can do. Text sent through it is sanitized like users' text. */
export interface CommandContext extends PluginContext {
  /** the user who typed the command */
  readonly user: UserInfo;
  /** the room the command was typed in: the user's current room, where their plain lines go */
  readonly room: string;
  /** The rooms the user is in, in the order joined. */
  myRooms(): string[];
  /** Joins the user to `room` (made when it does not exist; a `key` given then makes it keyed), or makes it current when they are in it. */
  joinRoom(room: string, key?: string): RoomResult;
  /**
   * The user leaves `room` (by default their current one); parting the last
   * puts them back in the default room. The reason passes the message hooks,
   * as a line does: one a hook holds back (a mute) leaves without it.
   */
  partRoom(room?: string, reason?: string): RoomResult | Promise<RoomResult>;
  /** Makes `room`, one the user is in, their current room. */
  switchRoom(room: string): RoomResult;
  /**
   * Sets the topic of the user's current room ("" clears it); everyone in it
   * is told. The text passes the message hooks, as a line does: one a hook
   * holds back (a mute; the hook has told the user) is `{ ok: false, code: "held" }`.
   */
  setTopic(text: string): RoomResult | Promise<RoomResult>;
  /** Lines to the user who typed the command only. */
  reply(text: string): void;
  /**
   * An error line to the user who typed the command only. `code` is for
   * programs (the JSON frame's code); it defaults to "command_error".
   */
  error(text: string, code?: string): void;
  /**
   * A structured answer that each client shows its own way: a telnet user
   * reads lines, a program gets the frame (docs/protocol.md).
   */
  answer(answer: Answer): void;
  /**
   * A notice to ctx.room (or `room`), on this user's behalf: it passes the
   * `message` hooks as the user's own lines do, so a muted user's is dropped.
   */
  broadcast(text: string, options?: { except?: readonly string[]; room?: string }): void;
  /** Says text to ctx.room as the user (`NICK: text`), through `message` hooks. */
  say(text: string): void;
  /** An action to the room as the user (`* NICK text`), through `message` hooks. */
  emote(text: string): void;
  /** A private message from the user to `nick`; false when no such nick is online. */
  whisper(nick: string, text: string): boolean;
  /** Renames the user under the same rules as a first nickname (asynchronous: in a cluster, other nodes are asked). */
  rename(nick: string): Promise<RenameResult>;
  /** Closes the user's connection; the room sees them leave with `reason`. */
  disconnect(reason?: string): void;
  /** Every command the server knows, for help-like plugins. */
  commands(): CommandInfo[];
  /**
   * Marks the user away with `text` ("" for none), or back with undefined:
   * lists and /whois show it (ctx.user.away), and a private message to them
   * is answered with it (the msg command does that).
   */
  setAway(text: string | undefined): void;
  /** How lines reach this user now. */
  preferences(): UserPreferences;
  /** Changes how lines reach this user; what is not given stays. `ignored` replaces the list (past 100, the rest is dropped). */
  setPreferences(changes: Partial<UserPreferences>): void;
  /**
   * Binds the connection to a registered account (the nick it proved is its
   * own), read back as ctx.user.account; every plugin's `login` hook runs.
   * Resolves when they have.
   */
  setAccount(account: string): Promise<void>;
  /** Marks the user an operator (read back as ctx.user.operator) or not. */
  setOperator(on: boolean): void;
  /**
   * Checks a guessed secret (a password) the way the server checks its own:
   * a guess waits for its address's turn, a wrong one makes that address's
   * next guess wait longer (whether or not this user waits for the answer),
   * checks run a few at a time server-wide, and none runs for a user who has
   * left. Resolves to what `check` says; false when it was not checked (the
   * user left first, or too many guesses from the address are waiting).
   */
  guess(check: () => boolean | Promise<boolean>): Promise<boolean>;
  /** Bun.password.hash (argon2id), a few at a time server-wide; undefined when the user has left before it ran. */
  hashPassword(password: string): Promise<string | undefined>;
}

/** What a command can answer with, besides lines of text (CommandContext.answer). */
export type Answer =
  /** who is online (in `room`, when given): shown as the list `l` prints, or a list frame */
  | { type: "list"; users: readonly UserInfo[]; room?: string }
  /** the rooms: shown as /rooms prints them, or a rooms frame */
  | { type: "rooms"; rooms: readonly RoomInfo[] }
  /** a room's topic ("" for none): shown as a line, or a topic frame */
  | { type: "topic"; room: string; topic: string }
  /** the commands, or with `topic` the one asked about */
  | { type: "help"; commands: readonly CommandInfo[]; topic?: string }
  /** the user's own rename: "* you are now NEW", or a renamed frame */
  | { type: "renamed"; from: string; to: string }
  /** `nick` is away with `text` (a private message's answer); `self`: the user's own /away */
  | { type: "away"; nick: string; text: string; self?: boolean }
  /** the user's own /back */
  | { type: "back" }
  /**
   * What /whois tells of `user`: with `address`, their address and port
   * (an operator asks); `remote`, they are on another node, whose idle time
   * and away text this node does not know
   */
  | { type: "whois"; user: UserInfo; address?: boolean; remote?: boolean; rooms?: readonly string[] }
  /** the nicks the user ignores (after /ignore, /unignore) */
  | { type: "ignore"; nicks: readonly string[] };

/** One argument's type from its declaration: "reason?" may be missing. */
type ParamValue<S> = S extends `${string}?` ? string | undefined : string;

/** What `run` receives for `params`: `["nick", "text..."]` gives `[string, string]`; without params, the words of the line. */
export type ArgsOf<P extends readonly string[]> = string[] extends P ? string[] : { -readonly [K in keyof P]: ParamValue<P[K]> };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- `Command` alone is any command
export interface Command<P extends readonly string[] = any> {
  /** the slash form: `/name` */
  name: string;
  /**
   * More names. A one-letter alias also gets the tutorial's colon form
   * (`b:text`, `c:nick:text`) and works alone on a line (`l`).
   */
  aliases?: string[];
  /** words that run the command when typed alone on a line, like `quit` */
  words?: string[];
  /**
   * Parameter names: `"nick"`, an optional `"reason?"`, a last one that takes
   * the rest of the line `"text..."`. The slash form splits them on spaces,
   * the colon form on colons. Without params, args are the words of the line.
   */
  params?: P;
  summary: string;
  /**
   * Params that are secrets (a password). Left off a typed line, they are
   * asked for on the next line with the terminal's echo off, so they never
   * show on screen: `/login amy` then the password, unseen.
   */
  secret?: readonly string[];
  /**
   * A bare word of `words` (or a one-letter alias) followed by arguments
   * also runs the command when they fit its params: `help msg`, `? msg`.
   * Off by default, so "quit it" stays chat.
   */
  wordArgs?: boolean;
  /** how to write it, without the slash; derived from params when absent */
  usage?: string;
  run(ctx: CommandContext, args: ArgsOf<P>, raw: string): void | Promise<void>;
}

/** Identity helper that types a command's arguments from its params. */
export function defineCommand<const P extends readonly string[] = readonly string[]>(command: Command<P>): Command<P> {
  return command;
}

/** Hooks run in plugin load order; each one is awaited before the next. */
export interface Hooks {
  /** the server started, or this plugin was (re)loaded */
  start?(ctx: PluginContext): void | Promise<void>;
  /** the server is stopping, or this plugin is being unloaded */
  stop?(ctx: PluginContext): void | Promise<void>;
  /**
   * A new connection, before anything is sent to it: return a reason to
   * refuse it (a ban). Synchronous, so it costs an accept nothing.
   */
  connect?(ctx: PluginContext, peer: { readonly address: string; readonly port: number }): string | undefined | void;
  /**
   * A user asks for a nickname (the first one, or a rename): return a reason
   * to refuse it (a registered nick). Synchronous.
   */
  nick?(ctx: CommandContext, nick: string): string | undefined | void;
  /**
   * A user would make a room that does not exist yet (its name shows in
   * /rooms): return a reason to refuse it (a muted user's). Synchronous.
   */
  room?(ctx: CommandContext, room: string): string | undefined | void;
  join?(ctx: CommandContext): void | Promise<void>;
  /** The user proved a registered account is theirs (ctx.setAccount): restore what is kept with it. */
  login?(ctx: CommandContext, account: string): void | Promise<void>;
  leave?(ctx: CommandContext, reason: string): void | Promise<void>;
  /** Rewrite a line (return a string) or drop it (return null) before the room sees it. */
  message?(ctx: CommandContext, text: string): string | null | undefined | void | Promise<string | null | undefined | void>;
}

// ---- UDP modes: `parley udp NAME` ----------------------------------------

/** A flag or positional argument of a UDP mode, in citty's shape. */
export interface UdpArg {
  type: "string" | "boolean" | "positional";
  description?: string;
  /** the value when the flag is absent; shown in help */
  default?: string | boolean;
  /** the placeholder in help, like `PORT`; a positional whose hint ends in `...` takes every remaining word */
  valueHint?: string;
  alias?: string | string[];
  /** a positional is required unless this is false or it has a default; a flag only when this is true */
  required?: boolean;
}

/** What a mode is given: each flag and named positional by name, as typed (strings and booleans). */
export interface UdpArgValues {
  readonly [name: string]: string | boolean | undefined;
}

/** One datagram as a mode sees it. */
export interface Datagram {
  readonly data: Uint8Array;
  /** the sender's address as the kernel reported it (IPv6 link-local ones carry their %scope) */
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly time: Date;
  /** the bytes as text when they are valid UTF-8, else undefined */
  readonly text: string | undefined;
  /** the multicast group it came to, when the socket is bound to one */
  readonly to?: string;
}

export interface UdpSocketOptions {
  /** 4 or 6; by default the family of `host`, else 4 */
  family?: 4 | 6;
  /** the address to bind; by default every interface of the family */
  host?: string;
  /** the port to bind; 0 (the default) picks a free one */
  port?: number;
  /** share the port with other sockets that also ask (SO_REUSEADDR), as --reuse does */
  reuse?: boolean;
  /** the receive buffer (SO_RCVBUF) in bytes; the kernel doubles it and caps it at net.core.rmem_max */
  rcvbuf?: number;
}

/** Where the datagrams a sending mode sends come from, and how they are cut and paced. */
export interface UdpInput {
  /** the message (MESSAGE words, or hex with format "hex"); "" or absent: stdin, or `file` */
  message?: string;
  /** read this file instead of stdin */
  file?: string;
  /** lines: one datagram per line (split on \n only; a \r before it is dropped); raw: the bytes cut every `size`; hex: each line is hex */
  format?: "lines" | "raw" | "hex";
  /** raw: bytes per datagram */
  size?: number;
  /** the message this many times; from stdin or a file, at most this many datagrams */
  count?: number;
  /** milliseconds between two datagrams, for stdin and files too */
  interval?: number;
  /** the family the datagrams go over: a datagram too big for it is reported and skipped */
  family: 4 | 6;
}

/** Which interface multicast uses, and for source-specific joins, which sender. */
export interface UdpMembership {
  /** an IPv4 address, or an interface name (eth0); for IPv6 a name, %name or ::%name */
  interface?: string;
  /** only datagrams from this sender (source-specific multicast, IGMPv3 / MLDv2) */
  source?: string;
}

/**
 * A bound node:dgram socket. Every failure is thrown as one line that says
 * what to do; what it sends and receives is counted in the exit summary.
 */
export interface UdpSocket {
  readonly family: 4 | 6;
  /** the bound address and port (the real one when 0 was asked for) */
  readonly address: string;
  readonly port: number;
  /** Sends one datagram to host (an address or a name), or to the connected peer; resolves with the bytes sent. */
  send(data: string | Uint8Array, port?: number, host?: string): Promise<number>;
  /** Calls handler for every datagram that arrives; what it throws is logged, and the socket goes on. */
  onMessage(handler: (datagram: Datagram) => void | Promise<void>): void;
  /** Talks to one peer only (connect): send(data) may then omit port and host, and an ICMP port unreachable reaches onRefused. */
  connect(port: number, host: string): Promise<void>;
  /** Calls handler when the kernel reports that the connected peer's port is closed (ICMP port unreachable, ECONNREFUSED). */
  onRefused(handler: () => void): void;
  /** The datagrams the kernel dropped for this socket so far (its receive buffer was full); undefined where the kernel does not say (/proc/net/udp). */
  drops(): number | undefined;
  /** The receive buffer as the kernel set it, in bytes. */
  receiveBuffer(): number;
  setBroadcast(on: boolean): void;
  /** unicast hops, 1-255 */
  setTTL(ttl: number): void;
  /** multicast hops, 1-255 */
  setMulticastTTL(ttl: number): void;
  /** whether this host's own sockets get the multicast datagrams it sends */
  setMulticastLoopback(on: boolean): void;
  /** the interface multicast leaves by: as in UdpMembership.interface */
  setMulticastInterface(iface: string): void;
  /** Joins a group (on `interface`, or the group's %scope); it is left again when the socket closes. */
  join(group: string, options?: UdpMembership): void;
  leave(group: string, options?: UdpMembership): void;
  /** Leaves every group still joined and closes. Sockets still open when the mode ends are closed for it. */
  close(): Promise<void>;
}

/** A network interface of this host, as --interface names it. */
export interface UdpInterface {
  readonly name: string;
  readonly address: string;
  readonly family: 4 | 6;
  /** IPv6 scope id (interface index); 0 for IPv4 */
  readonly scopeId: number;
  /** IPv4 only: the interface's directed broadcast address (like 192.168.1.255) */
  readonly broadcast?: string;
}

/**
 * Checks for values a user typed. Each returns the checked value or throws one
 * line naming `label` and what is allowed. A label like "port" is shown as
 * --port; one with capitals or symbols ("HOST:PORT") as it is.
 */
export interface UdpChecks {
  /** 1-65535; with bind, 0-65535 (0 picks a free port) */
  port(label: string, value: unknown, options?: { bind?: boolean }): number;
  integer(label: string, value: unknown, min: number, max: number): number;
  /** seconds, decimals allowed (0.5) */
  seconds(label: string, value: unknown, min: number, max: number): number;
  /** 1-255 */
  ttl(label: string, value: unknown): number;
  /** an IP address (net.isIP), IPv6 with an optional %scope */
  address(label: string, value: unknown): string;
  /** a multicast group: 224.0.0.0/4 or ff00::/8 (with an optional %scope); warns for 224.0.0.0/24 */
  group(label: string, value: unknown): string;
  /** HOST:PORT, [IPV6]:PORT */
  hostPort(label: string, value: unknown): { host: string; port: number };
  /** The bytes of data, if one datagram of the family can carry them (65507 bytes over IPv4, 65527 over IPv6). */
  payload(data: string | Uint8Array, family: 4 | 6): Uint8Array;
  /** The input flags of a sending mode (--raw, --hex, --file, --size, --count, --interval, --rate) as a UdpInput for ctx.input. */
  input(args: UdpArgValues, message: string, family: 4 | 6): UdpInput;
}

export interface UdpCounts {
  readonly sent: number;
  readonly received: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** datagrams the kernel dropped for the mode's sockets (their receive buffer was full), as read when they closed */
  readonly dropped: number;
}

/** Fires once, when the user asks the mode to stop (Ctrl-C, SIGINT, SIGTERM). An AbortSignal is one. */
export interface StopSignal {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** What a UDP mode can do. */
export interface UdpContext {
  /** the mode's name, as typed after `parley udp` */
  readonly mode: string;
  /** the flags and named positionals (the same object run receives) */
  readonly args: UdpArgValues;
  /** every positional word, in order */
  readonly words: readonly string[];
  /** --json: print one JSON object per line instead of text */
  readonly json: boolean;
  /** the log on stderr (--log-level) */
  readonly log: PluginLogger;
  readonly signal: StopSignal;
  readonly check: UdpChecks;
  /** what the mode's sockets sent and received so far */
  readonly counts: UdpCounts;
  /** Creates a socket and binds it. */
  open(options?: UdpSocketOptions): Promise<UdpSocket>;
  /** An IP address for host: itself when it is one, else looked up (family 4 first unless asked). */
  resolve(host: string, family?: 4 | 6): Promise<{ address: string; family: 4 | 6 }>;
  /** 127.0.0.1:5000, or [::1]:5000 for IPv6 */
  endpoint(address: string, port: number): string;
  /** The interface named (eth0) or holding an address, for family; throws when there is none. */
  networkInterface(nameOrAddress: string, family: 4 | 6): UdpInterface;
  /** Every address of this host of the family, one entry per address (IPv6 link-local ones with their %scope in address). */
  localAddresses(family: 4 | 6): UdpInterface[];
  /** Prints a datagram on stdout: time, sender, size and text (hex when not UTF-8), or one JSON object with --json. */
  print(datagram: Datagram, fields?: Readonly<Record<string, unknown>>): void;
  /** Prints a line that is not a datagram; with --json an object {time, event, text, ...fields}. */
  note(text: string, fields?: Readonly<Record<string, unknown>>): void;
  /** What a peer sent, made safe to show as one line: the chat server's sanitizer (no controls, escapes, line breaks, bidi overrides). */
  clean(text: string): string;
  /** Every value given for a flag that may be repeated (--group A --group B), in order; [] when absent. */
  values(name: string): string[];
  /** The datagrams a sending mode sends: the message, or stdin (or a file) as lines, raw bytes or hex, paced by `interval`. A piece too big or not hex is reported and skipped. */
  input(options: UdpInput): AsyncIterable<Uint8Array>;
  /** The lines of stdin, one at a time; ends at end of input or when the mode is stopped. */
  lines(): AsyncIterable<string>;
  /**
   * What a sending mode sends: `message` `count` times, `interval` ms apart,
   * or, when `message` is empty, each line of stdin. Ends early when the mode is stopped.
   */
  messages(message: string, options?: { count?: number; interval?: number }): AsyncIterable<string>;
  /** Waits ms milliseconds; resolves false when the mode was stopped first. */
  sleep(ms: number): Promise<boolean>;
  /** Resolves when the mode is asked to stop. */
  stopped(): Promise<void>;
  /** Ends the mode with a one-line error and a non-zero exit. */
  fail(message: string): never;
}

export interface UdpMode {
  /** the word after `parley udp` */
  name: string;
  /** one line for `parley udp --help` */
  summary: string;
  /** flags and positionals; every mode also gets --json, --log-level and --plugins */
  args?: Record<string, UdpArg>;
  /** Runs until done or until ctx.signal fires; sockets still open are closed after. */
  run(ctx: UdpContext, args: UdpArgValues): void | Promise<void>;
}

/** An option a plugin declares: core checks it, applies its default, and `parley plugins` lists it. */
export interface PluginOption {
  type: "string" | "number" | "boolean";
  description: string;
  default?: string | number | boolean;
  /** numbers: the smallest and largest allowed */
  min?: number;
  max?: number;
  /** integer numbers only */
  integer?: boolean;
}

export interface Plugin {
  name: string;
  version?: string;
  description?: string;
  /** options, set with --plugin-opt NAME.KEY=VALUE or a [NAME] table in parley.toml */
  options?: Record<string, PluginOption>;
  commands?: Command[];
  hooks?: Hooks;
  /** modes of `parley udp` */
  udpModes?: UdpMode[];
}

/** Identity helper that gives a plugin its types. */
export function definePlugin<const P extends Plugin>(plugin: P): P {
  return plugin;
}
