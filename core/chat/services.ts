// The chat server as plugins see it (core/plugins/services.ts): the room's
// users, notices from a plugin, kicks, history, options, stores and the
// admin password, which plugins may check but never read.

import type { Logger } from "../base/log.ts";
import type { GuessLimiter } from "../base/guess-limiter.ts";
import { safeEqual } from "../base/safe-equal.ts";
import type { WorkPool } from "../base/work-pool.ts";
import type { PluginStore, ReloadResult, ServerStats } from "../plugins/api.ts";
import type { Registry } from "../plugins/registry.ts";
import type { ServerServices } from "../plugins/services.ts";
import type { History } from "../store/history.ts";
import type { Member, RoomApi } from "./room.ts";

export interface ServiceDeps {
  room: RoomApi;
  history: History;
  /** the registry now (it is replaced on reload) */
  registry: () => Registry;
  log: Logger;
  handlerTimeout: number;
  config(plugin: string): Readonly<Record<string, string>>;
  options(plugin: string): Readonly<Record<string, string | number | boolean | undefined>>;
  store(plugin: string): PluginStore;
  /** the password of /op now: read at each check, so a reload can change it */
  adminPassword(): string | undefined;
  guesses: GuessLimiter;
  work: WorkPool;
  /** the running server's reload (start.ts): bound late, the server is built after its services */
  reload(): Promise<ReloadResult>;
  /** the figures now (core/chat/figures.ts), bound once the listeners exist */
  stats(): ServerStats;
}

export function chatServices(deps: ServiceDeps): ServerServices {
  const { room, history } = deps;
  return {
    get registry() {
      return deps.registry();
    },
    log: deps.log,
    handlerTimeout: deps.handlerTimeout,
    config: deps.config,
    options: deps.options,
    store: deps.store,
    adminPassword: {
      get set() {
        return Boolean(deps.adminPassword());
      },
      matches: (given) => {
        const admin = deps.adminPassword();
        return Boolean(admin) && safeEqual(given, admin!);
      },
    },
    users: () => room.list().map((m) => m.info()),
    findUser: (nick) => room.find(nick)?.info(),
    notice(plugin, text, except) {
      const skip = new Set(except?.map((n) => room.find(n)).filter((m): m is Member => m !== undefined));
      room.broadcast({ type: "system", plugin, text }, skip);
    },
    noticeTo: (nick, plugin, text) => room.sendTo(nick, { type: "system", plugin, text }),
    kick: (nick, reason) => room.find(nick)?.kick(reason) ?? false,
    history: (limit) => history.recent(limit).map((e) => ({ time: new Date(e.time), from: e.from, text: e.text, action: e.action })),
    guesses: deps.guesses,
    work: deps.work,
    reload: () => deps.reload(),
    stats: () => deps.stats(),
  };
}
