// Room history: the last messages said to each room, shown to a user who
// joins and by /history. Private messages are never kept. In memory by
// default; in the --data SQLite file otherwise, written before the message
// is relayed, so a kill -9 loses nothing that anyone saw. Each room keeps
// its own last HISTORY_KEEP, so a busy room never pushes a quiet one's out.
// The default room's history is kept under the room "" (DEFAULT_HISTORY):
// what a --data file from before rooms holds is the default room's, and
// stays so when --default-room changes.

import type { Database } from "bun:sqlite";

export interface HistoryEntry {
  /** ms since the epoch */
  time: number;
  from: string;
  text: string;
  action: boolean;
  /** the room's history key (core/chat/rooms.ts historyKey); absent or "": the default room */
  room?: string;
}

/** The history key of the default room. */
export const DEFAULT_HISTORY = "";

export interface History {
  add(entry: HistoryEntry): void;
  /** the last `limit` entries of `room` (a history key; the default room when absent), oldest first */
  recent(limit: number, room?: string): HistoryEntry[];
  /** the history keys that hold entries (for copying every room's) */
  rooms(): string[];
  /** drops every entry of `room` (a history key): the room was forgotten */
  forget(room: string): void;
}

/** Every room's last `limit` entries, room by room: a copy of a whole history. */
export function everyRoom(history: History, limit: number): HistoryEntry[] {
  return history.rooms().flatMap((room) => history.recent(limit, room).map((e) => (room === DEFAULT_HISTORY || e.room === room ? e : { ...e, room })));
}

// What is kept: more than anyone asks for with /history, bounded.
export const HISTORY_KEEP = 1000;

export class MemoryHistory implements History {
  private readonly byRoom = new Map<string, HistoryEntry[]>();

  add(entry: HistoryEntry): void {
    const room = entry.room ?? DEFAULT_HISTORY;
    let entries = this.byRoom.get(room);
    if (!entries) this.byRoom.set(room, (entries = []));
    entries.push(entry);
    if (entries.length > HISTORY_KEEP * 2) entries.splice(0, entries.length - HISTORY_KEEP);
  }

  recent(limit: number, room = DEFAULT_HISTORY): HistoryEntry[] {
    const entries = this.byRoom.get(room);
    return limit <= 0 || !entries ? [] : entries.slice(-Math.min(limit, HISTORY_KEEP));
  }

  rooms(): string[] {
    return [...this.byRoom.keys()];
  }

  forget(room: string): void {
    this.byRoom.delete(room);
  }
}

export class SqliteHistory implements History {
  private readonly insert;
  private readonly select;
  private readonly prune;
  private readonly keys;
  private readonly drop;
  /** entries added per room since its last prune */
  private readonly added = new Map<string, number>();

  constructor(db: Database) {
    this.insert = db.query("INSERT INTO history (time, nick, text, action, room) VALUES (?, ?, ?, ?, ?)");
    this.select = db.query("SELECT time, nick AS 'from', text, action FROM history WHERE room = ? ORDER BY id DESC LIMIT ?");
    // Per room: the entries older than the room's last HISTORY_KEEP.
    this.keys = db.query("SELECT DISTINCT room FROM history");
    this.drop = db.query("DELETE FROM history WHERE room = ?");
    this.prune = db.query("DELETE FROM history WHERE room = ?1 AND id < (SELECT id FROM history WHERE room = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)");
  }

  add(entry: HistoryEntry): void {
    const room = entry.room ?? DEFAULT_HISTORY;
    this.insert.run(entry.time, entry.from, entry.text, entry.action ? 1 : 0, room);
    const n = (this.added.get(room) ?? 0) + 1;
    this.added.set(room, n % 100);
    if (n === 100) this.prune.run(room, HISTORY_KEEP - 1);
  }

  rooms(): string[] {
    return (this.keys.all() as { room: string }[]).map((r) => r.room);
  }

  forget(room: string): void {
    this.drop.run(room);
    this.added.delete(room);
  }

  recent(limit: number, room = DEFAULT_HISTORY): HistoryEntry[] {
    if (limit <= 0) return [];
    const rows = this.select.all(room, Math.min(limit, HISTORY_KEEP)) as { time: number; from: string; text: string; action: number }[];
    const shown = room === DEFAULT_HISTORY ? {} : { room };
    return rows.reverse().map((r) => ({ time: r.time, from: r.from, text: r.text, action: r.action === 1, ...shown }));
  }
}
