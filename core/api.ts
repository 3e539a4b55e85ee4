// The public plugin API: the module `parley` that built-in plugins import
// (tsconfig maps it here) and that dropped-in plugin files import at run time.
// Everything a plugin can do goes through these types. If a built-in plugin
// needs something that is not here, this file grows; no plugin reaches into core.

/** A person in the room, as plugins see them. */
export interface UserInfo {
  readonly nick: string;
  readonly address: string;
  readonly port: number;
  readonly connectedAt: Date;
  /** milliseconds since this user last sent a line */
  readonly idle: number;
}

export type RenameResult = { ok: true; nick: string } | { ok: false; reason: string };

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
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): boolean;
  keys(): string[];
}

/** What every plugin can do, with or without a user: in `start`, `stop` and timers. */
export interface PluginContext {
  /** the plugin's options, from --plugin-opt NAME.KEY=VALUE and parley.json / parley.toml */
  readonly config: Readonly<Record<string, string>>;
  /** the server log, tagged with the plugin's name */
  readonly log: PluginLogger;
  readonly store: PluginStore;
  /** A notice to everyone, shown as coming from this plugin (`[name] text`). */
  broadcast(text: string, options?: { except?: readonly string[] }): void;
  /** A notice to one user, shown as coming from this plugin; false when no such nick. */
  send(nick: string, text: string): boolean;
  /** Everyone online, in the order they joined. */
  users(): UserInfo[];
}

/** What a command or hook about one user can do. Text sent through it is sanitized like users' text. */
export interface CommandContext extends PluginContext {
  /** the user who typed the command */
  readonly user: UserInfo;
  /** Lines to the user who typed the command only. */
  reply(text: string): void;
  /** An error line to the user who typed the command only. */
  error(text: string): void;
  /** Says text to the room as the user (`NICK: text`), through `message` hooks. */
  say(text: string): void;
  /** An action to the room as the user (`* NICK text`), through `message` hooks. */
  emote(text: string): void;
  /** A private message from the user to `nick`; false when no such nick is online. */
  whisper(nick: string, text: string): boolean;
  /** Renames the user under the same rules as a first nickname. */
  rename(nick: string): RenameResult;
  /** Closes the user's connection; the room sees them leave with `reason`. */
  disconnect(reason?: string): void;
  /** Every command the server knows, for help-like plugins. */
  commands(): CommandInfo[];
}

export interface Command {
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
  params?: string[];
  summary: string;
  /** how to write it, without the slash; derived from params when absent */
  usage?: string;
  run(ctx: CommandContext, args: string[], raw: string): void | Promise<void>;
}

/** Hooks run in plugin load order; each one is awaited before the next. */
export interface Hooks {
  /** the server started, or this plugin was (re)loaded */
  start?(ctx: PluginContext): void | Promise<void>;
  /** the server is stopping, or this plugin is being unloaded */
  stop?(ctx: PluginContext): void | Promise<void>;
  join?(ctx: CommandContext): void | Promise<void>;
  leave?(ctx: CommandContext, reason: string): void | Promise<void>;
  /** Rewrite a line (return a string) or drop it (return null) before the room sees it. */
  message?(ctx: CommandContext, text: string): string | null | undefined | void | Promise<string | null | undefined | void>;
}

export interface Plugin {
  name: string;
  version?: string;
  description?: string;
  commands?: Command[];
  hooks?: Hooks;
}

/** Identity helper that gives a plugin its types. */
export function definePlugin<const P extends Plugin>(plugin: P): P {
  return plugin;
}
