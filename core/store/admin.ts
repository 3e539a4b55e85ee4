// The plugin stores of a --data file, read and changed from outside the
// server: `parley bans` and `parley accounts`. The file is opened as it is
// (never created, never migrated), so a wrong path or a file that is not
// parley's is refused untouched. WAL lets this second connection work while
// a server has the file open; writes wait for the server's (busy timeout).
// A running server reads its store from the file on every get (SqliteStore
// keeps no copy), so what is changed here holds at once.

import { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { UserError, errorText } from "../base/errors.ts";
import { SCHEMA_VERSION } from "./store.ts";
import { canonicalAddress } from "../base/address.ts";

const BUSY_TIMEOUT_MS = 5000;

export class DataFile {
  readonly file: string;
  private readonly db: Database;

  private constructor(file: string, db: Database) {
    this.file = file;
    this.db = db;
  }

  /** Opens an existing parley --data file; anything else is one line (UserError). */
  static open(file: string): DataFile {
    if (!existsSync(file)) throw new UserError(`no such --data file: ${file}`);
    if (!statSync(file).isFile()) throw new UserError(`${file} is not a parley data file (not a file)`);
    let db: Database;
    try {
      db = new Database(file, { readwrite: true, create: false, strict: true });
      db.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    } catch (error) {
      throw new UserError(`cannot open --data file ${file}: ${errorText(error)}`);
    }
    try {
      let version: number;
      let tables: string[];
      try {
        version = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
        tables = (db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
      } catch (error) {
        throw new UserError(`${file} is not a parley data file (${errorText(error)})`);
      }
      if (version > SCHEMA_VERSION) throw new UserError(`--data file ${file} was written by a newer parley (schema ${version}; this one knows up to ${SCHEMA_VERSION}); upgrade parley`);
      if (version < 1 || !tables.includes("plugin_store")) throw new UserError(`${file} is not a parley data file (it has no plugin stores)`);
    } catch (error) {
      db.close();
      throw error;
    }
    return new DataFile(file, db);
  }

  /** Every key of a plugin's store with its value, in key order; a value that is not JSON is left out. */
  entries(plugin: string): { key: string; value: unknown }[] {
    const rows = this.db.query("SELECT key, value FROM plugin_store WHERE plugin = ? ORDER BY key").all(plugin) as { key: string; value: string }[];
    return rows.flatMap(({ key, value }) => {
      try {
        return [{ key, value: JSON.parse(value) as unknown }];
      } catch {
        return [];
      }
    });
  }

  get(plugin: string, key: string): unknown {
    const row = this.db.query("SELECT value FROM plugin_store WHERE plugin = ? AND key = ?").get(plugin, key) as { value: string } | null;
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  }

  set(plugin: string, key: string, value: unknown): void {
    this.db
      .query("INSERT INTO plugin_store (plugin, key, value) VALUES (?, ?, ?) ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value")
      .run(plugin, key, JSON.stringify(value));
  }

  delete(plugin: string, key: string): boolean {
    return this.db.query("DELETE FROM plugin_store WHERE plugin = ? AND key = ?").run(plugin, key).changes > 0;
  }

  /** Runs fn as one write transaction, taken at once (BEGIN IMMEDIATE): a read-then-write no server write slips into. */
  change<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`cannot change --data file ${this.file}: ${errorText(error)}`);
    }
  }

  /**
   * Writes a consistent copy of the whole database into `target`, an empty
   * file (backup.ts makes it): SQLite's VACUUM INTO, one read transaction,
   * so the server's writes go on and the copy is a snapshot.
   */
  vacuumInto(target: string): void {
    this.db.query("VACUUM INTO ?").run(target);
  }

  close(): void {
    this.db.close();
  }
}

/** Opens the file, runs fn, and closes it again, whatever happens. */
export function withDataFile<T>(file: string, fn: (data: DataFile) => T): T {
  const data = DataFile.open(file);
  try {
    return fn(data);
  } finally {
    data.close();
  }
}





