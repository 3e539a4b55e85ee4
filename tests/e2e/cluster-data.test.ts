// Two dist/parley nodes with --redis and --data (each its own SQLite file)
// and a real redis-server without persistence, on loopback: every node
// stops, Redis restarts empty (a power cut), and the nodes come back. The
// accounts, bans and history come back from the --data files; a ban lifted
// while one node was down stays lifted, even when that node, holding the
// older copy, is the first one back (the newer change wins, key by key).

import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "../helpers/client.ts";
import { LineReader, startChat, type Parley } from "../helpers/parley.ts";
import { startRedis, type Redis } from "../helpers/redis.ts";

const HEARTBEAT = 300;
const BUN = resolve(import.meta.dir, "../../node_modules/.bin/bun");

function node(redis: Redis, name: string, data: string): Promise<Parley> {
  return startChat(["--redis", redis.url, "--node-name", name, "--heartbeat", String(HEARTBEAT), "--data", data, "--admin-password", "pw", "--history", "20"]);
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

/** A client connected from another loopback address; the first thing the server says to it. */
async function fromAddress(port: number, address: string): Promise<{ client: Client; first: string }> {
  const socket = net.connect({ host: "127.0.0.1", port, localAddress: address });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  const client = Client.adopt(socket);
  const first = await within(client.waitFor(/banned|nickname/), 3000, `the first line to ${address}`);
  return { client, first };
}

/** Everything `from` said before this reached `on`'s node: one events stream, read in order. */
async function heardThrough(from: Client, fromNick: string, on: Client, word: string): Promise<void> {
  from.send(word);
  await within(on.waitFor(`${fromNick}: ${word}`), 5000, `${word} on the other node`);
}

describe("every node and a non-persistent Redis restart", () => {
  test("accounts, bans and history come back from --data; a ban lifted while a node was down stays lifted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-cluster-data-"));
    const files = { A: join(dir, "a.db"), B: join(dir, "b.db") };
    const redis = await startRedis();
    let [a, b] = await Promise.all([node(redis, "A", files.A), node(redis, "B", files.B)]);

    // An account, two bans and a line of history, made on A, heard on B.
    const amy = await Client.join(a.port, "amy");
    amy.send("/register secret1");
    await within(amy.waitFor("registered to you"), 5000, "registered");
    const boss = await Client.join(a.port, "boss");
    boss.send("/op pw");
    await within(boss.waitFor("operator now"), 3000, "op");
    boss.send("/ban 127.0.0.3");
    await within(boss.waitFor("banned 127.0.0.3"), 3000, "ban .3");
    boss.send("/ban 127.0.0.4");
    await within(boss.waitFor("banned 127.0.0.4"), 3000, "ban .4");
    const watcher = await Client.join(b.port, "watcher");
    await heardThrough(amy, "amy", watcher, "said before the power cut");
    await heardThrough(boss, "boss", watcher, "bans-are-in");
    expect((await fromAddress(b.port, "127.0.0.4")).first).toBe("! you are banned from this server");

    // B goes down; on A the ban of .4 is lifted; then A goes down too, and Redis restarts empty.
    watcher.close();
    expect(await b.stop()).toBe(0);
    boss.send("/unban 127.0.0.4");
    await within(boss.waitFor("127.0.0.4 is no longer banned"), 3000, "unban");
    for (const c of [amy, boss]) c.close();
    expect(await a.stop()).toBe(0);
    await redis.stop();
    await redis.restart();
    expect(await redis.cli("DBSIZE")).toBe("0");

    // B, with the older copy (the ban of .4 still in it), comes back first; then A.
    b = await node(redis, "B", files.B);
    a = await node(redis, "A", files.A);
    for (const [name, n] of [["B", b], ["A", a]] as const) {
      const said = await within(n.waitForLog(/does not hold what --data/), 3000, "the re-seed log");
      // Each writes what Redis had nothing newer for: B everything, A the lifted ban (newer than B's copy).
      expect(Number(/wrote back (\d+) store changes/.exec(said)?.[1])).toBeGreaterThan(0);
      console.log(`${name} at start: ${said.replace(/^.*; /, "")}`);
    }
    // Once a line said on A after its start reached B, B has heard what A's re-seed changed.
    const talker = await Client.join(a.port, "talker");
    const listener = await Client.join(b.port, "listener");
    await heardThrough(talker, "talker", listener, "after-the-restart");

    for (const n of [a, b]) {
      // The ban that was never lifted holds; the one lifted on A while B was down stays lifted.
      expect((await fromAddress(n.port, "127.0.0.3")).first).toBe("! you are banned from this server");
      const lifted = await fromAddress(n.port, "127.0.0.4");
      expect(lifted.first).toContain("nickname");
      lifted.client.close();
      // A stranger cannot take amy.
      const stranger = await Client.connect(n.port);
      await within(stranger.waitFor("nickname"), 3000, "the nickname prompt");
      stranger.send("amy");
      expect(await within(stranger.waitFor(/^! /), 3000, "the answer")).toBe("! amy is registered; pick another nickname, then /login amy PASSWORD");
      stranger.close();
    }
    // The owner can log in (on B, whose copy came back first), and the history is there.
    const owner = await Client.join(b.port, "notamy");
    await within(owner.waitFor("amy: said before the power cut"), 3000, "the history from before");
    owner.send("/login amy secret1");
    expect(await within(owner.waitFor(/logged in|^! /), 10000, "the login")).toBe("* you are logged in as amy");
    expect(await redis.cli("HEXISTS", "parley:store-time:ops", "bans")).toBe("1");

    for (const c of [owner, talker, listener]) c.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }, 60000);

  test("a --data file that cannot be written costs its copy, never the cluster: told once, kept again when it can be", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-cluster-data-lock-"));
    const data = join(dir, "a.db");
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A", data), node(redis, "B", join(dir, "b.db"))]);
    // Another process takes the write lock of A's file and keeps it until told to let go.
    const holder = Bun.spawn([BUN, "-e", `const { Database } = require("bun:sqlite"); const db = new Database(${JSON.stringify(data)}); db.run("BEGIN IMMEDIATE"); console.log("locked"); for await (const _ of console) { db.run("COMMIT"); console.log("released"); break; }`], { stdin: "pipe", stdout: "pipe" });
    const said = new LineReader(holder.stdout);
    await within(said.waitFor("locked"), 5000, "the lock");
    const amy = await Client.join(a.port, "amy");
    const watcher = await Client.join(b.port, "watcher");
    amy.send("/register secret1");
    await within(amy.waitFor("registered to you"), 5000, "registered");
    for (let i = 1; i <= 5; i++) await heardThrough(amy, "amy", watcher, `locked out ${i}`);
    const stranger = await Client.connect(b.port);
    await within(stranger.waitFor("nickname"), 3000, "the nickname prompt");
    stranger.send("amy");
    expect(await within(stranger.waitFor(/^! /), 3000, "the answer")).toBe("! amy is registered; pick another nickname, then /login amy PASSWORD");
    const told = (what: string) => a.log.lines.filter((l) => l.includes(what)).length;
    expect(await within(a.waitForLog("cannot keep the local copy of the cluster's stores"), 3000, "the store warning")).toContain("the cluster goes on without it");
    expect(told("cannot keep the local copy of the cluster's stores")).toBe(1);
    holder.stdin.write("let go\n");
    holder.stdin.flush();
    await within(said.waitFor("released"), 5000, "the release");
    await holder.exited;
    // The next change is kept again, and said so.
    amy.send("/register secret2");
    await within(amy.waitFor(/^[!*] /), 5000, "the second register's answer");
    const boss = await Client.join(a.port, "boss");
    boss.send("/op pw");
    await within(boss.waitFor("operator now"), 3000, "op");
    boss.send("/ban 127.0.0.5");
    await within(boss.waitFor("banned 127.0.0.5"), 3000, "ban");
    expect(await within(a.waitForLog("local copy of the cluster's stores is being kept again"), 3000, "kept again")).toContain("being kept again");
    expect(await within(a.waitForLog("local copy of the history is being kept again"), 5000, "history kept again")).toContain("being kept again");
    for (const c of [amy, watcher, stranger, boss]) c.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }, 60000);
});
