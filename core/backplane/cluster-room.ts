// The room when several parley nodes share it through Redis (--redis).
// Each node keeps its own users in a local Room and a directory of the users
// on other nodes. Nicknames are claimed with HSETNX on one hash, so two
// nodes racing for a nick get exactly one winner. Room-wide events go out on
// one pub/sub channel, through one connection per node, so one user's
// messages arrive in the order sent at every node. Presence (presence.ts)
// reaps the users of a node that stops answering.

import type { UserInfo } from "../plugins/api.ts";
import type { Frame } from "../wire/frame.ts";
import type { ServerFrame } from "../wire/protocol.ts";
import type { Logger } from "../base/log.ts";
import { nickKey } from "../wire/nick.ts";
import { Room, type Member, type RoomApi, type RoomObserver } from "../chat/room.ts";
import type { ClusterKeys } from "./keys.ts";
import type { RedisLink } from "./redis-link.ts";

/** A user as the directory keeps them: who, and on which node. */
export interface UserRecord {
  nick: string;
  node: string;
  address: string;
  port: number;
  /** ms since the epoch */
  connectedAt: number;
}

/** What nodes say to each other on the channel. `o` is the node that says it. */
export type Envelope =
  | { o: string; k: "event"; e: ServerFrame; u?: UserRecord }
  | { o: string; k: "to"; to: string; e: ServerFrame }
  | { o: string; k: "kick"; nick: string; reason: string }
  | { o: string; k: "store"; plugin: string; key: string; value: string | null };

export interface ClusterHooks {
  /** a message said on another node, for the history mirror */
  said(from: string, text: string, action: boolean): void;
  /** a plugin store changed on another node */
  store(plugin: string, key: string, value: string | null): void;
}

export class ClusterRoom implements RoomApi {
  readonly local: Room;
  readonly node: string;
  private remote = new Map<string, UserRecord>();
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  private readonly log: Logger;
  private readonly hooks: ClusterHooks;

  constructor(node: string, link: RedisLink, keys: ClusterKeys, log: Logger, hooks: ClusterHooks, observe?: RoomObserver) {
    this.node = node;
    this.link = link;
    this.keys = keys;
    this.log = log;
    this.hooks = hooks;
    this.local = new Room({ observe, relay: (event) => this.relay(event), count: () => this.size });
  }

  get size(): number {
    return this.local.size + this.remote.size;
  }

  find(nick: string): Member | undefined {
    const local = this.local.find(nick);
    if (local) return local;
    const record = this.remote.get(nickKey(nick));
    return record && this.remoteMember(record);
  }

  list(): Member[] {
    const remote = [...this.remote.values()].map((r) => this.remoteMember(r));
    return [...this.local.list(), ...remote].sort((a, b) => a.info().connectedAt.getTime() - b.info().connectedAt.getTime());
  }

  /** Everyone on other nodes, for operators' /nodes. */
  remoteUsers(): readonly UserRecord[] {
    return [...this.remote.values()];
  }

  async join(member: Member, nick: string): Promise<boolean> {
    const key = nickKey(nick);
    if (this.local.find(nick) || this.remote.has(key)) return false;
    if (this.link.up) {
      const claimed = await this.claim(key, this.record(member, nick)).catch(() => true); // Redis gone mid-claim: alone again
      if (!claimed) return false;
    }
    if (this.local.join(member, nick)) return true;
    // Someone on this node took it while Redis answered (it was cut off): give the claim back.
    this.release(key);
    return false;
  }

  leave(member: Member, reason: string): void {
    const known = this.local.find(member.nick) === member;
    this.local.leave(member, reason);
    if (known) this.release(nickKey(member.nick));
  }

  /** At shutdown: this node's users are told something else, but the other nodes must see them leave. */
  remove(member: Member): void {
    const known = this.local.find(member.nick) === member;
    this.local.remove(member);
    if (!known) return;
    this.release(nickKey(member.nick));
    this.send({ o: this.node, k: "event", e: { type: "left", nick: member.nick, reason: "their server shut down", online: this.size } });
  }

  async rename(member: Member, from: string, to: string): Promise<boolean> {
    const oldKey = nickKey(from);
    const newKey = nickKey(to);
    if (oldKey !== newKey) {
      const holder = this.local.find(to);
      if ((holder && holder !== member) || this.remote.has(newKey)) return false;
      if (this.link.up) {
        const claimed = await this.claim(newKey, this.record(member, to)).catch(() => true);
        if (!claimed) return false;
        // The member may have left while Redis answered: give the new name back.
        if (this.local.find(from) !== member) {
          this.release(newKey);
          return false;
        }
        this.release(oldKey);
      }
    }
    return this.local.rename(member, from, to);
  }

  broadcast(event: ServerFrame, except?: Member | ReadonlySet<Member>): void {
    this.local.broadcast(event, except);
  }

  sendTo(nick: string, event: ServerFrame): boolean {
    if (this.local.sendTo(nick, event)) return true;
    const record = this.remote.get(nickKey(nick));
    if (!record) return false;
    this.send({ o: this.node, k: "to", to: record.nick, e: event });
    return true;
  }

