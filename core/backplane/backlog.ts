// Everything a node writes to Redis that must not be lost or reordered:
// events for the other nodes, history, plugin store changes and the
// release of nickname claims. One queue, written in order, a batch at a
// time in one Lua script, so a batch is stored whole or not at all (a
// script with a shebang is refused before it starts when Redis is full).
// While Redis is unreachable or full the queue waits and is written when
// it can be; events past 10,000 or 8 MiB are dropped (and the room is told
// once), store writes and releases never are. A batch that was sent but
// whose answer was lost is sent again: readers drop what they have seen by
// each sender's sequence number. Events Redis took are kept for a few
// seconds more: a Redis that restarts empty loses what it took but had not
// yet handed to every reader, so they are written again, first.

import { counters } from "../base/counters.ts";
import { errorText } from "../base/errors.ts";
import type { Logger } from "../base/log.ts";
import type { HistoryEntry } from "../store/history.ts";
import { HISTORY_KEEP } from "../store/history.ts";
import type { ClusterKeys } from "./keys.ts";
import { isOom, type RedisLink } from "./redis-link.ts";

export type Item =
  | { k: "e"; text: string }
  | { k: "h"; entry: HistoryEntry }
  | { k: "s"; plugin: string; key: string; value: string | null; time: number }
  | { k: "r"; field: string; value: string };

export const MAX_EVENTS = 10_000;
export const MAX_BYTES = 8 * 1024 * 1024;
/** how many events the events stream keeps: what a node that paused or lost Redis can catch up on */
export const EVENTS_KEEP = 50_000;
const BATCH_ITEMS = 500;
const BATCH_BYTES = 512 * 1024;
const RETRY_MS = 250;
const MAX_REFUSALS = 20;
/** how long events Redis took are kept, to write again if it forgets them */
const RECENT_MS = 5000;

const SCRIPT = `#!lua
local i = 3
while i <= #ARGV do
  local k = ARGV[i]
  if k == 'e' then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[i+1])
  elseif k == 'h' then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'time', ARGV[i+1], 'from', ARGV[i+2], 'text', ARGV[i+3], 'action', ARGV[i+4], 'room', ARGV[i+5])
  elseif k == 's' then
    if ARGV[i+4] == '1' then redis.call('HDEL', ARGV[i+1], ARGV[i+2]) else redis.call('HSET', ARGV[i+1], ARGV[i+2], ARGV[i+3]) end
    redis.call('HSET', ARGV[i+5], ARGV[i+2], ARGV[i+6])
  elseif k == 'r' then
    if redis.call('HGET', KEYS[3], ARGV[i+1]) == ARGV[i+2] then redis.call('HDEL', KEYS[3], ARGV[i+1]) end
  end
  i = i + 7
end
return 1`;

export interface BacklogEvents {
  /** events are being dropped (true) or reach Redis again (false) */
  overflow(dropping: boolean): void;
  /** Redis is full (an error text) or has room again (null) */
  full(error: string | null): void;
}

export class Backlog {
  private items: Item[] = [];
  private sizes: number[] = [];
  private events = 0;
  private bytes = 0;
  private held = true;
  private flushing = false;
  private scheduled = false;
  private dropping = false;
  private oom = false;
  private refusals = 0;
  private inflight = 0;
  private recent: { item: Item; size: number; at: number }[] = [];
  private idleWaiters: (() => void)[] = [];
  /** history entries not yet written, by identity (a re-seed must not write them twice) */
  readonly pendingHistory = new Set<HistoryEntry>();
  /** store changes not yet written: "plugin\0key" -> how many */
  readonly pendingStore = new Map<string, number>();
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  private readonly log: Logger;
  private readonly on: BacklogEvents;

  constructor(link: RedisLink, keys: ClusterKeys, log: Logger, on: BacklogEvents) {
    this.link = link;
    this.keys = keys;
    this.log = log;
    this.on = on;
  }

  get length(): number {
    return this.items.length;
  }

  /** Queues an item; false when it was an event dropped for lack of room. */
  push(item: Item): boolean {
    const size = sizeOf(item);
    const counted = item.k === "e" || item.k === "h";
    if (counted && (this.events >= MAX_EVENTS || this.bytes + size > MAX_BYTES)) {
      if (!this.dropping) {
        this.dropping = true;
        this.log.warn(`redis: ${this.events} events (${Math.round(this.bytes / 1024)} KiB) wait for Redis; further messages are not reaching the other nodes`);
        this.on.overflow(true);
      }
      return false;
    }
    this.items.push(item);
    this.sizes.push(size);
    counters.redisBacklog = this.items.length;
    this.bytes += size;
    if (counted) this.events++;
    if (item.k === "h") this.pendingHistory.add(item.entry);
    if (item.k === "s") {
      const id = `${item.plugin}\0${item.key}`;
      this.pendingStore.set(id, (this.pendingStore.get(id) ?? 0) + 1);
    }
    this.schedule();
    return true;
  }

