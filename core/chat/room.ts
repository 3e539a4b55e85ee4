// The room: the one place that knows who is online. It claims and releases
// nicknames, and fans events out: each event becomes one Frame whose bytes
// every recipient shares.
//
// Room is one node's room, in memory. With --redis, ClusterRoom
// (core/backplane/) puts the same interface over Redis; nothing above the
// room knows which one it talks to.

import type { UserInfo } from "../plugins/api.ts";
import { Frame } from "../wire/frame.ts";
import type { ServerFrame } from "../wire/protocol.ts";
import { nickKey } from "../wire/nick.ts";
import { counters } from "../base/counters.ts";
import type { Outbox } from "./outbox.ts";

export interface Member {
  readonly nick: string;
  /** the name of the room this member's plain lines go to (set by core/chat/rooms.ts); "" for users of other nodes */
  room: string;
  info(): UserInfo;
  deliver(frame: Frame): void;
  /**
   * This member as a plain reader, who takes a room's lines exactly as they
   * are (nothing of their own set: core/chat/turn-buffer.ts), or null. Asked
   * when something that decides it changes (core/chat/rooms.ts: refollow).
   */
  plain?(): PlainReader | null;
  /**
   * A rename this member is not shown (they share no room with whoever was
   * renamed): what they keep by nick (an ignore) follows it all the same.
   */
  renamedElsewhere?(from: string, to: string): void;
  /** disconnects this member; the room sees `reason` */
  kick(reason: string): boolean;
}

/** A reader who may follow a room's turn buffer: its framing, its nick's key, its outbox. */
export interface PlainReader {
  readonly json: boolean;
  readonly key: string;
  readonly outbox: Outbox;
}

/** What sessions and plugins may ask of a room, whether local or clustered. */
export interface RoomApi {
  readonly size: number;
  find(nick: string): Member | undefined;
  /** Everyone, in the order they joined. */
  list(): Member[];
  /** Takes `nick` for `member` and tells everyone else. False when it is taken. */
  join(member: Member, nick: string): boolean | Promise<boolean>;
  leave(member: Member, reason: string): void;
  /** Takes `member` out without telling anyone (they were all told something else). */
  remove(member: Member): void;
  /** Moves `member` from `from` to `to`. False when `to` is someone else's. */
  rename(member: Member, from: string, to: string): boolean | Promise<boolean>;
  /** Why the last join or rename of `member` was refused when the nick was not someone else's (a cluster that could not confirm it); undefined otherwise. */
  refusal?(member: Member): string | undefined;
  /** Sends an event to everyone but `except` (to its room's members, when it names one: see Fanout). `subject`: the user a notice is about. */
  broadcast(event: ServerFrame, except?: Member | ReadonlySet<Member>, subject?: Member): void;
  /** Sends an event to one nick. False when no one has that nick. */
  sendTo(nick: string, event: ServerFrame): boolean;
  /** Hands every delivery to `fanout` (the rooms, made after the room). */
  setFanout(fanout: Fanout): void;
  /** A cluster: `member` is in `rooms` now (other nodes read it when they learn of them). */
  roomsChanged?(member: Member, rooms: string[]): void;
  /** A cluster: the rooms a user of another node is in, as far as their record says. */
  remoteRooms?(nick: string): readonly string[] | undefined;
}

/** Sees every event the room relays, for the chat log. */
export type RoomObserver = (event: ServerFrame) => void;

/**
 * Who receives an event: the one place a line is fanned out to members
 * (core/chat/rooms.ts). `except` says who must not get it; `everyone` is
 * this node's members; `remote`: the event comes from another node of a
 * cluster (what it says of that node's users is news). It observes what
 * it delivers.
 */
export type Fanout = (event: ServerFrame, except: Except, subject: Member | undefined, everyone: Iterable<Member>, remote: boolean) => void;

/** Who must not get an event: its sender, or a few. */
export type Except = Member | ReadonlySet<Member> | undefined;

