// The room when several parley nodes share it through Redis (--redis).
// Each node keeps its own users in a local Room and a view of the users on
// other nodes. Nicknames are claimed with HSETNX on one hash, so two nodes
// racing for a nick get exactly one winner, and a claim Redis did not
// confirm (unreachable, full, too slow) is a failure, never a success.
//
// Nodes talk through one Redis stream (keys.events) that each reads from
// the last ID it saw: a node that paused or reconnected catches up from
// where it stopped, and one node's events arrive in the order it wrote
// them. What a node writes goes through its backlog (backlog.ts), so
// nothing said is lost while Redis is away. Every event carries its
// sender's boot token and sequence number, and a reader drops what it has
// seen.
//
// Events are applied to the view as changes of state: a join of someone
// already known, or a leave of someone not known, is no news and is not
// announced. Presence snapshots (presence.ts) bring the view in line with
// Redis itself, so each node converges by itself.

import type { UserInfo } from "../plugins/api.ts";
import { Frame } from "../wire/frame.ts";
import type { ServerFrame } from "../wire/protocol.ts";
import type { Logger } from "../base/log.ts";
import { errorText } from "../base/errors.ts";
import { nickKey } from "../wire/nick.ts";
import { Room, type Fanout, type Member, type RoomApi, type RoomObserver } from "../chat/room.ts";
import type { Backlog } from "./backlog.ts";
import type { ClusterKeys } from "./keys.ts";
import type { Snapshot, UserRecord } from "./presence.ts";
import { isOom, type RedisLink, type StreamEntry } from "./redis-link.ts";

export type { UserRecord };

/** What nodes say to each other. `o` is the node that says it, `b` its boot token, `s` its sequence number. */
export type Envelope = { o: string; b: string; s: number } & (
  | { k: "event"; e: ServerFrame; u?: UserRecord }
  | { k: "to"; to: string; n?: string; e: ServerFrame }
  | { k: "kick"; nick: string; n?: string; reason: string }
  | { k: "store"; plugin: string; key: string; value: string | null; t?: number }
);

type Body = Envelope extends infer E ? (E extends unknown ? Omit<E, "o" | "b" | "s"> : never) : never;

export interface ClusterHooks {
  /** a message said on another node (in `room`), for the history mirror */
  said(from: string, text: string, action: boolean, room: string | undefined): void;
  /** a plugin store changed on another node, at `time` (ms; when the sender did not say, now) */
  store(plugin: string, key: string, value: string | null, time: number): void;
  /** Redis is full (an error text) or has room again (null) */
  full(error: string | null): void;
}

/** How long a join or rename waits on Redis before it is told it failed. */
export const CLAIM_TIMEOUT_MS = 2000;
export const UNREACHABLE = "the server cannot reach the cluster right now; try again";

type Claim = { json: string; record: UserRecord };
type Outcome = "won" | "taken" | "unreachable";
/** What a session offers the room for a forced rename (core/chat/session.ts's Session). */
type Renamable = Member & { rename?(wanted: string): unknown };

const identity = (r: UserRecord) => `${r.node}/${r.boot}/${r.sid}`;

export class ClusterRoom implements RoomApi {
  readonly local: Room;
  readonly node: string;
  readonly boot: string;
  /** the last ID read from the events stream */
  lastId = "0-0";
  private remote = new Map<string, UserRecord>();
  /** what this node holds in Redis for its users: nick key -> claim */
  private claims = new Map<string, Claim>();
  /** view entries that a snapshot disagreed with once: key -> identity wanted ("" = gone) */
  private doubts = new Map<string, string>();
  private seq = 0;
  private heard = new Map<string, number>();
  private renaming = new Set<Member>();
  /** the rooms of this node's users who are in more than the default room, for their records */
  private roomsOf = new WeakMap<Member, string[]>();
  private refusals = new WeakMap<Member, string>();
  backlog!: Backlog;
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  private readonly log: Logger;
  private readonly hooks: ClusterHooks;
  /** a snapshot is wanted soon (a conflict was seen) */
  recheck: () => void = () => {};

