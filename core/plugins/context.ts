// The ctx a plugin's code receives: PluginContext for server-wide hooks,
// CommandContext for a command or a hook about one user. Text that plugins
// send goes through the same sanitizer as users' text, and notices are shown
// as coming from the plugin, so a plugin cannot pass for a person.

import type { Logger } from "../base/log.ts";
import { sanitizeBlock } from "../wire/sanitize.ts";
import type { CommandContext, PluginContext } from "./api.ts";
import type { LoadedPlugin } from "./registry.ts";
import { andThen } from "../base/maybe.ts";
import type { ServerServices, UserSession } from "./services.ts";

// A context is made for every hook call, a message hook on every line, so
// what is costly to make (a tagged logger) is made once per plugin.
const tagged = new WeakMap<Logger, Map<string, Logger>>();

function loggerFor(log: Logger, name: string): Logger {
  let byName = tagged.get(log);
  if (!byName) tagged.set(log, (byName = new Map()));
  let logger = byName.get(name);
  if (!logger) byName.set(name, (logger = log.withTag(name)));
  return logger;
}

/** One line, for a reason shown in "left (...)" or "disconnected: ...". */
const oneLine = (text: string) => sanitizeBlock(text).replaceAll("\n", " ");

/** A topic a message hook held back: the hook has told the user why. */
const HELD = { ok: false, reason: "", code: "held" } as const;

// What a plugin's contexts share: made once per plugin and server, and the
// prototype of every context handed to that plugin, so a hook call (the
// connect hook runs for every connection) makes no closures and copies no
// properties. config, options and store are read from the server when asked.
const bases = new WeakMap<ServerServices, WeakMap<LoadedPlugin, PluginContext>>();

function baseFor(server: ServerServices, owner: LoadedPlugin): PluginContext {
  let byOwner = bases.get(server);
  if (!byOwner) bases.set(server, (byOwner = new WeakMap()));
  let base = byOwner.get(owner);
  if (!base) byOwner.set(owner, (base = buildBase(server, owner)));
  return base;
}

function buildBase(server: ServerServices, owner: LoadedPlugin): PluginContext {
  const name = owner.plugin.name;
  return {
    get config() {
      return server.config(name);
    },
    get options() {
      return server.options(name);
    },
    get adminPassword() {
      return server.adminPassword;
    },
    log: loggerFor(server.log, name),
    get store() {
      return server.store(name);
    },
    broadcast: (text, options) => server.notice(name, sanitizeBlock(text), options?.except, options?.room),
    send: (nick, text) => server.noticeTo(nick, name, sanitizeBlock(text)),
    users: () => server.users(),
    findUser: (nick) => server.findUser(nick),
    kick: (nick, reason) => server.kick(nick, oneLine(reason)),
    history: (limit, room) => server.history(limit, room),
    rooms: () => server.rooms(),
    members: (room) => server.members(room),
    keepRoom: (room, keep) => server.keepRoom(room, keep),
    get defaultRoom() {
      return server.defaultRoom;
    },
    reload: () => server.reload(),
    stats: () => server.stats(),
  };
}

/** A context of its own for each call (what a plugin sets on it stays there), inheriting the plugin's shared part. */
export function makePluginContext(server: ServerServices, owner: LoadedPlugin): PluginContext {
  return Object.create(baseFor(server, owner)) as PluginContext;
}

// A session's context for a plugin is made once and kept when it is asked
// for again and again (a message hook on every line, commands); keyed by the
// loaded plugin, so a reload gets a fresh one. A hook that runs once or
// twice in a session (nick, room, join, login, leave) uses the kept one if
// there is one, and otherwise makes one it does not keep: a context holds
// the methods a hook read (made on first read, below), and 10,000 users who
// only picked a nick would otherwise each hold one per plugin with a nick hook.
const perUser = new WeakMap<UserSession, WeakMap<LoadedPlugin, CommandContext>>();

export function makeContext(user: UserSession, server: ServerServices, owner: LoadedPlugin, keep = true): CommandContext {
  let byOwner = perUser.get(user);
  let ctx = byOwner?.get(owner);
  if (ctx) return ctx;
  ctx = buildContext(user, server, owner);
  if (!keep) return ctx;
  if (!byOwner) perUser.set(user, (byOwner = new WeakMap()));
  byOwner.set(owner, ctx);
  return ctx;
}

/** The user a command context belongs to: its one own property until a method is first read. */
const USER = Symbol("user");
type UserContext = CommandContext & { [USER]: UserSession };

