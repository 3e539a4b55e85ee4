// Drop-in plugins as a user meets them: a folder of .ts/.js files beside a
// downloaded dist/parley, run from a temporary folder (not the repository).
// Each test builds its own plugins folder and starts its own server.

import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "../helpers/client.ts";
import { runToEnd, startChat, type LogEntry, type Parley } from "../helpers/parley.ts";

const EXAMPLES = resolve(import.meta.dir, "../../examples/plugins");

interface Home {
  /** where parley runs: the plugins folder and parley.toml sit here */
  dir: string;
  /** dir/plugins */
  plugins: string;
  write(name: string, text: string): void;
}

/** A fresh folder holding plugins/ with `files` in it. */
function home(files: Record<string, string> = {}): Home {
  const dir = mkdtempSync(join(tmpdir(), "parley-plugins-"));
  const plugins = join(dir, "plugins");
  mkdirSync(plugins);
  const write = (name: string, text: string) => {
    mkdirSync(join(plugins, name, ".."), { recursive: true });
    writeFileSync(join(plugins, name), text);
  };
  for (const [name, text] of Object.entries(files)) write(name, text);
  return { dir, plugins, write };
}

/** A home with the example plugins copied in. */
function examplesHome(): Home {
  const h = home();
  for (const name of readdirSync(EXAMPLES)) copyFileSync(join(EXAMPLES, name), join(h.plugins, name));
  return h;
}

/** Starts parley in `h.dir` with `--plugins plugins`. */
function chatIn(h: Home, args: string[] = [], env: Record<string, string> = {}): Promise<Parley> {
  return startChat(["--plugins", "plugins", ...args], { cwd: h.dir, env });
}

/** `parley chat` in `h.dir` that is expected to exit at start-up. */
async function failedStart(h: Home, args: string[]) {
  const run = runToEnd(["chat", "--host", "127.0.0.1", "--port", "0", "--plugins", "plugins", ...args], { cwd: h.dir });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("parley started when it should not have")), 10_000);
  });
  return Promise.race([run, limit]).finally(() => clearTimeout(timer));
}

/**
 * Remembers where the log is now; `next(match)` is the first message after
 * that point that matches, so the same message can be awaited twice.
 */
function logMark(parley: Parley) {
  const since = parley.log.lines.length;
  return {
    next(match: RegExp | string): Promise<string> {
      let index = 0;
      const matches = (line: string) => (typeof match === "string" ? line.includes(match) : match.test(line));
      // LineReader tests lines in order, each once: the count is the line's index.
      const after = { test: (line: string) => index++ >= since && matches((JSON.parse(line) as LogEntry).message) };
      return parley.log.waitFor(after as unknown as RegExp, String(match)).then((line) => (JSON.parse(line) as LogEntry).message);
    },
  };
}

/** Every log message so far. */
function messages(parley: Parley): LogEntry[] {
  return parley.log.lines.map((l) => JSON.parse(l) as LogEntry);
}

const HELLO_TS = `import { definePlugin } from "parley";

export default definePlugin({
  name: "hello",
  commands: [
    {
      name: "hello",
      aliases: ["h"],
      params: ["who"],
      summary: "greet WHO",
      run(ctx, [who]) {
        ctx.reply(\`hello \${who}, from \${ctx.user.nick}\`);
      },
    },
  ],
});
`;

/**
 * A plugin file with one command `/command` that replies `text`. As plain
 * JavaScript (`js`), it imports nothing.
 */
function replier(command: string, text: string, { plugin = command, js = false } = {}): string {
  const body = `{
  name: "${plugin}",
  commands: [{ name: "${command}", summary: "answers", run(ctx) { ctx.reply(${JSON.stringify(text)}); } }],
}`;
  return js ? `export default ${body};\n` : `import { definePlugin } from "parley";\nexport default definePlugin(${body});\n`;
}

