// The node's link to Redis: one connection for commands and publishing,
// one subscribed to the room's channel (Redis allows nothing else on it).
// When the link breaks, the node goes on alone: `down` is called once, and
// the link reconnects with backoff until it is stopped; `up` is called on
// every (re)connection so the caller can register again and resync.

import { RedisClient } from "bun";
import { errorText } from "../base/errors.ts";
import type { Logger } from "../base/log.ts";

export interface LinkEvents {
  /** connected; `again` is false the first time */
  up(again: boolean): Promise<void>;
  down(reason: string): void;
  message(text: string): void;
}

const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 5000;
const CONNECT_TIMEOUT_MS = 2000;

export class RedisLink {
  up = false;
  private cmd: RedisClient | null = null;
  private sub: RedisClient | null = null;
  private stopped = false;
  private everUp = false;
  private readonly url: string;
  private readonly channel: string;
  private readonly log: Logger;
  private readonly events: LinkEvents;

  constructor(url: string, channel: string, log: Logger, events: LinkEvents) {
    this.url = url;
    this.channel = channel;
    this.log = log;
    this.events = events;
  }

  /** Connects once; rejects with the reason when Redis cannot be reached. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const options = { autoReconnect: false, connectionTimeout: CONNECT_TIMEOUT_MS, enableOfflineQueue: false };
    const cmd = new RedisClient(this.url, options);
    try {
      await cmd.connect();
      const sub = await cmd.duplicate();
      await sub.subscribe(this.channel, (message) => this.events.message(message));
      this.cmd = cmd;
      this.sub = sub;
      cmd.onclose = sub.onclose = (error) => this.lost(errorText(error));
    } catch (error) {
      cmd.close();
      throw error;
    }
    this.up = true;
    const again = this.everUp;
    this.everUp = true;
    await this.events.up(again);
  }

  private lost(reason: string): void {
    if (!this.up) return;
    this.up = false;
    for (const client of [this.cmd, this.sub]) {
      if (client) client.onclose = null;
      client?.close();
    }
    this.cmd = this.sub = null;
    this.events.down(reason);
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    for (let wait = FIRST_RETRY_MS; !this.stopped; wait = Math.min(wait * 2, LAST_RETRY_MS)) {
      await Bun.sleep(wait);
      if (this.stopped) return;
      try {
        await this.connect();
        return;
      } catch (error) {
        this.log.debug(`redis: still unreachable (${errorText(error)}); next try in ${Math.min(wait * 2, LAST_RETRY_MS)} ms`);
      }
    }
  }

  /** A command; rejects when the link is down. */
  async call<T = unknown>(command: string, args: (string | number)[]): Promise<T> {
    if (!this.up || !this.cmd) throw new Error("redis is unreachable");
    return (await this.cmd.send(command, args.map(String))) as T;
  }

  /** Publishes to the room's channel; lost silently when the link is down (the node is alone then). */
  publish(text: string): void {
    if (!this.up || !this.cmd) return;
    this.cmd.publish(this.channel, text).catch((error) => this.log.debug(`redis: publish failed: ${errorText(error)}`));
  }

  stop(): void {
    this.stopped = true;
    this.up = false;
    for (const client of [this.cmd, this.sub]) {
      if (client) client.onclose = null;
      client?.close();
    }
  }
}