  /** Stops writing (while a reconnected node registers again and re-seeds). */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    this.schedule();
  }

  /** Resolves when everything queued is written, or after `ms`. */
  drained(ms: number): Promise<void> {
    if (this.items.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing || this.held) return;
    this.scheduled = true;
    // A burst of events in one tick of the loop goes out as one batch.
    queueMicrotask(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.items.length > 0 && this.link.up && !this.held) {
        let n = 0;
        let bytes = 0;
        while (n < this.items.length && n < BATCH_ITEMS && (n === 0 || bytes + this.sizes[n]! <= BATCH_BYTES)) bytes += this.sizes[n++]!;
        const batch = this.items.slice(0, n);
        this.inflight = n;
        const sent = performance.now();
        try {
          await this.link.call("EVAL", [SCRIPT, 3, this.keys.events, this.keys.history, this.keys.users, EVENTS_KEEP, HISTORY_KEEP, ...batch.flatMap((item) => this.args(item))]);
          counters.redisPublishMs = performance.now() - sent;
        } catch (error) {
          this.inflight = 0;
          if (!this.link.up) break;
          if (isOom(error)) {
            if (!this.oom) {
              this.oom = true;
              this.on.full(errorText(error));
            }
            await Bun.sleep(RETRY_MS);
            continue;
          }
          // The connection closed under the call (its onclose may come a moment later),
          // or Redis is busy or loading: the same batch goes again.
          const refused = (error as { code?: string }).code === "ERR_REDIS_SERVER_ERROR" && !/^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|NOSCRIPT)/.test(errorText(error));
          if (!refused || ++this.refusals < MAX_REFUSALS) {
            await Bun.sleep(RETRY_MS);
            continue;
          }
          // Redis refuses this batch itself (a key of the wrong type?), again and again: it would block everything behind it.
          this.log.warn(`redis: ${n} queued writes were refused ${MAX_REFUSALS} times and dropped: ${errorText(error)}`);
        }
        this.refusals = 0;
        if (this.oom) {
          this.oom = false;
          this.on.full(null);
        }
        this.done(n);
      }
    } finally {
      this.flushing = false;
    }
    if (this.items.length === 0) for (const w of this.idleWaiters.splice(0)) w();
    else if (this.link.up && !this.held) this.schedule();
  }

  /**
   * Redis forgot everything: the events it took lately go again, ahead of
   * what is queued (and behind a batch on its way), in their order.
   */
  replayRecent(): number {
    const now = Date.now();
    const again = this.recent.filter((r) => now - r.at <= RECENT_MS);
    this.recent = [];
    this.items.splice(this.inflight, 0, ...again.map((r) => r.item));
    this.sizes.splice(this.inflight, 0, ...again.map((r) => r.size));
    for (const r of again) {
      this.bytes += r.size;
      this.events++;
    }
    this.schedule();
    return again.length;
  }

  private done(n: number): void {
    this.inflight = 0;
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const item = this.items[i]!;
      if (item.k === "e") this.recent.push({ item, size: this.sizes[i]!, at: now });
      this.bytes -= this.sizes[i]!;
      if (item.k === "e" || item.k === "h") this.events--;
      if (item.k === "h") this.pendingHistory.delete(item.entry);
      if (item.k === "s") {
        const id = `${item.plugin}\0${item.key}`;
        const left = (this.pendingStore.get(id) ?? 1) - 1;
        if (left > 0) this.pendingStore.set(id, left);
        else this.pendingStore.delete(id);
      }
    }
    this.items.splice(0, n);
    this.sizes.splice(0, n);
    counters.redisBacklog = this.items.length;
    let old = 0;
    while (old < this.recent.length && (now - this.recent[old]!.at > RECENT_MS || this.recent.length - old > MAX_EVENTS)) old++;
    if (old > 0) this.recent.splice(0, old);
    if (this.dropping && this.events < MAX_EVENTS / 2 && this.bytes < MAX_BYTES / 2) {
      this.dropping = false;
      this.log.info("redis: the queue of events for the other nodes is short again");
      this.on.overflow(false);
    }
  }

  private args(item: Item): string[] {
    switch (item.k) {
      case "e":
        return ["e", item.text, "", "", "", "", ""];
      case "h":
        return ["h", String(item.entry.time), item.entry.from, item.entry.text, item.entry.action ? "1" : "0", item.entry.room ?? "", ""];
      case "s":
        return ["s", this.keys.store(item.plugin), item.key, item.value ?? "", item.value === null ? "1" : "0", this.keys.storeTime(item.plugin), String(item.time)];
      case "r":
        return ["r", item.field, item.value, "", "", "", ""];
    }
  }
}

function sizeOf(item: Item): number {
  switch (item.k) {
    case "e":
      return item.text.length + 64;
    case "h":
      return item.entry.text.length + item.entry.from.length + 64;
    case "s":
      return item.key.length + (item.value?.length ?? 0) + 64;
    case "r":
      return item.field.length + item.value.length + 64;
  }
}
