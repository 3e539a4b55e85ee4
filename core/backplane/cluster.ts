// Starts the Redis backplane for `parley chat --redis URL`: the link, the
// clustered room, the shared stores and presence, wired together.

import { UserError, errorText } from "../base/errors.ts";
import type { Logger } from "../base/log.ts";
import type { RoomApi, RoomObserver } from "../chat/room.ts";
import type { Store } from "../store/store.ts";
import { ClusterRoom } from "./cluster-room.ts";
import { ClusterStore } from "./cluster-store.ts";
import { clusterKeys } from "./keys.ts";
import { Presence } from "./presence.ts";
import { RedisLink } from "./redis-link.ts";

export interface ClusterOptions {
  url: string;
  prefix: string;
  node: string;
  heartbeatMs: number;
  /** run alone, with a warning, when Redis cannot be reached at start */
  optional: boolean;
  log: Logger;
  observe?: RoomObserver;
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
  const where = safeUrl(options.url);
  // The room, store and presence need the link, and the link's events need them.
  let room: ClusterRoom | undefined;
  let store: ClusterStore | undefined;
  let presence: Presence | undefined;
  const link = new RedisLink(options.url, keys.channel, log, {
    async up(again) {
      const records = await presence!.register(again);
      room!.resync(records, false);
      await store!.load();
      if (!again) return store!.history.load();
      log.info(`redis: back in contact with ${where}; registered again`);
      room!.notice("* back in contact with the other parley nodes");
      // Once every live node has registered again, Redis is the truth:
      // users who left while the nodes were cut off are announced as gone.
      const settle = setTimeout(async () => {
        if (!link.up) return;
        try {
          room!.resync(await presence!.directory(), true);
        } catch (error) {
          log.debug(`redis: resync failed: ${errorText(error)}`);
        }
      }, presence!.graceMs);
      settle.unref();
    },
    down(reason) {
      log.warn(`redis: lost contact with ${where} (${reason}); serving this node's users alone and reconnecting`);
      room!.notice("* lost contact with the other parley nodes; you can still talk with those on this one");
    },
    message: (text) => room!.receive(text),
  });
  store = new ClusterStore(link, keys, log);
  room = new ClusterRoom(node, link, keys, log, {
    said: (from, text, action) => store!.history.heard({ time: Date.now(), from, text, action }),
    store: (plugin, key, value) => store!.changed(plugin, key, value),
  }, options.observe);
  store.announce = (plugin, key, value) => room!.storeChanged(plugin, key, value);
  presence = new Presence(node, options.heartbeatMs, link, keys, room, log);

  try {
    await link.start();
  } catch (error) {
    link.stop();
    const reason = errorText(error);
    if (!options.optional) throw new UserError(`cannot reach Redis at ${where}: ${reason} (add --redis-optional to run alone)`);
    log.warn(`cannot reach Redis at ${where} (${reason}); running alone (--redis-optional)`);
    return null;
  }
  await presence.start();
  log.info(`redis: node ${node} joined the cluster at ${where} (prefix ${options.prefix})`);
  return {
    room,
    store,
    node,
    async stop() {
      await presence!.stop();
      link.stop();
    },
  };
}

/** The URL without its password, for logs and errors. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}
