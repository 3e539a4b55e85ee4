// Accounts (/register, /login) and operators (/op, /kick, /ban, /mute):
// the built-in account and ops plugins against dist/parley.

import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { startChat } from "../helpers/parley.ts";

const dataFile = () => join(mkdtempSync(join(tmpdir(), "parley-acct-")), "chat.db");

describe("accounts", () => {
  test("a registered nickname cannot be taken by anyone else; its owner takes it back with /login, after a restart too", async () => {
    const data = dataFile();
    const first = await startChat(["--data", data]);
    const amy = await Client.join(first.port, "amy");
    amy.send("/register hunter22");
    expect(await amy.waitFor("registered")).toBe("* amy is registered to you. Next time: /login amy PASSWORD");
    amy.close();
    await first.stop();
    expect(first.log.lines.join("\n")).not.toContain("hunter22");

    const second = await startChat(["--data", data]);
    const guest = await Client.connect(second.port);
    await guest.waitFor("choose a nickname");
    guest.send("AMY");
    expect(await guest.waitFor(/^! /)).toBe("! amy is registered; pick another nickname, then /login amy PASSWORD");
    guest.send("guest1");
    await guest.waitFor("* Hi guest1!");
    guest.send("/nick amy");
    expect(await guest.waitFor(/^! /)).toBe("! amy is registered; pick another nickname, then /login amy PASSWORD");
    guest.send("/login amy wrongpass");
    expect(await guest.waitFor(/^! /)).toBe("! wrong nickname or password");
    guest.send("/login nosuch whatever");
    expect(await guest.waitFor(/^! /)).toBe("! wrong nickname or password");

    const owner = await Client.join(second.port, "someone");
    owner.send("/login amy hunter22");
    expect(await owner.waitFor("logged in")).toBe("* you are logged in as amy");
    expect(await guest.waitFor("is now")).toBe("* someone is now amy");
    owner.close();
    guest.close();
    await second.stop();
  });

  test("registering a nick that is registered, or a short password, is refused", async () => {
    const parley = await startChat();
    const a = await Client.join(parley.port, "bea");
    a.send("/register short");
    expect(await a.waitFor(/^! /)).toBe("! a password has at least 6 characters");
    a.send("/register longenough");
    await a.waitFor("registered to you");
    a.send("/register another1");
    expect(await a.waitFor(/^! /)).toBe("! bea is registered already; to use it: /login bea PASSWORD");
    a.close();
    await parley.stop();
  });
});

describe("operators", () => {
  test("/op needs the admin password; then /kick disconnects with a reason the room sees", async () => {
    const parley = await startChat(["--admin-password", "rootpw"]);
    const op = await Client.join(parley.port, "boss");
    const troll = await Client.join(parley.port, "troll");
    op.send("/kick troll");
    expect(await op.waitFor(/^! /)).toBe("! only operators can do that (/op PASSWORD)");
    op.send("/op nope");
    expect(await op.waitFor(/^! /)).toBe("! wrong admin password");
    op.send("/op rootpw");
    await op.waitFor("you are an operator now");
    op.send("/kick troll spamming");
    expect(await op.waitFor("troll left")).toBe("* troll left (kicked by boss: spamming)");
    await troll.whenClosed();
    expect(troll.lines).toContain("* You have been disconnected: kicked by boss: spamming");
    op.close();
    await parley.stop();
  });

  test("/ban keeps an address out, after a restart with --data too; /unban lets it back", async () => {
    const data = dataFile();
    const first = await startChat(["--admin-password", "rootpw", "--data", data]);
    const op = await Client.join(first.port, "chief");
    op.send("/op rootpw");
    await op.waitFor("operator now");
    op.send("/ban 127.0.0.2 2h");
    expect(await op.waitFor("banned")).toMatch(/^\* banned 127\.0\.0\.2 for 120 min, until \d{4}-\d\d-\d\d \d\d:\d\d$/);
    op.send("/bans");
    expect(await op.waitFor("127.0.0.2")).toMatch(/^\*   127\.0\.0\.2  until .* by chief/);
    op.close();
    await first.stop();

    const second = await startChat(["--admin-password", "rootpw", "--data", data]);
    const banned = await new Promise<string[]>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port: second.port, localAddress: "127.0.0.2" });
      let text = "";
      socket.on("data", (b: Buffer) => (text += b.toString()));
      socket.on("close", () => resolve(text.trim().split("\r\n")));
    });
    expect(banned).toEqual([expect.stringMatching(/^! you are banned from this server until \d{4}-/)]);
    const fine = await Client.join(second.port, "notbanned");
    fine.send("/op rootpw");
    await fine.waitFor("operator now");
    fine.send("/unban 127.0.0.2");
    expect(await fine.waitFor("no longer banned")).toBe("* 127.0.0.2 is no longer banned");
    fine.close();
    await second.stop();
  });

  test("/mute stops a user's lines from reaching the room until /unmute", async () => {
    const parley = await startChat(["--admin-password", "rootpw"]);
    const op = await Client.join(parley.port, "mod");
    const loud = await Client.join(parley.port, "loud");
    op.send("/op rootpw");
    await op.waitFor("operator now");
    op.send("/mute loud");
    expect(await loud.waitFor("[ops]")).toBe("[ops] you have been muted by mod for good");
    loud.send("can you hear me");
    expect(await loud.waitFor(/^! /)).toBe("! you are muted: the room does not see your lines");
    op.send("/unmute loud");
    await loud.waitFor("you can speak again");
    loud.send("back again");
    expect(await op.waitFor("loud:")).toBe("loud: back again");
    expect(op.lines.some((l) => l.includes("can you hear me"))).toBe(false);
    op.close();
    loud.close();
    await parley.stop();
  });
});