describe("a plugin file dropped into the plugins folder", () => {
  test("a .ts plugin importing parley adds a command that works in colon and slash form, and help lists it", async () => {
    const h = home({ "hello.ts": HELLO_TS });
    const parley = await chatIn(h);
    expect(await parley.waitForLog("plugins:")).toBe(`plugins: 1 loaded from ${h.plugins}`);
    const a = await Client.join(parley.port, "amy");
    a.send("h:world");
    expect(await a.waitFor("hello")).toBe("hello world, from amy");
    a.send("/hello there");
    expect(await a.waitFor("hello")).toBe("hello there, from amy");
    a.send("/hello");
    expect(await a.waitFor(/^! /)).toBe("! usage: h:WHO  or  /hello WHO");
    a.send("help");
    expect(await a.waitFor("greet WHO")).toMatch(/^\*   h:WHO \| \/hello WHO +greet WHO$/);
    await a.waitFor("help COMMAND explains one");
    a.send("/help hello");
    expect(await a.waitFor(/^\* /)).toBe("* h:WHO  or  /hello WHO");
    a.close();
    await parley.stop();
  });

  test("a .js plugin works without importing anything", async () => {
    const h = home({
      "shout.js": `export default {
  name: "shout",
  commands: [{ name: "shout", params: ["text..."], summary: "say TEXT loudly", run(ctx, [text]) { ctx.say(text.toUpperCase()); } }],
};
`,
    });
    const parley = await chatIn(h);
    const a = await Client.join(parley.port, "loud");
    const b = await Client.join(parley.port, "ears");
    a.send("/shout hello");
    expect(await b.waitFor("loud:")).toBe("loud: HELLO");
    a.close();
    b.close();
    await parley.stop();
  });

  test("a sub-folder with index.ts is one plugin, and it may import its own helper files", async () => {
    const h = home({
      "tools/index.ts": `import { definePlugin } from "parley";
import { reverse } from "./reverse.ts";
export default definePlugin({
  name: "tools",
  commands: [{ name: "rev", params: ["text..."], summary: "TEXT backwards", run(ctx, [text]) { ctx.reply(reverse(text!)); } }],
});
`,
      "tools/reverse.ts": `export const reverse = (s: string) => [...s].reverse().join("");\n`,
    });
    const parley = await chatIn(h);
    expect(await parley.waitForLog("plugins:")).toBe(`plugins: 1 loaded from ${h.plugins}`);
    const a = await Client.join(parley.port, "reader");
    a.send("/rev 你好 abc");
    expect(await a.waitFor("cba")).toBe("cba 好你");
    a.close();
    await parley.stop();
  });

  test("PARLEY_PLUGINS picks the folder when --plugins is not given", async () => {
    const h = home({ "hello.ts": HELLO_TS });
    const parley = await startChat([], { env: { PARLEY_PLUGINS: h.plugins } });
    expect(await parley.waitForLog("plugins:")).toBe(`plugins: 1 loaded from ${h.plugins}`);
    const a = await Client.join(parley.port, "env");
    a.send("h:you");
    expect(await a.waitFor("hello")).toBe("hello you, from env");
    a.close();
    await parley.stop();
  });

  test("a plugins folder where parley runs is used when neither is given", async () => {
    const h = home({ "hello.ts": HELLO_TS });
    const parley = await startChat([], { cwd: h.dir, env: { PARLEY_PLUGINS: "" } });
    expect(await parley.waitForLog("plugins:")).toBe(`plugins: 1 loaded from ${h.plugins}`);
    await parley.stop();
  });

  test("a message hook can rewrite a line or drop it before the room sees it", async () => {
    const h = home({
      "filter.ts": `import { definePlugin } from "parley";
export default definePlugin({
  name: "filter",
  hooks: {
    message(ctx, text) {
      if (text.includes("spam")) return null;
      return text.replaceAll("darn", "d**n");
    },
  },
});
`,
    });
    const parley = await chatIn(h);
    const a = await Client.join(parley.port, "talker");
    const b = await Client.join(parley.port, "listener");
    a.send("buy spam now");
    a.send("well darn it");
    a.send("/me says darn");
    expect(await b.waitFor("talker")).toBe("talker: well d**n it");
    expect(await b.waitFor("talker")).toBe("** talker says d**n");
    expect(b.lines.some((l) => l.includes("spam"))).toBe(false);
    a.close();
    b.close();
    await parley.stop();
  });

  test("text a plugin sends is cleaned like users' text, and its notices are shown as [plugin]", async () => {
    const h = home({
      "noisy.ts": `import { definePlugin } from "parley";
export default definePlugin({
  name: "noisy",
  commands: [{ name: "noise", summary: "escape codes", run(ctx) {
    ctx.reply("\\x1b[2J\\x1b[31mred\\x1b[0m\\nsecond line\\x07");
    ctx.error("bad\\x1b]0;title\\x07 thing");
    ctx.broadcast("to all\\x1bc", { except: [ctx.user.nick] });
    ctx.send(ctx.user.nick, "just you\\u202e");
  } }],
});
`,
    });
    const parley = await chatIn(h);
    const a = await Client.join(parley.port, "noisy1");
    const b = await Client.join(parley.port, "quiet1");
    a.send("/noise");
    expect(await a.waitFor("red")).toBe("red");
    expect(await a.waitFor("second")).toBe("second line");
    expect(await a.waitFor(/^! /)).toBe("! bad thing");
    expect(await a.waitFor("[noisy]")).toBe("[noisy] just you");
    expect(await b.waitFor("[noisy]")).toBe("[noisy] to all");
    for (const c of [a, b]) expect(Buffer.concat(c.received).includes(0x1b)).toBe(false);
    a.close();
    b.close();
    await parley.stop();
  });

  // Fails today: core/chat/session.ts relays what a message hook returns without
  // sanitizing it (see the report that came with this test).
  test("a line rewritten by a message hook is cleaned too, and cannot pass for a server line", async () => {
    const h = home({
      "forger.ts": `import { definePlugin } from "parley";
export default definePlugin({
  name: "forger",
  hooks: { message: (ctx, text) => text === "go" ? "\\x1b[2Jgone\\n* admin joined (3 online)" : undefined },
});
`,
    });
    const parley = await chatIn(h);
    const a = await Client.join(parley.port, "forger1");
    const b = await Client.join(parley.port, "reader1");
    try {
      a.send("go");
      const line = await b.waitFor("forger1:");
      await b.sync();
      expect(Buffer.concat(b.received).includes(0x1b)).toBe(false);
      expect(b.lines).not.toContain("* admin joined (3 online)");
      expect(line).toStartWith("forger1: gone");
    } finally {
      a.close();
      b.close();
      await parley.stop();
    }
  });

  test("a plugin's store outlives a restart with --data", async () => {
    const h = home({
      "counter.ts": `import { definePlugin } from "parley";
export default definePlugin({
  name: "counter",
  commands: [{ name: "count", summary: "count up", run(ctx) {
    const n = (ctx.store.get<number>("n") ?? 0) + 1;
    ctx.store.set("n", n);
    ctx.reply(\`count \${n}\`);
  } }],
});
`,
    });
    const data = join(h.dir, "parley.db");
    for (const expected of ["count 1", "count 2"]) {
      const parley = await chatIn(h, ["--data", data]);
      const a = await Client.join(parley.port, "counter1");
      a.send("/count");
      expect(await a.waitFor("count")).toBe(expected);
      a.close();
      expect(await parley.stop()).toBe(0);
    }
  });
});

