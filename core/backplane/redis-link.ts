// The node's link to Redis: one connection for commands and writes, one
// that reads the cluster's event stream with a blocking XREAD (a blocking
// command would hold up everything behind it on a shared connection).
// When the link breaks, `down` is called once and the link reconnects with
// jittered backoff (so nodes do not all come back at the same instant)
// until it is stopped; `up` is called on every (re)connection so the
// caller can register again, re-seed a Redis that forgot, and resync.
//
// A connection that fails is asked again by hand (diagnose.ts), because
// Bun's client says "Connection closed" for every cause.

import { RedisClient } from "bun";
import { counters } from "../base/counters.ts";
import { errorText } from "../base/errors.ts";
import type { Logger } from "../base/log.ts";
import { diagnose, safeUrl } from "./diagnose.ts";

export interface LinkEvents {
  /** connected; `again` is false the first time */
  up(again: boolean): Promise<void>;
  down(reason: string): void;
}

/** One entry of a stream: its ID and its field "m". */
export interface StreamEntry {
  id: string;
  text: string;
}

const FIRST_RETRY_MS = 150;
const LAST_RETRY_MS = 1000;
const CONNECT_TIMEOUT_MS = 2000;
const READ_BLOCK_MS = 1000;
const READ_COUNT = 1000;

/** An error reply that says Redis is full (maxmemory with noeviction). */
export function isOom(error: unknown): boolean {
  return /\bOOM\b/.test(errorText(error));
}

export class RedisLink {
  up = false;
  /** the server's run_id of the last connection */
  runId = "";
  private cmd: RedisClient | null = null;
  private reader: RedisClient | null = null;
  private stopped = false;
  private everUp = false;
  private generation = 0;
  private wake: (() => void) | null = null;
  private lastReason = "";
  private waiters: (() => void)[] = [];
  private readonly url: string;
  private readonly ca: string | undefined;
  private readonly log: Logger;
  readonly where: string;
  events: LinkEvents = { up: async () => {}, down: () => {} };

  constructor(url: string, ca: string | undefined, log: Logger) {
    this.url = url;
    this.ca = ca;
    this.log = log;
    this.where = safeUrl(url);
  }

  /** Connects once; rejects with the reason when Redis cannot be reached. */
  async start(): Promise<void> {
    await this.connect();
  }

  private options() {
    const tls = this.url.startsWith("rediss:") ? (this.ca ? { tls: { ca: this.ca } } : { tls: true }) : {};
    return { autoReconnect: false, connectionTimeout: CONNECT_TIMEOUT_MS, enableOfflineQueue: false, ...tls };
  }

  private async connect(): Promise<void> {
    const cmd = new RedisClient(this.url, this.options());
    const reader = new RedisClient(this.url, this.options());
    try {
      await cmd.connect();
      await reader.connect();
      const info = String(await cmd.send("INFO", ["server"]));
      this.runId = /run_id:(\w+)/.exec(info)?.[1] ?? "";
    } catch (error) {
      cmd.close();
      reader.close();
      throw new Error(await diagnose(this.url, this.ca, errorText(error)));
    }
    this.cmd = cmd;
    this.reader = reader;
    const generation = ++this.generation;
    cmd.onclose = reader.onclose = (error) => {
      if (generation === this.generation) this.lost(errorText(error));
    };
    this.up = true;
    counters.redisUp = 1;
    this.lastReason = "";
    const again = this.everUp;
    this.everUp = true;
    try {
      await this.events.up(again);
    } catch (error) {
      if (generation === this.generation && this.up) this.lost(`while registering: ${errorText(error)}`);
      if (!again) throw error;
      return;
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Drops the connections (Redis stopped answering, or they closed) and reconnects. */
  lost(reason: string): void {
    if (!this.up) return;
    this.up = false;
    counters.redisUp = 0;
    counters.redisLinkLosses++;
    this.generation++;
    this.closeClients();
    this.events.down(reason);
    void this.reconnect();
  }

  private closeClients(): void {
    for (const client of [this.cmd, this.reader]) {
      if (client) client.onclose = null;
      client?.close();
    }
    this.cmd = this.reader = null;
  }

  private async reconnect(): Promise<void> {
    for (let base = FIRST_RETRY_MS; !this.stopped && !this.up; base = Math.min(base * 2, LAST_RETRY_MS)) {
      // Full jitter around the step, so nodes that lost Redis together do not all knock at once.
      const wait = Math.round(base * (0.5 + Math.random()));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      if (this.stopped || this.up) return;
      try {
        await this.connect();
        return;
      } catch (error) {
        // A cause worth acting on (a password changed, a certificate expired) is warned once; a Redis that is simply down is not news.
        const reason = errorText(error);
        if (reason !== this.lastReason && !/^connection refused|^no answer/.test(reason)) this.log.warn(`redis: cannot reconnect to ${this.where}: ${reason}`);
        else this.log.debug(`redis: still unreachable (${reason})`);
        this.lastReason = reason;
      }
    }
  }

  /** True once the link is up, or false after `ms`; a waiting join makes the next try come sooner. */
  whenUp(ms: number): Promise<boolean> {
    if (this.up) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    this.wake?.();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(this.up);
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  /** A command; rejects when the link is down. */
  async call<T = unknown>(command: string, args: (string | number)[]): Promise<T> {
    if (!this.up || !this.cmd) throw new Error("redis is unreachable");
    return (await this.cmd.send(command, args.map(String))) as T;
  }

  /**
   * Reads `key` from after `from`, one batch at a time, until the link
   * drops; `handle` gets each batch in order. Returns the last ID read.
   */
  async read(key: string, from: () => string, handle: (entries: StreamEntry[]) => void): Promise<void> {
    const generation = this.generation;
    const reader = this.reader;
    while (!this.stopped && this.up && generation === this.generation && reader) {
      let reply: unknown;
      try {
        reply = await reader.send("XREAD", ["COUNT", String(READ_COUNT), "BLOCK", String(READ_BLOCK_MS), "STREAMS", key, from()]);
      } catch (error) {
        if (generation !== this.generation || this.stopped) return;
        this.log.warn(`redis: reading the cluster's events failed: ${errorText(error)}`);
        this.lost(errorText(error));
        return;
      }
      if (generation !== this.generation) return;
      const entries = streamEntries(reply, key);
      if (entries.length > 0) handle(entries);
    }
  }

  stop(): void {
    this.stopped = true;
    this.up = false;
    counters.redisUp = 0;
    this.generation++;
    this.wake?.();
    this.closeClients();
  }
}

/** XREAD's reply, RESP3 (a map) or RESP2 (an array of [key, entries]). */
export function streamEntries(reply: unknown, key: string): StreamEntry[] {
  if (!reply) return [];
  let rows: unknown;
  if (Array.isArray(reply)) rows = (reply as [string, unknown][]).find((r) => r[0] === key)?.[1];
  else rows = (reply as Record<string, unknown>)[key];
  if (!Array.isArray(rows)) return [];
  const out: StreamEntry[] = [];
  for (const row of rows as [string, unknown][]) {
    const id = row[0];
    const fields = row[1];
    let text: string | undefined;
    if (Array.isArray(fields)) {
      for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === "m") text = String(fields[i + 1]);
    } else if (fields && typeof fields === "object") text = (fields as Record<string, string>).m;
    if (typeof id === "string" && text !== undefined) out.push({ id, text });
  }
  return out;
}

/** Compares two stream IDs ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am !== bm ? am - bm : as - bs;
}
