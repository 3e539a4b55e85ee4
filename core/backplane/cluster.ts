// Starts the Redis backplane for `parley chat --redis URL`: the link, the
// clustered room, the shared stores, the backlog and presence, wired
// together. docs/cluster.md says what users see under each fault.

import { counters } from "../base/counters.ts";
import { UserError, errorText } from "../base/errors.ts";
import type { Logger } from "../base/log.ts";
import type { RoomApi, RoomObserver } from "../chat/room.ts";
import { historyKeyOf } from "../chat/named-room.ts";
import type { SqliteStore, Store } from "../store/store.ts";
import { Backlog } from "./backlog.ts";
import { ClusterRoom } from "./cluster-room.ts";
import { ClusterStore } from "./cluster-store.ts";
import { clusterKeys } from "./keys.ts";
import { Presence, type Snapshot } from "./presence.ts";
import { compareIds, RedisLink } from "./redis-link.ts";

export interface ClusterOptions {
  url: string;
  /** PEM text of the CA that signed a rediss:// server's certificate (--redis-ca) */
  ca?: string;
  prefix: string;
  node: string;
  heartbeatMs: number;
  /** run alone, with a warning, when Redis cannot be reached at start */
  optional: boolean;
  log: Logger;
  observe?: RoomObserver;
  /** the room everyone lands in: its history is kept as the default room's */
  defaultRoom: string;
  /** the --data file: this node's local copy of the stores and history, re-seeding a Redis that forgot them */
  local?: { store: SqliteStore; file: string };
}

export interface Cluster {
  room: RoomApi;
  store: Store;
  node: string;
  stop(): Promise<void>;
}

/** Connects to Redis and joins the cluster; null when Redis is down and that is allowed. */
export async function startCluster(options: ClusterOptions): Promise<Cluster | null> {
  const { log, node } = options;
  const keys = clusterKeys(options.prefix);
  const boot = Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString("hex");
  const link = new RedisLink(options.url, options.ca, log);
  const where = link.where;
  let epoch: string | null = null;
  let reading = false;

  // Warned once per condition, and said again when it is over.
  let fullSince = 0;
  const full = (error: string | null) => {
    if (error && !fullSince) {
      fullSince = Date.now();
      log.warn(`redis: Redis is out of memory (maxmemory): ${error.replace(/^OOM /, "")} Heartbeats, nickname claims and messages to other nodes wait until it has room (free memory, raise maxmemory, or set an eviction policy that spares parley's keys)`);
    } else if (!error && fullSince) {
      log.info(`redis: Redis has room again after ${Math.round((Date.now() - fullSince) / 1000)} s; what waited is being written`);
      fullSince = 0;
    }
  };

  const store = new ClusterStore(link, keys, log, options.local);
  store.loadLocal();
  const room = new ClusterRoom(node, boot, link, keys, log, {
    said: (from, text, action, said) => {
      const room = historyKeyOf(said, options.defaultRoom);
      store.history.heard({ time: Date.now(), from, text, action, ...(room ? { room } : {}) });
    },
    store: (plugin, key, value, time) => store.changed(plugin, key, value, time),
    full,
  }, options.observe);
  const backlog = new Backlog(link, keys, log, {
    overflow(dropping) {
      room.notice(dropping ? "* messages said here are not reaching the other servers right now (too many are waiting for the cluster)" : "* messages said here reach the other servers again");
    },
    full,
  });
  room.backlog = backlog;
  store.backlog = backlog;
  store.announce = (plugin, key, value, time) => room.storeChanged(plugin, key, value, time);

  /** Redis forgot everything (restarted without persistence, or flushed): write back what this node holds. */
  const reseed = async (): Promise<void> => {
    const token = `${node}:${boot}:${Date.now()}`;
    const first = (await link.call<string | null>("SET", [keys.epoch, token, "NX"])) === "OK";
    epoch = first ? token : await link.call<string | null>("GET", [keys.epoch]);
    const replayed = backlog.replayRecent();
    const stores = await store.reseed();
    const history = first ? await store.history.reseed() : 0;
    store.inStep(epoch);
    log.warn(`redis: ${where} had forgotten the cluster (restarted empty?); wrote back ${stores} store entries${first ? ` and ${history} history lines` : ""}${replayed ? `, wrote again its last ${replayed} events` : ""}, and registers this node's users again`);
  };

  const presence = new Presence(node, boot, options.heartbeatMs, link, keys, log, {
    watched: () => room.watched(),
    async snapshot(snap: Snapshot) {
      if (epoch !== null && snap.epoch !== epoch) await reseed();
      await room.reconcile(snap);
    },
    full,
  });
  room.recheck = () => void presence.check();

  const startReading = () => {
    if (reading) return;
    reading = true;
    void link.read(keys.events, () => room.lastId, (entries) => room.receive(entries)).finally(() => {
      reading = false;
    });
  };

  link.events = {
    async up(again) {
      backlog.hold();
      if (!again) {
        const token = `${node}:${boot}:${Date.now()}`;
        epoch = (await link.call<string | null>("SET", [keys.epoch, token, "NX", "GET"])) ?? token;
        const last = await link.call<[string, unknown][] | null>("XREVRANGE", [keys.events, "+", "-", "COUNT", 1]);
        room.lastId = last?.[0]?.[0] ?? "0-0";
        // The --data copy re-seeds a Redis that is not the one it was last in step with (fresh, or restarted empty).
        if (store.local && !store.inStepWith(epoch)) {
          const stores = await store.reseed();
          const history = await store.history.reseed();
          log.info(`redis: ${where} does not hold what --data ${options.local!.file} was last in step with; wrote back ${stores} store changes and ${history} history lines Redis had nothing newer for`);
        }
        await store.history.load();
        await store.load(epoch);
      } else {
        presence.reconnected();
        // A Redis that came back empty starts its stream again: read it from its start if it is behind us.
        const last = await link.call<[string, unknown][] | null>("XREVRANGE", [keys.events, "+", "-", "COUNT", 1]);
        const newest = last?.[0]?.[0] ?? "0-0";
        if (compareIds(newest, room.lastId) < 0) room.lastId = "0-0";
        const now = await link.call<string | null>("GET", [keys.epoch]);
        if (now !== epoch) await reseed();
        else await store.load(epoch);
      }
      await presence.check();
      backlog.release();
      startReading();
      if (again) {
        log.info(`redis: back in contact with ${where}`);
        room.notice("* back in contact with the other parley nodes");
      }
    },
    down(reason) {
      log.warn(`redis: lost contact with ${where} (${reason}); serving this node's users alone, keeping what they say for the others, and reconnecting`);
      room.notice("* lost contact with the other parley nodes; you can still talk with those on this one");
    },
  };

  try {
    await link.start();
  } catch (error) {
    link.stop();
    const reason = errorText(error);
    if (!options.optional) throw new UserError(`cannot reach Redis at ${where}: ${reason} (add --redis-optional to run alone)`);
    log.warn(`cannot reach Redis at ${where} (${reason}); running alone (--redis-optional)`);
    return null;
  }
  presence.start();
  counters.redisClustered = 1;
  log.info(`redis: node ${node} joined the cluster at ${where} (prefix ${options.prefix})`);
  return {
    room,
    store,
    node,
    async stop() {
      // What this node's users said last (and that they left) reaches the others before it goes.
      if (link.up) await backlog.drained(1000);
      await presence.stop();
      link.stop();
    },
  };
}
