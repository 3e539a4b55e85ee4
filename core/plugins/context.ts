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

export function makePluginContext(server: ServerServices, owner: LoadedPlugin): PluginContext {
  const name = owner.plugin.name;
  return {
    config: server.config(name),
    options: server.options(name),
    adminPassword: server.adminPassword,
    log: loggerFor(server.log, name),
    store: server.store(name),
    broadcast: (text, options) => server.notice(name, sanitizeBlock(text), options?.except, options?.room),
    send: (nick, text) => server.noticeTo(nick, name, sanitizeBlock(text)),
    users: () => server.users(),
    findUser: (nick) => server.findUser(nick),
    kick: (nick, reason) => server.kick(nick, oneLine(reason)),
    history: (limit, room) => server.history(limit, room),
    rooms: () => server.rooms(),
    members: (room) => server.members(room),
    keepRoom: (room, keep) => server.keepRoom(room, keep),
    defaultRoom: server.defaultRoom,
    reload: () => server.reload(),
    stats: () => server.stats(),
  };
}

// A session's context for a plugin is made once and kept when it is asked
// for again and again (a message hook on every line, commands); keyed by the
// loaded plugin, so a reload gets a fresh one. A hook that runs once or
// twice in a session (nick, room, join, login, leave) uses the kept one if
// there is one, and otherwise makes one it does not keep: a context is some
// forty closures (~2.5 KB), and 10,000 users who only picked a nick would
// otherwise each hold one per plugin with a nick hook.
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

function buildContext(user: UserSession, server: ServerServices, owner: LoadedPlugin): CommandContext {
  const name = owner.plugin.name;
  return {
    ...makePluginContext(server, owner),
    get user() {
      return user.info();
    },
    get room() {
      return user.room;
    },
    myRooms: () => user.myRooms(),
    joinRoom: (room, key) => user.joinRoom(room, key),
    // What a user writes that the room reads (a topic, a part reason) goes through the message hooks, as a line does: a mute holds it.
    partRoom: (room, reason) => (reason ? andThen(user.pass(reason), (passed) => user.partRoom(room, passed ?? undefined)) : user.partRoom(room, reason)),
    switchRoom: (room) => user.switchRoom(room),
    setTopic: (text) => (text === "" ? user.setTopic(text) : andThen(user.pass(text), (passed) => (passed === null ? HELD : user.setTopic(passed)))),
    history: (limit, room) => server.history(limit, room ?? (user.room || undefined)),
    reply: (text) => user.reply(sanitizeBlock(text)),
    error: (text, code) => user.error(sanitizeBlock(text), code),
    answer: (answer) => user.answer(answer),
    // On the user's behalf: the same gate as the user's own lines (a mute holds).
    broadcast(text, options) {
      const clean = sanitizeBlock(text);
      // The room is the one the command was typed in, even when the hooks answer later.
      const room = options?.room ?? (user.room || undefined);
      void andThen(user.pass(clean, owner), (passed) => {
        if (passed !== null) server.notice(name, passed === clean ? clean : sanitizeBlock(passed), options?.except, room);
      });
    },
    say: (text) => void user.say(text, false),
    emote: (text) => void user.say(text, true),
    whisper: (nick, text) => user.whisper(nick, text),
    rename: async (nick) => user.rename(nick),
    disconnect: (reason) => user.disconnect(reason ? oneLine(reason) : "disconnected"),
    commands: () => server.registry.infos(),
    setAway: (text) => user.setAway(text),
    preferences: () => user.preferences(),
    setPreferences: (changes) => user.setPreferences(changes),
    setAccount: async (account) => user.setAccount(String(account)),
    setOperator: (on) => user.setOperator(on === true),
    async guess(check) {
      const present = () => user.present;
      const right = await server.guesses.attempt(user.info().address, async () => (await server.work.run(async () => check(), present)) ?? false, present);
      return right === true;
    },
    hashPassword: (password) => server.work.run(() => Bun.password.hash(password, { algorithm: "argon2id" }), () => user.present),
  };
}
