// Plugin stores and room history when the room is clustered: kept in Redis
// so every node sees the same accounts, bans and history. Plugins read
// their store synchronously, so each node keeps a copy of every store,
// loaded when the link comes up and kept current by the changes other
// nodes announce on the channel. History goes to a bounded Redis stream;
// each node keeps a mirror of it, fed by the messages it relays.

import type { PluginStore } from "../plugins/api.ts";
import { errorText } from "../base/errors.ts";
import { HISTORY_KEEP, MemoryHistory, type History, type HistoryEntry } from "../store/history.ts";
import type { Logger } from "../base/log.ts";
import type { Store } from "../store/store.ts";
import type { ClusterKeys } from "./keys.ts";
import type { RedisLink } from "./redis-link.ts";

export class ClusterHistory implements History {
  private readonly mirror = new MemoryHistory();
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;

  constructor(link: RedisLink, keys: ClusterKeys) {
    this.link = link;
    this.keys = keys;
  }

  add(entry: HistoryEntry): void {
    this.mirror.add(entry);
    if (!this.link.up) return;
    const fields = ["time", String(entry.time), "from", entry.from, "text", entry.text, "action", entry.action ? "1" : "0"];
    this.link.call("XADD", [this.keys.history, "MAXLEN", "~", HISTORY_KEEP, "*", ...fields]).catch(() => {});
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
}

export class ClusterStore implements Store {
  readonly durable = true;
  readonly history: ClusterHistory;
  private readonly copies = new Map<string, Map<string, string>>();
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  private readonly log: Logger;
  /** set by the cluster once its room exists: tells other nodes of a change */
  announce: (plugin: string, key: string, value: string | null) => void = () => {};

  constructor(link: RedisLink, keys: ClusterKeys, log: Logger) {
    this.link = link;
    this.keys = keys;
    this.log = log;
    this.history = new ClusterHistory(link, keys);
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
    if (value === null) this.copy(plugin).delete(key);
    else this.copy(plugin).set(key, value);
  }

  /** Loads every plugin store from Redis (when the link comes up). */
  async load(): Promise<void> {
    const names = await this.link.call<string[]>("KEYS", [this.keys.storePattern]);
    const prefix = this.keys.store("");
    for (const name of names) {
      const flat = await this.link.call<string[] | Record<string, string>>("HGETALL", [name]);
      const entries = Array.isArray(flat) ? pairs(flat) : Object.entries(flat ?? {});
      this.copies.set(name.slice(prefix.length), new Map(entries));
    }
  }

  close(): void {}

  private copy(plugin: string): Map<string, string> {
    let copy = this.copies.get(plugin);
    if (!copy) this.copies.set(plugin, (copy = new Map()));
    return copy;
  }

  private write(plugin: string, key: string, value: string | null): void {
    if (!this.link.up) return this.log.warn(`redis: unreachable; the ${plugin} store change to ${key} stays on this node`);
    const done = value === null ? this.link.call("HDEL", [this.keys.store(plugin), key]) : this.link.call("HSET", [this.keys.store(plugin), key, value]);
    done.catch((error) => this.log.warn(`redis: could not save the ${plugin} store: ${errorText(error)}`));
    // On the same connection right behind the write, so no node hears of it before it is stored.
    this.announce(plugin, key, value);
  }
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
