// One named room ("#help"): who of this node is in it, who of other nodes
// (a cluster), its topic, its key (kept as a salted hash) and whether an
// operator keeps it when empty. The directory of rooms is rooms.ts.

import { safeEqual } from "../base/safe-equal.ts";
import type { RoomSummary } from "../wire/protocol.ts";
import { roomKey } from "../wire/room-name.ts";
import { DEFAULT_HISTORY } from "../store/history.ts";
import type { Member } from "./room.ts";
import { TurnBuffer } from "./turn-buffer.ts";

/** What is kept of a room between its users (and restarts). */
export interface RoomRecord {
  name: string;
  topic?: string;
  by?: string;
  at?: number;
  keep?: boolean;
  /** a keyed room: sha256 of salt + key, hex */
  salt?: string;
  hash?: string;
}

/** Where the history of `room` is kept: the default room's under DEFAULT_HISTORY, any other's under its key. */
export function historyKeyOf(room: string | undefined, defaultRoom: string): string {
  if (room === undefined) return DEFAULT_HISTORY;
  const key = roomKey(room);
  return key === roomKey(defaultRoom) ? DEFAULT_HISTORY : key;
}

export class NamedRoom {
  readonly name: string;
  readonly key: string;
  /** this node's members, in the order they joined */
  readonly members = new Set<Member>();
  /**
   * The members who take this room's lines from its turn buffers (rooms.ts:
   * in this room only, nothing of their own set), and the rest, who are
   * delivered to one by one.
   */
  readonly direct = new Set<Member>();
  private turns: [text: TurnBuffer | null, json: TurnBuffer | null] = [null, null];
  /** JSON followers by nick key: a said line that mentions one is theirs another way */
  readonly jsonByKey = new Map<string, Member>();
  /** members on other nodes of a cluster: nick key -> nick */
  readonly remote = new Map<string, string>();
  topic = "";
  topicBy = "";
  topicAt = 0;
  permanent = false;
  salt = "";
  hash = "";
  /** where its history is kept (core/store/history.ts) */
  readonly history: string;

  constructor(name: string, isDefault: boolean) {
    this.name = name;
    this.key = roomKey(name);
    this.history = isDefault ? DEFAULT_HISTORY : this.key;
  }

  /** The turn buffer of text (false) or JSON (true) followers, made when the first follows. */
  turn(json: boolean): TurnBuffer {
    const i = json ? 1 : 0;
    return (this.turns[i] ??= new TurnBuffer());
  }

  /** The buffer when it has followers. */
  followed(json: boolean): TurnBuffer | null {
    const buffer = this.turns[json ? 1 : 0];
    return buffer !== null && buffer.followers.size > 0 ? buffer : null;
  }

  /** Everyone in it, on every node. */
  get size(): number {
    return this.members.size + this.remote.size;
  }

  /** The nicks in it: this node's in join order, then other nodes'. */
  nicks(): string[] {
    return [...[...this.members].map((m) => m.nick), ...this.remote.values()];
  }

  get keyed(): boolean {
    return this.hash !== "";
  }

  /** Whether `key` opens this keyed room (compared in constant time). */
  opens(key: string | undefined): boolean {
    return key !== undefined && safeEqual(hashKey(this.salt, key), this.hash);
  }

  /** Locks the room with `key`: only its salted hash is kept. */
  lock(key: string): void {
    this.salt = crypto.randomUUID();
    this.hash = hashKey(this.salt, key);
  }

  summary(): RoomSummary {
    return {
      room: this.name,
      members: this.size,
      ...(this.topic ? { topic: this.topic } : {}),
      ...(this.keyed ? { keyed: true } : {}),
      ...(this.permanent ? { permanent: true } : {}),
    };
  }
}



function hashKey(salt: string, key: string): string {
  return new Bun.CryptoHasher("sha256").update(salt).update(key).digest("hex");
}
