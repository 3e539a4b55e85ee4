// The mute gate: a muted user cannot reach the room by any path, not even
// through a plugin that broadcasts on their behalf (CommandContext.broadcast
// passes the room's message hooks, as the user's own lines do). On one
// server, and across two cluster nodes sharing the ops plugin's store
// through a real redis-server. Absence is proved by arrival order: once the
// mute is lifted, bob's next lines arrive, and nothing of his came before.

import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";
import { startRedis, type Redis } from "../helpers/redis.ts";

const WAIT_MS = 10_000;
const HEARTBEAT = 200;

/** The next line of `client` that matches, or a failure showing what it saw after WAIT_MS. */
function see(client: Client, match: string | RegExp): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no line matching ${match} within ${WAIT_MS} ms; last lines:\n${client.lines.slice(-10).join("\n")}`)), WAIT_MS);
  });
  return Promise.race([client.waitFor(match), limit]).finally(() => clearTimeout(timer));
}

const SHOUT_TS = `import { defineCommand, definePlugin } from "parley";

export default definePlugin({
  name: "shout",
  description: "a notice to everyone, on the user's behalf",
  commands: [
    defineCommand({
      name: "shout",
      params: ["text..."],
      summary: "tell everyone TEXT as a notice",
      run(ctx, [text]) {
        ctx.broadcast(text);
      },
    }),
  ],
});
`;

/** A fresh plugins folder holding shout.ts. */
function shoutFolder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "parley-mute-gate-")), "plugins");
  mkdirSync(dir);
  writeFileSync(join(dir, "shout.ts"), SHOUT_TS);
  return dir;
}

/** What bob tries while muted: each text is unique, so any trace of it in a witness's lines is a leak. */
const WHILE_MUTED = ["/shout hello while muted", "a plain line while muted", "/me waves while muted"];
const LEAK = "while muted";

/**
 * The whole scenario: `oper` (already an operator) mutes bob, bob tries the
 * three ways and is refused each time, oper unmutes him, and his next three
 * lines reach every witness, with nothing of his before them.
 */
async function muteScenario(oper: Client, bob: Client, witnesses: Client[]): Promise<void> {
  // The plugin works, and bob's notices reach everyone, before the mute.
  bob.send("/shout before the mute");
  for (const w of [oper, ...witnesses]) expect(await see(w, "[shout]")).toBe("[shout] before the mute");

  oper.send("/mute bob");
  expect(await see(oper, /^(\* muted|! )/)).toBe("* muted bob for good");
  // In a cluster this notice travels on the channel right behind the store
  // change (cluster-store.ts), so once bob has it, his node has the mute.
  expect(await see(bob, "[ops]")).toBe("[ops] you have been muted by oper for good");

  for (const line of WHILE_MUTED) bob.send(line);
  // Bob is told, once for each, and each refusal is observed before going on.
  for (let i = 0; i < WHILE_MUTED.length; i++) expect(await see(bob, /^! /)).toBe("! you are muted: the room does not see your lines");

  oper.send("/unmute bob");
  expect(await see(oper, /^(\* unmuted|! )/)).toBe("* unmuted bob");
  expect(await see(bob, "[ops]")).toBe("[ops] you can speak again");

  bob.send("/shout after the mute");
  bob.send("a plain line after the mute");
  bob.send("/me waves after the mute");
  for (const w of [oper, ...witnesses]) {
    expect(await see(w, "[shout]")).toBe("[shout] after the mute");
    // Everything bob did while muted came before this in his order: none of it arrived.
    expect(w.lines.filter((l) => l.includes(LEAK))).toEqual([]);
    expect(await see(w, "bob:")).toBe("bob: a plain line after the mute");
    expect(await see(w, "waves")).toBe("** bob waves after the mute");
  }
  for (const w of [oper, ...witnesses]) expect(w.lines.filter((l) => l.includes(LEAK))).toEqual([]);
}

async function operator(port: number): Promise<Client> {
  const oper = await Client.join(port, "oper");
  oper.send("/op pw");
  expect(await see(oper, /^(\* you are an operator|! )/)).toBe("* you are an operator now: /kick, /ban, /unban, /bans, /mute, /unmute, /reload, /stats");
  return oper;
}

describe("a muted user cannot reach the room through a broadcasting plugin", () => {
  test("on one server: /shout, a plain line and /me are refused while muted, and arrive once unmuted", async () => {
    const parley = await startChat(["--admin-password", "pw", "--plugins", shoutFolder()]);
    expect(await parley.waitForLog("plugins:")).toStartWith("plugins: 1 loaded from ");
    const oper = await operator(parley.port);
    const bob = await Client.join(parley.port, "bob");
    const cat = await Client.join(parley.port, "cat");
    await see(oper, "cat joined");
    await see(bob, "cat joined");

    await muteScenario(oper, bob, [cat]);
    for (const c of [oper, bob, cat]) c.close();
    await parley.stop();
  });

  test("across two nodes: muted on A, bob on B reaches no one on A or B until unmuted", async () => {
    const redis: Redis = await startRedis();
    const plugins = shoutFolder();
    const node = (name: string): Promise<Parley> =>
      startChat(["--redis", redis.url, "--node-name", name, "--heartbeat", String(HEARTBEAT), "--plugins", plugins, "--admin-password", "pw"]);
    const [a, b] = await Promise.all([node("A"), node("B")]);

    const oper = await operator(a.port);
    const cat = await Client.join(a.port, "cat");
    const bob = await Client.join(b.port, "bob");
    const dan = await Client.join(b.port, "dan");
    // dan joined last, from B: once each has seen that, everyone knows everyone.
    for (const c of [oper, cat, bob]) await see(c, "dan joined");
    expect(dan.lines).toContain("* Hi dan! Online (4): oper, cat, bob, dan");

    await muteScenario(oper, bob, [cat, dan]);
    for (const c of [oper, bob, cat, dan]) c.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  });
});

describe("a muted user cannot reach the room through the room commands", () => {
  test("a topic is held (and kept off the room), a part reason is left out; both come through once unmuted", async () => {
    const parley = await startChat(["--admin-password", "pw"]);
    const oper = await operator(parley.port);
    const bob = await Client.join(parley.port, "bob");
    const cat = await Client.join(parley.port, "cat");
    await see(oper, "cat joined");
    for (const c of [oper, bob, cat]) {
      c.send("/join #deals");
      await see(c, "you are in #deals");
    }
    oper.send("/mute bob");
    await see(oper, "* muted bob");
    bob.send("/topic BUY NOW at example.test");
    expect(await see(bob, /^! /)).toBe("! you are muted: the room does not see your lines");
    bob.send("/part #deals BUY NOW at example.test");
    expect(await see(cat, "bob left #deals")).toBe("* bob left #deals (parted)");
    // bob is told his reason was held, as for a line.
    expect(await see(bob, /^! /)).toBe("! you are muted: the room does not see your lines");
    // Nor can a new room's name carry it to /rooms; a room that exists can still be joined.
    bob.send("/join #BUY-NOW");
    expect(await see(bob, /^! /)).toBe("! you are muted: you cannot make a room now");
    bob.send("/join #deals");
    await see(bob, "you are in #deals");
    bob.send("/part #deals");
    await see(bob, "you left #deals");
    // Nothing of bob's text reached cat, and the room has no topic.
    cat.send("/topic");
    expect(await see(cat, /^\* #deals has/)).toBe("* #deals has no topic");
    expect(cat.lines.join("\n")).not.toContain("BUY NOW");

    oper.send("/unmute bob");
    await see(oper, "* unmuted bob");
    bob.send("/join #deals");
    await see(bob, "you are in #deals");
    bob.send("/topic deals of the day");
    expect(await see(cat, "set the topic")).toBe("* bob set the topic of #deals: deals of the day");
    for (const c of [oper, bob, cat]) c.close();
    await parley.stop();
  });
});

describe("a mute follows the person, not the nick", () => {
  test("the muted user who comes back under another nick is still muted; someone else who takes the nick, from another address, is not", async () => {
    const parley = await startChat(["--admin-password", "pw"]);
    const oper = await Client.join(parley.port, "oper");
    oper.send("/op pw");
    await see(oper, "operator now");
    const witness = await Client.join(parley.port, "witness");
    const bob = await Client.join(parley.port, "bob");
    oper.send("/mute bob");
    await see(oper, "* muted bob");
    bob.close();
    await see(witness, "bob left");
    // Back from the same address under a new nick: still muted.
    const again = await Client.join(parley.port, "robert");
    again.send("the muted one, renamed");
    expect(await see(again, /^! /)).toBe("! you are muted: the room does not see your lines");
    // Someone else, from another loopback address, takes "bob": they may speak.
    const socket = await new Promise<net.Socket>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port: parley.port, localAddress: "127.0.0.2" });
      s.once("connect", () => resolve(s));
    });
    const other = Client.adopt(socket);
    await see(other, "choose a nickname");
    other.send("bob");
    await see(other, "* Hi bob!");
    other.send("a different bob");
    expect(await see(witness, "bob:")).toBe("bob: a different bob");
    // Someone who joined from the muted address later is caught too; /unmute lets them speak, and only them.
    const carol = await Client.join(parley.port, "carol");
    carol.send("caught by the address");
    expect(await see(carol, /^! /)).toBe("! you are muted: the room does not see your lines");
    oper.send("/unmute carol");
    expect(await see(oper, "unmuted carol")).toBe("* unmuted carol");
    carol.send("carol may speak");
    expect(await see(witness, "carol:")).toBe("carol: carol may speak");
    again.send("the muted one, still");
    expect(await see(again, /^! /)).toBe("! you are muted: the room does not see your lines");
    // And the people who were already here from the muted address keep their voice.
    oper.send("still an operator's voice");
    expect(await see(witness, "oper:")).toBe("oper: still an operator's voice");
    expect(witness.lines.some((l) => l.includes("the muted one"))).toBe(false);
    for (const c of [oper, witness, again, other, carol]) c.close();
    await parley.stop();
  });
});
