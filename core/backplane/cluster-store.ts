// Plugin stores and room history when the room is clustered: kept in Redis
// so every node sees the same accounts, bans and history. Plugins read
// their store synchronously, so each node keeps a copy of every store,
// loaded when the link comes up and kept current by the changes other
// nodes announce. Writes go through the node's backlog (backlog.ts): a
// change made while Redis is away or full is written, in order, when it
// can be, never dropped.
//
// Every change carries the time it was made, and Redis keeps it per key
// (keys.storeTime), deletions included. With --data, each node also
// writes every change it makes or hears, and the history, to its SQLite
// file (best effort: a failing disk is logged once and the cluster goes
// on), and loads that copy at start. When Redis restarted empty (its
// epoch is not the one the copy was in step with, or it changed while
// running), each node re-seeds Redis from its copy, key by key, and the
// newer change wins: a value or a deletion is written only when Redis
// holds nothing newer for that key (a value Redis holds with no time
// counts as older than any timed change, newer than an untimed one). So
// an account comes back, and a ban lifted while a node was down stays
// lifted whichever node comes back first. What a re-seed changed is
// announced, so nodes that loaded earlier follow. The history tail is
// written back only into an empty history stream (checked in the same
// script, so it is never written twice).

import type { PluginStore } from "../plugins/api.ts";
import { everyRoom, HISTORY_KEEP, MemoryHistory, type History, type HistoryEntry } from "../store/history.ts";
import type { Logger } from "../base/log.ts";
import { errorText } from "../base/errors.ts";
import type { CopyRow, SqliteStore, Store } from "../store/store.ts";
import { BestEffortHistory } from "../store/best-effort-history.ts";
import type { Backlog } from "./backlog.ts";
import type { ClusterKeys } from "./keys.ts";
import type { RedisLink } from "./redis-link.ts";

/** Writes the history tail only into an empty stream. */
const HISTORY_RESEED = `if redis.call('XLEN', KEYS[1]) > 0 then return 0 end
local i = 2
while i <= #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'time', ARGV[i], 'from', ARGV[i+1], 'text', ARGV[i+2], 'action', ARGV[i+3], 'room', ARGV[i+4])
  i = i + 5
end
return (#ARGV - 1) / 5`;

/** Each row (store key, time key, key, value, deleted, time) is written when Redis holds nothing newer for it; returns the rows that changed a value. */
const STORE_RESEED = `local changed = {}
local i = 1
while i <= #ARGV do
  local sk, tk, k, v, del, t = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4], tonumber(ARGV[i+5]) or 0
  local known = redis.call('HGET', tk, k)
  local theirs = -1
  if known then theirs = tonumber(known) or 0 elseif redis.call('HEXISTS', sk, k) == 1 then theirs = 0 end
  if t > theirs then
    local did
    if del == '1' then did = redis.call('HDEL', sk, k) == 1 else redis.call('HSET', sk, k, v) did = true end
    if t > 0 then redis.call('HSET', tk, k, ARGV[i+5]) end
    if did then changed[#changed + 1] = (i - 1) / 6 end
  end
  i = i + 6
end
return changed`;
const RESEED_ROWS = 500;

/** Local writes that fail are logged once, and once when they work again. */
class Once {
  private problem: string | null = null;
  private readonly log: Logger;
  private readonly file: string;

  constructor(log: Logger, file: string) {
    this.log = log;
    this.file = file;
  }

  run(what: () => void): void {
    try {
      what();
    } catch (error) {
      const problem = errorText(error);
      if (problem !== this.problem) this.log.error(`--data ${this.file}: cannot keep the local copy of the cluster's stores (${problem}); the cluster goes on without it`);
      this.problem = problem;
      return;
    }
    if (this.problem !== null) {
      this.problem = null;
      this.log.info(`--data ${this.file}: the local copy of the cluster's stores is being kept again`);
    }
  }
}

export class ClusterHistory implements History {
  private mirror = new MemoryHistory();
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  /** the --data file's history, written best effort */
  readonly local: History | undefined;
  backlog!: Backlog;

  constructor(link: RedisLink, keys: ClusterKeys, local?: History) {
    this.link = link;
    this.keys = keys;
    this.local = local;
  }

  add(entry: HistoryEntry): void {
    this.mirror.add(entry);
    this.local?.add(entry);
    this.backlog.push({ k: "h", entry });
  }

  /** A message relayed from another node: it is in the stream already. */
  heard(entry: HistoryEntry): void {
    this.mirror.add(entry);
    this.local?.add(entry);
  }

  /** Fills the mirror from the --data file (at start, before Redis). */
  loadLocal(): void {
    if (this.local) for (const e of everyRoom(this.local, HISTORY_KEEP)) this.mirror.add(e);
  }

  recent(limit: number, room?: string): HistoryEntry[] {
    return this.mirror.recent(limit, room);
  }

  rooms(): string[] {
    return this.mirror.rooms();
  }

