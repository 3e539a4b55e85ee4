// The protective limits of core/chat/limits.ts, each with its flag and default:
// flood control, connections per address, the nickname timeout.

import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { Client } from "../helpers/client.ts";
import { Netns } from "../helpers/netns.ts";
import { startChat } from "../helpers/parley.ts";

const BUN = resolve(import.meta.dir, "../../node_modules/.bin/bun");
const FIRST_LINES = resolve(import.meta.dir, "../helpers/first-lines.ts");

describe("flood control (--flood-rate 5, --flood-burst 10: the defaults)", () => {
  test("a burst within the limit goes through; past it a warning, then drops, then a disconnect", async () => {
    const parley = await startChat(["--flood-rate", "5", "--flood-burst", "10"]);
    const flooder = await Client.join(parley.port, "flooder");
    const reader = await Client.join(parley.port, "reader");
    // The nick took one token: nine more lines go through at once.
    for (let i = 1; i <= 9; i++) flooder.send(`line ${i}`);
    for (let i = 1; i <= 9; i++) expect(await reader.waitFor("flooder:")).toBe(`flooder: line ${i}`);
    flooder.send("line 10");
    expect(await flooder.waitFor(/^! /)).toBe("! slow down: more than 5 lines a second; your lines are being dropped");
    // A pasted snippet only loses its tail; keep going for ten more bursts: disconnected.
    for (let i = 11; i <= 130; i++) flooder.send(`line ${i}`);
    expect(await flooder.waitFor(/^! /)).toBe("! disconnected for flooding");
    await flooder.whenClosed();
    expect(await reader.waitFor("left")).toBe("* flooder left (flooding)");
    expect(reader.lines.filter((l) => l.startsWith("flooder: "))).toHaveLength(9);
    expect(await parley.waitForLog("flooding")).toBe("flooder disconnected: flooding (over 5 lines/s)");
    reader.close();
    await parley.stop();
  });

  test("--flood-rate 0 turns it off", async () => {
    const parley = await startChat(["--flood-rate", "0"]);
    const a = await Client.join(parley.port, "fast");
    const b = await Client.join(parley.port, "watch");
    for (let i = 0; i < 200; i++) a.send(`n${i}`);
    expect(await b.waitFor("fast: n199")).toBe("fast: n199");
    expect(a.drainLines().filter((l) => l.startsWith("!"))).toEqual([]);
    a.close();
    b.close();
    await parley.stop();
  });
});

describe("--max-nick", () => {
  test("a nickname longer than the limit is refused with the limit named; 24 by default", async () => {
    const parley = await startChat(["--max-nick", "5"]);
    const c = await Client.connect(parley.port);
    await c.waitFor("choose a nickname");
    c.send("abcdef");
    expect(await c.waitFor(/^! /)).toBe("! a nickname has at most 5 characters (that one has 6)");
    c.send("你好世界呀");
    await c.waitFor("* Hi 你好世界呀!");
    c.close();
    await parley.stop();
  });
});

describe("--nick-timeout", () => {
  test("a connection that never picks a nickname is told why and closed; one that did stays", async () => {
    const parley = await startChat(["--nick-timeout", "1"]);
    const named = await Client.join(parley.port, "quick");
    const slow = await Client.connect(parley.port);
    await slow.whenClosed();
    expect(slow.lines.at(-1)).toBe("! no nickname after 1s; disconnecting");
    expect(await parley.waitForLog("no nickname")).toMatch(/^127\.0\.0\.1:\d+ disconnected: no nickname after 1s$/);
    await named.sync();
    expect(named.closed).toBe(false);
    named.close();
    await parley.stop();
  });
});

describe("--max-per-ip", () => {
  test("connection N+1 from one address is refused with a message; loopback is exempt", async () => {
    // Loopback never counts, so the limited client comes from an address of
    // a network namespace of the test's own.
    const ns = await Netns.create("ipv6");
    const server = ns.run(["chat", "--host", "fd00:7e57::1", "--port", "0", "--max-per-ip", "2", "--json-logs"]);
    const listening = await server.stderr.waitFor("listening on");
    const port = /:(\d+);/.exec(JSON.parse(listening).message)![1]!;
    const probe = ns.exec([BUN, FIRST_LINES, "fd00:7e57::1", port, "3"]);
    expect(await probe.exited).toBe(0);
    expect(probe.stdout.lines).toEqual([
      expect.stringMatching(/^1: Welcome to parley!/),
      expect.stringMatching(/^2: Welcome to parley!/),
      "3: ! too many connections from your address (2), try again later",
    ]);
    await server.stop("SIGTERM");
    ns.close();

    const local = await startChat(["--max-per-ip", "2"]);
    const many = await Promise.all([1, 2, 3, 4].map((i) => Client.join(local.port, `local${i}`)));
    expect(many.every((c) => !c.closed)).toBe(true);
    for (const c of many) c.close();
    await local.stop();
  });
});
