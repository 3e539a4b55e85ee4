// The Redis names of one cluster. Everything is under a prefix
// (--redis-prefix), so several independent parley clusters share one Redis.

export interface ClusterKeys {
  /** stream of everything nodes say to each other (room events, private messages, kicks, store changes), bounded */
  events: string;
  /** hash: nick key -> UserRecord JSON, the nickname claims */
  users: string;
  /** prefix of a node's heartbeat key (alive:NODE = its boot token, with an expiry) */
  alivePrefix: string;
  alive(node: string): string;
  /** a token set once per Redis lifetime: when it is gone, Redis forgot everything */
  epoch: string;
  /** stream of room messages, bounded */
  history: string;
  /** hash of one plugin's store */
  store(plugin: string): string;
  /** hash of when each key of one plugin's store last changed (ms), deletions included: what a re-seed compares */
  storeTime(plugin: string): string;
  storePattern: string;
}

export function clusterKeys(prefix: string): ClusterKeys {
  return {
    events: `${prefix}:events`,
    users: `${prefix}:users`,
    alivePrefix: `${prefix}:alive:`,
    alive: (node) => `${prefix}:alive:${node}`,
    epoch: `${prefix}:epoch`,
    history: `${prefix}:history`,
    store: (plugin) => `${prefix}:store:${plugin}`,
    storeTime: (plugin) => `${prefix}:store-time:${plugin}`,
    storePattern: `${prefix}:store:*`,
  };
}
