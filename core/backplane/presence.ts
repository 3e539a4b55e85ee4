// Presence: each node keeps a heartbeat key (its boot token) that expires
// after two heartbeats, and every half heartbeat takes a snapshot of Redis
// in one script: its own beat, the epoch, every nickname claim and which
// of the claiming nodes are alive. The room (cluster-room.ts) brings its
// view in line with that snapshot by itself, so every node converges to
// Redis without trusting that another node did the work.
//
// Nothing is taken for dead on a doubtful snapshot: not while this node's
// own beat fails (a full Redis fails every node's), not for a while after
// this node finds its own key gone (it was paused, or Redis was, or Redis
// restarted) or reconnects, and only once a node was seen dead twice.

import { errorText } from "../base/errors.ts";
import type { Logger } from "../base/log.ts";
import type { ClusterKeys } from "./keys.ts";
import { isOom, type RedisLink } from "./redis-link.ts";

/** A user as the directory keeps them: who, and on which node (and which run of it). */
export interface UserRecord {
  nick: string;
  node: string;
  /** the node's boot token: a node started again under the same name is another run */
  boot: string;
  /** the session's id on that run */
  sid: number;
  address: string;
  port: number;
  /** ms since the epoch */
  connectedAt: number;
  /** the rooms the user is in (absent: the default room only), so a node that starts later knows */
  rooms?: string[];
}

export interface Snapshot {
  /** nick key -> the stored JSON and what it says */
  users: Map<string, { json: string; record: UserRecord }>;
  /** node -> boot token of its live heartbeat, for every node that has a claim */
  alive: Map<string, string | null>;
  epoch: string | null;
  /** the users of these nodes may be taken as gone now */
  gone: Set<string>;
  /** removals are allowed at all (no doubt about the snapshot) */
  trusted: boolean;
}

const SNAPSHOT = `
local beat = redis.pcall('SET', ARGV[1] .. ARGV[2], ARGV[3], 'PX', ARGV[4], 'GET')
local failed = ''
if type(beat) == 'table' and beat.err then failed = beat.err; beat = false end
local epoch = redis.call('GET', KEYS[2])
local flat = redis.call('HGETALL', KEYS[1])
local seen, alive = {}, {}
for i = 2, #flat, 2 do
  local ok, rec = pcall(cjson.decode, flat[i])
  if ok and type(rec) == 'table' and type(rec.node) == 'string' and not seen[rec.node] then
    seen[rec.node] = true
    table.insert(alive, rec.node)
    table.insert(alive, redis.call('GET', ARGV[1] .. rec.node) or '')
  end
end
for i = 5, #ARGV do
  if not seen[ARGV[i]] then
    seen[ARGV[i]] = true
    table.insert(alive, ARGV[i])
    table.insert(alive, redis.call('GET', ARGV[1] .. ARGV[i]) or '')
  end
end
return {failed, beat or '', epoch or '', flat, alive}`;

// Deletes the claims of nodes whose heartbeat is gone or is another run's, checked inside the script.
const REAP = `
local flat = redis.call('HGETALL', KEYS[1])
local wanted = {}
for i = 1, #ARGV do wanted[ARGV[i]] = true end
local n = 0
for i = 2, #flat, 2 do
  local ok, rec = pcall(cjson.decode, flat[i])
  if ok and type(rec) == 'table' and wanted[rec.node] then
    local alive = redis.call('GET', KEYS[2] .. rec.node)
    if alive ~= rec.boot then redis.call('HDEL', KEYS[1], flat[i - 1]); n = n + 1 end
  end
end
return n`;

export interface PresenceEvents {
  /** the runs of other nodes this node's view holds users of: their heartbeats are looked at too */
  watched(): Iterable<{ node: string; boot: string }>;
  /** a snapshot to converge to */
  snapshot(snap: Snapshot): Promise<void>;
  /** the heartbeat cannot be written because Redis is full (an error text), or can again (null) */
  full(error: string | null): void;
}

export class Presence {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | null = null;
  private runningSince = 0;
  private beatOnce = false;
  /** no node is taken for dead before this */
  private graceUntil = 0;
  private deadSeen = new Map<string, number>();
  private oom = false;
  private readonly node: string;
  private readonly boot: string;
  private readonly heartbeatMs: number;
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  private readonly log: Logger;
  private readonly on: PresenceEvents;

  constructor(node: string, boot: string, heartbeatMs: number, link: RedisLink, keys: ClusterKeys, log: Logger, on: PresenceEvents) {
    this.node = node;
    this.boot = boot;
    this.heartbeatMs = heartbeatMs;
    this.link = link;
    this.keys = keys;
    this.log = log;
    this.on = on;
  }

