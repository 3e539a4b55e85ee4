// Rooms across two dist/parley nodes sharing a real redis-server on
// loopback: membership, lines with the room in front, keys, topics and
// per-room history cross nodes; a node that starts later knows who is in
// which room; a user whose node dies leaves every room.

import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";
import { startRedis, type Redis } from "../helpers/redis.ts";

const HEARTBEAT = 200;

function node(redis: Redis, name: string, extra: string[] = []): Promise<Parley> {
  return startChat(["--redis", redis.url, "--node-name", name, "--heartbeat", String(HEARTBEAT), ...extra]);
}

async function ask(c: Client, line: string, match: string | RegExp): Promise<string> {
  c.send(line);
  return c.waitFor(match);
}

/** The rows of /rooms, after its header. */
async function roomRows(c: Client, count: number): Promise<string[]> {
  c.send("/rooms");
  await c.waitFor(/^\* \d+ rooms? /);
  const rows: string[] = [];
  for (let i = 0; i < count; i++) rows.push(await c.waitFor(/^\*   #/));
  return rows;
}

describe("rooms across two nodes", () => {
  test("members, lines, keys and topics cross nodes; counts and lists are the cluster's", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A"), node(redis, "B")]);
    const amy = await Client.join(a.port, "amy");
    const bob = await Client.join(b.port, "bob");
    const cat = await Client.join(b.port, "cat");
    await amy.waitFor("cat joined");

    expect(await ask(amy, "/join #ops k3y", "* you are in")).toBe("* you are in #ops now, with 1 here: amy");
    // A lobby line from A after the room was made: once B relays it, B has heard of #ops and its key (one ordered stream per node).
    amy.send("/switch #lobby");
    await amy.waitFor("now talking");
    amy.send("ops is open");
    await bob.waitFor("amy: ops is open");
    amy.send("/switch #ops");
    await amy.waitFor("now talking");
    // The key is the cluster's: bob on B is refused without it.
    expect(await ask(bob, "/join #ops", "!")).toBe("! #ops has a key: /join #ops KEY");
    expect(await ask(bob, "/join #ops nope", "!")).toBe("! wrong key for #ops");
    expect(await ask(bob, "/join #ops k3y", "* you are in")).toBe("* you are in #ops now, with 2 here: bob, amy");
    expect(await amy.waitFor("joined #ops")).toBe("* bob joined #ops (2 here)");

    bob.send("from B in ops");
    expect(await amy.waitFor("from B in ops")).toBe("bob: from B in ops");
    cat.send("lobby from B");
    expect(await amy.waitFor("lobby from B")).toBe("[#lobby] cat: lobby from B");
    expect(cat.lines.some((l) => l.includes("from B in ops"))).toBe(false);

    amy.send("/topic on call: amy");
    expect(await bob.waitFor("set the topic")).toBe("* amy set the topic of #ops: on call: amy");
    expect(await roomRows(cat, 2)).toEqual([
      expect.stringMatching(/^\*   #lobby +3 here/),
      expect.stringMatching(/^\*   #ops +2 here +keyed {2}on call: amy$/),
    ]);
    expect(await ask(cat, "/list #ops", /online in #ops/)).toBe("* 2 online in #ops:");
    expect((await cat.waitFor(/^\*   /)).split(/\s+/)[1]).toBe("bob");
    expect((await cat.waitFor(/^\*   /)).split(/\s+/)[1]).toBe("amy");

    // bob leaves: amy, in #ops and #lobby with bob, is told once.
    bob.close();
    // Shown in amy's current room (#ops), which she shares with bob: no room in front.
    expect(await amy.waitFor("bob left")).toBe("* bob left (connection closed)");
    await amy.sync();
    expect(amy.lines.filter((l) => l.includes("bob left")).length).toBe(1);
    expect(await roomRows(cat, 2)).toEqual([expect.stringMatching(/^\*   #lobby +2 here/), expect.stringMatching(/^\*   #ops +1 here/)]);

    for (const c of [amy, cat]) c.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  });

  test("per-room history is shared: a user on the other node joining a room gets that room's lines only", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A", ["--history", "5"]), node(redis, "B", ["--history", "5"])]);
    const amy = await Client.join(a.port, "amy");
    await ask(amy, "/join #notes", "* you are in");
    amy.send("a note");
    amy.send("/switch #lobby");
    await amy.waitFor("now talking");
    amy.send("a lobby line");
    await amy.sync();
    const bob = await Client.join(b.port, "bob");
    expect(await bob.waitFor("the last")).toBe("* the last 1 message:");
    expect(await bob.waitFor("amy:")).toMatch(/^\[\d\d:\d\d\] amy: a lobby line$/);
    bob.send("/join #notes");
    expect(await bob.waitFor("* you are in")).toBe("* you are in #notes now, with 2 here: bob, amy");
    expect(await bob.waitFor("the last")).toBe("* the last 1 message of #notes:");
    expect(await bob.waitFor("amy:")).toMatch(/^\[\d\d:\d\d\] amy: a note$/);
    for (const c of [amy, bob]) c.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  });

  test("a node started later knows who is in which room; a user whose node dies leaves every room", async () => {
    const redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), "parley-cluster-rooms-"));
    const a = await node(redis, "A");
    const amy = await Client.join(a.port, "amy");
    await ask(amy, "/join #late", "* you are in");
    await ask(amy, "/part #lobby", "you left");
    // A rename makes a new record: it still lists her rooms.
    await ask(amy, "/nick amy2", "you are now");
    const b = await node(redis, "B", ["--data", join(dir, "b.db")]);
    // B learns of amy2 from the users' records in Redis, not from her join: her record says she is only in #late.
    await b.waitForLog("amy2 of node A is online");
    const bob = await Client.join(b.port, "bob");
    expect(bob.lines).toContain("* Hi bob! Online (2): amy2, bob");
    expect(await roomRows(bob, 2)).toEqual([expect.stringMatching(/^\*   #lobby +1 here/), expect.stringMatching(/^\*   #late +1 here/)]);
    expect(await ask(bob, "/join #late", "* you are in")).toBe("* you are in #late now, with 2 here: bob, amy2");

    // A dies: within a few heartbeats its users leave every room on B.
    a.proc.kill("SIGKILL");
    expect(await bob.waitFor("amy2 left")).toBe("* amy2 left (their server stopped answering)");
    expect(await roomRows(bob, 2)).toEqual([expect.stringMatching(/^\*   #lobby +1 here/), expect.stringMatching(/^\*   #late +1 here/)]);
    bob.close();
    await b.stop();
    await redis.stop();
  });
});