  /** This node's copies only: the stream, bounded to the last HISTORY_KEEP of every room, keeps what it has. */
  forget(room: string): void {
    this.mirror.forget(room);
    this.local?.forget(room);
  }

  /** Fills the mirror from the stream (at start): what Redis holds replaces what the --data file held. */
  async load(): Promise<void> {
    this.mirror = new MemoryHistory();
    const rows = await this.link.call<[string, string[]][]>("XREVRANGE", [this.keys.history, "+", "-", "COUNT", HISTORY_KEEP]);
    for (const [, flat] of [...(rows ?? [])].reverse()) {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      this.mirror.add({ time: Number(f.time), from: f.from ?? "?", text: f.text ?? "", action: f.action === "1", ...(f.room ? { room: f.room } : {}) });
    }
  }

  /** Writes the mirror back to a Redis that lost the stream (what is still queued goes later, by the backlog). */
  async reseed(): Promise<number> {
    // Oldest first across rooms, as they were said; what is still queued goes later, by the backlog.
    const entries = everyRoom(this.mirror, HISTORY_KEEP)
      .filter((e) => !this.backlog.pendingHistory.has(e))
      .sort((a, b) => a.time - b.time);
    if (entries.length === 0) return 0;
    const args = entries.flatMap((e) => [String(e.time), e.from, e.text, e.action ? "1" : "0", e.room ?? ""]);
    return await this.link.call<number>("EVAL", [HISTORY_RESEED, 1, this.keys.history, HISTORY_KEEP, ...args]);
  }
}

export class ClusterStore implements Store {
  readonly durable = true;
  readonly history: ClusterHistory;
  private readonly copies = new Map<string, Map<string, string>>();
  /** "plugin\0key" -> when it last changed (ms), deletions included; 0 or absent: not known */
  private readonly times = new Map<string, number>();
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  private readonly log: Logger;
  /** the --data file, when there is one: this node's copy that outlives it */
  readonly local: SqliteStore | undefined;
  private readonly once: Once | undefined;
  private backlogRef!: Backlog;
  /** set by the cluster once its room exists: tells other nodes of a change */
  announce: (plugin: string, key: string, value: string | null, time: number) => void = () => {};

  constructor(link: RedisLink, keys: ClusterKeys, log: Logger, local?: { store: SqliteStore; file: string }) {
    this.link = link;
    this.keys = keys;
    this.log = log;
    this.local = local?.store;
    this.once = local && new Once(log, local.file);
    const history = local && new BestEffortHistory(local.store.history, (problem) => {
      if (problem) log.error(`--data ${local.file}: cannot keep the local copy of the history (${problem}); the cluster goes on without it`);
      else log.info(`--data ${local.file}: the local copy of the history is being kept again`);
    });
    this.history = new ClusterHistory(link, keys, history);
  }

  get unwritable(): string | undefined {
    return this.local?.unwritable;
  }

  set backlog(backlog: Backlog) {
    this.backlogRef = backlog;
    this.history.backlog = backlog;
  }

  forPlugin(name: string): PluginStore {
    const copy = this.copy(name);
    return {
      kept: true,
      get: <T>(key: string) => {
        const text = copy.get(key);
        return text === undefined ? undefined : (JSON.parse(text) as T);
      },
      set: (key, value) => {
        const text = JSON.stringify(value);
        if (text === undefined) throw new TypeError("store values must be JSON: got " + typeof value);
        copy.set(key, text);
        this.write(name, key, text);
      },
      delete: (key) => {
        const had = copy.delete(key);
        if (had) this.write(name, key, null);
        return had;
      },
      keys: () => [...copy.keys()],
    };
  }

  /** Another node changed a store. */
  changed(plugin: string, key: string, value: string | null, time: number): void {
    if (this.backlogRef.pendingStore.has(`${plugin}\0${key}`)) return; // this node's own change is newer
    if (value === null) this.copy(plugin).delete(key);
    else this.copy(plugin).set(key, value);
    this.times.set(`${plugin}\0${key}`, time);
    this.keep(plugin, key, value, time);
  }

  /** Fills the copies from the --data file (at start, before Redis is asked). */
  loadLocal(): void {
    if (!this.local) return;
    this.once!.run(() => {
      for (const row of this.local!.copyRows()) {
        if (row.value !== null) this.copy(row.plugin).set(row.key, row.value);
        if (row.time > 0 || row.value === null) this.times.set(`${row.plugin}\0${row.key}`, row.time);
      }
      this.history.loadLocal();
    });
  }

  /** Whether the --data file was last in step with this Redis epoch (else Redis forgot, or the copy is another's). */
  inStepWith(epoch: string | null): boolean {
    let known: string | undefined;
    this.once?.run(() => (known = this.local!.epoch));
    return known !== undefined && known === epoch;
  }