  /** How long after a doubt before anyone is taken for dead: every node gets to reconnect (backoff) and beat again. */
  get graceMs(): number {
    return 3000 + this.heartbeatMs * 3;
  }

  /** Redis stopped answering for this long: drop the link and reconnect. */
  private get stallMs(): number {
    return Math.max(10_000, this.heartbeatMs * 5);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), Math.max(20, Math.round(this.heartbeatMs / 2)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (!this.link.up) return;
    await this.link.call("DEL", [this.keys.alive(this.node)]).catch(() => {});
  }

  /** Right after a (re)connection: no one is taken for dead for a while. */
  reconnected(): void {
    this.graceUntil = Date.now() + this.graceMs;
    this.deadSeen.clear();
  }

  private tick(): void {
    if (!this.link.up) return;
    if (this.running) {
      if (Date.now() - this.runningSince > this.stallMs) {
        this.log.warn(`redis: ${this.link.where} has not answered for ${Math.round(this.stallMs / 1000)} s; reconnecting`);
        this.link.lost("Redis stopped answering");
      }
      return;
    }
    void this.check();
  }

  /** One snapshot, and the room converges to it; one at a time. */
  check(): Promise<void> {
    return this.serially();
  }

  private async serially(): Promise<void> {
    while (this.running) await this.running;
    this.runningSince = Date.now();
    this.running = this.snapshot()
      .catch((error) => {
        if (this.link.up) this.log.debug(`redis: presence check failed: ${errorText(error)}`);
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async snapshot(): Promise<void> {
    const watched = [...this.on.watched()];
    const reply = await this.link.call<[string, string, string, string[] | Record<string, string>, string[]]>("EVAL", [
      SNAPSHOT,
      2,
      this.keys.users,
      this.keys.epoch,
      this.keys.alivePrefix,
      this.node,
      this.boot,
      this.heartbeatMs * 2,
      ...new Set([...watched].map((w) => w.node)),
    ]);
    const [failed, previous, epoch, flat, aliveFlat] = reply;
    const now = Date.now();
    const beatOk = !failed;
    if (failed) {
      if (isOom(failed) && !this.oom) {
        this.oom = true;
        this.on.full(String(failed));
      } else if (!isOom(failed)) this.log.warn(`redis: the heartbeat failed: ${failed}`);
    } else {
      if (this.oom) {
        this.oom = false;
        this.on.full(null);
      }
      // Our key was gone although we kept it: we were paused, or Redis was, or it restarted.
      if (this.beatOnce && previous !== this.boot) {
        this.log.info(`redis: this node's heartbeat had expired (the node or Redis was paused, or Redis restarted); registering again`);
        this.reconnected();
      }
      this.beatOnce = true;
    }

    const users = new Map<string, { json: string; record: UserRecord }>();
    const entries = Array.isArray(flat) ? pairs(flat) : Object.entries(flat ?? {});
    for (const [key, json] of entries) {
      try {
        const record = JSON.parse(json) as UserRecord;
        if (record && typeof record.node === "string") users.set(key, { json, record });
      } catch {
        // not ours; ignored
      }
    }
    const alive = new Map<string, string | null>();
    for (let i = 0; i + 1 < aliveFlat.length; i += 2) alive.set(String(aliveFlat[i]), aliveFlat[i + 1] ? String(aliveFlat[i + 1]) : null);

    const trusted = beatOk && now >= this.graceUntil;
    const gone = new Set<string>();
    const dead = new Set<string>();
    for (const run of [...[...users.values()].map((u) => u.record), ...watched]) {
      if (run.node === this.node && run.boot === this.boot) continue;
      if (alive.get(run.node) === run.boot) continue;
      dead.add(`${run.node}/${run.boot}`);
    }
    for (const id of [...this.deadSeen.keys()]) if (!dead.has(id)) this.deadSeen.delete(id);
    for (const id of dead) {
      const first = this.deadSeen.get(id);
      if (first === undefined) this.deadSeen.set(id, now);
      else if (trusted && now - first >= this.heartbeatMs / 3) gone.add(id);
    }
    await this.on.snapshot({ users, alive, epoch: epoch || null, gone, trusted });
    if (gone.size > 0) {
      const nodes = [...new Set([...gone].map((id) => id.slice(0, id.lastIndexOf("/"))))];
      await this.link.call("EVAL", [REAP, 2, this.keys.users, this.keys.alivePrefix, ...nodes]);
    }
  }
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