  constructor(node: string, boot: string, link: RedisLink, keys: ClusterKeys, log: Logger, hooks: ClusterHooks, observe?: RoomObserver) {
    this.node = node;
    this.boot = boot;
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
    const remote = [...this.remote.values()].filter((r) => !this.local.find(r.nick)).map((r) => this.remoteMember(r));
    return [...this.local.list(), ...remote].sort((a, b) => a.info().connectedAt.getTime() - b.info().connectedAt.getTime());
  }

  /** Everyone on other nodes, for operators' /nodes. */
  remoteUsers(): readonly UserRecord[] {
    return [...this.remote.values()];
  }

  async join(member: Member, nick: string): Promise<boolean> {
    const key = nickKey(nick);
    if (this.local.find(nick)) return false;
    const claim = this.claimFor(member, nick);
    const outcome = await this.claim(key, claim);
    if (outcome !== "won") return this.refused(member, outcome);
    this.dropStale(key);
    this.claims.set(key, claim);
    if (this.local.join(member, nick)) return true;
    // Someone on this node took it while Redis answered: give the claim back.
    this.claims.delete(key);
    this.release(key, claim);
    return false;
  }

  leave(member: Member, reason: string): void {
    const known = this.local.find(member.nick) === member;
    this.local.leave(member, reason);
    if (known) this.forget(nickKey(member.nick));
  }

  /** At shutdown: this node's users are told something else, but the other nodes must see them leave. */
  remove(member: Member): void {
    const known = this.local.find(member.nick) === member;
    this.local.remove(member);
    if (!known) return;
    this.send({ k: "event", e: { type: "left", nick: member.nick, reason: "their server shut down", online: this.size } });
    this.forget(nickKey(member.nick));
  }

  async rename(member: Member, from: string, to: string): Promise<boolean> {
    const oldKey = nickKey(from);
    const newKey = nickKey(to);
    if (oldKey === newKey) {
      if (!this.local.rename(member, from, to)) return false;
      const old = this.claims.get(oldKey);
      if (old && this.link.up) {
        const claim = { json: JSON.stringify({ ...old.record, nick: to }), record: { ...old.record, nick: to } };
        this.claims.set(oldKey, claim);
        this.link.call("HSET", [this.keys.users, oldKey, claim.json]).catch(() => {});
      }
      return true;
    }
    const holder = this.local.find(to);
    if (holder && holder !== member) return false;
    const claim = this.claimFor(member, to);
    const outcome = await this.claim(newKey, claim);
    if (outcome !== "won") return this.refused(member, outcome);
    // The member may have left while Redis answered: give the new name back.
    if (this.local.find(from) !== member) {
      this.release(newKey, claim);
      return false;
    }
    this.dropStale(newKey);
    this.claims.set(newKey, claim);
    if (!this.local.rename(member, from, to)) {
      this.claims.delete(newKey);
      this.release(newKey, claim);
      return false;
    }
    this.forget(oldKey);
    return true;
  }

  broadcast(event: ServerFrame, except?: Member | ReadonlySet<Member>, subject?: Member): void {
    this.local.broadcast(event, except, subject);
  }

  setFanout(fanout: Fanout): void {
    this.local.setFanout(fanout);
  }

  /** A user of this node joined or parted a room: their record in Redis says which they are in now. */
  roomsChanged(member: Member, rooms: string[]): void {
    this.roomsOf.set(member, rooms);
    const key = nickKey(member.nick);
    const old = this.claims.get(key);
    if (!old || this.local.find(member.nick) !== member) return;
    const record = { ...old.record, rooms };
    const claim = { json: JSON.stringify(record), record };
    this.claims.set(key, claim);
    // While Redis is away the claims are written again when it is back (this one with them).
    if (this.link.up) this.link.call("HSET", [this.keys.users, key, claim.json]).catch(() => {});
  }

  /** The rooms a user of another node is in, as their record says; undefined when it does not say (the default room only). */
  remoteRooms(nick: string): readonly string[] | undefined {
    return this.remote.get(nickKey(nick))?.rooms;
  }

