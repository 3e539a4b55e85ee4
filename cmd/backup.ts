// `parley backup FILE [--data DATA]`: a consistent copy of a server's data
// file (by default the one `parley chat` keeps), the server running or not
// (core/store/backup.ts says how).

import { defineCommand } from "citty";
import { backupDataFile } from "../core/store/backup.ts";
import { dataFileOf, dataFlag } from "./_data-flag.ts";

export default defineCommand({
  meta: {
    name: "backup",
    // One line: it is also the row of `parley --help`.
    description: "Copy the server's data file to FILE while it runs (SQLite's VACUUM INTO); never overwrites",
  },
  args: {
    file: { type: "positional", valueHint: "FILE", required: true, description: "where the copy goes; must not exist yet" },
    data: { ...dataFlag.data, description: "the data file to copy (default: the one parley chat keeps: $PARLEY_DATA, the config file's data, else parley.db in the state directory); the server may be running and writing" },
  },
  run({ args }) {
    const data = dataFileOf(args.data);
    const done = backupDataFile(data, args.file);
    const size = done.bytes >= 1024 * 1024 ? `${(done.bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(done.bytes / 1024)} KiB`;
    process.stdout.write(`backed up ${data} to ${args.file} (${size}, ${done.messages} room messages)\n`);
  },
});
