// /ignore kept with a registered user's account (plugins/ignore.ts, in the
// plugin's store): it survives a re-login, a restart with --data, and
// follows the renames it saw. An unregistered user's ignores end with
// their connection.

import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { startChat } from "../helpers/parley.ts";

const dataFile = () => join(mkdtempSync(join(tmpdir(), "parley-ignore-")), "chat.db");

/** Waits until the troll's line has reached a bystander, then checks whether it reached `reader`. */
async function heard(reader: Client, bystander: Client, troll: Client, text: string): Promise<boolean> {
  troll.send(text);
  await bystander.waitFor(text);
  const seen = await reader.sync();
  return seen.some((l) => l.includes(text));
}

describe("ignores kept with an account", () => {
  test("survive a re-login and a restart with --data, and follow a rename seen before", async () => {
    const data = dataFile();
    const first = await startChat(["--data", data]);
    const amy = await Client.join(first.port, "amy");
    amy.send("/register amyspassword");
    await amy.waitFor("registered to you");
    const troll = await Client.join(first.port, "troll");
    const carl = await Client.join(first.port, "carl");
    amy.send("/ignore troll");
    await amy.waitFor("you ignore (1): troll");
    troll.send("/nick troll2");
    await amy.waitFor("is now troll2");
    expect(await heard(amy, carl, troll, "noise one")).toBe(false);

    // A re-login on the same server, from a new connection under another nick.
    amy.close();
    await carl.waitFor("amy left");
    const back = await Client.join(first.port, "guest");
    expect(await heard(back, carl, troll, "before login")).toBe(true);
    back.send("/login amy amyspassword");
    await back.waitFor("logged in as amy");
    back.send("/ignore");
    expect(await back.waitFor("you ignore")).toBe("* you ignore (1): troll2");
    expect(await heard(back, carl, troll, "after login")).toBe(false);
    for (const c of [back, troll, carl]) c.close();
    expect(await first.stop()).toBe(0);

    // A restart: the list is in the --data file, and both nicks the troll had are ignored.
    const second = await startChat(["--data", data]);
    const amy2 = await Client.join(second.port, "visitor");
    amy2.send("/login amy amyspassword");
    await amy2.waitFor("logged in as amy");
    const bystander = await Client.join(second.port, "dan");
    const t1 = await Client.join(second.port, "troll");
    expect(await heard(amy2, bystander, t1, "back as troll")).toBe(false);
    t1.close();
    const t2 = await Client.join(second.port, "troll2");
    expect(await heard(amy2, bystander, t2, "back as troll2")).toBe(false);
    t2.send("/msg amy hello?");
    await t2.waitFor("[private] you -> amy");
    expect((await amy2.sync()).filter((l) => l.includes("hello?"))).toEqual([]);

    // /unignore is kept too.
    amy2.send("/unignore troll2");
    await amy2.waitFor("you ignore no one");
    amy2.close();
    await bystander.waitFor("amy left");
    const amy3 = await Client.join(second.port, "again");
    amy3.send("/login amy amyspassword");
    await amy3.waitFor("logged in as amy");
    expect(await heard(amy3, bystander, t2, "heard again")).toBe(true);
    for (const c of [amy3, bystander, t2]) c.close();
    await second.stop();
  });

  test("ignores made before logging in are kept with the account too", async () => {
    const data = dataFile();
    const parley = await startChat(["--data", data]);
    const bea = await Client.join(parley.port, "bea");
    bea.send("/register beaspassword");
    await bea.waitFor("registered to you");
    bea.close();
    const guest = await Client.join(parley.port, "guest");
    guest.send("/ignore pest");
    await guest.waitFor("you ignore (1): pest");
    guest.send("/login bea beaspassword");
    await guest.waitFor("logged in as bea");
    guest.close();
    const again = await Client.join(parley.port, "someone");
    again.send("/login bea beaspassword");
    await again.waitFor("logged in as bea");
    again.send("/ignore");
    expect(await again.waitFor("you ignore")).toBe("* you ignore (1): pest");
    again.close();
    await parley.stop();
  });

  test("an unregistered user's ignores end with the connection", async () => {
    const parley = await startChat();
    const amy = await Client.join(parley.port, "amy");
    amy.send("/ignore troll");
    await amy.waitFor("you ignore (1)");
    amy.close();
    const amy2 = await Client.join(parley.port, "amy");
    amy2.send("/ignore");
    expect(await amy2.waitFor("ignore")).toBe("* you ignore no one");
    amy2.close();
    await parley.stop();
  });
});