  /** Loads every plugin store from Redis (when the link comes up); this node's changes still queued stay. The --data file follows. */
  async load(epoch?: string | null): Promise<void> {
    const names = await this.link.call<string[]>("KEYS", [this.keys.storePattern]);
    const prefix = this.keys.store("");
    const found = new Set<string>();
    for (const name of names) {
      const plugin = name.slice(prefix.length);
      found.add(plugin);
      this.refill(plugin, await this.hash(name));
    }
    for (const plugin of this.copies.keys()) if (!found.has(plugin)) this.refill(plugin, []);
    const timeNames = await this.link.call<string[]>("KEYS", [this.keys.storeTime("*")]);
    const timePrefix = this.keys.storeTime("");
    for (const id of [...this.times.keys()]) if (!this.backlogRef.pendingStore.has(id)) this.times.delete(id);
    for (const name of timeNames) {
      const plugin = name.slice(timePrefix.length);
      for (const [key, time] of await this.hash(name)) if (!this.backlogRef.pendingStore.has(`${plugin}\0${key}`)) this.times.set(`${plugin}\0${key}`, Number(time) || 0);
    }
    this.mirror(epoch);
  }

  private async hash(name: string): Promise<[string, string][]> {
    const flat = await this.link.call<string[] | Record<string, string>>("HGETALL", [name]);
    return Array.isArray(flat) ? pairs(flat) : Object.entries(flat ?? {});
  }

  /** The --data file becomes what this node holds (after a load), in step with `epoch`. */
  private mirror(epoch: string | null | undefined): void {
    if (!this.local) return;
    const rows: CopyRow[] = this.rows();
    this.once!.run(() => {
      this.local!.replaceCopy(rows, everyRoom(this.history, HISTORY_KEEP));
      if (epoch) this.local!.epoch = epoch;
    });
  }

  /** The --data file is in step with this epoch (after a re-seed). */
  inStep(epoch: string | null): void {
    if (epoch) this.once?.run(() => (this.local!.epoch = epoch));
  }

  private rows(): CopyRow[] {
    const rows: CopyRow[] = [];
    for (const [plugin, copy] of this.copies) for (const [key, value] of copy) rows.push({ plugin, key, value, time: this.times.get(`${plugin}\0${key}`) ?? 0 });
    for (const [id, time] of this.times) {
      const [plugin, key] = id.split("\0") as [string, string];
      if (!this.copies.get(plugin)?.has(key)) rows.push({ plugin, key, value: null, time });
    }
    return rows;
  }

  private refill(plugin: string, entries: [string, string][]): void {
    const copy = this.copy(plugin);
    const keep = new Map<string, string | undefined>();
    for (const key of copy.keys()) if (this.backlogRef.pendingStore.has(`${plugin}\0${key}`)) keep.set(key, copy.get(key));
    copy.clear();
    for (const [k, v] of entries) if (!this.backlogRef.pendingStore.has(`${plugin}\0${k}`)) copy.set(k, v);
    for (const [k, v] of keep) if (v !== undefined) copy.set(k, v);
  }

  /**
   * Writes every copy, deletions included, back to a Redis that forgot
   * them: per key, only when Redis holds nothing newer. What it changed is
   * announced to the other nodes.
   */
  async reseed(): Promise<number> {
    const rows = this.rows().filter((r) => !this.backlogRef.pendingStore.has(`${r.plugin}\0${r.key}`));
    let n = 0;
    for (let at = 0; at < rows.length; at += RESEED_ROWS) {
      const chunk = rows.slice(at, at + RESEED_ROWS);
      const args = chunk.flatMap((r) => [this.keys.store(r.plugin), this.keys.storeTime(r.plugin), r.key, r.value ?? "", r.value === null ? "1" : "0", String(r.time)]);
      const changed = await this.link.call<number[]>("EVAL", [STORE_RESEED, 0, ...args]);
      for (const i of changed ?? []) {
        const r = chunk[Number(i)];
        if (!r) continue;
        this.announce(r.plugin, r.key, r.value, r.time);
        n++;
      }
    }
    return n;
  }

  close(): void {
    this.local?.close();
  }

  private copy(plugin: string): Map<string, string> {
    let copy = this.copies.get(plugin);
    if (!copy) this.copies.set(plugin, (copy = new Map()));
    return copy;
  }

  private keep(plugin: string, key: string, value: string | null, time: number): void {
    this.once?.run(() => this.local!.putCopy(plugin, key, value, time));
  }

  private write(plugin: string, key: string, value: string | null): void {
    if (!this.link.up) this.log.info(`redis: unreachable; the ${plugin} store change to ${key} is written when it is back`);
    // Later than anything known for the key, so a re-seed never prefers an older change.
    const id = `${plugin}\0${key}`;
    const time = Math.max(Date.now(), (this.times.get(id) ?? 0) + 1);
    this.times.set(id, time);
    this.keep(plugin, key, value, time);
    this.backlogRef.push({ k: "s", plugin, key, value, time });
    // Queued right behind the write, so no node hears of it before it is stored.
    this.announce(plugin, key, value, time);
  }
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