type UserMethods = Omit<CommandContext, keyof PluginContext | "user" | "room"> & Pick<CommandContext, "broadcast" | "history">;

// Every connection gets a context for each plugin whose hooks it meets (a
// dozen closures each, when made at once, were most of a connect/quit
// cycle's cost in plugin code). Each method is made from this table the
// first time it is read on a context, and kept on it as an own property:
// a plugin that never calls ctx.setTopic never pays for it, and a method
// read off the context (`const { reply } = ctx`) still works.
const METHODS: { [K in keyof UserMethods]: (user: UserSession, server: ServerServices, owner: LoadedPlugin) => UserMethods[K] } = {
  myRooms: (user) => () => user.myRooms(),
  joinRoom: (user) => (room, key) => user.joinRoom(room, key),
  // What a user writes that the room reads (a topic, a part reason) goes through the message hooks, as a line does: a mute holds it.
  partRoom: (user) => (room, reason) => (reason ? andThen(user.pass(reason), (passed) => user.partRoom(room, passed ?? undefined)) : user.partRoom(room, reason)),
  switchRoom: (user) => (room) => user.switchRoom(room),
  setTopic: (user) => (text) => (text === "" ? user.setTopic(text) : andThen(user.pass(text), (passed) => (passed === null ? HELD : user.setTopic(passed)))),
  history: (user, server) => (limit, room) => server.history(limit, room ?? (user.room || undefined)),
  reply: (user) => (text) => user.reply(sanitizeBlock(text)),
  error: (user) => (text, code) => user.error(sanitizeBlock(text), code),
  answer: (user) => (answer) => user.answer(answer),
  // On the user's behalf: the same gate as the user's own lines (a mute holds).
  broadcast: (user, server, owner) => (text, options) => {
    const clean = sanitizeBlock(text);
    // The room is the one the command was typed in, even when the hooks answer later.
    const room = options?.room ?? (user.room || undefined);
    void andThen(user.pass(clean, owner), (passed) => {
      if (passed !== null) server.notice(owner.plugin.name, passed === clean ? clean : sanitizeBlock(passed), options?.except, room);
    });
  },
  say: (user) => (text) => void user.say(text, false),
  emote: (user) => (text) => void user.say(text, true),
  whisper: (user) => (nick, text) => user.whisper(nick, text),
  rename: (user) => async (nick) => user.rename(nick),
  disconnect: (user) => (reason) => user.disconnect(reason ? oneLine(reason) : "disconnected"),
  commands: (_user, server) => () => server.registry.infos(),
  setAway: (user) => (text) => user.setAway(text),
  preferences: (user) => () => user.preferences(),
  setPreferences: (user) => (changes) => user.setPreferences(changes),
  setAccount: (user) => async (account) => user.setAccount(String(account)),
  setOperator: (user) => (on) => user.setOperator(on === true),
  guess: (user, server) => async (check) => {
    const present = () => user.present;
    const right = await server.guesses.attempt(user.info().address, async () => (await server.work.run(async () => check(), present)) ?? false, present);
    return right === true;
  },
  hashPassword: (user, server) => (password) => server.work.run(() => Bun.password.hash(password, { algorithm: "argon2id" }), () => user.present),
};

/** Per plugin and server: the prototype of its command contexts, over its shared part (baseFor). */
const userProtos = new WeakMap<PluginContext, object>();

function userProtoFor(server: ServerServices, owner: LoadedPlugin): object {
  const base = baseFor(server, owner);
  let proto = userProtos.get(base);
  if (proto) return proto;
  proto = Object.create(base, {
    user: {
      get(this: UserContext) {
        return this[USER].info();
      },
    },
    room: {
      get(this: UserContext) {
        return this[USER].room;
      },
    },
  }) as object;
  for (const [key, make] of Object.entries(METHODS) as [keyof UserMethods, (user: UserSession, server: ServerServices, owner: LoadedPlugin) => unknown][]) {
    Object.defineProperty(proto, key, {
      get(this: UserContext) {
        const method = make(this[USER], server, owner);
        Object.defineProperty(this, key, { value: method, writable: true, enumerable: true, configurable: true });
        return method;
      },
      // A plugin may still put its own function in place of one (a test double does).
      set(this: UserContext, value: unknown) {
        Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
      },
      configurable: true,
    });
  }
  userProtos.set(base, proto);
  return proto;
}

function buildContext(user: UserSession, server: ServerServices, owner: LoadedPlugin): CommandContext {
  const context = Object.create(userProtoFor(server, owner)) as UserContext;
  context[USER] = user;
  return context;
}
