// The protective limits of core/chat/limits.ts, each with its flag and default:
// flood control, connections per address, the nickname timeout.

import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { Client } from "../helpers/client.ts";
import { Netns } from "../helpers/netns.ts";
import { startChat } from "../helpers/parley.ts";

const BUN = resolve(import.meta.dir, "../../node_modules/.bin/bun");
const FIRST_LINES = resolve(import.meta.dir, "../helpers/first-lines.ts");

describe("flood control paces, it does not drop (--flood-rate 5, --flood-burst 10: the defaults)", () => {
  test("a 30-line paste reaches the room whole, in order, paced at the rate; nothing is dropped, no one is cut off", async () => {
    const parley = await startChat(["--flood-rate", "5", "--flood-burst", "10"]);
    const paster = await Client.join(parley.port, "paster");
    const reader = await Client.join(parley.port, "reader");
    const started = Date.now();
    await paster.write(Array.from({ length: 30 }, (_, i) => `line ${i + 1}\r\n`).join(""));
    for (let i = 1; i <= 30; i++) expect(await reader.waitFor("paster:")).toBe(`paster: line ${i}`);
    // The nick took a token, the burst lets nine go at once, the other 21 wait
    // their turns at 5 a second: at least 4 s (a bound that only a fast path could break).
    expect(Date.now() - started).toBeGreaterThanOrEqual(3900);
    expect(paster.drainLines().filter((l) => l.startsWith("!"))).toEqual([]);
    expect(paster.closed).toBe(false);
    reader.close();
    paster.close();
    await parley.stop();
  });

  test("past 100 waiting lines the rest of a paste is refused, the sender is told how many, and the room gets the first ones in order", async () => {
    // A fast rate, so the hundred waiting lines drain in about two seconds.
    const parley = await startChat(["--flood-rate", "50", "--flood-burst", "10"]);
    const paster = await Client.join(parley.port, "bigpaste");
    const reader = await Client.join(parley.port, "reader2");
    await paster.write(Array.from({ length: 1000 }, (_, i) => `p${i + 1}\r\n`).join(""));
    expect(await paster.waitFor(/^! slow down/)).toBe("! slow down: your lines reach the room at 50 a second and 100 are waiting; what you send now is not sent");
    const told = await paster.waitFor(/ not sent \(more than 100/);
    const refused = Number(/^! (\d+) lines were not sent/.exec(told)![1]);
    // Up to a burst's worth went at once and 100 waited; everything else was refused.
    expect(refused).toBeGreaterThanOrEqual(1000 - 111);
    expect(refused).toBeLessThanOrEqual(1000 - 100);
    await reader.sync();
    const relayed = reader.lines.filter((l) => l.startsWith("bigpaste: "));
    expect(relayed).toEqual(Array.from({ length: 1000 - refused }, (_, i) => `bigpaste: p${i + 1}`));
    expect(paster.closed).toBe(false);
    // Once the queue is empty, the next line goes straight through.
    paster.send("after the paste");
    expect(await reader.waitFor("after the paste")).toBe("bigpaste: after the paste");
    reader.close();
    paster.close();
    await parley.stop();
  });

  test("lines that piled up while the server itself was stopped are not taken for a flood", async () => {
    const parley = await startChat(["--flood-rate", "5", "--flood-burst", "10"]);
    const typer = await Client.join(parley.port, "typer");
    const reader = await Client.join(parley.port, "reader3");
    // The server is paused (a VM pause, a long GC) while the user goes on typing.
    parley.proc.kill("SIGSTOP");
    await typer.write(Array.from({ length: 150 }, (_, i) => `while paused ${i + 1}\r\n`).join(""));
    await Bun.sleep(1500); // the length of the pause is the fault itself
    parley.proc.kill("SIGCONT");
    for (let i = 1; i <= 150; i++) expect(await reader.waitFor("typer:")).toBe(`typer: while paused ${i}`);
    expect(typer.drainLines().filter((l) => l.startsWith("!"))).toEqual([]);
    reader.close();
    typer.close();
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
    const server = ns.run(["chat", "--data", "memory", "--host", "fd00:7e57::1", "--port", "0", "--max-per-ip", "2", "--json-logs"]);
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