export interface RoomOptions {
  observe?: RoomObserver;
  /** every room-wide event, after local delivery: how a cluster passes it on */
  relay?: (event: ServerFrame) => void;
  /** how many are online, when more than this room's members count (a cluster) */
  count?: () => number;
  /** who receives what; by default everyone (the rooms, once they exist: setFanout) */
  fanout?: Fanout;
}

export class Room implements RoomApi {
  private readonly members = new Map<string, Member>();
  private readonly observe: RoomObserver;
  private readonly relay: ((event: ServerFrame) => void) | undefined;
  private readonly count: () => number;
  private fanout: Fanout | undefined;

  constructor(options: RoomOptions | RoomObserver = {}) {
    const o = typeof options === "function" ? { observe: options } : options;
    this.observe = o.observe ?? (() => {});
    this.relay = o.relay;
    this.count = o.count ?? (() => this.members.size);
    this.fanout = o.fanout;
  }

  /** Hands every delivery to `fanout` (the rooms), which then observes them too. */
  setFanout(fanout: Fanout): void {
    this.fanout = fanout;
  }

  get size(): number {
    return this.members.size;
  }

  find(nick: string): Member | undefined {
    return this.members.get(nickKey(nick));
  }

  list(): Member[] {
    return [...this.members.values()];
  }

  join(member: Member, nick: string): boolean {
    const key = nickKey(nick);
    if (this.members.has(key)) return false;
    this.members.set(key, member);
    this.broadcast({ type: "joined", nick, online: this.count() }, member, member);
    return true;
  }

  leave(member: Member, reason: string): void {
    if (!this.take(member)) return;
    this.broadcast({ type: "left", nick: member.nick, reason, online: this.count() }, member, member);
  }

  remove(member: Member): void {
    this.take(member);
  }

  private take(member: Member): boolean {
    const key = nickKey(member.nick);
    if (this.members.get(key) !== member) return false;
    this.members.delete(key);
    return true;
  }

  rename(member: Member, from: string, to: string): boolean {
    const oldKey = nickKey(from);
    const newKey = nickKey(to);
    // Only the member who holds `from` can move it (not one that left meanwhile).
    if (this.members.get(oldKey) !== member) return false;
    const holder = this.members.get(newKey);
    if (holder && holder !== member) return false;
    // Keep join order: rebuild only when the key changes (not for "bob" -> "Bob").
    if (oldKey !== newKey) {
      const entries = [...this.members].map(([k, m]): [string, Member] => (k === oldKey ? [newKey, m] : [k, m]));
      this.members.clear();
      for (const [k, m] of entries) this.members.set(k, m);
    }
    this.broadcast({ type: "renamed", from, to }, member, member);
    return true;
  }

  broadcast(event: ServerFrame, except?: Member | ReadonlySet<Member>, subject?: Member): void {
    this.deliver(event, except, subject, false);
    this.relay?.(event);
  }

  /** Delivers to this node's members only, and does not relay: for events from other nodes. */
  deliverAll(event: ServerFrame, except?: Member | ReadonlySet<Member>): void {
    this.deliver(event, except, undefined, true);
  }

  private deliver(event: ServerFrame, except: Member | ReadonlySet<Member> | undefined, subject: Member | undefined, remote: boolean): void {
    counters.eventsRelayed++;
    const many = except instanceof Set ? except : undefined;
    const one = many ? undefined : except;
    if (this.fanout) return this.fanout(event, except, subject, this.members.values(), remote);
    this.observe(event);
    const frame = new Frame(event);
    for (const member of this.members.values()) {
      if (member === one || many?.has(member)) continue;
      counters.deliveries++;
      member.deliver(frame);
    }
  }

  sendTo(nick: string, event: ServerFrame): boolean {
    const member = this.find(nick);
    if (!member) return false;
    this.observe(event);
    counters.eventsRelayed++;
    counters.deliveries++;
    member.deliver(new Frame(event));
    return true;
  }
}
