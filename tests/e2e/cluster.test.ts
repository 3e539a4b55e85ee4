// Several dist/parley nodes sharing one room through a real redis-server
// on loopback: every room behaviour across nodes, nick races, presence when
// a node dies, and a Redis restart in the middle of a chat.

import { describe, expect, test } from "bun:test";
import net from "node:net";
import { Client } from "../helpers/client.ts";
import { runToEnd, startChat, type Parley } from "../helpers/parley.ts";
import { freePort, startRedis, type Redis } from "../helpers/redis.ts";

const HEARTBEAT = 200;

function node(redis: Redis, name: string, extra: string[] = []): Promise<Parley> {
  return startChat(["--redis", redis.url, "--node-name", name, "--heartbeat", String(HEARTBEAT), ...extra]);
}

describe("two nodes, one room", () => {
  test("joins, lines, private messages, renames and leaves cross nodes; the list shows everyone", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A", ["--admin-password", "pw"]), node(redis, "B")]);
    const amy = await Client.join(a.port, "amy");
    const bob = await Client.join(b.port, "bob");
    expect(await amy.waitFor("joined")).toBe("* bob joined (2 online)");
    expect(bob.lines).toContain("* Hi bob! Online (2): amy, bob");

    amy.send("hello from A 你好");
    expect(await bob.waitFor("amy:")).toBe("amy: hello from A 你好");
    bob.send("/me waves from B");
    expect(await amy.waitFor("waves")).toBe("** bob waves from B");
    bob.send("c:amy:psst");
    expect(await amy.waitFor("[private]")).toBe("[private] bob: psst");

    bob.send("/nick robert");
    expect(await amy.waitFor("is now")).toBe("* bob is now robert");
    amy.send("c:robert:got it");
    expect(await bob.waitFor("[private] amy")).toBe("[private] amy: got it");

    const op = await Client.join(a.port, "oper");
    op.send("/op pw");
    await op.waitFor("operator now");
    op.send("/nodes");
    await op.waitFor("3 online:");
    const rows = [await op.waitFor(/^\*   /), await op.waitFor(/^\*   /), await op.waitFor(/^\*   /)];
    expect(rows).toEqual([
      // Columns line up: the nick column is as wide as the widest nick.
      expect.stringMatching(/^\*   amy {5}127\.0\.0\.1:\d+ +on A$/),
      expect.stringMatching(/^\*   robert  127\.0\.0\.1:\d+ +on B$/),
      expect.stringMatching(/^\*   oper {4}127\.0\.0\.1:\d+ +on A$/),
    ]);
    op.close();
    await amy.waitFor("oper left");

    amy.send("l");
    await amy.waitFor("2 online:");
    expect([await amy.waitFor(/^\*   /), await amy.waitFor(/^\*   /)].map((l) => l.split(/\s+/)[1])).toEqual(["amy", "robert"]);

    bob.close();
    expect(await amy.waitFor("left")).toBe("* robert left (connection closed)");
    amy.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  });

  test("a nickname is unique across nodes, without regard to case; a race for one is won by exactly one", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A"), node(redis, "B")]);
    await Client.join(a.port, "Taken");
    const other = await Client.connect(b.port);
    await other.waitFor("nickname");
    other.send("tAKEN");
    expect(await other.waitFor(/^! /)).toBe("! tAKEN is taken, pick another");

    for (let round = 0; round < 5; round++) {
      const [x, y] = await Promise.all([Client.connect(a.port), Client.connect(b.port)]);
      await Promise.all([x.waitFor("nickname"), y.waitFor("nickname")]);
      x.send(`race${round}`);
      y.send(`RACE${round}`);
      const outcomes = await Promise.all([x, y].map((c) => c.waitFor(/^(\* Hi |! )/)));
      expect(outcomes.filter((o) => o.startsWith("* Hi ")).length).toBe(1);
      expect(outcomes.filter((o) => o.includes("is taken")).length).toBe(1);
      x.close();
      y.close();
    }
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  });

  test("messages from one user arrive in the order sent at every node", async () => {
    const redis = await startRedis();
    const [a, b, c] = await Promise.all([node(redis, "A"), node(redis, "B"), node(redis, "C")]);
    const talker = await Client.join(a.port, "talker");
    const onB = await Client.join(b.port, "onb");
    const onC = await Client.join(c.port, "onc");
    await talker.waitFor("onc joined");
    for (let i = 0; i < 300; i++) talker.send(`seq ${i}`);
    for (const reader of [onB, onC]) {
      await reader.waitFor("talker: seq 299");
      const seen = reader.lines.filter((l) => l.startsWith("talker: seq ")).map((l) => Number(l.slice(12)));
      expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i));
    }
    for (const x of [talker, onB, onC]) x.close();
    await Promise.all([a.stop(), b.stop(), c.stop()]);
    await redis.stop();
  });

  test("history is shared: a user joining on one node sees what was said on another", async () => {
    const redis = await startRedis();
    const a = await node(redis, "A", ["--history", "5"]);
    const amy = await Client.join(a.port, "amy");
    amy.send("said before B existed");
    await amy.sync();
    const b = await node(redis, "B", ["--history", "5"]);
    const late = await Client.join(b.port, "late");
    await late.waitFor("the last 1 message:");
    expect(await late.waitFor("amy:")).toMatch(/^\[\d\d:\d\d\] amy: said before B existed$/);
    amy.send("and after");
    await late.waitFor("amy: and after");
    const later = await Client.join(b.port, "later");
    await later.waitFor("the last 2 messages:");
    amy.close();
    late.close();
    later.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  });

  test("accounts and bans are seen by every node", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A", ["--admin-password", "pw"]), node(redis, "B", ["--admin-password", "pw"])]);
    const amy = await Client.join(a.port, "amy");
    amy.send("/register secret1");
    await amy.waitFor("registered to you");
    const watcher = await Client.join(b.port, "watcher");
    amy.close();
    // Once B has seen amy leave, it has seen her registration too (one channel, in order).
    await watcher.waitFor("amy left");
    const guest = await Client.connect(b.port);
    await guest.waitFor("nickname");
    guest.send("amy");
    expect(await guest.waitFor(/^! /)).toBe("! amy is registered; pick another nickname, then /login amy PASSWORD");

    watcher.close();
    const op = await Client.join(a.port, "boss");
    op.send("/op pw");
    await op.waitFor("operator now");
    op.send("/ban 127.0.0.3");
    await op.waitFor("banned 127.0.0.3");
    const firstLine = () =>
      new Promise<string>((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port: b.port, localAddress: "127.0.0.3" });
        let text = "";
        socket.on("data", (d: Buffer) => {
          text += d.toString();
          if (text.includes("\n")) socket.destroy();
        });
        socket.on("close", () => resolve(text.split("\r\n")[0]!));
      });
    // The ban travels to B on the channel right after it is stored; a few tries at most.
    let refused = await firstLine();
    for (let i = 0; i < 20 && refused !== "! you are banned from this server"; i++) refused = await firstLine();
    expect(refused).toBe("! you are banned from this server");
    op.close();
    guest.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  });

  test("a cluster prefix keeps two clusters on one Redis apart", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A", ["--redis-prefix", "lab1"]), node(redis, "B", ["--redis-prefix", "lab2"])]);
    const amy = await Client.join(a.port, "amy");
    const bob = await Client.join(b.port, "amy"); // same nick: another cluster
    amy.send("only lab1");
    const seen = await bob.sync();
    expect(seen.some((l) => l.includes("only lab1"))).toBe(false);
    amy.close();
    bob.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  });
});

