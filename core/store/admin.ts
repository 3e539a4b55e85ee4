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

/**
 * An address in one form, so a ban matches however it was typed: IPv6 in
 * its short form (RFC 5952: "0:0::1" is "::1"), and an IPv4-mapped one
 * ("::ffff:1.2.3.4") as the plain IPv4 address, as the server shows IPv4
 * clients of a dual-stack listener. Undefined when it is not an IP address.
 * The ops plugin has the same function (plugins import only "parley");
 * tests/unit/addresses.test.ts keeps the two equal.
 */
export function canonicalAddress(text: string): string | undefined {
  const [host = "", zone, extra] = text.trim().toLowerCase().split("%");
  if (extra !== undefined || zone === "") return undefined;
  const v4 = ipv4(host);
  if (v4 !== undefined) return zone === undefined ? v4.join(".") : undefined;
  const g = ipv6(host);
  if (!g) return undefined;
  if (zone === undefined && g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff) return [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255].join(".");
  // The longest run of two or more zero groups (the first of equals) becomes "::".
  let at = -1;
  let run = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > run) [at, run] = [i, j - i];
    i = Math.max(j, i + 1);
  }
  const hex = g.map((n) => n.toString(16));
  const short = at < 0 ? hex.join(":") : `${hex.slice(0, at).join(":")}::${hex.slice(at + run).join(":")}`;
  return zone === undefined ? short : `${short}%${zone}`;
}

function ipv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

/** The eight 16-bit groups of an IPv6 address (one that ends in dotted IPv4 too). */
function ipv6(text: string): number[] | undefined {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return undefined;
  let head = text;
  let tail: number[] = [];
  if (text.slice(colon + 1).includes(".")) {
    const b = ipv4(text.slice(colon + 1));
    if (!b) return undefined;
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    head = text.slice(0, colon + 1).endsWith("::") ? text.slice(0, colon + 1) : text.slice(0, colon);
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((h) => (/^[0-9a-f]{1,4}$/.test(h) ? parseInt(h, 16) : NaN)));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...left, ...right].some(Number.isNaN)) return undefined;
  const known = left.length + right.length + tail.length;
  if (halves.length === 1) return known === 8 ? [...left, ...tail] : undefined;
  return known <= 7 ? [...left, ...Array<number>(8 - known).fill(0), ...right, ...tail] : undefined;
}

/** A moment as people read it: the server's local time, to the minute ("2026-12-01 23:14"); an end (roundUp) is rounded up. */
export function localMinute(ms: number, roundUp = false): string {
  const d = new Date(roundUp ? Math.ceil(ms / 60_000) * 60_000 : ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Rows as lines, each column as wide as its widest cell in terminal cells (Bun.stringWidth: a Chinese character is two); no trailing spaces. */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, Bun.stringWidth(cell))));
  const pad = (cell: string, i: number) => cell + " ".repeat(widths[i]! - Bun.stringWidth(cell));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : pad(cell, i))).join("  ").trimEnd());
}