  sendTo(nick: string, event: ServerFrame): boolean {
    if (this.local.sendTo(nick, event)) return true;
    const record = this.remote.get(nickKey(nick));
    if (!record) return false;
    this.send({ k: "to", to: record.nick, n: record.node, e: event });
    return true;
  }

  /** Tells the other nodes a plugin store changed (queued right behind the write, so none hears of it before it is stored). */
  storeChanged(plugin: string, key: string, value: string | null, time: number): void {
    this.send({ k: "store", plugin, key, value, t: time });
  }

  // -- claims ------------------------------------------------------------------

  private claimFor(member: Member, nick: string): Claim {
    const info = member.info();
    const rooms = this.roomsOf.get(member);
    const record: UserRecord = { nick, node: this.node, boot: this.boot, sid: info.id, address: info.address, port: info.port, connectedAt: info.connectedAt.getTime(), ...(rooms ? { rooms } : {}) };
    return { json: JSON.stringify(record), record };
  }

  /** HSETNX, confirmed by Redis within CLAIM_TIMEOUT_MS, or not at all. */
  private async claim(key: string, claim: Claim): Promise<Outcome> {
    const deadline = Date.now() + CLAIM_TIMEOUT_MS;
    if (!this.link.up && !(await this.link.whenUp(CLAIM_TIMEOUT_MS))) return "unreachable";
    for (let attempt = 0; attempt < 2; attempt++) {
      const asked = this.link.call<number>("HSETNX", [this.keys.users, key, claim.json]);
      const answer = await within(asked, deadline - Date.now());
      if (answer === "late") {
        // It may still be granted: then it is given back, since the user was told no.
        asked.then((won) => won === 1 && this.release(key, claim)).catch(() => {});
        return "unreachable";
      }
      if (answer instanceof Error) {
        if (isOom(answer)) this.hooks.full(errorText(answer));
        else this.log.warn(`redis: a nickname claim failed: ${errorText(answer)}`);
        return "unreachable";
      }
      if (answer === 1) return "won";
      // Taken: by this node's own leftover (a release still queued)? Then it is ours to take back.
      const held = await within(this.link.call<string | null>("HGET", [this.keys.users, key]), deadline - Date.now());
      if (held === null) continue; // given back meanwhile: ask again
      if (typeof held !== "string") return "unreachable";
      let holder: Partial<UserRecord> = {};
      try {
        holder = JSON.parse(held) as UserRecord;
      } catch {}
      const ours = holder.node === this.node && holder.boot === this.boot && !this.claims.has(key) && !(holder.nick && this.local.find(holder.nick));
      if (!ours) return "taken";
      const freed = await within(this.link.call("EVAL", [RELEASE, 1, this.keys.users, key, held]), deadline - Date.now());
      if (freed === "late" || freed instanceof Error) return "unreachable";
    }
    return "taken";
  }

  private refused(member: Member, outcome: Outcome): false {
    if (outcome === "unreachable") {
      // The session tells the user (Session.join and rename ask refusal()).
      this.refusals.set(member, UNREACHABLE);
    } else this.refusals.delete(member);
    return false;
  }

  /** Why the last join or rename of `member` was refused when the nick was not taken (Redis did not confirm the claim). */
  refusal(member: Member): string | undefined {
    return this.refusals.get(member);
  }

  /** A local user no longer holds `key`: the claim goes, behind the events already queued. */
  private forget(key: string): void {
    const claim = this.claims.get(key);
    if (!claim) return;
    this.claims.delete(key);
    this.release(key, claim);
  }

  private release(key: string, claim: Claim): void {
    this.backlog.push({ k: "r", field: key, value: claim.json });
  }

  /** Redis gave `key` to this node, so whoever the view had under it is gone. */
  private dropStale(key: string): void {
    const stale = this.remote.get(key);
    if (!stale) return;
    this.remote.delete(key);
    this.local.deliverAll({ type: "left", nick: stale.nick, reason: "their server stopped answering", online: this.size });
  }

  // -- the events stream -------------------------------------------------------

