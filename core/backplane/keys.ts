// The Redis names of one cluster. Everything is under a prefix
// (--redis-prefix), so several independent parley clusters share one Redis.

export interface ClusterKeys {
  /** the pub/sub channel of the room */
  channel: string;
  /** hash: nick key -> UserRecord JSON, the nickname claims */
  users: string;
  /** set of node names */
  nodes: string;
  /** a node's heartbeat key, with an expiry */
  alive(node: string): string;
  /** stream of room messages, bounded */
  history: string;
  /** hash of one plugin's store */
  store(plugin: string): string;
  storePattern: string;
}

export function clusterKeys(prefix: string): ClusterKeys {
  return {
    channel: `${prefix}:room`,
    users: `${prefix}:users`,
    nodes: `${prefix}:nodes`,
    alive: (node) => `${prefix}:alive:${node}`,
    history: `${prefix}:history`,
    store: (plugin) => `${prefix}:store:${plugin}`,
    storePattern: `${prefix}:store:*`,
  };
}
