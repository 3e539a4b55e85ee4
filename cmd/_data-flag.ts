// The --data flag of the commands that read and change a server's data file
// from outside it (`parley bans`, `parley accounts`). Without it they find
// the file as `parley chat` does: $PARLEY_DATA, else the config file's
// `data`, else parley.db in the state directory.

import { UserError } from "../core/base/errors.ts";
import { loadSettings } from "../core/config/load.ts";

export const dataFlag = {
  data: {
    type: "string",
    valueHint: "FILE",
    description: "the server's data file (default: as parley chat finds it: $PARLEY_DATA, the config file's data, else parley.db in the state directory); the server may be running: changes hold at once",
  },
} as const;

/** The data file these commands work on: --data FILE, else where `parley chat` keeps its data. */
export function dataFileOf(flag: string | undefined): string {
  const { settings } = loadSettings(flag === undefined ? [] : ["--data", flag], process.env, process.cwd(), { secrets: false });
  const file = settings.text("data")!;
  if (file === "memory") throw new UserError("--data memory keeps nothing: there is no file to read; give --data FILE");
  return file;
}
