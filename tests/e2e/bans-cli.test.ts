// Bans and accounts as people see them, against dist/parley with a --data
// file: an operator cannot ban their own address, times are the server's
// local time to the minute, columns line up by display width, and
// `parley bans` / `parley accounts` read and change the file with the server
// running (it sees the change at once) and stopped. Addresses other than
// loopback (192.0.2.7, 2001:db8::1: documentation ranges) are only data here.

import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { optionsAtConnect } from "../../core/wire/telnet.ts";
import { Client } from "../helpers/client.ts";
import { runToEnd, startChat } from "../helpers/parley.ts";

// A zone without summer time, half an hour off the hour: local time cannot pass for UTC.
const TZ = "Asia/Kolkata";
const OFFSET_MS = 5.5 * 3_600_000;
const env = { TZ };

const dataFile = () => join(mkdtempSync(join(tmpdir(), "parley-bans-")), "chat.db");
/** A moment as the server shows it in TZ, to the minute; an end rounded up. */
const shown = (ms: number, roundUp = false) => new Date((roundUp ? Math.ceil(ms / 60_000) * 60_000 : ms) + OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
/** An operator's answer, not a join or a leave. */
const ANSWER = /^(! |\* (banned|muted|no bans))/;
const TIME = /\d{4}-\d\d-\d\d \d\d:\d\d/;
const cli = (args: string[]) => runToEnd(args, { env });
/** Where each of the given column texts starts in a line, in terminal cells. */
const cellsBefore = (line: string, text: string) => Bun.stringWidth(line.slice(0, line.indexOf(text)));

async function operator(port: number, nick: string): Promise<Client> {
  const op = await Client.join(port, nick);
  op.send("/op rootpw");
  await op.waitFor("operator now");
  return op;
}

/** The first line a connection from `localAddress` (a loopback address) gets, after the telnet options parley asks for. */
function firstLine(port: number, localAddress: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    let received = Buffer.alloc(0);
    socket.on("data", (b: Buffer) => {
      received = Buffer.concat([received, b]);
      const text = received.subarray(optionsAtConnect(received)).toString();
      const end = text.indexOf("\r\n");
      if (end < 0) return;
      socket.destroy();
      resolve(text.slice(0, end));
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(received.toString().trim()));
  });
}

