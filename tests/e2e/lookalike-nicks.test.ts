// Nicks that look alike are one nick (dist/parley): case, width and the
// Unicode confusables decide who is who, and a nick that mixes scripts the
// way a fake does ("Amу" with a Cyrillic у) is refused outright.
//
// "Аmy" with a Cyrillic А has the same key as "Amy", but it also mixes
// Cyrillic and Latin, and the shape of a nick is checked before the room is
// asked: it is refused for the mix, whether or not Amy is online. The
// "is taken" answer is for look-alikes written in one script: "Arny",
// "AMY", fullwidth "Ａｍｙ", Cyrillic "Соре" for Latin "Cope".

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { startChat } from "../helpers/parley.ts";

const CYRILLIC_A = "\u0410my"; // А U+0410, then Latin "my"
const GREEK_A = "\u0391my"; // Α U+0391, then Latin "my"
const CYRILLIC_U = "Am\u0443"; // Latin "Am", then у U+0443
const CYRILLIC_COPE = "\u0421\u043e\u0440\u0435"; // Соре, all Cyrillic
const MIXED = (scripts: string) => `! a nickname may not mix scripts that look alike (${scripts})`;

const dataFile = () => join(mkdtempSync(join(tmpdir(), "parley-lookalike-")), "chat.db");

/** Connects and offers one nickname; the refusal line. */
async function refusedAtJoin(port: number, nick: string): Promise<string> {
  const client = await Client.connect(port);
  await client.waitFor("choose a nickname");
  client.send(nick);
  const line = await client.waitFor(/^! /);
  client.close();
  return line;
}

/** Who is online, as /list shows it. */
async function online(client: Client): Promise<string[]> {
  client.send("/list");
  const count = Number(/^\* (\d+) online:$/.exec(await client.waitFor(/^\* \d+ online:$/))![1]);
  const nicks: string[] = [];
  for (let i = 0; i < count; i++) nicks.push((await client.waitFor(/^\* {3}\S/)).slice(4).split(/\s/)[0]!);
  return nicks.sort();
}

