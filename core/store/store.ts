// The embedded store behind plugins' ctx.store: bun:sqlite in a file when
// the server runs with --data FILE (WAL, synchronous=NORMAL), a Map
// otherwise. The file carries a schema version; one written by a newer
// parley is refused rather than misread.
//
// With --redis the file is each node's local copy of the cluster's stores
// and history (core/backplane/cluster-store.ts): it also keeps when each
// store key last changed, deletions included (store_time), and the Redis
// epoch the copy was last in step with (meta), so that a Redis that
// restarted empty is re-seeded from it without bringing back what was
// deleted meanwhile.

import { Database } from "bun:sqlite";
import type { PluginStore } from "../plugins/api.ts";
import { MemoryHistory, SqliteHistory, type History, type HistoryEntry } from "./history.ts";
import { UserError, errorText } from "../base/errors.ts";
import { createPrivateFile } from "./state-dir.ts";

export const SCHEMA_VERSION = 3;

export interface Store {
  /** true when what is stored outlives the process */
  readonly durable: boolean;
  /** why the store cannot be written, when it cannot (a read-only file); checked at start */
  readonly unwritable?: string;
  readonly history: History;
  forPlugin(name: string): PluginStore;
  close(): void;
}

export class MemoryStore implements Store {
  readonly durable = false;
  readonly history: History = new MemoryHistory();
  private readonly plugins = new Map<string, Map<string, string>>();

  forPlugin(name: string): PluginStore {
    let map = this.plugins.get(name);
    if (!map) this.plugins.set(name, (map = new Map()));
    const values = map;
    return {
      kept: false,
      get: <T>(key: string) => parse<T>(values.get(key)),
      set: (key, value) => void values.set(key, serialize(value)),
      delete: (key) => values.delete(key),
      keys: () => [...values.keys()],
    };
  }

  close(): void {}
}

export class SqliteStore implements Store {
  readonly durable = true;
  readonly history: History;
  private readonly db: Database;

  constructor(file: string) {
    try {
      // Accounts' hashes and history are no one else's: a new file is 0600 (SQLite would make it 0644; its -wal and -shm copy the mode).
      createPrivateFile(file);
      this.db = new Database(file, { create: true, strict: true });
      this.db.run("PRAGMA journal_mode = WAL");
      this.db.run("PRAGMA synchronous = NORMAL");
      // A file locked by another process fails fast instead of stopping the
      // event loop (every user) while SQLite waits; history retries later.
      this.db.run("PRAGMA busy_timeout = 10");
    } catch (error) {
      throw new UserError(`cannot open --data file ${file}: ${errorText(error)}`);
    }
    this.migrate(file);
    this.unwritable = this.probeWrite();
    this.history = new SqliteHistory(this.db);
  }