describe("an operator's bans", () => {
  test("a ban that would match the operator's own address is refused, by nick or address, IPv4-mapped too", async () => {
    const parley = await startChat(["--admin-password", "rootpw", "--data", dataFile()], { env });
    const op = await operator(parley.port, "oper");
    const bob = await Client.join(parley.port, "bob");
    const refused = "! that ban would match your own address (127.0.0.1); nothing was banned";
    for (const target of ["bob", "oper", "127.0.0.1", "::ffff:127.0.0.1", "::FFFF:7f00:1"]) {
      op.send(`/ban ${target} 1h`);
      expect(await op.waitFor(ANSWER)).toBe(refused);
    }
    op.send("/bans");
    expect(await op.waitFor(/^\* /)).toBe("* no bans");
    // bob is still here: nothing was kicked.
    expect(bob.closed).toBe(false);
    op.send("/ban nosuchnick");
    expect(await op.waitFor(/^! /)).toBe("! no one called nosuchnick is online, and it is not an address");
    op.close();
    bob.close();
    await parley.stop();
  });

  test("ban times are local, to the minute: the /ban reply, /bans, the refusal at connect, and a mute", async () => {
    const parley = await startChat(["--admin-password", "rootpw", "--data", dataFile()], { env });
    const op = await operator(parley.port, "oper");
    const before = Date.now();
    op.send("/ban 192.0.2.7 2h");
    const reply = await op.waitFor(ANSWER);
    const after = Date.now();
    const until = / until (.*)$/.exec(reply)?.[1] ?? "";
    expect(reply).toStartWith("* banned 192.0.2.7 for 120 min, until ");
    expect(until).toMatch(new RegExp(`^${TIME.source}$`));
    expect(until >= shown(before + 7_200_000, true) && until <= shown(after + 7_200_000, true)).toBe(true);

    op.send("/ban 127.0.0.2 30m");
    expect(await op.waitFor(ANSWER)).toMatch(new RegExp(`^\\* banned 127\\.0\\.0\\.2 for 30 min, until ${TIME.source}$`));
    const refusal = await firstLine(parley.port, "127.0.0.2");
    expect(refusal).toMatch(new RegExp(`^! you are banned from this server until ${TIME.source}$`));

    // A long IPv6 form is kept in its short form; /bans lines up its columns.
    op.send("/ban 2001:DB8:0:0:0:0:0:1 7d");
    expect(await op.waitFor(ANSWER)).toStartWith("* banned 2001:db8::1 for 10080 min, until ");
    op.send("/bans");
    const rows = [await op.waitFor(/^\*   /), await op.waitFor(/^\*   /), await op.waitFor(/^\*   /)];
    expect(rows.map((r) => r.split(/\s+/)[1])).toEqual(["192.0.2.7", "127.0.0.2", "2001:db8::1"]);
    for (const r of rows) expect(r).toMatch(new RegExp(`^\\*   \\S+ +until ${TIME.source}  by oper$`));
    expect(new Set(rows.map((r) => cellsBefore(r, "until"))).size).toBe(1);

    const loud = await Client.join(parley.port, "loud");
    op.send("/mute loud 10m");
    expect(await op.waitFor(ANSWER)).toMatch(new RegExp(`^\\* muted loud for 10 min, until ${TIME.source}$`));
    expect(await loud.waitFor("[ops]")).toMatch(new RegExp(`^\\[ops\\] you have been muted by oper for 10 min, until ${TIME.source}$`));
    op.close();
    loud.close();
    await parley.stop();
  });

  test("/nodes lines up its columns by display width, Chinese nicks too", async () => {
    const parley = await startChat(["--admin-password", "rootpw"], { env });
    const op = await operator(parley.port, "oper");
    const wang = await Client.join(parley.port, "王小明");
    const longer = await Client.join(parley.port, "someone_longer");
    op.send("/nodes");
    await op.waitFor("3 online:");
    const rows = [await op.waitFor(/^\*   /), await op.waitFor(/^\*   /), await op.waitFor(/^\*   /)];
    expect(rows.map((r) => r.split(/\s+/)[1])).toEqual(["oper", "王小明", "someone_longer"]);
    expect(rows.map((r) => cellsBefore(r, "127.0.0.1:"))).toEqual([20, 20, 20]);
    // Plugin text keeps its runs of spaces (only what a person types is cut to 8).
    expect(rows).toEqual([
      expect.stringMatching(/^\*   oper {12}127\.0\.0\.1:\d+$/),
      expect.stringMatching(/^\*   王小明 {10}127\.0\.0\.1:\d+$/),
      expect.stringMatching(/^\*   someone_longer  127\.0\.0\.1:\d+$/),
    ]);
    op.close();
    wang.close();
    longer.close();
    await parley.stop();
  });
});

