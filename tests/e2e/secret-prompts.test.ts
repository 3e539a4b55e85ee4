// Secrets are asked for on their own line: /login NICK and /op typed
// without the password ask for it (with a telnet client's echo off), an
// empty line cancels, and the password reaches no one else and no log.
// Also: a text user's private message is confirmed to them.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

let parley: Parley;
beforeAll(async () => {
  parley = await startChat(["--admin-password", "admin-secret-9", "--data", join(mkdtempSync(join(tmpdir(), "parley-secret-")), "chat.db")]);
});
afterAll(() => parley.stop());

describe("a secret typed on a line of its own", () => {
  test("/login NICK asks for the password on the next line; it logs in, and the password is seen nowhere else", async () => {
    const owner = await Client.join(parley.port, "keeper");
    owner.send("/register keeper-pass-1");
    await owner.waitFor("is registered to you");
    owner.close();
    const watcher = await Client.join(parley.port, "watcher");
    const back = await Client.join(parley.port, "visitor");
    back.send("/login keeper");
    expect(await back.waitFor("password for /login")).toBe("* password for /login (what you type is not shown; an empty line cancels):");
    back.send("keeper-pass-1");
    expect(await back.waitFor("logged in")).toBe("* you are logged in as keeper");
    await watcher.sync();
    expect(watcher.lines.some((l) => l.includes("keeper-pass-1"))).toBe(false);
    expect(parley.log.lines.some((l) => l.includes("keeper-pass-1"))).toBe(false);
    back.close();
    watcher.close();
  });

  test("/op alone asks for the admin password; an empty line cancels and nothing is run", async () => {
    const c = await Client.join(parley.port, "opper");
    c.send("/op");
    await c.waitFor("password for /op");
    c.send("");
    expect(await c.waitFor("cancelled")).toBe("* /op cancelled");
    // The line after a cancel is chat again, not a password.
    c.send("/op");
    await c.waitFor("password for /op");
    c.send("admin-secret-9");
    expect(await c.waitFor("operator now")).toStartWith("* you are an operator now");
    expect(parley.log.lines.some((l) => l.includes("admin-secret-9"))).toBe(false);
    c.close();
  });

  test("a line that starts with / at the prompt is a command, not the password: /register, then /register PASSWORD", async () => {
    const c = await Client.join(parley.port, "slashy");
    c.send("/register");
    await c.waitFor("password for /register");
    c.send("/register hunter2pass");
    expect(await c.waitFor("cancelled")).toBe("* /register cancelled: that line starts with /, so it runs as a command, not as the password");
    expect(await c.waitFor("registered to you")).toContain("slashy is registered to you");
    // The password is the one typed after the command, so /login with it works inline.
    c.close();
    const again = await Client.join(parley.port, "other");
    again.send("/login slashy hunter2pass");
    expect(await again.waitFor(/logged in|you are now/)).toMatch(/slashy/);
    again.close();
  });

  test("a program is not asked: /login NICK in a line frame gets the usage", async () => {
    const j = await Client.connect(parley.port);
    j.send(JSON.stringify({ type: "hello", version: 1 }));
    await j.waitFor('"welcome"');
    j.send(JSON.stringify({ type: "nick", nick: "progam" }));
    await j.waitFor('"joined"');
    j.send(JSON.stringify({ type: "line", text: "/login keeper", id: "l" }));
    expect(JSON.parse(await j.waitFor('"error"'))).toMatchObject({ code: "usage", id: "l" });
    j.close();
  });
});

describe("a private message from a text user", () => {
  test("is confirmed to its sender", async () => {
    const a = await Client.join(parley.port, "sender1");
    const b = await Client.join(parley.port, "target1");
    a.send("c:target1:just for you");
    expect(await b.waitFor("[private]")).toBe("[private] sender1: just for you");
    expect(await a.waitFor("[private]")).toBe("[private] you -> target1: just for you");
    a.close();
    b.close();
  });
});
