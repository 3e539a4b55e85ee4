// Three dist/parley nodes and a real redis-server on loopback, under
// faults: a node killed with -9, a node paused past its heartbeat while its
// user's nick is taken, Redis restarted, Redis paused, Redis full, and the
// connection errors a person must be able to act on (password, TLS, plain
// against TLS). Every scenario sends numbered lines and checks, at every
// client, that none is lost, doubled or out of order, what each list
// holds, and how often each join, leave and notice was seen.

import { describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { runToEnd, startChat, type Parley } from "../helpers/parley.ts";
import { makeCerts, startRedis, type Redis } from "../helpers/redis.ts";

const HEARTBEAT = 300;

function node(url: string, name: string, extra: string[] = [], env?: Record<string, string>): Promise<Parley> {
  const redis = url ? ["--redis", url] : [];
  return startChat([...redis, "--node-name", name, "--heartbeat", String(HEARTBEAT), ...extra], env ? { env } : {});
}

async function cluster(redis: Redis, extra: string[] = []): Promise<Parley[]> {
  return Promise.all(["A", "B", "C"].map((n) => node(redis.url, n, extra)));
}

/** A promise, or a failure naming what did not come within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until any line `c` received, before or after now, matches (Client.waitFor consumes; this does not). */
async function seen(c: Client, match: string | RegExp, ms: number, what = String(match)): Promise<string> {
  const test = (l: string) => (typeof match === "string" ? l.includes(match) : match.test(l));
  const deadline = Date.now() + ms;
  for (;;) {
    const line = c.lines.find(test);
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; last lines:\n${c.lines.slice(-8).join("\n")}`);
    await Bun.sleep(20);
  }
}

const count = (c: Client, match: RegExp) => c.lines.filter((l) => match.test(l)).length;

/** The numbers `sender` said, as `reader` saw them, in the order seen. */
const numbers = (reader: Client, sender: string) =>
  reader.lines.flatMap((l) => {
    const m = new RegExp(`^${sender}: n (\\d+)$`).exec(l);
    return m ? [Number(m[1])] : [];
  });

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The nicks `c`'s /list shows, sorted. */
async function listOf(c: Client): Promise<string[]> {
  c.send("l");
  const head = await within(c.waitFor(/^\* \d+ online:$/), 3000, "list");
  const n = Number(/\d+/.exec(head)![0]);
  const rows: string[] = [];
  for (let i = 0; i < n; i++) rows.push((await within(c.waitFor(/^\*   /), 3000, "list row")).split(/\s+/)[1]!);
  return rows.sort();
}

/** Polls until every client lists `want` (the lists converge by themselves), or fails with what they list. */
async function converged(clients: Client[], want: string[], ms = 6000): Promise<void> {
  const deadline = Date.now() + ms;
  let seen: string[][] = [];
  while (Date.now() < deadline) {
    seen = await Promise.all(clients.map(listOf));
    if (seen.every((l) => JSON.stringify(l) === JSON.stringify([...want].sort()))) return;
    await Bun.sleep(200);
  }
  expect(seen).toEqual(clients.map(() => [...want].sort()));
}

/** Sends `n` numbered lines, one every `gapMs`. */
async function talk(c: Client, n: number, gapMs: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) {
    c.send(`n ${i}`);
    await Bun.sleep(gapMs);
  }
}

async function stopAll(nodes: Parley[], redis?: Redis): Promise<void> {
  await Promise.all(nodes.map((n) => (n.proc.exitCode === null && n.proc.signalCode === null ? n.stop() : Promise.resolve(0))));
  await redis?.stop();
}

describe("a node fails", () => {
  test("kill -9: every other node announces its users left once, the lists agree, and its nicks are free again", async () => {
    const redis = await startRedis();
    const [a, b, c] = await cluster(redis);
    const doomed = await Client.join(a!.port, "doomed");
    const b1 = await Client.join(b!.port, "b1");
    const c1 = await Client.join(c!.port, "c1");
    await within(doomed.waitFor("c1 joined"), 3000, "c1 joined on A");
    await within(b1.waitFor("c1 joined"), 3000, "c1 joined on B");
    const killedAt = performance.now();
    a!.proc.kill("SIGKILL");
    const talking = talk(b1, 30, 20);
    for (const x of [b1, c1]) expect(await within(x.waitFor("doomed left"), HEARTBEAT * 10, "doomed left")).toBe("* doomed left (their server stopped answering)");
    const detected = performance.now() - killedAt;
    await talking;
    await seen(c1, "b1: n 29", 3000);
    expect(numbers(c1, "b1")).toEqual(upTo(30));
    await converged([b1, c1], ["b1", "c1"]);
    // Its nick is free again, on either node, and the join is announced once.
    const back = await Client.join(c!.port, "doomed");
    await within(b1.waitFor("doomed joined"), 3000, "doomed joined again");
    await Bun.sleep(HEARTBEAT * 3);
    for (const x of [b1, c1]) expect(count(x, /^\* doomed left/)).toBe(1);
    for (const x of [b1, c1]) expect(count(x, /^\* doomed joined/)).toBe(1); // they joined after it: only the return
    console.log(`kill -9: users gone from every list after ${Math.round(detected)} ms (heartbeat ${HEARTBEAT} ms)`);
    for (const x of [back, b1, c1]) x.close();
    await stopAll([b!, c!], redis);
  });

  test("SIGSTOP past two heartbeats, a nick taken meanwhile, SIGCONT: one holder, the other renamed and told, nothing lost", async () => {
    const redis = await startRedis();
    // Flood control on (startChat turns it off): what a2 typed during the pause must not be taken for a burst.
    const [a, b, c] = await cluster(redis, ["--flood-rate", "20", "--flood-burst", "10"]);
    const amy = await Client.join(a!.port, "amy");
    const a2 = await Client.join(a!.port, "a2");
    const b1 = await Client.join(b!.port, "b1");
    const c1 = await Client.join(c!.port, "c1");
    await within(amy.waitFor("c1 joined"), 3000, "c1 joined on A");
    await within(b1.waitFor("c1 joined"), 3000, "c1 joined on B");

    a!.proc.kill("SIGSTOP");
    const stoppedAt = performance.now();
    // a2 goes on typing while its server is stopped: the lines wait in the kernel.
    const PAUSED_LINES = 80;
    await a2.write(upTo(PAUSED_LINES).map((i) => `n ${i}\r\n`).join(""));
    for (const x of [b1, c1]) await within(x.waitFor("amy left"), HEARTBEAT * 12, "amy reaped");
    for (const x of [b1, c1]) await within(x.waitFor("a2 left"), HEARTBEAT * 4, "a2 reaped");
    const taker = await Client.join(b!.port, "amy");
    await within(c1.waitFor(/^\* amy joined/), 3000, "the taker's join on C");
    await talk(b1, 10, 10);
    await Bun.sleep(Math.max(0, stoppedAt + 1500 - performance.now())); // a pause the server notices (over 1 s)
    const wokeAt = performance.now();
    a!.proc.kill("SIGCONT");

    // The paused node's amy is the one Redis does not have: renamed, told why, not disconnected.
    const told = await within(amy.waitFor("was taken by someone on another server"), HEARTBEAT * 10, "the rename notice");
    expect(told).toBe("* amy was taken by someone on another server while this one was cut off from the cluster; you are now amy2");
    const healed = performance.now() - wokeAt;
    // What was said while A was stopped reaches A's users, in order, once.
    await seen(a2, "b1: n 9", 3000, "the lines said during the pause");
    await seen(amy, "b1: n 9", 3000, "the lines said during the pause");
    expect(numbers(a2, "b1")).toEqual(upTo(10));
    expect(numbers(amy, "b1")).toEqual(upTo(10));
    // What a2 typed during the pause goes out at once, in order, with no flood warning (paced at 20/s it would take 3.5 s).
    for (const x of [b1, c1]) await seen(x, `a2: n ${PAUSED_LINES - 1}`, Math.max(100, wokeAt + 2500 - performance.now()), "a2's lines typed during the pause, within 2.5 s of SIGCONT");
    for (const x of [b1, c1]) expect(numbers(x, "a2")).toEqual(upTo(PAUSED_LINES));
    expect(a2.lines.filter((l) => l.startsWith("! "))).toEqual([]);
    await converged([amy, a2, b1, c1, taker], ["amy", "amy2", "a2", "b1", "c1"]);
    // Announced once per observer: the taker's join, A's users back.
    for (const x of [b1, c1]) {
      expect(count(x, /^\* amy2 joined/)).toBe(1);
      expect(count(x, /^\* a2 joined/)).toBe(1);
      expect(count(x, /^\* a2 left/)).toBe(1);
      expect(count(x, /^\* amy joined/)).toBe(1);
    }
    expect(count(a2, /^\* amy is now amy2$/)).toBe(1);
    expect(count(a2, /^\* amy joined/)).toBe(1);
    // The woken node took no one on the others for gone: they never left, so its users see no leave.
    expect(a2.lines.filter((l) => / left( |$)/.test(l))).toEqual([]);

    // A private message reaches exactly its addressee.
    c1.send("c:amy:for the holder");
    await within(taker.waitFor("[private] c1: for the holder"), 3000, "the private message");
    c1.send("c:amy2:for the renamed");
    await within(amy.waitFor("[private] c1: for the renamed"), 3000, "the private message");
    await b1.sync();
    expect(count(amy, /for the holder/)).toBe(0);
    expect(count(taker, /for the renamed/)).toBe(0);
    // The renamed one leaving does not free the holder's nick.
    amy.close();
    await within(c1.waitFor("amy2 left"), 3000, "amy2 left");
    const late = await Client.connect(c!.port);
    await late.waitFor("nickname");
    late.send("amy");
    expect(await within(late.waitFor(/^! /), 3000, "the answer")).toBe("! amy is taken, pick another");
    console.log(`SIGSTOP: conflict resolved ${Math.round(healed)} ms after SIGCONT`);
    for (const x of [a2, b1, c1, taker, late]) x.close();
    await stopAll([a!, b!, c!], redis);
  });
});

describe("Redis fails", () => {
  test("restart with a 2 s outage (empty, no persistence): no line lost or doubled, accounts and history written back, lists agree", async () => {
    const redis = await startRedis();
    const [a, b, c] = await cluster(redis, ["--history", "5"]);
    const a1 = await Client.join(a!.port, "a1");
    const b1 = await Client.join(b!.port, "b1");
    const c1 = await Client.join(c!.port, "c1");
    const amy = await Client.join(a!.port, "amy");
    amy.send("/register secret1");
    await within(amy.waitFor("registered to you"), 3000, "registered");
    await within(a1.waitFor("c1 joined"), 3000, "c1 joined on A");
    await within(b1.waitFor("amy joined"), 3000, "amy joined on B");

    const talking = talk(a1, 150, 20);
    await Bun.sleep(400);
    await redis.stop();
    const stoppedAt = performance.now();
    await Bun.sleep(2000);
    await redis.restart();
    const backAt = performance.now();
    await talking;
    for (const x of [b1, c1]) await seen(x, "a1: n 149", 8000);
    const recovered = performance.now() - backAt;
    for (const x of [b1, c1]) expect(numbers(x, "a1")).toEqual(upTo(150));
    for (const x of [a1, b1, c1]) {
      expect(count(x, /^\* lost contact/)).toBe(1);
      expect(count(x, /^\* back in contact/)).toBe(1);
      expect(count(x, / (joined|left)/)).toBe(x === a1 ? 3 : x === b1 ? 2 : 1); // only the joins before the outage
    }
    await converged([a1, b1, c1], ["a1", "b1", "c1", "amy"]);
    await Bun.sleep(HEARTBEAT * 3);
    for (const x of [a1, b1, c1]) expect(count(x, / (joined|left)/)).toBe(x === a1 ? 3 : x === b1 ? 2 : 1);
    // The account registered before Redis forgot it is still there, on another node too.
    amy.close();
    await within(c1.waitFor("amy left"), 3000, "amy left");
    const guest = await Client.connect(c!.port);
    await guest.waitFor("nickname");
    guest.send("amy");
    expect(await within(guest.waitFor(/^! /), 3000, "the answer")).toBe("! amy is registered; pick another nickname, then /login amy PASSWORD");
    expect(await redis.cli("HLEN", "parley:store:account")).not.toBe("0");
    // History agrees: a user joining C sees the last lines said on A.
    const late = await Client.join(c!.port, "late");
    await within(late.waitFor("the last 5 messages"), 3000, "history");
    for (let i = 145; i < 150; i++) await within(late.waitFor(`a1: n ${i}`), 3000, `history line ${i}`);
    expect(Number(await redis.cli("XLEN", "parley:history"))).toBeGreaterThanOrEqual(150);
    console.log(`Redis restart: down ${Math.round(backAt - stoppedAt)} ms, every line delivered ${Math.round(recovered)} ms after it was back, 0 lost`);
    for (const x of [a1, b1, c1, guest, late]) x.close();
    await stopAll([a!, b!, c!], redis);
  });

  test("restart (empty) during a chat in two rooms: each room's lines reach its members only, none lost or doubled; members, topic and key come back", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis.url, "A"), node(redis.url, "B")]);
    const a1 = await Client.join(a!.port, "a1");
    const b1 = await Client.join(b!.port, "b1");
    const b2 = await Client.join(b!.port, "b2");
    a1.send("/join #war k3y");
    await within(a1.waitFor("you are in #war"), 3000, "a1 in #war");
    a1.send("/topic outage drill");
    await within(a1.waitFor("set the topic"), 3000, "the topic");
    // A lobby line from A after the room was made: once B relays it, B has heard of #war, its key
    // and a1 in it (one ordered stream per node). Without this, b1 could join before B knew.
    a1.send("/switch #lobby");
    await within(a1.waitFor("now talking"), 3000, "a1 in #lobby");
    a1.send("war is open");
    await within(b1.waitFor("a1: war is open"), 3000, "the lobby line on B");
    a1.send("/switch #war");
    await within(a1.waitFor("now talking in #war"), 3000, "a1 back in #war");
    b1.send("/join #war k3y");
    await within(b1.waitFor("you are in #war now, with 2 here"), 3000, "b1 in #war");

    // a1 talks in #war and b2 in #lobby, across the outage.
    const war = talk(a1, 60, 20);
    const lobby = talk(b2, 60, 20);
    await Bun.sleep(300);
    await redis.stop();
    await Bun.sleep(1500);
    await redis.restart();
    await Promise.all([war, lobby]);
    await seen(b1, "a1: n 59", 8000);
    await seen(a1, "[#lobby] b2: n 59", 8000);
    // b1 talks in #war: its lobby lines come with the room in front; a1's war lines without.
    expect(numbers(b1, "a1")).toEqual(upTo(60));
    const lobbyAtA = a1.lines.flatMap((l) => /^\[#lobby\] b2: n (\d+)$/.exec(l)?.slice(1).map(Number) ?? []);
    expect(lobbyAtA).toEqual(upTo(60));
    // b2 is not in #war: none of its lines reached b2.
    expect(b2.lines.some((l) => l.startsWith("a1: n ") || l.includes("#war"))).toBe(false);

    // Redis forgot everything; the nodes wrote back their users (with their rooms) and the rooms' store.
    await within(seen(a1, /^\* back in contact/, 8000), 9000, "back in contact");
    const c1 = await Client.join(b!.port, "c1");
    c1.send("/join #war");
    expect(await within(c1.waitFor(/^! /), 3000, "the key")).toBe("! #war has a key: /join #war KEY");
    c1.send("/join #war k3y");
    expect(await within(c1.waitFor("you are in #war"), 3000, "c1 in #war")).toBe("* you are in #war now, with 3 here: b1, c1, a1");
    expect(await within(c1.waitFor("topic of"), 3000, "topic")).toBe("* topic of #war: outage drill");
    for (const x of [a1, b1, b2, c1]) x.close();
    await stopAll([a!, b!], redis);
  });

  test("Redis away while a node's users say more than it keeps (10,000 events): told once, what was kept arrives in order, nothing doubled", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis.url, "A", ["--flood-rate", "0"]), node(redis.url, "B", ["--flood-rate", "0"])]);
    const a1 = await Client.join(a!.port, "a1");
    const a2 = await Client.join(a!.port, "a2");
    const b1 = await Client.join(b!.port, "b1");
    await within(a1.waitFor("b1 joined"), 3000, "b1 joined on A");
    await redis.stop();
    await within(seen(a2, /^\* lost contact/, 3000), 4000, "lost contact");
    // Each line is two events for the backlog (the line and its history entry): 6,000 lines overflow it.
    const LINES = 6000;
    await a1.write(upTo(LINES).map((i) => `n ${i}\r\n`).join(""));
    await within(seen(a2, `a1: n ${LINES - 1}`, 20000), 21000, "every line on A");
    for (const x of [a1, a2]) expect(count(x, /^\* messages said here are not reaching the other servers right now/)).toBe(1);
    await redis.restart();
    await within(seen(a2, /^\* back in contact/, 8000), 9000, "back in contact");
    // In order per sender: once this reaches B, everything kept before it has.
    a1.send("after the outage");
    await within(b1.waitFor("a1: after the outage"), 10000, "the line after the outage");
    const kept = numbers(b1, "a1");
    expect(kept.length).toBeGreaterThanOrEqual(4900); // about 10,000 events' worth
    expect(kept.length).toBeLessThan(LINES);
    expect(kept).toEqual(upTo(kept.length)); // the first ones, in order, none twice
    for (const x of [a1, a2]) expect(count(x, /^\* messages said here reach the other servers again$/)).toBe(1);
    expect(a!.log.lines.filter((l) => l.includes("further messages are not reaching the other nodes")).length).toBe(1);
    console.log(`Redis away, ${LINES} lines said on one node: ${kept.length} kept and delivered in order after it was back, ${LINES - kept.length} dropped, told once`);
    for (const x of [a1, a2, b1]) x.close();
    await stopAll([a!, b!], redis);
  });

  test("SIGSTOP for 5 s: a join answers within 2 s, no one is reaped, nothing is lost", async () => {
    const redis = await startRedis();
    const [a, b, c] = await cluster(redis);
    const a1 = await Client.join(a!.port, "a1");
    const b1 = await Client.join(b!.port, "b1");
    const c1 = await Client.join(c!.port, "c1");
    await within(a1.waitFor("c1 joined"), 3000, "c1 joined on A");
    await within(b1.waitFor("c1 joined"), 3000, "c1 joined on B");
    const talking = talk(a1, 100, 30);
    await Bun.sleep(300);
    redis.pause();
    const pausedAt = performance.now();
    await Bun.sleep(200);
    const joiner = await Client.connect(b!.port);
    await joiner.waitFor("nickname");
    const askedAt = performance.now();
    joiner.send("newbie");
    const answer = await within(joiner.waitFor(/^(! |\* Hi )/), 4000, "an answer to the join");
    const took = performance.now() - askedAt;
    expect(answer).toBe("! the server cannot reach the cluster right now; try again");
    expect(took).toBeLessThan(2600);
    // A rename waits on Redis the same way: one line within 2 s, and the old nick is kept.
    const renameAt = performance.now();
    b1.send("/nick bee");
    const renamed = await within(b1.waitFor(/^(! |\* b1 is now)/), 4000, "an answer to the rename");
    const renameTook = performance.now() - renameAt;
    expect(renamed).toBe("! the server cannot reach the cluster right now; try again");
    expect(renameTook).toBeLessThan(2600);
    await Bun.sleep(Math.max(0, pausedAt + 5000 - performance.now()));
    redis.resume();
    const resumedAt = performance.now();
    await talking;
    for (const x of [b1, c1]) await seen(x, "a1: n 99", 8000);
    const recovered = performance.now() - resumedAt;
    for (const x of [b1, c1]) expect(numbers(x, "a1")).toEqual(upTo(100));
    await converged([a1, b1, c1], ["a1", "b1", "c1"]);
    await Bun.sleep(HEARTBEAT * 4);
    for (const x of [a1, b1, c1]) expect(count(x, / left/)).toBe(0);
    // And the join works now.
    await within(joiner.waitFor("choose a nickname"), 3000, "the prompt again");
    joiner.send("newbie");
    await within(joiner.waitFor("* Hi newbie!"), 3000, "the join");
    await within(a1.waitFor("newbie joined"), 3000, "newbie joined on A");
    console.log(`Redis SIGSTOP 5 s: a join answered in ${Math.round(took)} ms, a rename in ${Math.round(renameTook)} ms; every line delivered ${Math.round(recovered)} ms after SIGCONT, 0 lost`);
    for (const x of [a1, b1, c1, joiner]) x.close();
    await stopAll([a!, b!, c!], redis);
  });

  test("full (maxmemory, noeviction) then freed: claims fail in one line, no one is reaped, a warning, and everything heals", async () => {
    const redis = await startRedis();
    const [a, b, c] = await cluster(redis);
    const a1 = await Client.join(a!.port, "a1");
    const b1 = await Client.join(b!.port, "b1");
    const c1 = await Client.join(c!.port, "c1");
    await within(a1.waitFor("c1 joined"), 3000, "c1 joined on A");
    await within(b1.waitFor("c1 joined"), 3000, "c1 joined on B");
    const used = Number(/used_memory:(\d+)/.exec(await redis.cli("INFO", "memory"))![1]);
    expect(await redis.cli("CONFIG", "SET", "maxmemory-policy", "noeviction")).toBe("OK");
    expect(await redis.cli("CONFIG", "SET", "maxmemory", String(used + 4 * 1024 * 1024))).toBe("OK");
    expect(await redis.cli("SETRANGE", "filler", String(8 * 1024 * 1024), "x")).toMatch(/^\d+$/);
    const talking = talk(a1, 40, 25);
    // Two clients racing for one nick while Redis is full: neither wins.
    const [x, y] = await Promise.all([Client.connect(b!.port), Client.connect(c!.port)]);
    await Promise.all([x.waitFor("nickname"), y.waitFor("nickname")]);
    x.send("racer");
    y.send("racer");
    for (const r of [x, y]) expect(await within(r.waitFor(/^(! |\* Hi )/), 3000, "an answer")).toBe("! the server cannot reach the cluster right now; try again");
    // A /register while full is kept and written once there is room.
    b1.send("/register secret2");
    await within(b1.waitFor("registered to you"), 3000, "registered");
    await Bun.sleep(HEARTBEAT * 5);
    await talking;
    for (const n of [a, b, c]) expect(await within(n!.waitForLog("out of memory (maxmemory)"), 3000, "the warning")).toContain("Redis is out of memory");
    expect(await redis.cli("DEL", "filler")).toBe("1");
    const freedAt = performance.now();
    for (const r of [b1, c1]) await seen(r, "a1: n 39", 6000);
    const recovered = performance.now() - freedAt;
    for (const r of [b1, c1]) expect(numbers(r, "a1")).toEqual(upTo(40));
    for (const r of [x, y]) await within(r.waitFor("choose a nickname"), 3000, "the prompt again");
    x.send("racer");
    y.send("racer");
    const outcomes = await Promise.all([x, y].map((r) => within(r.waitFor(/^(! |\* Hi )/), 3000, "an answer")));
    expect(outcomes.filter((o) => o.startsWith("* Hi racer!")).length).toBe(1);
    expect(outcomes.filter((o) => o === "! racer is taken, pick another").length).toBe(1);
    await converged([a1, b1, c1], ["a1", "b1", "c1", "racer"]);
    for (const r of [a1, b1, c1]) expect(count(r, / left/)).toBe(0);
    expect(await redis.cli("HLEN", "parley:store:account")).toBe("1"); // b1's (its key is the nick's skeleton)
    for (const n of [a, b, c]) expect(n!.log.lines.filter((l) => l.includes("out of memory (maxmemory)")).length).toBe(1);
    console.log(`Redis full: every line delivered ${Math.round(recovered)} ms after memory was freed, 0 lost`);
    for (const r of [a1, b1, c1, x, y]) r.close();
    await stopAll([a!, b!, c!], redis);
  });
});

describe("errors say what is wrong, and never a secret", () => {
  test("a wrong or missing password, and PARLEY_REDIS_URL", async () => {
    const redis = await startRedis({ password: "hunter2-secret" });
    const wrong = redis.url.replace("hunter2-secret", "not-the-password");
    const bad = await runToEnd(["chat", "--host", "127.0.0.1", "--port", "0", "--redis", wrong]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(`parley: cannot reach Redis at redis://:***@127.0.0.1:${redis.port}: Redis refused the password (add --redis-optional to run alone)`);
    expect(bad.stderr).not.toContain("not-the-password");
    const none = await runToEnd(["chat", "--host", "127.0.0.1", "--port", "0", "--redis", `redis://127.0.0.1:${redis.port}`]);
    expect(none.stderr).toContain("Redis needs a password");
    const malformed = await runToEnd(["chat", "--host", "127.0.0.1", "--port", "0", "--redis", "redis://:hunter2-secret@[nope"]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain("--redis is not a valid URL");
    expect(malformed.stderr).not.toContain("hunter2");
    // The URL from the environment, so the password is not in ps.
    const a = await node("", "A", [], { PARLEY_REDIS_URL: redis.url });
    expect(await a.waitForLog("joined the cluster")).toContain("redis://:***@127.0.0.1");
    const c = await Client.join(a.port, "envuser");
    c.close();
    await a.stop();
    expect(a.log.lines.join("\n")).not.toContain("hunter2");
    await redis.stop();
  });

  test("TLS: an untrusted certificate says to give --redis-ca, and with it two nodes share the room", async () => {
    const certs = await makeCerts();
    const redis = await startRedis({ tls: certs });
    const untrusted = await runToEnd(["chat", "--host", "127.0.0.1", "--port", "0", "--redis", redis.url]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr.trim()).toBe(`parley: cannot reach Redis at ${redis.url}: Redis TLS: certificate not trusted (give --redis-ca FILE) (add --redis-optional to run alone)`);
    const [a, b] = await Promise.all(["A", "B"].map((n) => node(redis.url, n, ["--redis-ca", certs.ca])));
    const amy = await Client.join(a!.port, "amy");
    const bob = await Client.join(b!.port, "bob");
    await within(amy.waitFor("bob joined"), 3000, "bob joined over TLS");
    amy.send("over tls");
    expect(await within(bob.waitFor("amy:"), 3000, "the line")).toBe("amy: over tls");
    amy.close();
    bob.close();
    await stopAll([a!, b!], redis);
  });

  test("plain Redis with rediss://, and TLS Redis with redis://", async () => {
    const plain = await startRedis();
    const certs = await makeCerts();
    const secure = await startRedis({ tls: certs });
    const one = await runToEnd(["chat", "--host", "127.0.0.1", "--port", "0", "--redis", plain.url.replace("redis://", "rediss://")]);
    expect(one.stderr).toContain("this looks like a plain Redis; use redis:// not rediss://");
    const two = await runToEnd(["chat", "--host", "127.0.0.1", "--port", "0", "--redis", secure.url.replace("rediss://", "redis://")]);
    expect(two.stderr).toContain("this looks like a TLS Redis; use rediss:// not redis://");
    await plain.stop();
    await secure.stop();
  });
});
