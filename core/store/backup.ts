// `parley backup FILE --data DATA`: a copy of a server's --data file, safe
// to take while the server runs and writes. It is SQLite's VACUUM INTO,
// not the backup API (bun:sqlite has no binding for sqlite3_backup_*, and
// copying the file by hand would tear it, its -wal file beside it): one
// statement that reads the database in one transaction, so the copy is a
// consistent snapshot and the server's writes go on meanwhile (WAL), and
// writes a compact single file with no -wal to carry along.
//
// The target is created here, exclusively and readable by its owner only
// (it holds password hashes): an existing file is never overwritten, and no
// other process can slip one in between the check and the write. VACUUM
// INTO accepts an empty file. A backup that fails removes what it made.

import { Database } from "bun:sqlite";
import { closeSync, openSync, rmSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { UserError, errorText } from "../base/errors.ts";
import { withDataFile } from "./admin.ts";

export interface BackupDone {
  bytes: number;
  /** room messages the copy holds */
  messages: number;
}

export function backupDataFile(data: string, target: string): BackupDone {
  if (resolve(data) === resolve(target)) throw new UserError(`the backup cannot be the --data file itself (${target})`);
  let fd: number;
  try {
    fd = openSync(target, "wx", 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new UserError(`${target} already exists; parley backup never overwrites a file (remove it or pick another name)`);
    throw new UserError(`cannot create backup file ${target}: ${code ?? errorText(error)}`);
  }
  closeSync(fd);
  try {
    withDataFile(data, (file) => {
      try {
        file.vacuumInto(target);
      } catch (error) {
        throw new UserError(`cannot back up ${data} to ${target}: ${errorText(error)}`);
      }
    });
    return { bytes: statSync(target).size, messages: countMessages(target) };
  } catch (error) {
    rmSync(target, { force: true });
    throw error;
  }
}

/** Opens the copy as a reader would and counts its history: a copy that cannot be read is no backup. */
function countMessages(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const check = (db.query("PRAGMA quick_check").get() as { quick_check: string }).quick_check;
    if (check !== "ok") throw new UserError(`the backup ${file} does not check out (${check})`);
    const tables = (db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'history'").all() as unknown[]).length;
    return tables === 0 ? 0 : (db.query("SELECT count(*) AS n FROM history").get() as { n: number }).n;
  } finally {
    db.close();
  }
}