describe("parley bans and parley accounts", () => {
  test("list and change a --data file while the server runs (it sees the change at once), and after it stops", async () => {
    const data = dataFile();
    const parley = await startChat(["--admin-password", "rootpw", "--data", data], { env });
    const op = await operator(parley.port, "oper");
    op.send("/ban 192.0.2.7 2h");
    await op.waitFor("banned 192.0.2.7");
    op.send("/ban 127.0.0.2");
    await op.waitFor("banned 127.0.0.2 for good");
    op.send("/ban 2001:db8::1 1d");
    await op.waitFor("banned 2001:db8::1");
    expect(await firstLine(parley.port, "127.0.0.2")).toBe("! you are banned from this server");

    // Accounts: one with the password on the line, one asked for it with echo off.
    const amy = await Client.join(parley.port, "amy");
    amy.send("/register secretpw");
    await amy.waitFor("registered to you");
    const wang = await Client.join(parley.port, "王小明");
    wang.send("/register");
    await wang.waitFor("password for /register");
    wang.send("secretpw2");
    await wang.waitFor("registered to you");
    amy.close();
    wang.close();

    // With the server running.
    const listed = await cli(["bans", "--data", data]);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ADDRESS +UNTIL +BY +REASON$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^192\\.0\\.2\\.7 +${TIME.source}  oper$`)),
      expect.stringMatching(/^127\.0\.0\.2 +for good +oper$/),
      expect.stringMatching(new RegExp(`^2001:db8::1 +${TIME.source}  oper$`)),
    ]);
    // Each column starts where its heading does (ASCII here: cells are characters).
    for (const column of ["UNTIL", "BY"]) {
      const at = lines[0]!.indexOf(column);
      expect(lines.slice(1).map((l) => l[at - 1] === " " && l[at] !== " ")).toEqual([true, true, true]);
    }

    const lifted = await cli(["bans", "--data", data, "remove", "127.0.0.2"]);
    expect(lifted).toEqual({ code: 0, stdout: "127.0.0.2 is no longer banned\n", stderr: "" });
    // The running server lets 127.0.0.2 in at once.
    expect(await firstLine(parley.port, "127.0.0.2")).toStartWith("Welcome to parley");
    // Any form of the address names the same ban.
    expect((await cli(["bans", "--data", data, "remove", "2001:DB8:0::0:1"])).stdout).toBe("2001:db8::1 is no longer banned\n");
    op.send("/bans");
    expect(await op.waitFor(/^\*   /)).toMatch(/^\*   192\.0\.2\.7  until .* by oper$/);

    const notBanned = await cli(["bans", "--data", data, "remove", "192.0.2.99"]);
    expect(notBanned.code).not.toBe(0);
    expect(notBanned.stdout).toBe("");
    expect(notBanned.stderr).toBe(`parley: 192.0.2.99 is not banned in ${data} (see parley bans --data ${data})\n`);

    const accounts = await cli(["accounts", "--data", data]);
    expect(accounts.code).toBe(0);
    const rows = accounts.stdout.trimEnd().split("\n");
    expect(rows[0]).toBe("NICK    CREATED");
    expect(rows.slice(1)).toEqual([expect.stringMatching(new RegExp(`^amy     ${TIME.source}$`)), expect.stringMatching(new RegExp(`^王小明  ${TIME.source}$`))]);
    const created = rows[1]!.slice(8);
    expect(created >= shown(Date.now() - 120_000) && created <= shown(Date.now())).toBe(true);

    // The server's own nick comparison: AMY is amy.
    expect(await cli(["accounts", "--data", data, "delete", "AMY"])).toEqual({ code: 0, stdout: "deleted the account amy\n", stderr: "" });
    const guest = await Client.join(parley.port, "amy");
    guest.close();
    const none = await cli(["accounts", "--data", data, "delete", "amy"]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toBe(`parley: no account for amy in ${data} (see parley accounts --data ${data})\n`);
    op.close();
    await parley.stop();

    // With the server stopped.
    const still = await cli(["bans", "--data", data]);
    expect(still.stdout.trimEnd().split("\n").slice(1)).toEqual([expect.stringMatching(/^192\.0\.2\.7 /)]);
    expect((await cli(["bans", "--data", data, "remove", "192.0.2.7"])).code).toBe(0);
    expect(await cli(["bans", "--data", data])).toEqual({ code: 0, stdout: `no bans in force in ${data}\n`, stderr: "" });
    expect((await cli(["accounts", "--data", data, "delete", "王小明"])).stdout).toBe("deleted the account 王小明\n");
    expect(await cli(["accounts", "--data", data])).toEqual({ code: 0, stdout: `no accounts in ${data}\n`, stderr: "" });

    // What the CLI wrote is what the next server reads.
    const again = await startChat(["--admin-password", "rootpw", "--data", data], { env });
    const op2 = await operator(again.port, "oper");
    op2.send("/bans");
    expect(await op2.waitFor(/^\* /)).toBe("* no bans");
    const wang2 = await Client.join(again.port, "王小明");
    wang2.close();
    op2.close();
    await again.stop();
  });

  test("a missing file, a file that is not parley's, a folder: one line, non-zero, no stack trace, the file untouched", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-bans-"));
    const text = join(dir, "notes.txt");
    writeFileSync(text, "not a database\n");
    const empty = join(dir, "empty.db");
    writeFileSync(empty, "");
    mkdirSync(join(dir, "folder"));
    const cases: [string[], string][] = [
      [["bans", "--data", join(dir, "missing.db")], `parley: no such --data file: ${join(dir, "missing.db")}\n`],
      [["accounts", "--data", join(dir, "missing.db"), "delete", "amy"], `parley: no such --data file: ${join(dir, "missing.db")}\n`],
      [["bans", "--data", text], `parley: ${text} is not a parley data file (file is not a database)\n`],
      [["accounts", "--data", empty], `parley: ${empty} is not a parley data file (it has no plugin stores)\n`],
      [["bans", "--data", join(dir, "folder"), "remove", "192.0.2.7"], `parley: ${join(dir, "folder")} is not a parley data file (not a file)\n`],
    ];
    for (const [args, stderr] of cases) {
      const result = await cli(args);
      expect({ args, ...result }).toEqual({ args, code: 1, stdout: "", stderr });
    }
    expect(await Bun.file(text).text()).toBe("not a database\n");
    expect(Bun.file(empty).size).toBe(0);
    // Without --data, the file parley chat keeps by default: none yet in a fresh state directory.
    const state = mkdtempSync(join(tmpdir(), "parley-state-"));
    const missing = await runToEnd(["bans"], { env: { ...env, XDG_STATE_HOME: state } });
    expect(missing).toEqual({ code: 1, stdout: "", stderr: `parley: no such --data file: ${join(state, "parley", "parley.db")}\n` });
  });

  test("help tells what they do", async () => {
    const bans = await cli(["bans", "--help"]);
    expect(bans.stdout).toContain("List the bans in force in the server's data file");
    expect(bans.stdout).toContain("remove");
    expect((await cli(["bans", "remove", "--help"])).stdout).toContain("Lift the ban on ADDRESS");
    const accounts = await cli(["accounts", "--help"]);
    expect(accounts.stdout).toContain("List the registered nicknames in the server's data file");
    expect((await cli(["accounts", "delete", "--help"])).stdout).toContain("compared as the server compares nicks");
  });
});

describe("parley plugins", () => {
  test("lines up its table by display width, a plugin file named in Chinese too", async () => {
    const home = mkdtempSync(join(tmpdir(), "parley-user-"));
    mkdirSync(join(home, "plugins"));
    writeFileSync(
      join(home, "plugins", "问候.ts"),
      'import { definePlugin } from "parley";\nexport default definePlugin({ name: "greet", commands: [{ name: "nihao", summary: "hi", run(ctx) { ctx.reply("hi"); } }] });\n',
    );
    const { code, stdout } = await runToEnd(["plugins"], { cwd: home });
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    const table = lines.slice(0, lines.indexOf(""));
    const greet = table.find((l) => l.startsWith("greet "))!;
    expect(greet).toMatch(/^greet +plugins\/问候\.ts  \/nihao$/);
    // COMMANDS starts at one column, in terminal cells, on every row.
    const at = cellsBefore(table[0]!, "COMMANDS");
    expect(cellsBefore(greet, "/nihao")).toBe(at);
    expect(cellsBefore(table.find((l) => l.startsWith("secret "))!, "c:NICK")).toBe(at);
  });
});

describe("a ban of any length holds or is refused", () => {
  test("a duration past 100 years is refused in one line, nothing is banned, and the server keeps checking bans", async () => {
    const parley = await startChat(["--admin-password", "rootpw", "--data", dataFile()], { env });
    const op = await operator(parley.port, "longban");
    op.send("/ban 192.0.2.7 100000000d");
    expect(await op.waitFor(ANSWER)).toBe("! a duration is like 30s, 10m, 2h or 7d, at most 36500d (none: for good)");
    op.send("/bans");
    expect(await op.waitFor(ANSWER)).toBe("* no bans");
    // The longest one that is allowed holds.
    op.send("/ban 127.0.0.3 36500d");
    expect(await op.waitFor(ANSWER)).toMatch(/^\* banned 127\.0\.0\.3 for \d+ min, until \d{4}-/);
    expect(await firstLine(parley.port, "127.0.0.3")).toMatch(/^! you are banned from this server until \d{4}-\d\d-\d\d \d\d:\d\d$/);
    op.close();
    await parley.stop();
  });
});
