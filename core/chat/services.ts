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
import type { NamedRoom } from "./named-room.ts";
import type { Rooms } from "./rooms.ts";
import type { RoomInfo } from "../plugins/api.ts";

export interface ServiceDeps {
  room: RoomApi;
  rooms: Rooms;
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
  const { room, history, rooms } = deps;
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
    notice(plugin, text, except, inRoom) {
      const skip = new Set(except?.map((n) => room.find(n)).filter((m): m is Member => m !== undefined));
      const named = inRoom === undefined ? undefined : rooms.find(inRoom);
      if (inRoom !== undefined && !named) return;
      room.broadcast({ type: "system", plugin, text, ...(named ? { room: named.name } : {}) }, skip);
    },
    noticeTo: (nick, plugin, text) => room.sendTo(nick, { type: "system", plugin, text }),
    kick: (nick, reason) => room.find(nick)?.kick(reason) ?? false,
    history(limit, inRoom) {
      const named = inRoom === undefined ? rooms.lobby : rooms.find(inRoom);
      if (!named) return [];
      return history.recent(limit, named.history).map((e) => ({ time: new Date(e.time), from: e.from, text: e.text, action: e.action, room: named.name }));
    },
    rooms: () => rooms.list().map(infoOf),
    members: (name) => {
      const named = rooms.find(name);
      if (!named) return undefined;
      // Users of other nodes, as the cluster knows them (one that left meanwhile is not listed).
      const remote = [...named.remote.values()].map((nick) => room.find(nick)?.info()).filter((u) => u !== undefined);
      return [...[...named.members].map((m) => m.info()), ...remote];
    },
    keepRoom(name, keep) {
      const kept = rooms.keep(name, keep);
      return "ok" in kept ? kept : { ok: true, room: kept.name };
    },
    defaultRoom: rooms.lobby.name,
    guesses: deps.guesses,
    work: deps.work,
    reload: () => deps.reload(),
    stats: () => deps.stats(),
  };
}

function infoOf(room: NamedRoom): RoomInfo {
  return { name: room.name, members: room.size, topic: room.topic, keyed: room.keyed, permanent: room.permanent };
}