  /** Every room-wide event of a local user goes to the other nodes. */
  private relay(event: ServerFrame): void {
    if (event.type === "joined" || event.type === "renamed") {
      const claim = this.claims.get(nickKey(event.type === "joined" ? event.nick : event.to));
      if (claim) return this.send({ k: "event", e: event, u: claim.record });
    }
    this.send({ k: "event", e: event });
  }

  // "NODE\nJSON": a node reads its own events too, and drops them by the
  // name in front without parsing them.
  private send(body: Body): void {
    const envelope = { o: this.node, b: this.boot, s: ++this.seq, ...body };
    this.backlog.push({ k: "e", text: `${this.node}\n${JSON.stringify(envelope)}` });
  }

  /** A batch read from the events stream. */
  receive(entries: StreamEntry[]): void {
    for (const entry of entries) {
      this.lastId = entry.id;
      try {
        this.receiveOne(entry.text);
      } catch (error) {
        this.log.warn(`redis: an event from another node could not be handled: ${errorText(error)}`);
      }
    }
  }

  private receiveOne(text: string): void {
    const split = text.indexOf("\n");
    if (split === -1 || (split === this.node.length && text.startsWith(this.node))) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text.slice(split + 1)) as Envelope;
    } catch {
      return this.log.warn("redis: an event on the cluster's stream is not JSON; ignored");
    }
    // Sent again after a lost answer, or read twice: each sender's events count once.
    const sender = `${envelope.o}/${envelope.b}`;
    const last = this.heard.get(sender) ?? 0;
    if (typeof envelope.s === "number") {
      if (envelope.s <= last) return;
      if (last > 0 && envelope.s > last + 1) this.log.warn(`redis: ${envelope.s - last - 1} events from node ${envelope.o} were not read (the stream was trimmed or Redis lost them)`);
      this.heard.set(sender, envelope.s);
    }
    switch (envelope.k) {
      case "event":
        return this.remoteEvent(envelope.o, envelope.e, envelope.u);
      case "to": {
        if (envelope.n !== undefined && envelope.n !== this.node) return;
        if (this.local.sendTo(envelope.to, envelope.e)) return;
        const e = envelope.e;
        // The addressee left before it arrived: the sender hears it was not delivered.
        if (e.type === "private") this.send({ k: "to", to: e.from, n: envelope.o, e: { type: "error", code: "not_delivered", message: `${envelope.to} is not online any more; your private message was not delivered` } });
        return;
      }
      case "kick":
        if (envelope.n !== undefined && envelope.n !== this.node) return;
        this.local.find(envelope.nick)?.kick(envelope.reason);
        return;
      case "store":
        return this.hooks.store(envelope.plugin, envelope.key, envelope.value, typeof envelope.t === "number" ? envelope.t : Date.now());
    }
  }

  private remoteEvent(node: string, event: ServerFrame, user: UserRecord | undefined): void {
    switch (event.type) {
      case "joined": {
        const key = nickKey(event.nick);
        const record = user ?? { nick: event.nick, node, boot: "", sid: 0, address: "?", port: 0, connectedAt: Date.now() };
        if (this.local.find(event.nick)) {
          // Two holders: Redis says which keeps it (a snapshot, soon).
          this.recheck();
          return;
        }
        const known = this.remote.get(key);
        this.doubts.delete(key);
        if (known && identity(known) === identity(record)) return;
        if (known) this.announceLeft(key, known, "reconnected elsewhere");
        this.remote.set(key, record);
        return this.local.deliverAll({ ...event, online: this.size });
      }
      case "left": {
        const key = nickKey(event.nick);
        const known = this.remote.get(key);
        if (!known || known.node !== node) return;
        this.remote.delete(key);
        this.doubts.delete(key);
        return this.local.deliverAll({ ...event, online: this.size });
      }
      case "renamed": {
        const fromKey = nickKey(event.from);
        const toKey = nickKey(event.to);
        const known = this.remote.get(fromKey);
        const record = { ...(user ?? known ?? { node, boot: "", sid: 0, address: "?", port: 0, connectedAt: Date.now() }), nick: event.to };
        this.doubts.delete(fromKey);
        this.doubts.delete(toKey);
        if (this.local.find(event.to) && fromKey !== toKey) {
          this.recheck();
          return;
        }
        if (known && known.node === node) {
          this.remote.delete(fromKey);
          this.remote.set(toKey, record);
          return this.local.deliverAll(event);
        }
        // The old name was not theirs as this node sees it (it was taken meanwhile): to us, a join.
        const had = this.remote.get(toKey);
        if (had && identity(had) === identity(record)) return;
        this.remote.set(toKey, record);
        return this.local.deliverAll({ type: "joined", nick: event.to, online: this.size });
      }
      case "said":
        this.hooks.said(event.from, event.text, event.action === true, event.room);
        break;
    }
    this.local.deliverAll(event);
  }

  private announceLeft(key: string, record: UserRecord, reason: string): void {
    this.remote.delete(key);
    this.local.deliverAll({ type: "left", nick: record.nick, reason, online: this.size });
  }

  // -- presence --------------------------------------------------------------

  /**
   * Brings this node in line with a snapshot of Redis: its own users are
   * registered again where Redis lost them (and a user whose nick Redis
   * gave to someone else meanwhile is renamed), and the view of the others
   * becomes what Redis holds. A change the snapshot alone suggests is made
   * only when the next snapshot says it again (an event may be on its way),
   * and removals only when the snapshot is `trusted`.
   */
  async reconcile(snap: Snapshot): Promise<void> {
    const conflicts: [Member, UserRecord][] = [];
    const joinedAgain: Claim[] = [];
    // This node's own leftovers first: claims of users who are no longer here, or of an earlier run of this node.
    for (const [key, held] of [...snap.users]) {
      const r = held.record;
      if (r.node !== this.node) continue;
      const mine = this.claims.get(key);
      if (mine && identity(mine.record) === identity(r)) continue;
      await this.link.call("EVAL", [RELEASE, 1, this.keys.users, key, held.json]).catch(() => {});
      snap.users.delete(key);
    }
    for (const member of this.local.list()) {
      const key = nickKey(member.nick);
      const mine = this.claims.get(key) ?? this.claimFor(member, member.nick);
      const held = snap.users.get(key);
      if (held && identity(held.record) === identity(mine.record)) {
        if (held.json !== mine.json) this.claims.set(key, held);
        continue;
      }
      if (held) {
        // Someone else's in Redis. While their node lives, Redis has chosen them; a dead node's claim the reaper frees.
        if (snap.alive.get(held.record.node) === held.record.boot) conflicts.push([member, held.record]);
        continue;
      }
      const won = await this.link.call<number>("HSETNX", [this.keys.users, key, mine.json]).catch(() => -1);
      if (won === 1) {
        this.claims.set(key, mine);
        snap.users.set(key, mine);
        joinedAgain.push(mine);
      }
    }
    // Users registered again are news to nodes that took them for gone (and no news to the others).
    for (const claim of joinedAgain) this.send({ k: "event", e: { type: "joined", nick: claim.record.nick, online: this.size }, u: claim.record });
    if (joinedAgain.length > 0) this.log.info(`redis: registered ${joinedAgain.length} of this node's users again: ${joinedAgain.map((c) => c.record.nick).join(", ")}`);

    this.converge(snap);
    for (const [member, other] of conflicts) void this.yieldNick(member, other);
  }

  private converge(snap: Snapshot): void {
    const wanted = new Map<string, UserRecord>();
    for (const [key, { record }] of snap.users) {
      if (record.node === this.node) continue;
      if (this.local.find(record.nick)) continue;
      if (snap.alive.get(record.node) !== record.boot && snap.gone.has(`${record.node}/${record.boot}`)) continue;
      if (snap.alive.get(record.node) !== record.boot && !this.remote.has(key)) continue; // not news: a claim of a node that is going
      wanted.set(key, record);
    }
    const seen = new Set<string>();
    // Gone, or someone else now.
    for (const [key, record] of [...this.remote]) {
      const want = wanted.get(key);
      if (want && identity(want) === identity(record)) {
        this.doubts.delete(key);
        continue;
      }
      const nodeGone = snap.gone.has(`${record.node}/${record.boot}`);
      if (!want && !snap.trusted) continue;
      // Its node's heartbeat is missing, but not for long enough yet: wait, and say why when it goes.
      if (!want && !nodeGone && snap.alive.get(record.node) !== record.boot) continue;
      const doubt = want ? identity(want) : "";
      if (!nodeGone && this.doubts.get(key) !== doubt) {
        this.doubts.set(key, doubt);
        seen.add(key);
        continue;
      }
      this.doubts.delete(key);
      seen.add(key);
      const reason = nodeGone ? "their server stopped answering" : "left while the nodes were cut off";
      this.announceLeft(key, record, reason);
      if (want) {
        this.remote.set(key, want);
        this.local.deliverAll({ type: "joined", nick: want.nick, online: this.size });
      }
    }
    // New to this node.
    for (const [key, record] of wanted) {
      if (this.remote.has(key) || seen.has(key)) continue;
      if (this.doubts.get(key) !== identity(record)) {
        this.doubts.set(key, identity(record));
        continue;
      }
      this.doubts.delete(key);
      this.remote.set(key, record);
      this.log.debug(`redis: ${record.nick} of node ${record.node} is online (seen in the users' records)`);
      this.local.deliverAll({ type: "joined", nick: record.nick, online: this.size });
    }
    for (const key of [...this.doubts.keys()]) if (!this.remote.has(key) && !wanted.has(key)) this.doubts.delete(key);
  }

  /**
   * Redis gave this user's nick to someone else while this node was cut
   * off: this user takes a free nick, and is told why. No one is
   * disconnected.
   */
  private async yieldNick(member: Renamable, holder: UserRecord): Promise<void> {
    if (this.renaming.has(member) || typeof member.rename !== "function") return;
    this.renaming.add(member);
    const from = member.nick;
    try {
      for (let n = 2; n < 100; n++) {
        const base = from.replace(/\d+$/, "") || from;
        for (const candidate of [`${base}${n}`, `${base.slice(0, Math.max(1, base.length - String(n).length))}${n}`]) {
          if (this.local.find(candidate) || this.remote.has(nickKey(candidate))) continue;
          const result = (await member.rename.call(member, candidate)) as { ok: boolean; code?: string } | undefined;
          if (result?.ok) {
            this.log.warn(`redis: ${from} was taken on node ${holder.node} while this node was cut off; this node's ${from} is now ${candidate}`);
            member.deliver(frameOf({ type: "renamed", from, to: candidate }));
            member.deliver(frameOf({ type: "system", text: `* ${from} was taken by someone on another server while this one was cut off from the cluster; you are now ${candidate}` }));
            return;
          }
          if (result?.code !== "nick_invalid") break;
        }
        if (!this.link.up) return;
      }
    } finally {
      this.renaming.delete(member);
    }
  }

  /** The runs of other nodes whose users this node shows. */
  watched(): { node: string; boot: string }[] {
    const runs = new Map<string, { node: string; boot: string }>();
    for (const r of this.remote.values()) runs.set(`${r.node}/${r.boot}`, { node: r.node, boot: r.boot });
    return [...runs.values()];
  }

  /** Tells this node's users something about the cluster, once. */
  notice(text: string): void {
    this.local.deliverAll({ type: "system", text });
  }

  private remoteMember(record: UserRecord): Member {
    return {
      nick: record.nick,
      room: "",
      info: (): UserInfo => ({ id: 0, nick: record.nick, address: record.address, port: record.port, connectedAt: new Date(record.connectedAt), idle: 0, node: record.node }),
      deliver: (frame: Frame) => this.send({ k: "to", to: record.nick, n: record.node, e: frame.event }),
      kick: (reason: string) => {
        this.send({ k: "kick", nick: record.nick, n: record.node, reason });
        return true;
      },
    };
  }
}

/** Gives back a claim only if it is still the one given (never someone else's). */
export const RELEASE = "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0";

async function within<T>(promise: Promise<T>, ms: number): Promise<T | Error | "late"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), Math.max(0, ms))));
  try {
    return await Promise.race([promise.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))), late]);
  } finally {
    clearTimeout(timer);
  }
}

function frameOf(event: ServerFrame): Frame {
  return new Frame(event);
}
