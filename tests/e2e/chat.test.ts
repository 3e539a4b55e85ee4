// The chat room as a telnet or nc user sees it, against dist/parley.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

let parley: Parley;
beforeAll(async () => {
  parley = await startChat(["--motd", "Be kind.\\nNo spam."]);
});
afterAll(() => parley.stop());

describe("a new connection", () => {
  test("is welcomed at once with the online count, the motd and a nickname prompt", async () => {
    const first = await Client.join(parley.port, "welcome1");
    const c = await Client.connect(parley.port);
    await c.waitFor("choose a nickname");
    expect(c.lines.slice(0, 4)).toEqual(["Welcome to parley! 1 person online.", "Be kind.", "No spam.", "Please choose a nickname:"]);
    c.close();
    first.close();
  });

  test("a bad nickname gets a reason and a new prompt, and the connection stays", async () => {
    const c = await Client.connect(parley.port);
    await c.waitFor("choose a nickname");
    c.send("has space");
    expect(await c.waitFor(/^! /)).toContain("only letters, digits");
    await c.waitFor("choose a nickname");
    c.send("x".repeat(25));
    expect(await c.waitFor(/^! /)).toContain("at most 24");
    await c.waitFor("choose a nickname");
    c.send("help");
    expect(await c.waitFor(/^! /)).toContain("command word");
    await c.waitFor("choose a nickname");
    c.send("okay_nick-1");
    await c.waitFor("* Hi okay_nick-1!");
    c.close();
  });

  test("a taken nickname, in any case, is refused", async () => {
    const a = await Client.join(parley.port, "Taken");
    const b = await Client.connect(parley.port);
    await b.waitFor("choose a nickname");
    b.send("tAKEN");
    expect(await b.waitFor(/^! /)).toBe("! tAKEN is taken, pick another");
    await b.waitFor("choose a nickname");
    b.send("NotTaken");
    await b.waitFor("* Hi NotTaken!");
    a.close();
    b.close();
  });

  test("Chinese nicknames and emoji text come through whole", async () => {
    const a = await Client.join(parley.port, "小明");
    const b = await Client.join(parley.port, "Ünïcødé");
    expect(await a.waitFor("joined")).toBe("* Ünïcødé joined (2 online)");
    b.send("你好，世界 👋🏽 🇨🇳");
    expect(await a.waitFor("Ünïcødé:")).toBe("Ünïcødé: 你好，世界 👋🏽 🇨🇳");
    a.close();
    b.close();
  });
});

