// The ctx a plugin's command or hook receives: the public CommandContext,
// bound to one session and one plugin. Text that plugins send goes through
// the same sanitizer as users' text.

import type { CommandContext } from "./api.ts";
import type { LoadedPlugin } from "./registry.ts";
import { sanitizeBlock } from "./sanitize.ts";
import type { Session } from "./session.ts";

export function makeContext(session: Session, owner: LoadedPlugin): CommandContext {
  const { chat } = session;
  const name = owner.plugin.name;
  return {
    get user() {
      return session.info();
    },
    config: chat.pluginConfig(name),
    log: chat.log.withTag(name),
    reply: (text) => session.system(sanitizeBlock(text)),
    error: (text) => session.error(sanitizeBlock(text)),
    say: (text) => void session.say(text),
    emote: (text) => void session.say(text, "emote"),
    whisper: (nick, text) => session.whisper(nick, text),
    broadcast(text, options) {
      const except = new Set(options?.except?.map((n) => chat.room.find(n)).filter((m) => m !== undefined));
      chat.room.broadcast({ type: "notice", plugin: name, text: sanitizeBlock(text) }, except);
    },
    send: (nick, text) => chat.room.sendTo(nick, { type: "notice", plugin: name, text: sanitizeBlock(text) }),
    users: () => chat.room.list().map((m) => m.info()),
    rename: (nick) => session.rename(nick),
    disconnect: (reason) => session.close(reason ? sanitizeBlock(reason).replaceAll("\n", " ") : "disconnected"),
    commands: () => chat.registry.infos(),
  };
}
