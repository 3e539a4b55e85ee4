// Guessing a password is slow however it is done: hanging up right after a
// guess, or opening many connections from one address, does not make the
// server check guesses faster; other addresses are not held back by it.
// Counted from the server's own log of each wrong guess it checked.

import { describe, expect, test } from "bun:test";
import net from "node:net";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

/** Connects from `localAddress`, sends one guess and hangs up at once. */
function guessAndHangUp(port: number, guess: string, localAddress = "127.0.0.1"): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress }, () => {
      socket.write(`${guess}\r\n`);
      socket.destroy();
      resolve();
    });
    socket.on("error", () => resolve());
  });
}

const checked = (parley: Parley) => parley.log.lines.filter((l) => l.includes("wrong password (")).length;

describe("guessing the server password", () => {
  test("guesses sent and hung up on, 10 at a time for 3 s, are checked a handful of times, not hundreds", async () => {
    const parley = await startChat(["--password", "the-real-one"]);
    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < 3000) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => guessAndHangUp(parley.port, `guess-${sent + i}`)));
      sent += 10;
    }
    // Before: every guess was checked (about 190 a second). Now the address's
    // guesses wait their turn, 1 s after a wrong one, then 2 s, 4 s: at most
    // 0 + 1 + 2 s of turns fit in 3 s, so three checks (four with slack).
    expect(sent).toBeGreaterThan(100);
    expect(checked(parley)).toBeLessThanOrEqual(4);
    // Someone else, from another address, is let in at once with the right password.
    const other = await new Promise<Client>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port: parley.port, localAddress: "127.0.0.2" });
      socket.once("connect", () => resolve(Client.adopt(socket)));
    });
    await other.waitFor("Password:");
    other.send("the-real-one");
    expect(await other.waitFor("choose a nickname")).toBe("Please choose a nickname:");
    other.close();
    await parley.stop();
  });
});

describe("guessing the admin password with /op", () => {
  test("many /op guesses from one address are checked a handful of times", async () => {
    const parley = await startChat(["--admin-password", "real-admin"]);
    const guessers = await Promise.all(Array.from({ length: 5 }, (_, i) => Client.join(parley.port, `guesser${i}`)));
    const started = Date.now();
    for (const g of guessers) for (let i = 0; i < 20; i++) g.send(`/op wrong-${i}`);
    // Each checked guess is logged; in about 3 s at most a few fit. The first
    // answer goes to whichever guesser's guess the server took first (the
    // others wait their address's turns, 1 s, 2 s, 4 s... after it): waiting
    // for one guesser in particular could wait 7 s and more, past
    // --handler-timeout, while more guesses pile up behind.
    const answers = guessers.map((g) => g.waitFor("wrong admin password"));
    for (const answer of answers) answer.catch(() => {}); // the others' waits end when they close
    await Promise.race(answers);
    while (Date.now() - started < 3000) await Bun.sleep(100); // the window the attack runs in
    const failures = parley.log.lines.filter((l) => l.includes("failed /op")).length;
    expect(failures).toBeLessThanOrEqual(4);
    for (const g of guessers) g.close();
    await parley.stop();
  });
});

describe("a command that runs past --handler-timeout answers the frame that asked", () => {
  test("three /op frames, each answered late: every answer carries its own frame's id", async () => {
    const parley = await startChat(["--admin-password", "real-admin", "--handler-timeout", "1"]);
    const c = await Client.connect(parley.port);
    c.send(JSON.stringify({ type: "hello", version: 1 }));
    await c.waitFor('"welcome"');
    c.send(JSON.stringify({ type: "nick", nick: "latejson", id: "n" }));
    await c.waitFor('"joined"');
    for (const id of ["a", "b", "c"]) c.send(JSON.stringify({ type: "command", name: "op", args: [`wrong-${id}`], id }));
    const answers: unknown[] = [];
    while (answers.length < 3) {
      const frame = JSON.parse(await c.waitFor("wrong admin password")) as { id?: string };
      answers.push(frame.id);
    }
    expect(answers.sort()).toEqual(["a", "b", "c"]);
    c.close();
    await parley.stop();
  });
});