  private migrate(file: string): void {
    const version = (this.db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
    if (version > SCHEMA_VERSION) {
      throw new UserError(`--data file ${file} was written by a newer parley (schema ${version}; this one knows up to ${SCHEMA_VERSION}); upgrade parley or use another file`);
    }
    // One step per version; each runs once, in a transaction.
    const steps: Record<number, string | string[]> = {
      1: "CREATE TABLE plugin_store (plugin TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (plugin, key)) WITHOUT ROWID",
      2: "CREATE TABLE history (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, nick TEXT NOT NULL, text TEXT NOT NULL, action INTEGER NOT NULL)",
      // Rooms: each line belongs to a room; what was kept before is the default room's ('').
      3: ["ALTER TABLE history ADD COLUMN room TEXT NOT NULL DEFAULT ''", "CREATE INDEX history_room ON history (room, id)"],
    };
    for (let v = version + 1; v <= SCHEMA_VERSION; v++) {
      this.db.transaction(() => {
        for (const sql of [steps[v]!].flat()) this.db.run(sql);
        this.db.run(`PRAGMA user_version = ${v}`);
      })();
    }
  }

  readonly unwritable: string | undefined;

  /** Tries a write that is rolled back: a read-only file opens without complaint, and is told at start. */
  private probeWrite(): string | undefined {
    try {
      this.db.transaction(() => {
        this.db.run("INSERT INTO history (time, nick, text, action) VALUES (0, '', '', 0)");
        throw new Rollback();
      })();
    } catch (error) {
      if (error instanceof Rollback) return undefined;
      return errorText(error);
    }
    return undefined;
  }

  forPlugin(name: string): PluginStore {
    const get = this.db.query("SELECT value FROM plugin_store WHERE plugin = ? AND key = ?");
    const set = this.db.query("INSERT INTO plugin_store (plugin, key, value) VALUES (?, ?, ?) ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value");
    const del = this.db.query("DELETE FROM plugin_store WHERE plugin = ? AND key = ?");
    const keys = this.db.query("SELECT key FROM plugin_store WHERE plugin = ? ORDER BY key");
    return {
      kept: true,
      get: <T>(key: string) => parse<T>((get.get(name, key) as { value: string } | null)?.value),
      set: (key, value) => void set.run(name, key, serialize(value)),
      delete: (key) => del.run(name, key).changes > 0,
      keys: () => (keys.all(name) as { key: string }[]).map((r) => r.key),
    };
  }

  // -- the local copy of a cluster (--redis with --data) ------------------------

  // The tables of the local copy are made when first used, outside the
  // schema versions: a file without them is still a plain --data file, and
  // an older parley opens one with them.
  private copyTables = false;

  private ensureCopyTables(): void {
    if (this.copyTables) return;
    this.db.run("CREATE TABLE IF NOT EXISTS store_time (plugin TEXT NOT NULL, key TEXT NOT NULL, time INTEGER NOT NULL, PRIMARY KEY (plugin, key)) WITHOUT ROWID");
    this.db.run("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
    this.copyTables = true;
  }

  /** Every store entry this file holds, with when it last changed (0: not known), and the deletions it knows of (value null). */
  copyRows(): CopyRow[] {
    this.ensureCopyTables();
    const live = this.db.query("SELECT s.plugin, s.key, s.value, COALESCE(t.time, 0) AS time FROM plugin_store s LEFT JOIN store_time t ON t.plugin = s.plugin AND t.key = s.key").all() as CopyRow[];
    const gone = this.db
      .query("SELECT t.plugin, t.key, NULL AS value, t.time FROM store_time t WHERE NOT EXISTS (SELECT 1 FROM plugin_store s WHERE s.plugin = t.plugin AND s.key = t.key)")
      .all() as CopyRow[];
    return [...live, ...gone];
  }

  /** One store change (null: deleted), and when it was made. */
  putCopy(plugin: string, key: string, value: string | null, time: number): void {
    this.ensureCopyTables();
    this.db.transaction(() => {
      if (value === null) this.db.query("DELETE FROM plugin_store WHERE plugin = ? AND key = ?").run(plugin, key);
      else this.db.query("INSERT INTO plugin_store (plugin, key, value) VALUES (?, ?, ?) ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value").run(plugin, key, value);
      this.db.query("INSERT INTO store_time (plugin, key, time) VALUES (?, ?, ?) ON CONFLICT (plugin, key) DO UPDATE SET time = excluded.time").run(plugin, key, time);
    })();
  }

  /** The whole copy replaced by what the cluster holds (after loading it from Redis). */
  replaceCopy(rows: CopyRow[], history: HistoryEntry[] | undefined): void {
    this.ensureCopyTables();
    this.db.transaction(() => {
      this.db.run("DELETE FROM plugin_store");
      this.db.run("DELETE FROM store_time");
      const set = this.db.query("INSERT INTO plugin_store (plugin, key, value) VALUES (?, ?, ?)");
      const time = this.db.query("INSERT INTO store_time (plugin, key, time) VALUES (?, ?, ?)");
      for (const r of rows) {
        if (r.value !== null) set.run(r.plugin, r.key, r.value);
        if (r.time > 0 || r.value === null) time.run(r.plugin, r.key, r.time);
      }
      if (history) {
        this.db.run("DELETE FROM history");
        const add = this.db.query("INSERT INTO history (time, nick, text, action, room) VALUES (?, ?, ?, ?, ?)");
        for (const e of history) add.run(e.time, e.from, e.text, e.action ? 1 : 0, e.room ?? "");
      }
    })();
  }

  /** The Redis epoch (core/backplane/keys.ts) this copy was last in step with. */
  get epoch(): string | undefined {
    this.ensureCopyTables();
    return (this.db.query("SELECT value FROM meta WHERE name = 'epoch'").get() as { value: string } | null)?.value;
  }

  set epoch(token: string) {
    this.ensureCopyTables();
    this.db.query("INSERT INTO meta (name, value) VALUES ('epoch', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run(token);
  }

  close(): void {
    this.db.close();
  }
}

export interface CopyRow {
  plugin: string;
  key: string;
  /** null: deleted */
  value: string | null;
  /** ms since the epoch of the change; 0 when not known */
  time: number;
}

class Rollback extends Error {}

function serialize(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError("store values must be JSON: got " + typeof value);
  return text;
}

function parse<T>(text: string | undefined): T | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as T);
}
