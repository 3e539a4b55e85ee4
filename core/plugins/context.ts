// The ctx a plugin's code receives: PluginContext for server-wide hooks,
// CommandContext for a command or a hook about one user. Text that plugins
// send goes through the same sanitizer as users' text, and notices are shown
// as coming from the plugin, so a plugin cannot pass for a person.

import type { CommandContext, PluginContext } from "./api.ts";
import type { ChatContext } from "../chat/shared.ts";
import type { Logger } from "../base/log.ts";
import type { LoadedPlugin } from "./registry.ts";
import { sanitizeBlock } from "../wire/sanitize.ts";
import type { Session } from "../chat/session.ts";

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

export function makePluginContext(chat: ChatContext, owner: LoadedPlugin): PluginContext {
  const name = owner.plugin.name;
  return {
    config: chat.plugins.config(name),
    log: loggerFor(chat.log, name),
    store: chat.plugins.store(name),
    broadcast(text, options) {
      const except = new Set(options?.except?.map((n) => chat.room.find(n)).filter((m) => m !== undefined));
      chat.room.broadcast({ type: "notice", plugin: name, text: sanitizeBlock(text) }, except);
    },
    send: (nick, text) => chat.room.sendTo(nick, { type: "notice", plugin: name, text: sanitizeBlock(text) }),
    users: () => chat.room.list().map((m) => m.info()),
    kick: (nick, reason) => chat.room.find(nick)?.kick(sanitizeBlock(reason).replaceAll("\n", " ")) ?? false,
    history: (limit) => chat.history.recent(limit).map((e) => ({ time: new Date(e.time), from: e.from, text: e.text, action: e.action })),
  };
}

// A session's context for a plugin is made once and kept (a message hook
// asks for it on every line); keyed by the loaded plugin, so a reload gets
// a fresh one.
const perSession = new WeakMap<Session, WeakMap<LoadedPlugin, CommandContext>>();

export function makeContext(session: Session, owner: LoadedPlugin): CommandContext {
  let byOwner = perSession.get(session);
  if (!byOwner) perSession.set(session, (byOwner = new WeakMap()));
  let ctx = byOwner.get(owner);
  if (!ctx) byOwner.set(owner, (ctx = buildContext(session, owner)));
  return ctx;
}

function buildContext(session: Session, owner: LoadedPlugin): CommandContext {
  const { chat } = session;
  return {
    ...makePluginContext(chat, owner),
    get user() {
      return session.info();
    },
    reply: (text) => session.system(sanitizeBlock(text)),
    error: (text) => session.error(sanitizeBlock(text)),
    say: (text) => void session.say(text),
    emote: (text) => void session.say(text, "emote"),
    whisper: (nick, text) => session.whisper(nick, text),
    rename: async (nick) => session.rename(nick),
    disconnect: (reason) => session.close(reason ? sanitizeBlock(reason).replaceAll("\n", " ") : "disconnected"),
    commands: () => chat.registry.infos(),
  };
}