describe("the room", () => {
  test("everyone else is told who joined, and the newcomer who is online", async () => {
    const a = await Client.join(parley.port, "ann");
    const b = await Client.join(parley.port, "ben");
    expect(await a.waitFor("joined")).toBe("* ben joined (2 online)");
    expect(b.lines).toContain("* Hi ben! Online (2): ann, ben");
    a.close();
    await b.waitFor("* ann left (connection closed)");
    b.close();
  });

  test("a plain line reaches the others as NICK: text, and the sender gets no copy", async () => {
    const a = await Client.join(parley.port, "amy");
    const b = await Client.join(parley.port, "bob");
    const c = await Client.join(parley.port, "cat");
    a.send("hello room");
    expect(await b.waitFor("amy:")).toBe("amy: hello room");
    expect(await c.waitFor("amy:")).toBe("amy: hello room");
    const seenByAmy = await a.sync();
    expect(seenByAmy.some((l) => l.includes("hello room"))).toBe(false);
    for (const x of [a, b, c]) x.close();
  });

  test("b:TEXT and /say TEXT say TEXT; a colon that is not a command is chat", async () => {
    const a = await Client.join(parley.port, "sayer");
    const b = await Client.join(parley.port, "hearer");
    a.send("b:one");
    a.send("/say two");
    a.send("note: see you");
    a.send("//slash");
    expect(await b.waitFor("sayer:")).toBe("sayer: one");
    expect(await b.waitFor("sayer:")).toBe("sayer: two");
    expect(await b.waitFor("sayer:")).toBe("sayer: note: see you");
    expect(await b.waitFor("sayer:")).toBe("sayer: /slash");
    a.close();
    b.close();
  });

  test("a private message reaches only its target, in both forms", async () => {
    const a = await Client.join(parley.port, "alice");
    const b = await Client.join(parley.port, "bobby");
    const c = await Client.join(parley.port, "carol");
    a.send("c:bobby:meet at 5: ok?");
    a.send("/msg BOBBY second");
    expect(await b.waitFor("[private]")).toBe("[private] alice: meet at 5: ok?");
    expect(await b.waitFor("[private]")).toBe("[private] alice: second");
    const seenByCarol = await c.sync();
    expect(seenByCarol.filter((l) => l.includes("private") || l.includes("meet"))).toEqual([]);
    a.send("c:nobody:hi");
    expect(await a.waitFor(/^! /)).toBe("! no one called nobody is online (type l to see who is)");
    a.send("/msg bobby");
    expect(await a.waitFor(/^! /)).toBe("! usage: c:NICK:TEXT  or  /msg NICK TEXT  or  /tell");
    for (const x of [a, b, c]) x.close();
  });

  test("n:NEW and /nick NEW rename under the first-nick rules, and the room is told", async () => {
    const a = await Client.join(parley.port, "old1");
    const b = await Client.join(parley.port, "watcher");
    a.send("n:new1");
    expect(await a.waitFor("you are now")).toBe("* you are now new1");
    expect(await b.waitFor("is now")).toBe("* old1 is now new1");
    a.send("/nick watcher");
    expect(await a.waitFor(/^! /)).toBe("! watcher is taken, pick another");
    a.send("/nick bad nick");
    expect(await a.waitFor(/^! /)).toContain("usage:");
    a.send("/nick 新名字");
    expect(await b.waitFor("is now")).toBe("* new1 is now 新名字");
    a.close();
    expect(await b.waitFor("left")).toBe("* 新名字 left (connection closed)");
    b.close();
  });

  test("l, /list and /who show everyone with their idle time and the count", async () => {
    const a = await Client.join(parley.port, "lister");
    const b = await Client.join(parley.port, "其他人");
    for (const form of ["l", "/list", "/who"]) {
      a.send(form);
      const header = await a.waitFor(/online:$/);
      const count = Number(/(\d+) online/.exec(header)![1]);
      const rows = [];
      for (let i = 0; i < count; i++) rows.push(await a.waitFor(/^\*   /));
      expect(rows.some((r) => /^\*   lister +idle \d+s  \(you\)$/.test(r))).toBe(true);
      expect(rows.some((r) => /^\*   其他人 +idle \d+s$/.test(r))).toBe(true);
    }
    a.close();
    b.close();
  });

  test("help lists every command in all its forms; /help CMD explains one", async () => {
    const a = await Client.join(parley.port, "helpme");
    a.send("help");
    await a.waitFor("Commands:");
    const rows: string[] = [];
    for (let line = await a.waitFor(/^\*/); !line.includes("help COMMAND"); line = await a.waitFor(/^\*/)) rows.push(line);
    const text = rows.join("\n");
    for (const form of ["b:TEXT", "/say TEXT", "c:NICK:TEXT", "/msg NICK TEXT", "n:NEW", "/nick NEW", "l", "/list", "/who", "/help", "quit", "byebye", "/quit [REASON]", "/me ACTION"]) {
      expect(text).toContain(form);
    }
    a.send("/help msg");
    expect(await a.waitFor(/^\* /)).toBe("* c:NICK:TEXT  or  /msg NICK TEXT  or  /tell");
    // Every form help lists explains the same command: the colon forms too.
    for (const topic of ["help msg", "? msg", "help /msg", "help c", "help c:", "? tell"]) {
      a.send(topic);
      expect({ topic, line: await a.waitFor(/^(\* \S|! )/) }).toEqual({ topic, line: "* c:NICK:TEXT  or  /msg NICK TEXT  or  /tell" });
    }
    a.send("help n:");
    expect(await a.waitFor(/^(\* \S|! )/)).toBe("* n:NEW  or  /nick NEW");
    a.send("/help nope");
    expect(await a.waitFor(/^! /)).toContain("no command nope");
    a.close();
  });

  test("/me shows an action", async () => {
    const a = await Client.join(parley.port, "actor");
    const b = await Client.join(parley.port, "audience");
    a.send("/me waves");
    expect(await b.waitFor("waves")).toBe("** actor waves");
    a.close();
    b.close();
  });

  test("an unknown /word gets an error and the connection stays", async () => {
    const a = await Client.join(parley.port, "typo");
    a.send("/frobnicate now");
    expect(await a.waitFor(/^! /)).toBe("! unknown command /frobnicate - type help");
    await a.sync();
    a.close();
  });

  for (const [form, reason] of [
    ["quit", "quit"],
    ["byebye", "quit"],
    ["/quit gone fishing", "gone fishing"],
  ] as const) {
    test(`${form} says goodbye, closes, and the room sees why`, async () => {
      const a = await Client.join(parley.port, "leaver");
      const b = await Client.join(parley.port, "stayer");
      a.send(form);
      expect(await a.waitFor("bye")).toBe("* bye, leaver!");
      await a.whenClosed();
      expect(await b.waitFor("left")).toBe(`* leaver left (${reason})`);
      b.close();
    });
  }
});

describe("untrusted input", () => {
  test("escape sequences and control characters never reach another user's screen", async () => {
    const a = await Client.join(parley.port, "evil");
    const b = await Client.join(parley.port, "victim");
    await a.write("\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m \x1bc\x9b31m\u202Edesrever\x00\x07 tab\there\r\n");
    const line = await b.waitFor("evil:");
    expect(line).toBe("evil: red desrever tab here");
    const bytes = Buffer.concat(b.received);
    expect(bytes.includes(0x1b)).toBe(false);
    expect(bytes.includes(0x07)).toBe(false);
    a.close();
    b.close();
  });

  test("a line over --max-line gets an error, is not relayed, and the connection lives", async () => {
    const small = await startChat(["--max-line", "1024"]);
    const a = await Client.join(small.port, "paster");
    const b = await Client.join(small.port, "reader");
    // A megabyte with no line end, in pieces, then the end of the line.
    const chunk = Buffer.alloc(64 * 1024, "x");
    for (let i = 0; i < 16; i++) await a.write(chunk);
    await a.write("\r\nstill here\r\n");
    expect(await a.waitFor(/^! /)).toBe(`! that line was ${16 * 64 * 1024} bytes, over the limit of 1024; it was not sent`);
    expect(await b.waitFor("paster:")).toBe("paster: still here");
    a.close();
    b.close();
    await small.stop();
  });
});
