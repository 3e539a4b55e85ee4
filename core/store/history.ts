// Room history: the last messages said to the room, shown to a user who
// joins and by /history. Private messages are never kept. In memory by
// default; in the --data SQLite file otherwise, written before the message
// is relayed, so a kill -9 loses nothing that anyone saw.

import type { Database } from "bun:sqlite";

export interface HistoryEntry {
  /** ms since the epoch */
  time: number;
  from: string;
  text: string;
  action: boolean;
}

export interface History {
  add(entry: HistoryEntry): void;
  /** the last `limit` entries, oldest first */
  recent(limit: number): HistoryEntry[];
}

// What is kept: more than anyone asks for with /history, bounded.
export const HISTORY_KEEP = 1000;

export class MemoryHistory implements History {
  private readonly entries: HistoryEntry[] = [];

  add(entry: HistoryEntry): void {
    this.entries.push(entry);
    if (this.entries.length > HISTORY_KEEP * 2) this.entries.splice(0, this.entries.length - HISTORY_KEEP);
  }

  recent(limit: number): HistoryEntry[] {
    return limit <= 0 ? [] : this.entries.slice(-Math.min(limit, HISTORY_KEEP));
  }
}

export class SqliteHistory implements History {
  private readonly insert;
  private readonly select;
  private readonly prune;
  private added = 0;

  constructor(db: Database) {
    this.insert = db.query("INSERT INTO history (time, nick, text, action) VALUES (?, ?, ?, ?)");
    this.select = db.query("SELECT time, nick AS 'from', text, action FROM history ORDER BY id DESC LIMIT ?");
    this.prune = db.query("DELETE FROM history WHERE id <= (SELECT MAX(id) FROM history) - ?");
  }

  add(entry: HistoryEntry): void {
    this.insert.run(entry.time, entry.from, entry.text, entry.action ? 1 : 0);
    if (++this.added % 100 === 0) this.prune.run(HISTORY_KEEP);
  }

  recent(limit: number): HistoryEntry[] {
    if (limit <= 0) return [];
    const rows = this.select.all(Math.min(limit, HISTORY_KEEP)) as { time: number; from: string; text: string; action: number }[];
    return rows.reverse().map((r) => ({ time: r.time, from: r.from, text: r.text, action: r.action === 1 }));
  }
}
