// Presence: each node keeps a heartbeat key that expires after two
// heartbeats, and every half heartbeat looks for nodes whose key is gone.
// Their users are announced as left (each node tells its own users, so no
// one hears it twice) and their claims are released, so a node that dies
// vanishes from every list within about twice the heartbeat interval.

import { errorText } from "../base/errors.ts";
import type { Logger } from "../base/log.ts";
import { nickKey } from "../wire/nick.ts";
import type { ClusterRoom, UserRecord } from "./cluster-room.ts";
import type { ClusterKeys } from "./keys.ts";
import type { RedisLink } from "./redis-link.ts";

export class Presence {
  private timer: ReturnType<typeof setInterval> | undefined;
  private beats = 0;
  /** after a reconnect, nodes get this long to register again before any is taken for dead */
  private graceUntil = 0;
  private readonly node: string;
  private readonly heartbeatMs: number;
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  private readonly room: ClusterRoom;
  private readonly log: Logger;

  constructor(node: string, heartbeatMs: number, link: RedisLink, keys: ClusterKeys, room: ClusterRoom, log: Logger) {
    this.node = node;
    this.heartbeatMs = heartbeatMs;
    this.link = link;
    this.keys = keys;
    this.room = room;
    this.log = log;
  }

  /** Says this node is alive now; then keeps saying it. */
  async start(): Promise<void> {
    await this.beat();
    this.timer ??= setInterval(() => void this.tick(), Math.max(20, this.heartbeatMs / 2));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (!this.link.up) return;
    await this.link.call("DEL", [this.keys.alive(this.node)]).catch(() => {});
    await this.link.call("SREM", [this.keys.nodes, this.node]).catch(() => {});
  }

  /**
   * Registers this node and its users (at start, and again after a
   * reconnect, when Redis may have lost everything) and loads the
   * directory. After a reconnect no node is reaped for a while: the others
   * may not have registered again yet.
   */
  async register(again: boolean): Promise<UserRecord[]> {
    if (again) this.graceUntil = Date.now() + this.graceMs;
    await this.beat();
    for (const record of this.room.localRecords()) {
      const key = nickKey(record.nick);
      const won = await this.link.call<number>("HSETNX", [this.keys.users, key, JSON.stringify(record)]);
      if (won !== 1) {
        const holder = JSON.parse((await this.link.call<string | null>("HGET", [this.keys.users, key])) ?? "{}") as Partial<UserRecord>;
        if (holder.node !== this.node) this.log.warn(`redis: ${record.nick} was taken on node ${holder.node} while this node was cut off; both keep it until one leaves`);
      }
    }
    if (!again) await this.reapDead();
    return this.directory();
  }

  /** How long after a reconnect before the directory is trusted again. */
  get graceMs(): number {
    return Math.round(this.heartbeatMs * 2.5);
  }

  private async beat(): Promise<void> {
    await this.link.call("SET", [this.keys.alive(this.node), "1", "PX", this.heartbeatMs * 2]);
    await this.link.call("SADD", [this.keys.nodes, this.node]);
  }

  private async tick(): Promise<void> {
    if (!this.link.up) return;
    try {
      if (++this.beats % 2 === 0) await this.beat();
      await this.reapDead();
    } catch (error) {
      this.log.debug(`redis: presence check failed: ${errorText(error)}`);
    }
  }

  private async reapDead(): Promise<void> {
    if (Date.now() < this.graceUntil) return;
    const nodes = await this.link.call<string[]>("SMEMBERS", [this.keys.nodes]);
    for (const node of nodes) {
      if (node === this.node) continue;
      const alive = await this.link.call<number>("EXISTS", [this.keys.alive(node)]);
      if (alive) continue;
      const gone = this.room.reap(node);
      if (gone.length > 0) this.log.info(`redis: node ${node} stopped answering; ${gone.length} of its users left: ${gone.join(", ")}`);
      // Any node may clean up after it; doing it twice is harmless.
      const users = await this.directory();
      const theirs = users.filter((u) => u.node === node).map((u) => nickKey(u.nick));
      if (theirs.length > 0) await this.link.call("HDEL", [this.keys.users, ...theirs]);
      await this.link.call("SREM", [this.keys.nodes, node]);
    }
  }

  /** Every user record in Redis. */
  async directory(): Promise<UserRecord[]> {
    const flat = await this.link.call<string[] | Record<string, string>>("HGETALL", [this.keys.users]);
    const values = Array.isArray(flat) ? flat.filter((_, i) => i % 2 === 1) : Object.values(flat ?? {});
    return values.map((v) => JSON.parse(v) as UserRecord);
  }
}
