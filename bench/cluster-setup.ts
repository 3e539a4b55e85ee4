// The cluster W6 runs against (docs/cluster.md): one redis-server without
// persistence and two parley nodes sharing the room through it, each
// started fresh on a free loopback port and stopped by its PID; and the
// clients, alternating between the nodes.

import { BenchClient, CONNECT_PARALLEL, connectMany, quiet } from "./clients.ts";
import { DIALECTS } from "./dialects.ts";
import { freePort, HOST, startProcess, startTarget, type Target, type TargetPaths } from "./targets.ts";

/** The nodes' --node-name, in the order clients alternate between them. */
export const NODE_NAMES = ["left", "right"] as const;

const HANDSHAKE_TIMEOUT_MS = 10_000;

export function redisCommand(port: number | "PORT"): string[] {
  return ["redis-server", "--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no"];
}

/** What a node adds to parley's usual bench command line. */
export function nodeArgs(redisPort: number | "PORT", node: string): string[] {
  return ["--redis", `redis://${HOST}:${redisPort}`, "--node-name", node];
}

/** Why W6 cannot run here, or null. */
export function clusterMissing(): string | null {
  return Bun.which("redis-server") ? null : "redis-server is not installed (apt-get install -y redis-server)";
}

/** The command lines, for results.md (`parley`: the binary as shown there). */
export function clusterCommands(parley: string, limits: string[]): string[] {
  const shellQuote = (a: string) => (a === "" ? '""' : a);
  return [
    `${redisCommand("PORT").map(shellQuote).join(" ")}   (W6: the cluster's Redis)`,
    ...NODE_NAMES.map((n) => [parley, "chat", "--host", HOST, "--port", "0", "--json-logs", "--log-level", "info", ...limits, ...nodeArgs("PORT", n)].join(" ")),
  ];
}

export class Cluster {
  /** replaced when Redis is restarted (W6-fault) */
  redis: Target<"redis">;
  readonly nodes: Target[];

  private constructor(redis: Target<"redis">, nodes: Target[]) {
    this.redis = redis;
    this.nodes = nodes;
  }

  /** Redis first, then the nodes one after the other (each registers with Redis before it listens). */
  static async start(paths: TargetPaths, maxClients: number): Promise<Cluster> {
    const port = await freePort();
    const ready = (line: string) => (line.includes("Ready to accept connections") ? port : null);
    const redis = await startProcess("redis", { command: redisCommand(port), portFromLog: ready }, port);
    const nodes: Target[] = [];
    try {
      for (const name of NODE_NAMES) nodes.push(await startTarget("parley", paths, maxClients, nodeArgs(port, name)));
    } catch (error) {
      await Promise.all([...nodes, redis].map((t) => t.stop()));
      throw error;
    }
    return new Cluster(redis, nodes);
  }

  /** Stops Redis (SIGTERM, so it keeps nothing: it has no persistence). */
  async stopRedis(): Promise<void> {
    await this.redis.stop();
  }

  /** Starts Redis again on the same port, empty; resolves once it accepts connections. */
  async restartRedis(): Promise<void> {
    const port = this.redis.port;
    const ready = (line: string) => (line.includes("Ready to accept connections") ? port : null);
    this.redis = await startProcess("redis", { command: redisCommand(port), portFromLog: ready }, port);
  }

  /** Every process of the cluster: the nodes, then Redis. */
  get all(): Target<string>[] {
    return [...this.nodes, this.redis];
  }

  /** The first process that exited on its own, if any. */
  get exited(): Target<string> | undefined {
    return this.all.find((t) => t.exited);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((t) => t.stop()));
    await this.redis.stop();
  }
}

/**
 * Connects `count` clients, alternately to each node (u0 to the first, u1
 * to the second, ...), and waits until the join chatter has stopped.
 * `clients[i]` is on node `nodeOf[i]`; the order alternates as long as
 * both nodes took their share.
 */
export async function connectAlternately(cluster: Cluster, count: number): Promise<{ clients: BenchClient[]; nodeOf: Uint8Array; failures: string[] }> {
  const n = cluster.nodes.length;
  const dialect = DIALECTS.parley;
  const parallel = Math.max(1, Math.floor(CONNECT_PARALLEL / n));
  const groups = await Promise.all(
    cluster.nodes.map((node, k) => {
      const share = Math.floor(count / n) + (k < count % n ? 1 : 0);
      return connectMany(share, parallel, (j) => new BenchClient(`u${j * n + k}`, dialect, "joined", "count"), node.port, HANDSHAKE_TIMEOUT_MS);
    }),
  );
  const clients: BenchClient[] = [];
  const nodes: number[] = [];
  const longest = Math.max(...groups.map((g) => g.clients.length));
  for (let j = 0; j < longest; j++) {
    groups.forEach((g, k) => {
      const c = g.clients[j];
      if (!c) return;
      clients.push(c);
      nodes.push(k);
    });
  }
  await quiet(clients, 150, 5_000);
  return { clients, nodeOf: Uint8Array.from(nodes), failures: groups.flatMap((g) => g.failures) };
}
