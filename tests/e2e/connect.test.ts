// `parley connect` with stdin from a pipe, against dist/parley chat: usable
// in a script like nc. Lines go out as a person's typing would, what
// arrives is printed as the plain lines a telnet user reads (or as JSON
// frames with --json), and at the end of stdin it waits for the answers,
// says quit and exits 0. Failures are one line on stderr and exit 1.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import net from "node:net";
import { Client } from "../helpers/client.ts";
import { runLocal, runLocalToEnd } from "../helpers/netns.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

let parley: Parley;
beforeAll(async () => {
  parley = await startChat(["--motd", "be nice"]);
});
afterAll(() => parley.stop());

/** `parley connect` with a pipe for stdin. */
const connect = (...args: string[]) => runLocal(["connect", ...args], { stdin: "pipe" });

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("two people in a script and at a telnet prompt", () => {
  test("lines go both ways; at the end of stdin the client quits and exits 0", async () => {
    const bob = await Client.join(parley.port, "bob");
    const amy = connect(String(parley.port), "--nick", "amy");
    expect(await bob.waitFor("joined")).toBe("* amy joined (2 online)");
    amy.type("hello bob, 你好 👋");
    expect(await bob.waitFor("amy:")).toBe("amy: hello bob, 你好 👋");
    bob.send("hi amy");
    await amy.stdout.waitFor("bob: hi amy");
    amy.endInput();
    expect(await amy.exited).toBe(0);
    expect(await bob.waitFor("left")).toBe("* amy left (quit)");
    await amy.stdout.whenEnded();
    expect(amy.stdout.lines).toEqual([
      "Welcome to parley! 1 person online.",
      "be nice",
      "* Hi amy! Online (2): bob, amy",
      "* Type a line to talk to everyone, or help for commands.",
      "bob: hi amy",
    ]);
    await amy.stderr.whenEnded();
    expect(amy.stderr.lines).toEqual([]);
    bob.close();
  });

  test("every form a person types means what it means at a telnet prompt", async () => {
    const bob = await Client.join(parley.port, "bob2");
    const amy = connect(String(parley.port), "--nick", "amy2");
    await bob.waitFor("amy2 joined");
    for (const line of ["b:one", "/say two", "plain three", "c:bob2:psst", "/msg bob2 psst again", "/me waves", "//slash", "n:amelia"]) amy.type(line);
    expect(await bob.waitFor("amy2: one")).toBe("amy2: one");
    expect(await bob.waitFor(":")).toBe("amy2: two");
    expect(await bob.waitFor(":")).toBe("amy2: plain three");
    expect(await bob.waitFor("[private]")).toBe("[private] amy2: psst");
    expect(await bob.waitFor("[private]")).toBe("[private] amy2: psst again");
    expect(await bob.waitFor("waves")).toBe("** amy2 waves");
    expect(await bob.waitFor("slash")).toBe("amy2: /slash");
    expect(await bob.waitFor("is now")).toBe("* amy2 is now amelia");
    amy.type("l");
    amy.endInput();
    expect(await amy.exited).toBe(0);
    await amy.stdout.whenEnded();
    const out = amy.stdout.lines;
    expect(out).toContain("* you are now amelia");
    expect(out.slice(out.indexOf("* 2 online:"))).toEqual(["* 2 online:", expect.stringMatching(/^\*   bob2 +idle \d+s$/), expect.stringMatching(/^\*   amelia +idle \d+s  \(you\)$/)]);
    bob.close();
  });

  test("answers to the last lines are printed before the client exits", async () => {
    const asker = connect(String(parley.port), "--nick", "asker2");
    asker.type("help");
    asker.type("/nosuchcommand");
    asker.type("c:nobody:hi");
    asker.endInput();
    expect(await asker.exited).toBe(0);
    await asker.stdout.whenEnded();
    const out = asker.stdout.lines;
    expect(out).toContain("* Type a line to talk to everyone. Commands:");
    expect(out.some((l) => /^\*   .*\/msg NICK TEXT/.test(l))).toBe(true);
    // The server's own answer, word for word what a telnet user reads.
    expect(out).toContain("! no one called nobody is online (type l to see who is)");
    expect(out.some((l) => l.startsWith("! unknown command"))).toBe(true);
  });

  test("without --nick the first line is the nickname, as for nc", async () => {
    const bob = await Client.join(parley.port, "bob3");
    const amy = connect(String(parley.port));
    amy.type("amy3");
    amy.type("hi from a pipe");
    expect(await bob.waitFor("amy3:")).toBe("amy3: hi from a pipe");
    amy.endInput();
    expect(await amy.exited).toBe(0);
    bob.close();
  });

  test("quit typed as a line says goodbye and exits 0", async () => {
    const amy = connect(String(parley.port), "--nick", "quitter");
    amy.type("/quit gone fishing");
    expect(await amy.exited).toBe(0);
    await amy.stdout.whenEnded();
    expect(amy.stdout.lines.at(-1)).toBe("* bye, quitter!");
  });
});