describe("a connection that goes away while Redis is asked", () => {
  test("leaves no ghost and no claimed nickname, whether it was joining or renaming", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A"), node(redis, "B")]);
    const watcher = await Client.join(b.port, "watcher");

    // Joining: the nick, then a reset at once.
    const joiner = await Client.connect(a.port);
    await joiner.waitFor("nickname");
    joiner.send("ghostjoin");
    joiner.socket.resetAndDestroy();
    // Whether or not the join got through first, no one is left holding the name.
    const taker = await Client.connect(b.port);
    await taker.waitFor("nickname");
    for (let i = 0; i < 40; i++) {
      taker.send("ghostjoin");
      const answer = await taker.waitFor(/^(\* Hi |! )/);
      if (answer.startsWith("* Hi ")) break;
      await watcher.sync(); // let the leave travel, then ask again
    }
    expect(taker.lines.some((l) => l.startsWith("* Hi ghostjoin!"))).toBe(true);

    // Renaming: the command, then a reset at once.
    const renamer = await Client.join(a.port, "renamer");
    renamer.send("/nick lockednick");
    renamer.socket.resetAndDestroy();
    // The rename may or may not have finished before the reset: either way the user leaves.
    await watcher.waitFor(/^\* (renamer|lockednick) left/);
    const second = await Client.connect(b.port);
    await second.waitFor("nickname");
    for (let i = 0; i < 40; i++) {
      second.send("lockednick");
      const answer = await second.waitFor(/^(\* Hi |! )/);
      if (answer.startsWith("* Hi ")) break;
      await watcher.sync();
    }
    expect(second.lines.some((l) => l.startsWith("* Hi lockednick!"))).toBe(true);
    watcher.send("l");
    await watcher.waitFor("online:");
    for (const c of [watcher, taker, second]) c.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  });
});

