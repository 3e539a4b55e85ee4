// `parley accounts [--data FILE]`: the registered nicknames in a data file,
// and `delete NICK` to remove one, with the server stopped or running. They
// are the account plugin's (/register, /login), kept in its store under
// "account:KEY", KEY being nickKey of the nick: the server's own comparison,
// so "AMY" or "Ａｍｙ" finds amy.

import { defineCommand } from "citty";
import { UserError } from "../core/base/errors.ts";
import { columns } from "../core/base/columns.ts";
import { localMinute } from "../core/base/local-time.ts";
import { withDataFile, type DataFile } from "../core/store/admin.ts";
import { nickKey } from "../core/wire/nick.ts";
import { sanitize } from "../core/wire/sanitize.ts";
import { dataFileOf, dataFlag } from "./_data-flag.ts";

const PLUGIN = "account";
const PREFIX = "account:";

interface Account {
  nick: string;
  created?: string;
}


function accounts(data: DataFile): { key: string; account: Account }[] {
  return data
    .entries(PLUGIN)
    .filter((e) => e.key.startsWith(PREFIX) && typeof (e.value as Account | null)?.nick === "string")
    .map((e) => ({ key: e.key, account: e.value as Account }));
}

function created(text: string | undefined): string {
  const ms = text === undefined ? NaN : Date.parse(text);
  return Number.isNaN(ms) ? "-" : localMinute(ms);
}

const remove = defineCommand({
  meta: { name: "delete", description: "Delete the account of NICK, in the server's data file: the nickname is free for anyone again" },
  args: {
    nick: { type: "positional", valueHint: "NICK", required: true, description: "the registered nickname, compared as the server compares nicks (case and look-alikes)" },
    ...dataFlag,
  },
  run({ args }) {
    const file = dataFileOf(args.data);
    const wanted = PREFIX + nickKey(args.nick.trim().normalize("NFC"));
    const gone = withDataFile(file, (data) =>
      data.change(() => {
        // Its key, and any record of the same nick a server has not moved to that key yet.
        const hits = accounts(data).filter(({ key, account }) => key === wanted || PREFIX + nickKey(account.nick) === wanted);
        for (const { key } of hits) data.delete(PLUGIN, key);
        return hits.map((h) => h.account.nick);
      }),
    );
    if (gone.length === 0) throw new UserError(`no account for ${args.nick} in ${file} (see parley accounts --data ${file})`);
    process.stdout.write(`deleted the account ${gone.join(", ")}\n`);
  },
});

const list = defineCommand({
  meta: {
    name: "accounts",
    // One line: it is also the row of `parley --help`.
    description: "List the registered nicknames in the server's data file, running or not; `delete NICK` frees one",
  },
  args: { ...dataFlag },
  run({ args }) {
    const file = dataFileOf(args.data);
    const found = withDataFile(file, accounts);
    if (found.length === 0) return void process.stdout.write(`no accounts in ${file}\n`);
    // Oldest first, as the account plugin ranks look-alikes; a cell never carries control characters to the terminal.
    found.sort((a, b) => (a.account.created ?? "\uffff").localeCompare(b.account.created ?? "\uffff"));
    const rows = found.map(({ account }) => [sanitize(account.nick), created(account.created)]);
    process.stdout.write(columns([["NICK", "CREATED"], ...rows]).join("\n") + "\n");
  },
});

export default defineCommand({ ...list, subCommands: { delete: remove } });