  /** Tells the other nodes a plugin store changed. */
  storeChanged(plugin: string, key: string, value: string | null): void {
    this.send({ o: this.node, k: "store", plugin, key, value });
  }

  // -- the channel ---------------------------------------------------------

  /** Every room-wide event of a local user goes to the other nodes. */
  private relay(event: ServerFrame): void {
    const user = event.type === "joined" ? this.local.find(event.nick) : undefined;
    const record = user && event.type === "joined" ? { u: this.record(user, event.nick) } : {};
    this.send({ o: this.node, k: "event", e: event, ...record });
  }

  // "NODE\nJSON": a node hears its own publications too, and drops them
  // by the name in front without parsing them.
  private send(envelope: Envelope): void {
    this.link.publish(`${this.node}\n${JSON.stringify(envelope)}`);
  }

  /** Something another node said. */
  receive(text: string): void {
    const split = text.indexOf("\n");
    if (split === -1 || (split === this.node.length && text.startsWith(this.node))) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text.slice(split + 1)) as Envelope;
    } catch {
      return this.log.warn("redis: a message on the room channel is not JSON; ignored");
    }
    switch (envelope.k) {
      case "event":
        return this.remoteEvent(envelope.o, envelope.e, envelope.u);
      case "to":
        this.local.sendTo(envelope.to, envelope.e);
        return;
      case "kick":
        this.local.find(envelope.nick)?.kick(envelope.reason);
        return;
      case "store":
        return this.hooks.store(envelope.plugin, envelope.key, envelope.value);
    }
  }

  private remoteEvent(node: string, event: ServerFrame, user: UserRecord | undefined): void {
    switch (event.type) {
      case "joined":
        this.remote.set(nickKey(event.nick), user ?? { nick: event.nick, node, address: "?", port: 0, connectedAt: Date.now() });
        break;
      case "left":
        this.remote.delete(nickKey(event.nick));
        break;
      case "renamed": {
        const record = this.remote.get(nickKey(event.from));
        this.remote.delete(nickKey(event.from));
        this.remote.set(nickKey(event.to), { ...(record ?? { node, address: "?", port: 0, connectedAt: Date.now() }), nick: event.to });
        break;
      }
      case "said":
        this.hooks.said(event.from, event.text, event.action === true);
        break;
    }
    // Counts are the sender's; this node knows its own.
    if (event.type === "joined" || event.type === "left") event = { ...event, online: this.size };
    this.local.deliverAll(event);
  }

  // -- presence --------------------------------------------------------------

  /**
   * Brings the directory in line with what Redis holds: users missing here
   * are announced as joined and, with `removeGone`, users Redis no longer
   * has as left; to this node's users only, so no one hears it twice, and
   * users this node already knew are not announced again.
   */
  resync(records: UserRecord[], removeGone: boolean): void {
    const fresh = new Map(records.filter((r) => r.node !== this.node).map((r) => [nickKey(r.nick), r]));
    for (const [key, record] of removeGone ? this.remote : []) {
      if (fresh.has(key)) continue;
      this.remote.delete(key);
      this.local.deliverAll({ type: "left", nick: record.nick, reason: "left while the nodes were cut off", online: this.size });
    }
    for (const [key, record] of fresh) {
      if (this.remote.has(key)) continue;
      this.remote.set(key, record);
      this.local.deliverAll({ type: "joined", nick: record.nick, online: this.size });
    }
  }

  /** The users of a node that stopped answering leave, as far as this node's users know. */
  reap(node: string): string[] {
    const gone: string[] = [];
    for (const [key, record] of this.remote) {
      if (record.node !== node) continue;
      this.remote.delete(key);
      gone.push(record.nick);
      this.local.deliverAll({ type: "left", nick: record.nick, reason: "their server stopped answering", online: this.size });
    }
    return gone;
  }

  /** This node's users, as records, to register again after a reconnect. */
  localRecords(): UserRecord[] {
    return this.local.list().map((m) => this.record(m, m.nick));
  }

  /** Tells this node's users something about the cluster, once. */
  notice(text: string): void {
    this.local.deliverAll({ type: "system", text });
  }

  private async claim(key: string, record: UserRecord): Promise<boolean> {
    const won = await this.link.call<number>("HSETNX", [this.keys.users, key, JSON.stringify(record)]);
    return won === 1;
  }

  private release(key: string): void {
    if (!this.link.up) return;
    this.link.call("HDEL", [this.keys.users, key]).catch(() => {});
  }

  private record(member: Member, nick: string): UserRecord {
    const info = member.info();
    return { nick, node: this.node, address: info.address, port: info.port, connectedAt: info.connectedAt.getTime() };
  }

  private remoteMember(record: UserRecord): Member {
    return {
      nick: record.nick,
      info: (): UserInfo => ({ id: 0, nick: record.nick, address: record.address, port: record.port, connectedAt: new Date(record.connectedAt), idle: 0, node: record.node }),
      deliver: (frame: Frame) => this.send({ o: this.node, k: "to", to: record.nick, e: frame.event }),
      kick: (reason: string) => {
        this.send({ o: this.node, k: "kick", nick: record.nick, reason });
        return true;
      },
    };
  }
}
