// The embedded store behind plugins' ctx.store: bun:sqlite in a file when
// the server runs with --data FILE (WAL, synchronous=NORMAL), a Map
// otherwise. The file carries a schema version; one written by a newer
// parley is refused rather than misread.

import { Database } from "bun:sqlite";
import type { PluginStore } from "../plugins/api.ts";
import { MemoryHistory, SqliteHistory, type History } from "./history.ts";
import { UserError, errorText } from "../base/errors.ts";

export const SCHEMA_VERSION = 2;

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
    const steps: Record<number, string> = {
      1: "CREATE TABLE plugin_store (plugin TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (plugin, key)) WITHOUT ROWID",
      2: "CREATE TABLE history (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, nick TEXT NOT NULL, text TEXT NOT NULL, action INTEGER NOT NULL)",
    };
    for (let v = version + 1; v <= SCHEMA_VERSION; v++) {
      this.db.transaction(() => {
        this.db.run(steps[v]!);
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
      get: <T>(key: string) => parse<T>((get.get(name, key) as { value: string } | null)?.value),
      set: (key, value) => void set.run(name, key, serialize(value)),
      delete: (key) => del.run(name, key).changes > 0,
      keys: () => (keys.all(name) as { key: string }[]).map((r) => r.key),
    };
  }

  close(): void {
    this.db.close();
  }
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