describe("look-alike nicknames", () => {
  test("while Amy is online, her look-alikes are taken or refused, at join and with /nick", async () => {
    const parley = await startChat();
    const amy = await Client.join(parley.port, "Amy");
    const cope = await Client.join(parley.port, "Cope");

    expect(await refusedAtJoin(parley.port, CYRILLIC_A)).toBe(MIXED("Cyrillic and Latin"));
    expect(await refusedAtJoin(parley.port, GREEK_A)).toBe(MIXED("Greek and Latin"));
    expect(await refusedAtJoin(parley.port, CYRILLIC_U)).toBe(MIXED("Latin and Cyrillic"));
    expect(await refusedAtJoin(parley.port, "Arny")).toBe("! Arny is taken, pick another");
    expect(await refusedAtJoin(parley.port, "AMY")).toBe("! AMY is taken, pick another");
    expect(await refusedAtJoin(parley.port, "Ａｍｙ")).toBe("! Ａｍｙ is taken, pick another");
    expect(await refusedAtJoin(parley.port, CYRILLIC_COPE)).toBe(`! ${CYRILLIC_COPE} is taken, pick another`);

    const other = await Client.join(parley.port, "zed");
    for (const [nick, line] of [
      [CYRILLIC_A, MIXED("Cyrillic and Latin")],
      ["Arny", "! Arny is taken, pick another"],
      [CYRILLIC_COPE, `! ${CYRILLIC_COPE} is taken, pick another`],
    ]) {
      other.send(`/nick ${nick}`);
      expect(await other.waitFor(/^! /)).toBe(line!);
    }
    // Nobody was let in under a look-alike.
    expect(await online(amy)).toEqual(["Amy", "Cope", "zed"].sort());
    for (const c of [amy, cope, other]) c.close();
    await parley.stop();
  });

  test("a registered Amy cannot be taken by a look-alike after she leaves", async () => {
    const parley = await startChat(["--data", dataFile()]);
    const amy = await Client.join(parley.port, "Amy");
    amy.send("/register hunter22");
    expect(await amy.waitFor("registered")).toBe("* Amy is registered to you. Next time: /login Amy PASSWORD");
    amy.close();
    await amy.whenClosed();

    const registered = "! Amy is registered; pick another nickname, then /login Amy PASSWORD";
    // The room may not have seen her leave yet; the account answers first either way.
    expect(await refusedAtJoin(parley.port, "Arny")).toBe(registered);
    expect(await refusedAtJoin(parley.port, "amy")).toBe(registered);
    expect(await refusedAtJoin(parley.port, CYRILLIC_A)).toBe(MIXED("Cyrillic and Latin"));
    const guest = await Client.join(parley.port, "guest");
    guest.send("/register hunter33");
    await guest.waitFor("registered to you");
    guest.send("/nick ARNY");
    expect(await guest.waitFor(/^! /)).toBe(registered);
    guest.close();
    await parley.stop();
  });

  test("names in one script, or in the Japanese, Chinese and Korean mixes, join as usual", async () => {
    const parley = await startChat();
    const nicks = ["Łukasz", "丽", "山田たろう", "김민준", "Σοφία", "Дмитрий", "Řehoř", "Ștefan", "Ĉiuĵaŭde", "Tanaka太郎"];
    const clients = [];
    for (const nick of nicks) clients.push(await Client.join(parley.port, nick));
    expect(await online(clients[0]!)).toEqual([...nicks].sort());
    for (const c of clients) c.close();
    await parley.stop();
  });

  test("accounts stored under the old keys are moved at start; of two look-alikes the first registered keeps the nick", async () => {
    const data = dataFile();
    // A first run lays out the file; then the accounts an older parley wrote
    // (keyed by case folding alone) are put in, as that parley left them.
    await (await startChat(["--data", data])).stop();
    const db = new Database(data);
    const put = db.query("INSERT INTO plugin_store (plugin, key, value) VALUES ('account', ?, ?)");
    const account = async (nick: string, password: string, created: string) =>
      JSON.stringify({ nick, hash: await Bun.password.hash(password, { algorithm: "argon2id" }), created });
    put.run("account:amy", await account("Amy", "amy-secret", "2025-01-01T00:00:00.000Z"));
    put.run("account:arny", await account("Arny", "arny-secret", "2025-06-01T00:00:00.000Z"));
    put.run("account:bea", await account("bea", "bea-secret", "2025-03-01T00:00:00.000Z"));
    db.close();

    const parley = await startChat(["--data", data]);
    const warning = await parley.waitForLog(/look alike/);
    expect(warning).toContain("Amy");
    expect(warning).toContain("Arny");
    expect(await refusedAtJoin(parley.port, "amy")).toBe("! Amy is registered; pick another nickname, then /login Amy PASSWORD");
    expect(await refusedAtJoin(parley.port, "Arny")).toBe("! Amy is registered; pick another nickname, then /login Amy PASSWORD");
    expect(await refusedAtJoin(parley.port, "BEA")).toBe("! bea is registered; pick another nickname, then /login bea PASSWORD");
    const someone = await Client.join(parley.port, "someone");
    someone.send("/login amy amy-secret");
    expect(await someone.waitFor("logged in")).toBe("* you are logged in as Amy");
    someone.close();
    await parley.stop();

    const after = new Database(data, { readonly: true });
    const rows = after.query("SELECT key, value FROM plugin_store WHERE plugin = 'account' ORDER BY key").all() as { key: string; value: string }[];
    after.close();
    expect(rows.map((r) => [r.key, (JSON.parse(r.value) as { nick: string }).nick])).toEqual([
      ["account-conflict:arny", "Arny"],
      ["account:arny", "Amy"],
      ["account:bea", "bea"],
    ]);
  });
});