describe("presence", () => {
  test("when a node is killed with -9, its users leave every other node's list within about two heartbeats", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A"), node(redis, "B")]);
    const doomed = await Client.join(a.port, "doomed");
    const watcher = await Client.join(b.port, "watcher");
    await doomed.waitFor("watcher joined");
    const killedAt = performance.now();
    a.proc.kill("SIGKILL");
    expect(await watcher.waitFor("doomed left")).toBe("* doomed left (their server stopped answering)");
    const took = performance.now() - killedAt;
    // Two heartbeats of expiry and half a heartbeat between checks; generous for a loaded machine.
    expect(took).toBeLessThan(HEARTBEAT * 10);
    watcher.send("l");
    expect(await watcher.waitFor("online:")).toBe("* 1 online:");
    // Its nickname is free again.
    const again = await Client.join(b.port, "doomed");
    again.close();
    watcher.close();
    await b.stop();
    await redis.stop();
  });

  test("a node that stops cleanly is seen leaving at once", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A"), node(redis, "B")]);
    await Client.join(a.port, "leaving");
    const watcher = await Client.join(b.port, "stays");
    await a.stop();
    expect(await watcher.waitFor("leaving left")).toBe("* leaving left (their server shut down)");
    watcher.close();
    await b.stop();
    await redis.stop();
  });
});

describe("when Redis is not there", () => {
  test("at start: one line and a non-zero exit, or a warning with --redis-optional", async () => {
    const port = await freePort();
    const { code, stderr } = await runToEnd(["chat", "--host", "127.0.0.1", "--port", "0", "--redis", `redis://127.0.0.1:${port}`]);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(new RegExp(`^parley: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .+ \\(add --redis-optional to run alone\\)$`));
    const alone = await startChat(["--redis", `redis://127.0.0.1:${port}`, "--redis-optional"]);
    expect(await alone.waitForLog("running alone")).toContain("cannot reach Redis");
    const c = await Client.join(alone.port, "solo");
    c.close();
    await alone.stop();
  });

  test("lost mid-chat: each node keeps chatting locally, says so once, and the cluster heals", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A"), node(redis, "B")]);
    const a1 = await Client.join(a.port, "a1");
    const a2 = await Client.join(a.port, "a2");
    const b1 = await Client.join(b.port, "b1");
    await a1.waitFor("b1 joined");

    await redis.stop();
    expect(await a1.waitFor("lost contact")).toBe("* lost contact with the other parley nodes; you can still talk with those on this one");
    await b1.waitFor("lost contact");
    a1.send("still here on A");
    expect(await a2.waitFor("a1:")).toBe("a1: still here on A");
    // b1 leaves while the nodes are cut off; A cannot hear it yet.
    b1.close();

    await redis.restart();
    await a1.waitFor("back in contact");
    const b2 = await Client.join(b.port, "b2");
    // A hears b2 join at once, and that b1 left while they were cut off
    // (B kept the leave for the others, with its reason); each said exactly once.
    expect(await a1.waitFor("b1 left")).toBe("* b1 left (connection closed)");
    b2.send("hello across again");
    expect(await a1.waitFor("b2:")).toBe("b2: hello across again");
    expect(await a2.waitFor("b2:")).toBe("b2: hello across again");
    const count = (text: string) => a1.lines.filter((l) => l.includes(text)).length;
    for (const notice of ["b1 left", "b2 joined", "lost contact", "back in contact"]) expect(count(notice)).toBe(1);
    expect(count("a2 joined") + count("a2 left") + count("b1 joined")).toBe(2); // a2 and b1 joined once, before
    a1.send("l");
    expect(await a1.waitFor("online:")).toBe("* 3 online:");
    for (const x of [a1, a2, b2]) x.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  });
});
