// Plugin stores and room history when the room is clustered: kept in Redis
// so every node sees the same accounts, bans and history. Plugins read
// their store synchronously, so each node keeps a copy of every store,
// loaded when the link comes up and kept current by the changes other
// nodes announce. Writes go through the node's backlog (backlog.ts): a
// change made while Redis is away or full is written, in order, when it
// can be, never dropped. When Redis restarted empty, each node writes back
// what it holds (HSETNX: nothing newer is overwritten), and one node the
// history tail.

import type { PluginStore } from "../plugins/api.ts";
import { HISTORY_KEEP, MemoryHistory, type History, type HistoryEntry } from "../store/history.ts";
import type { Logger } from "../base/log.ts";
import type { Store } from "../store/store.ts";
import type { Backlog } from "./backlog.ts";
import type { ClusterKeys } from "./keys.ts";
import type { RedisLink } from "./redis-link.ts";

export class ClusterHistory implements History {
  private readonly mirror = new MemoryHistory();
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  backlog!: Backlog;

  constructor(link: RedisLink, keys: ClusterKeys) {
    this.link = link;
    this.keys = keys;
  }

  add(entry: HistoryEntry): void {
    this.mirror.add(entry);
    this.backlog.push({ k: "h", entry });
  }

  /** A message relayed from another node: it is in the stream already. */
  heard(entry: HistoryEntry): void {
    this.mirror.add(entry);
  }

  recent(limit: number): HistoryEntry[] {
    return this.mirror.recent(limit);
  }

  /** Fills the mirror from the stream (at start). */
  async load(): Promise<void> {
    const rows = await this.link.call<[string, string[]][]>("XREVRANGE", [this.keys.history, "+", "-", "COUNT", HISTORY_KEEP]);
    for (const [, flat] of [...(rows ?? [])].reverse()) {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      this.mirror.add({ time: Number(f.time), from: f.from ?? "?", text: f.text ?? "", action: f.action === "1" });
    }
  }

  /** Writes the mirror back to a Redis that lost the stream (what is still queued goes later, by the backlog). */
  async reseed(): Promise<number> {
    const length = await this.link.call<number>("XLEN", [this.keys.history]);
    if (length > 0) return 0;
    const entries = this.mirror.recent(HISTORY_KEEP).filter((e) => !this.backlog.pendingHistory.has(e));
    await Promise.all(entries.map((e) => this.link.call("XADD", [this.keys.history, "MAXLEN", "~", HISTORY_KEEP, "*", "time", e.time, "from", e.from, "text", e.text, "action", e.action ? "1" : "0"])));
    return entries.length;
  }
}

export class ClusterStore implements Store {
  readonly durable = true;
  readonly history: ClusterHistory;
  private readonly copies = new Map<string, Map<string, string>>();
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  private readonly log: Logger;
  private backlogRef!: Backlog;
  /** set by the cluster once its room exists: tells other nodes of a change */
  announce: (plugin: string, key: string, value: string | null) => void = () => {};

  constructor(link: RedisLink, keys: ClusterKeys, log: Logger) {
    this.link = link;
    this.keys = keys;
    this.log = log;
    this.history = new ClusterHistory(link, keys);
  }

  set backlog(backlog: Backlog) {
    this.backlogRef = backlog;
    this.history.backlog = backlog;
  }

  forPlugin(name: string): PluginStore {
    const copy = this.copy(name);
    return {
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
  changed(plugin: string, key: string, value: string | null): void {
    if (this.backlogRef.pendingStore.has(`${plugin}\0${key}`)) return; // this node's own change is newer
    if (value === null) this.copy(plugin).delete(key);
    else this.copy(plugin).set(key, value);
  }

  /** Loads every plugin store from Redis (when the link comes up); this node's changes still queued stay. */
  async load(): Promise<void> {
    const names = await this.link.call<string[]>("KEYS", [this.keys.storePattern]);
    const prefix = this.keys.store("");
    const found = new Set<string>();
    for (const name of names) {
      const flat = await this.link.call<string[] | Record<string, string>>("HGETALL", [name]);
      const entries = Array.isArray(flat) ? pairs(flat) : Object.entries(flat ?? {});
      const plugin = name.slice(prefix.length);
      found.add(plugin);
      this.refill(plugin, entries);
    }
    for (const plugin of this.copies.keys()) if (!found.has(plugin)) this.refill(plugin, []);
  }

  private refill(plugin: string, entries: [string, string][]): void {
    const copy = this.copy(plugin);
    const keep = new Map<string, string | undefined>();
    for (const key of copy.keys()) if (this.backlogRef.pendingStore.has(`${plugin}\0${key}`)) keep.set(key, copy.get(key));
    copy.clear();
    for (const [k, v] of entries) if (!this.backlogRef.pendingStore.has(`${plugin}\0${k}`)) copy.set(k, v);
    for (const [k, v] of keep) if (v !== undefined) copy.set(k, v);
  }

  /** Writes every copy back to a Redis that forgot them; a value some node already wrote back is kept. */
  async reseed(): Promise<number> {
    let n = 0;
    const writes: Promise<unknown>[] = [];
    for (const [plugin, copy] of this.copies) {
      for (const [key, value] of copy) {
        if (this.backlogRef.pendingStore.has(`${plugin}\0${key}`)) continue;
        writes.push(this.link.call("HSETNX", [this.keys.store(plugin), key, value]));
        n++;
      }
    }
    await Promise.all(writes);
    return n;
  }

  close(): void {}

  private copy(plugin: string): Map<string, string> {
    let copy = this.copies.get(plugin);
    if (!copy) this.copies.set(plugin, (copy = new Map()));
    return copy;
  }

  private write(plugin: string, key: string, value: string | null): void {
    if (!this.link.up) this.log.info(`redis: unreachable; the ${plugin} store change to ${key} is written when it is back`);
    this.backlogRef.push({ k: "s", plugin, key, value });
    // Queued right behind the write, so no node hears of it before it is stored.
    this.announce(plugin, key, value);
  }
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
