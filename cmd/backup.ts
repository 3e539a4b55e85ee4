// `parley backup FILE --data DATA`: a consistent copy of a server's --data
// file, the server running or not (core/store/backup.ts says how).

import { defineCommand } from "citty";
import { backupDataFile } from "../core/store/backup.ts";
import { dataFlag } from "./_data-flag.ts";

export default defineCommand({
  meta: {
    name: "backup",
    // One line: it is also the row of `parley --help`.
    description: "Copy a --data file to FILE while the server runs (SQLite's VACUUM INTO); never overwrites",
  },
  args: {
    file: { type: "positional", valueHint: "FILE", required: true, description: "where the copy goes; must not exist yet" },
    data: { ...dataFlag.data, description: "the server's --data file to copy (the server may be running and writing)" },
  },
  run({ args }) {
    const done = backupDataFile(args.data, args.file);
    const size = done.bytes >= 1024 * 1024 ? `${(done.bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(done.bytes / 1024)} KiB`;
    process.stdout.write(`backed up ${args.data} to ${args.file} (${size}, ${done.messages} room messages)\n`);
  },
});
