// `parley config init [FILE]`: writes a parley.toml with every setting of
// `parley chat`, commented out with its default, from the settings table.

import { defineCommand } from "citty";
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../core/base/errors.ts";
import { initFileText } from "../core/config/init-file.ts";
import { CONFIG_FILE_NAME } from "../core/config/load.ts";

const init = defineCommand({
  meta: { name: "init", description: "Write a commented parley.toml with every setting and its default (never over an existing file)" },
  args: {
    file: { type: "positional", valueHint: "FILE", required: false, description: `where to write it (default: ./${CONFIG_FILE_NAME})` },
  },
  run({ args }) {
    const file = resolve(args.file ?? CONFIG_FILE_NAME);
    if (existsSync(file)) throw new UserError(`${file} already exists; it is left as it is (move it away, or name another file)`);
    try {
      // 0600: the file may come to hold a password.
      writeFileSync(file, initFileText(), { mode: 0o600, flag: "wx" });
    } catch (error) {
      throw new UserError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    process.stdout.write(`wrote ${file}: every setting of parley chat, commented out with its default\n`);
  },
});

export default defineCommand({
  meta: { name: "config", description: "The config file of parley chat: `config init [FILE]` writes one with every setting" },
  subCommands: { init },
});