describe("the example plugins", () => {
  test("dice: r:2d6 and /roll 2d6 roll for everyone to see; bad input gets the usage", async () => {
    const parley = await chatIn(examplesHome());
    const a = await Client.join(parley.port, "roller");
    const b = await Client.join(parley.port, "watcher");
    a.send("r:2d6");
    const line = await b.waitFor("[dice]");
    const m = /^\[dice\] roller rolled 2d6: (\d) \+ (\d) = (\d+)$/.exec(line);
    expect(m).not.toBeNull();
    const [x, y, sum] = m!.slice(1).map(Number) as [number, number, number];
    expect(x + y).toBe(sum);
    for (const n of [x, y]) expect(n >= 1 && n <= 6).toBe(true);
    expect(await a.waitFor("[dice]")).toBe(line);
    a.send("/roll 3d10");
    expect(await b.waitFor("[dice]")).toMatch(/^\[dice\] roller rolled 3d10: \d+ \+ \d+ \+ \d+ = \d+$/);
    a.send("r");
    expect(await b.waitFor("[dice]")).toMatch(/^\[dice\] roller rolled 1d6: [1-6]$/);
    const usage = "! usage: r:NdM or /roll NdM, as in 2d6 or d20 (N up to 100, M from 2 to 1000)";
    for (const bad of ["r:lots", "/roll 101d6", "/roll 1d1001", "/roll 0d6", "r:2d"]) {
      a.send(bad);
      expect(await a.waitFor(/^! /)).toBe(usage);
    }
    const seen = await b.sync();
    expect(seen.filter((l) => l.startsWith("[dice]"))).toEqual([]);
    a.close();
    b.close();
    await parley.stop();
  });

  test("dice: --plugin-opt dice.sides=20 makes the default die a d20", async () => {
    const parley = await chatIn(examplesHome(), ["--plugin-opt", "dice.sides=20"]);
    const a = await Client.join(parley.port, "d20");
    a.send("r:3");
    expect(await a.waitFor("[dice]")).toMatch(/^\[dice\] d20 rolled 3d20: /);
    a.send("/roll");
    expect(await a.waitFor("[dice]")).toMatch(/^\[dice\] d20 rolled 1d20: \d+$/);
    a.close();
    await parley.stop();
  });

  test("dice: a parley.toml beside the plugins folder sets the default die, and --plugin-opt wins over it", async () => {
    const h = examplesHome();
    writeFileSync(join(h.dir, "parley.toml"), '[dice]\nsides = 12\n\n[greeter]\nmessage = "Hello {nick}, {online} here"\n');
    const parley = await chatIn(h);
    const a = await Client.join(parley.port, "toml");
    expect(await a.waitFor("Hello")).toBe("Hello toml, 1 here");
    a.send("r");
    expect(await a.waitFor("[dice]")).toMatch(/^\[dice\] toml rolled 1d12: \d+$/);
    a.close();
    await parley.stop();

    const flagged = await chatIn(h, ["--plugin-opt", "dice.sides=100"]);
    const b = await Client.join(flagged.port, "flag");
    b.send("r");
    expect(await b.waitFor("[dice]")).toMatch(/^\[dice\] flag rolled 1d100: \d+$/);
    b.close();
    await flagged.stop();
  });

  test("dice: a wrong dice.sides is logged at start-up and 6 is used", async () => {
    const parley = await chatIn(examplesHome(), ["--plugin-opt", "dice.sides=many"]);
    expect(await parley.waitForLog("dice.sides")).toBe('dice.sides must be a whole number from 2 to 1000 (got "many"); using 6');
    expect(messages(parley).find((e) => e.message.startsWith("dice.sides"))).toMatchObject({ level: "warn", tag: "dice" });
    const a = await Client.join(parley.port, "six");
    a.send("r");
    expect(await a.waitFor("[dice]")).toMatch(/^\[dice\] six rolled 1d6: [1-6]$/);
    a.close();
    await parley.stop();
  });

  test("autoreply: whoever mentions its user is told privately; speaking again ends it", async () => {
    const parley = await chatIn(examplesHome());
    const alice = await Client.join(parley.port, "alice");
    const bob = await Client.join(parley.port, "bob");
    const carol = await Client.join(parley.port, "carol");
    alice.send("/autoreply lunch");
    expect(await alice.waitFor("auto-reply on")).toBe("* auto-reply on: lunch (type /autoreply alone, or just talk, to end it)");
    expect(await bob.waitFor("[autoreply]")).toBe("[autoreply] alice is away: lunch");

    bob.send("ALICE, are you there?");
    expect(await bob.waitFor("is away")).toBe("alice is away: lunch");
    expect(await carol.waitFor("bob:")).toBe("bob: ALICE, are you there?");
    // Only bob is told; a word that merely contains the nick is no mention.
    bob.send("what malice");
    expect(await carol.waitFor("bob:")).toBe("bob: what malice");
    const bobSaw = await bob.sync();
    expect(bobSaw.filter((l) => l.includes("is away"))).toEqual([]);
    const carolSaw = await carol.sync();
    expect(carolSaw.filter((l) => l === "alice is away: lunch")).toEqual([]);

    alice.send("I'm back");
    expect(await alice.waitFor("welcome back")).toMatch(/^\* welcome back \(you were away /);
    bob.send("hi alice");
    await alice.waitFor("bob: hi alice");
    expect((await bob.sync()).filter((l) => l.includes("is away"))).toEqual([]);

    alice.send("/autoreply brb");
    await alice.waitFor("auto-reply on");
    alice.send("/autoreply");
    expect(await alice.waitFor("auto-reply off")).toBe("* auto-reply off: welcome back");
    expect(await bob.waitFor("[autoreply] alice is back")).toBe("[autoreply] alice is back");
    alice.send("/autoreply");
    expect(await alice.waitFor(/^! /)).toBe("! you have no auto-reply; /autoreply REASON sets one");
    for (const c of [alice, bob, carol]) c.close();
    await parley.stop();
  });

  test("autoreply: a user who leaves with an auto-reply is forgotten", async () => {
    const parley = await chatIn(examplesHome());
    const dave = await Client.join(parley.port, "dave");
    const erin = await Client.join(parley.port, "erin");
    dave.send("/autoreply gone");
    await erin.waitFor("[autoreply] dave is away");
    dave.close();
    await erin.waitFor("dave left");
    const again = await Client.join(parley.port, "dave");
    erin.send("dave?");
    await again.waitFor("erin: dave?");
    expect((await erin.sync()).filter((l) => l.includes("is away"))).toEqual([]);
    again.close();
    erin.close();
    await parley.stop();
  });

  test("greeter: each newcomer is greeted by name, with --plugin-opt greeter.message to change it", async () => {
    const parley = await chatIn(examplesHome());
    const a = await Client.join(parley.port, "newbie");
    expect(await a.waitFor("Welcome,")).toBe("Welcome, newbie!");
    const b = await Client.join(parley.port, "second");
    expect(await b.waitFor("Welcome,")).toBe("Welcome, second!");
    expect((await a.sync()).filter((l) => l.includes("Welcome,"))).toEqual([]);
    a.close();
    b.close();
    await parley.stop();

    const custom = await chatIn(examplesHome(), ["--plugin-opt", "greeter.message=Hi {nick}, be kind!"]);
    const c = await Client.join(custom.port, "kind");
    expect(await c.waitFor("be kind")).toBe("Hi kind, be kind!");
    c.close();
    await custom.stop();
  });
});

describe("a broken plugin file", () => {
  const broken = {
    "broken.ts": 'import { definePlugin } from "parley";\nexport default definePlugin({ name: "broken",\n',
    "noexport.ts": "export const answer = 42;\n",
    "wrong.js": 'export default { name: "wrong", comands: [] };\n',
    "hello.ts": HELLO_TS,
  };

  test("a syntax error, no default export and a wrong shape are each logged in one line with the reason; the rest load and the server starts", async () => {
    const h = home(broken);
    const parley = await chatIn(h);
    expect(await parley.waitForLog("plugins:")).toBe(`plugins: 1 loaded from ${h.plugins}, 3 skipped`);
    const skipped = messages(parley).filter((e) => e.message.startsWith("plugin skipped"));
    expect(skipped.map((e) => e.level)).toEqual(["error", "error", "error"]);
    const [syntax, noExport, shape] = skipped.map((e) => e.message);
    expect(syntax).toStartWith("plugin skipped: plugins/broken.ts: syntax error: ");
    expect(syntax).toMatch(/\(line \d+/);
    expect(noExport).toBe("plugin skipped: plugins/noexport.ts: no default export (write: export default definePlugin({ ... }))");
    expect(shape).toStartWith('plugin skipped: plugins/wrong.js: unknown field "comands"');
    for (const line of [syntax, noExport, shape]) expect(line).not.toContain("\n");
    const a = await Client.join(parley.port, "survivor");
    a.send("h:still");
    expect(await a.waitFor("hello")).toBe("hello still, from survivor");
    a.close();
    await parley.stop();
  });

  test("with --plugins-strict, a broken file stops start-up with a non-zero exit naming it", async () => {
    const h = home(broken);
    const { code, stderr } = await failedStart(h, ["--plugins-strict"]);
    expect(code).not.toBe(0);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toStartWith("parley: plugin plugins/broken.ts: syntax error: ");
    expect(stderr.trim()).toEndWith("(--plugins-strict)");
  });

  test("a command that throws: its user is told, the log names the plugin and file, and everyone goes on", async () => {
    const h = home({
      "boom.ts": `import { definePlugin } from "parley";
export default definePlugin({
  name: "boom",
  commands: [
    { name: "x", summary: "throws", run() { throw new Error("kaboom"); } },
    { name: "later", summary: "rejects", async run() { await Bun.sleep(10); throw new Error("later kaboom"); } },
  ],
});
`,
    });
    const parley = await chatIn(h);
    const a = await Client.join(parley.port, "victim");
    const b = await Client.join(parley.port, "bystander");
    a.send("/x");
    expect(await a.waitFor(/^! /)).toBe("! command /x failed");
    expect(await parley.waitForLog("kaboom")).toBe("plugin boom (plugins/boom.ts): command /x failed for victim: kaboom");
    a.send("/later");
    expect(await a.waitFor(/^! /)).toBe("! command /later failed");
    expect(await parley.waitForLog("later kaboom")).toBe("plugin boom (plugins/boom.ts): command /later failed for victim: later kaboom");
    a.send("still talking");
    expect(await b.waitFor("victim:")).toBe("victim: still talking");
    b.send("me too");
    expect(await a.waitFor("bystander:")).toBe("bystander: me too");
    expect(a.closed).toBe(false);
    a.close();
    b.close();
    await parley.stop();
  });

  test("a command that hangs longer than --handler-timeout: its user is answered and can go on", async () => {
    const h = home({
      "slow.ts": `import { definePlugin } from "parley";
export default definePlugin({
  name: "slow",
  commands: [{ name: "hang", summary: "never ends", run() { return new Promise<void>(() => {}); } }],
});
`,
    });
    const parley = await chatIn(h, ["--handler-timeout", "1"]);
    const a = await Client.join(parley.port, "patient");
    const b = await Client.join(parley.port, "other");
    const started = Date.now();
    a.send("/hang");
    expect(await a.waitFor(/^! /)).toBe("! command /hang is taking too long; moving on");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await parley.waitForLog("still running")).toBe("plugin slow (plugins/slow.ts): command /hang failed for patient: still running after 1000 ms");
    a.send("after the hang");
    expect(await b.waitFor("patient:")).toBe("patient: after the hang");
    a.close();
    b.close();
    await parley.stop();
  });
});

describe("two commands with one name", () => {
  test("a dropped-in list replaces the built-in one, with a warning naming both", async () => {
    const h = home({ "mylist.ts": replier("list", "my own list", { plugin: "mylist" }) });
    const parley = await chatIn(h);
    expect(await parley.waitForLog("replaced")).toBe("/list of built-in plugin list (l /list [#ROOM] /who) is replaced by plugin mylist (plugins/mylist.ts)");
    expect(messages(parley).find((e) => e.message.includes("replaced"))?.level).toBe("warn");
    const a = await Client.join(parley.port, "lister");
    a.send("/list");
    expect(await a.waitFor("list")).toBe("my own list");
    a.close();
    await parley.stop();
  });

  test("a plugin file named like a built-in plugin replaces that whole plugin, with a warning", async () => {
    const h = home({ "list.ts": replier("who", "a different who", { plugin: "list" }) });
    const parley = await chatIn(h);
    expect(await parley.waitForLog("replaced")).toBe("built-in plugin list is replaced by plugins/list.ts");
    const a = await Client.join(parley.port, "replacer");
    a.send("/who");
    expect(await a.waitFor("who")).toBe("a different who");
    // The built-in's other names went with it.
    a.send("/list");
    expect(await a.waitFor(/^! /)).toBe("! unknown command /list - type help");
    a.close();
    await parley.stop();
  });

  test("a bare word like help is taken over with a warning, like a command name", async () => {
    const h = home({
      "myhelp.ts": `import { definePlugin } from "parley";
export default definePlugin({ name: "myhelp", commands: [{ name: "assist", words: ["help"], summary: "", run(ctx) { ctx.reply("my help"); } }] });
`,
    });
    const parley = await chatIn(h);
    expect(await parley.waitForLog("replaced")).toStartWith("help of built-in plugin help");
    const a = await Client.join(parley.port, "helper");
    a.send("help");
    expect(await a.waitFor(/^my /)).toBe("my help");
    a.close();
    await parley.stop();
  });

  test("two dropped-in files defining the same command stop start-up with an error naming both", async () => {
    const h = home({
      "a.ts": replier("same", "from a", { plugin: "first" }),
      "b.js": replier("same", "from b", { plugin: "second", js: true }),
    });
    const { code, stderr } = await failedStart(h, []);
    expect(code).not.toBe(0);
    expect(stderr.trim()).toBe("parley: plugins clash: command /same is defined twice: by plugins/a.ts and plugins/b.js");
  });
});

describe("--watch-plugins", () => {
  test("editing a file changes its command, and a connected user stays connected on the same socket", async () => {
    const h = home({ "echo.ts": replier("echo", "version one") });
    const parley = await chatIn(h, ["--watch-plugins"]);
    const a = await Client.join(parley.port, "editor");
    const b = await Client.join(parley.port, "friend");
    const socket = a.socket;
    const localPort = a.socket.localPort;
    a.send("/echo");
    expect(await a.waitFor("version")).toBe("version one");

    const mark = logMark(parley);
    h.write("echo.ts", replier("echo", "version two"));
    expect(await mark.next("plugins:")).toBe("plugins: reloaded plugins/echo.ts");
    a.send("/echo");
    expect(await a.waitFor("version")).toBe("version two");
    expect(a.socket).toBe(socket);
    expect(a.socket.localPort).toBe(localPort);
    expect(a.closed).toBe(false);
    b.send("still with you");
    expect(await a.waitFor("friend:")).toBe("friend: still with you");
    expect(b.lines.some((l) => l.includes("left") || l.includes("joined"))).toBe(false);

    // A second edit reloads again: nothing is cached by accident.
    const again = logMark(parley);
    h.write("echo.ts", replier("echo", "version three"));
    expect(await again.next("plugins:")).toBe("plugins: reloaded plugins/echo.ts");
    a.send("/echo");
    expect(await a.waitFor("version")).toBe("version three");
    a.close();
    b.close();
    await parley.stop();
  });

  test("a new file adds its commands", async () => {
    const h = home({ "echo.ts": replier("echo", "echo here") });
    const parley = await chatIn(h, ["--watch-plugins"]);
    const a = await Client.join(parley.port, "adder");
    a.send("/fresh");
    expect(await a.waitFor(/^! /)).toBe("! unknown command /fresh - type help");
    const mark = logMark(parley);
    h.write("fresh.js", replier("fresh", "fresh here", { js: true }));
    expect(await mark.next("plugins:")).toBe("plugins: added plugins/fresh.js");
    a.send("/fresh");
    expect(await a.waitFor("here")).toBe("fresh here");
    a.send("/echo");
    expect(await a.waitFor("here")).toBe("echo here");
    a.close();
    await parley.stop();
  });

  test("a removed file takes its commands away", async () => {
    const h = home({ "echo.ts": replier("echo", "echo here"), "gone.ts": replier("gone", "not gone yet") });
    const parley = await chatIn(h, ["--watch-plugins"]);
    const a = await Client.join(parley.port, "remover");
    a.send("/gone");
    expect(await a.waitFor("gone")).toBe("not gone yet");
    const mark = logMark(parley);
    rmSync(join(h.plugins, "gone.ts"));
    expect(await mark.next("plugins:")).toBe("plugins: removed plugins/gone.ts");
    a.send("/gone");
    expect(await a.waitFor(/^! /)).toBe("! unknown command /gone - type help");
    a.send("/echo");
    expect(await a.waitFor("here")).toBe("echo here");
    a.close();
    await parley.stop();
  });

  test("a broken edit is refused with a log line, and the old version keeps answering", async () => {
    const h = home({ "echo.ts": replier("echo", "the good one") });
    const parley = await chatIn(h, ["--watch-plugins"]);
    const a = await Client.join(parley.port, "keeper");
    const mark = logMark(parley);
    h.write("echo.ts", 'import { definePlugin } from "parley";\nexport default definePlugin({ name: "echo",\n');
    expect(await mark.next("reload failed")).toStartWith("plugin reload failed, keeping the previous version: plugins/echo.ts: syntax error: ");
    a.send("/echo");
    expect(await a.waitFor("good")).toBe("the good one");

    // Fixed again: the fix is picked up.
    const fixed = logMark(parley);
    h.write("echo.ts", replier("echo", "the fixed one"));
    expect(await fixed.next("plugins:")).toBe("plugins: reloaded plugins/echo.ts");
    a.send("/echo");
    expect(await a.waitFor("fixed")).toBe("the fixed one");
    a.close();
    await parley.stop();
  });

  test("a file that failed at start-up is loaded once it is fixed", async () => {
    const h = home({ "late.ts": "export default definePlugin({ oops\n" });
    const parley = await chatIn(h, ["--watch-plugins"]);
    expect(await parley.waitForLog("plugins:")).toBe(`plugins: 0 loaded from ${h.plugins}, 1 skipped`);
    const a = await Client.join(parley.port, "waiter");
    const mark = logMark(parley);
    h.write("late.ts", replier("late", "late but here"));
    expect(await mark.next("plugins:")).toBe("plugins: added plugins/late.ts");
    a.send("/late");
    expect(await a.waitFor("late")).toBe("late but here");
    a.close();
    await parley.stop();
  });

  test("a hot reload keeps what the plugin put in ctx.store", async () => {
    const counter = (step: number) => `import { definePlugin } from "parley";
export default definePlugin({
  name: "tally",
  commands: [{ name: "tally", summary: "count", run(ctx) {
    const n = (ctx.store.get<number>("n") ?? 0) + ${step};
    ctx.store.set("n", n);
    ctx.reply(\`tally \${n}\`);
  } }],
});
`;
    const h = home({ "tally.ts": counter(1) });
    const parley = await chatIn(h, ["--watch-plugins"]);
    const a = await Client.join(parley.port, "tallier");
    a.send("/tally");
    expect(await a.waitFor("tally")).toBe("tally 1");
    const mark = logMark(parley);
    h.write("tally.ts", counter(10));
    await mark.next("plugins: reloaded plugins/tally.ts");
    a.send("/tally");
    expect(await a.waitFor("tally")).toBe("tally 11");
    a.close();
    await parley.stop();
  });

  test("start and stop hooks run when a plugin is loaded and unloaded", async () => {
    const hooks = (v: string) => `import { definePlugin } from "parley";
export default definePlugin({
  name: "life",
  hooks: {
    start(ctx) { ctx.log.info("life ${v} started"); },
    stop(ctx) { ctx.log.info("life ${v} stopped"); },
  },
});
`;
    const h = home({ "life.ts": hooks("v1") });
    const parley = await chatIn(h, ["--watch-plugins"]);
    expect(await parley.waitForLog("life v1 started")).toBe("life v1 started");
    const mark = logMark(parley);
    h.write("life.ts", hooks("v2"));
    expect(await mark.next("life v1 stopped")).toBe("life v1 stopped");
    expect(await mark.next("life v2 started")).toBe("life v2 started");
    const tagged = messages(parley).find((e) => e.message === "life v2 started");
    expect(tagged?.tag).toBe("life");
    expect(await parley.stop()).toBe(0);
    await parley.log.whenEnded();
    expect(messages(parley).some((e) => e.message === "life v2 stopped")).toBe(true);
  });
});