describe("--json: frames in, frames out", () => {
  test("prints every frame as one JSON line, and sends lines that are frames as they are", async () => {
    const bob = await Client.join(parley.port, "bob4");
    const bot = connect(String(parley.port), "--nick", "bot", "--json");
    await bob.waitFor("bot joined");
    bot.type('{"type":"ping","id":"mine"}');
    bot.type("typed: still converted");
    bot.type('{"type":"msg","to":"bob4","text":"psst","id":7}');
    expect(await bob.waitFor("bot:")).toBe("bot: typed: still converted");
    expect(await bob.waitFor("[private]")).toBe("[private] bot: psst");
    bob.send("hello bot");
    await bot.stdout.waitFor('"hello bot"');
    bot.endInput();
    expect(await bot.exited).toBe(0);
    await bot.stdout.whenEnded();
    const frames = bot.stdout.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(frames[0]).toMatchObject({ type: "welcome", server: "parley", protocol: 1, motd: "be nice" });
    expect(frames[1]).toMatchObject({ type: "joined", nick: "bot", self: true });
    expect(frames).toContainEqual({ type: "pong", time: expect.any(String), id: "mine" });
    expect(frames).toContainEqual({ type: "private", from: "bot", to: "bob4", text: "psst", id: 7 });
    // "hello bot" says the bot's nick: the server flags it, for the bot alone.
    expect(frames).toContainEqual({ type: "said", room: "#lobby", from: "bob4", text: "hello bot", mention: true });
    // The text greeting before the welcome is not a frame, and is not printed.
    expect(bot.stdout.lines.every((l) => l.startsWith("{"))).toBe(true);
    bob.close();
  });
});

describe("failures are one line and exit 1", () => {
  test("a taken nickname", async () => {
    const bob = await Client.join(parley.port, "taken");
    const { code, stdout, stderr } = await runLocalToEnd(["connect", String(parley.port), "--nick", "TAKEN"]);
    expect(code).toBe(1);
    expect(stderr).toBe("parley: cannot join as TAKEN: TAKEN is taken, pick another");
    expect(stdout).toBe("Welcome to parley! 1 person online.\nbe nice");
    bob.close();
  });

  test("connection refused", async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await runLocalToEnd(["connect", `127.0.0.1:${port}`, "--nick", "amy"]);
    expect({ code, stdout, stderr }).toEqual({ code: 1, stdout: "", stderr: `parley: cannot connect to 127.0.0.1:${port}: connection refused` });
  });

  test("a host that does not exist", async () => {
    const { code, stderr } = await runLocalToEnd(["connect", "no-such-host.invalid:8088"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^parley: cannot connect to no-such-host\.invalid:8088: host not found( \(name lookup failed\))?$/);
  });

  test("a malformed target is a usage error", async () => {
    const { code, stderr } = await runLocalToEnd(["connect", "localhost:http"]);
    expect(code).toBe(2);
    expect(stderr).toStartWith("parley: expected [HOST:]PORT");
  });

  test("the server going away", async () => {
    const own = await startChat();
    const amy = connect(String(own.port), "--nick", "amy");
    await amy.stdout.waitFor("* Hi amy!");
    await own.stop();
    expect(await amy.exited).toBe(1);
    await amy.stderr.whenEnded();
    expect(amy.stderr.lines).toEqual([`parley: connection to 127.0.0.1:${own.port} closed by the server`]);
  });
});

describe("--reconnect", () => {
  test("after the server restarts, the client goes back into its rooms and talks in the one it talked in", async () => {
    const first = await startChat();
    const port = first.port;
    const amy = connect(String(port), "--nick", "amy", "--reconnect");
    await amy.stdout.waitFor("* Hi amy!");
    amy.type("/join #help");
    await amy.stdout.waitFor("* you are in #help");
    amy.type("/join #side");
    await amy.stdout.waitFor("* you are in #side");
    amy.type("/switch #help");
    await amy.stdout.waitFor("* now talking in #help");
    amy.type("/part #lobby");
    await amy.stdout.waitFor("* you left #lobby");
    await first.stop();
    await amy.stderr.waitFor("reconnecting in 0.5 s (attempt 1 of 20)");
    amy.type("typed while away");
    // With history, bob sees the line whether amy is back before or after bob joins #help.
    const second = await startChat(["--port", String(port), "--history", "5"]);
    const bob = await Client.join(second.port, "bob");
    bob.send("/join #help");
    await bob.waitFor("* you are in #help");
    await amy.stderr.waitFor("parley: reconnected");
    // Said in #help, where amy talked before the restart; bob talks there too.
    expect(await bob.waitFor("typed while away")).toMatch(/^(\[\d\d:\d\d\] )?amy: typed while away$/);
    bob.send("/list #side");
    expect(await bob.waitFor(/online in #side/)).toBe("* 1 online in #side:");
    // She had left the default room: she leaves it again, where the server put her.
    expect(bob.lines.filter((l) => l.includes("amy left #lobby"))).toEqual(["* amy left #lobby (parted)"]);
    amy.endInput();
    expect(await amy.exited).toBe(0);
    bob.close();
    await second.stop();
  });


  test("after the server restarts, the client rejoins with the same nick and sends what was typed meanwhile", async () => {
    const first = await startChat();
    const port = first.port;
    const amy = connect(String(port), "--nick", "amy", "--reconnect");
    await amy.stdout.waitFor("* Hi amy!");
    await first.stop();
    await amy.stderr.waitFor("reconnecting in 0.5 s (attempt 1 of 20)");
    amy.type("typed while away");
    const second = await startChat(["--port", String(port)]);
    const bob = await Client.join(second.port, "bob");
    await amy.stderr.waitFor("parley: reconnected");
    expect(await bob.waitFor(":")).toBe("amy: typed while away");
    amy.type("and after");
    expect(await bob.waitFor(":")).toBe("amy: and after");
    amy.endInput();
    expect(await amy.exited).toBe(0);
    bob.close();
    await second.stop();
  });
});
