// Where parley keeps its data when no --data is given: the state directory
// of the XDG base directory spec, or the one systemd made for the unit
// (StateDirectory=parley sets $STATE_DIRECTORY). `parley chat`, `parley
// bans` and `parley accounts` all find the same file through here.

import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { UserError } from "../base/errors.ts";
import { homeDirectory } from "../base/home.ts";

type Env = Readonly<Record<string, string | undefined>>;

export function stateDirectory(env: Env): string {
  // systemd may list several directories, colon-separated: the first is ours.
  const systemd = env.STATE_DIRECTORY?.split(":")[0];
  if (systemd) return systemd;
  // The spec says a relative XDG_STATE_HOME is invalid and to be ignored.
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "parley");
  const home = homeDirectory(env);
  if (home === undefined) throw new UserError("no home directory to keep data in (no $HOME, and the user has none): give --data FILE (or --data memory), or set XDG_STATE_HOME or STATE_DIRECTORY");
  return join(home, ".local", "state", "parley");
}

export const DATA_FILE_NAME = "parley.db";

export function defaultDataFile(env: Env): string {
  return join(stateDirectory(env), DATA_FILE_NAME);
}

/**
 * Makes the state directory (0700: accounts' hashes and history are no one
 * else's business) when it is not there; systemd's own is left as it made it.
 */
export function makeStateDirectory(dir: string): void {
  if (existsSync(dir)) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700); // mkdir's mode goes through the umask
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UserError(`cannot make the data directory ${dir} (${code}): give --data FILE (or --data memory), or set STATE_DIRECTORY or XDG_STATE_HOME`);
  }
}

/** Creates a data file that is not there yet with mode 0600, before SQLite opens it (SQLite would make it 0644). */
export function createPrivateFile(file: string): void {
  if (existsSync(file)) return;
  closeSync(openSync(file, "a", 0o600));
  chmodSync(file, 0o600);
}
