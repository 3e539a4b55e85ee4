// `parley bans [--data FILE]`: the bans in force in a data file, and
// `remove ADDRESS` to lift one, with the server stopped or running. They are
// the ops plugin's (/ban, /bans, /unban), kept in its store under "bans".

import { defineCommand } from "citty";
import { UserError } from "../core/base/errors.ts";
import { sanitize } from "../core/wire/sanitize.ts";
import { canonicalAddress } from "../core/base/address.ts";
import { columns } from "../core/base/columns.ts";
import { localMinute } from "../core/base/local-time.ts";
import { withDataFile, type DataFile } from "../core/store/admin.ts";
import { dataFileOf, dataFlag } from "./_data-flag.ts";

const PLUGIN = "ops";
const KEY = "bans";

interface Ban {
  address: string;
  until: number;
  by: string;
  reason: string;
}


/** Every ban recorded, the ones that ran out too; records that are not bans are kept as they are. */
function recorded(data: DataFile): unknown[] {
  const value = data.get(PLUGIN, KEY);
  return Array.isArray(value) ? value : [];
}

function isBan(value: unknown): value is Ban {
  const b = value as Ban;
  return typeof b === "object" && b !== null && typeof b.address === "string" && typeof b.until === "number";
}

const inForce = (b: Ban, now: number) => b.until === 0 || b.until > now;
const sameAddress = (a: string, b: string) => (canonicalAddress(a) ?? a) === (canonicalAddress(b) ?? b);

const remove = defineCommand({
  meta: { name: "remove", description: "Lift the ban on ADDRESS (as /unban does), in the server's data file" },
  args: {
    address: { type: "positional", valueHint: "ADDRESS", required: true, description: "the banned address, as `parley bans` lists it (IPv6 in any form)" },
    ...dataFlag,
  },
  run({ args }) {
    const file = dataFileOf(args.data);
    const address = args.address;
    const lifted = withDataFile(file, (data) =>
      data.change(() => {
        const now = Date.now();
        const list = recorded(data);
        const hit = list.some((b) => isBan(b) && inForce(b, now) && sameAddress(b.address, address));
        // Bans that ran out go too, as /unban drops them.
        if (hit) data.set(PLUGIN, KEY, list.filter((b) => !isBan(b) || (inForce(b, now) && !sameAddress(b.address, address))));
        return hit;
      }),
    );
    if (!lifted) throw new UserError(`${address} is not banned in ${file} (see parley bans --data ${file})`);
    process.stdout.write(`${canonicalAddress(address) ?? address} is no longer banned\n`);
  },
});

const list = defineCommand({
  meta: {
    name: "bans",
    // One line: it is also the row of `parley --help`.
    description: "List the bans in force in the server's data file, running or not; `remove ADDRESS` lifts one",
  },
  args: { ...dataFlag },
  run({ args }) {
    const file = dataFileOf(args.data);
    const now = Date.now();
    const bans = withDataFile(file, (data) => recorded(data).filter(isBan).filter((b) => inForce(b, now)));
    if (bans.length === 0) return void process.stdout.write(`no bans in force in ${file}\n`);
    // A cell never carries control characters to the terminal.
    const rows = bans.map((b) => [sanitize(b.address), b.until === 0 ? "for good" : localMinute(b.until, true), sanitize(String(b.by ?? "")), sanitize(String(b.reason ?? ""))]);
    process.stdout.write(columns([["ADDRESS", "UNTIL", "BY", "REASON"], ...rows]).join("\n") + "\n");
  },
});

export default defineCommand({ ...list, subCommands: { remove } });
