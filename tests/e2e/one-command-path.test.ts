// One command path: every way of asking for a command (a telnet line, a
// JSON frame of any kind, what is typed into `parley connect`) runs the
// same command from the plugin registry. So a dropped-in plugin that
// replaces the built-in `list` and `msg` replaces them for every client,
// against one running dist/parley. A control run with the built-in plugins
// shows the same clients get the built-in answers, so the replacement test
// cannot pass by accident.

import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { runLocal, type NsProcess } from "../helpers/netns.ts";
import { startChat } from "../helpers/parley.ts";

const WAIT_MS = 10_000;

/** `promise`, or a failure naming `what` (with what was seen) after WAIT_MS. */
function within<T>(promise: Promise<T>, what: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing within ${WAIT_MS} ms: ${what()}`)), WAIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The next line of `client` that matches (bounded). */
function see(client: Client, match: string | RegExp): Promise<string> {
  return within(client.waitFor(match), () => `a line matching ${match}; last lines:\n${client.lines.slice(-10).join("\n")}`);
}

type JsonFrame = Record<string, unknown> & { type: string };

/** A program speaking JSON lines: hello, then frames (as in json.test.ts). */
class JsonClient {
  readonly client: Client;
  private constructor(client: Client) {
    this.client = client;
  }

  static async join(port: number, nick: string): Promise<JsonClient> {
    const client = await Client.connect(port);
    client.send(JSON.stringify({ type: "hello", client: "test", version: 1 }));
    const json = new JsonClient(client);
    await json.next("welcome");
    json.frame({ type: "nick", nick, id: "n" });
    await json.next("joined");
    return json;
  }

  frame(frame: Record<string, unknown>): void {
    this.client.send(JSON.stringify(frame));
  }

  /** The next frame of this type (frames before it are consumed); bounded. */
  next(type: string): Promise<JsonFrame> {
    return within(
      (async () => {
        for (;;) {
          const frame = JSON.parse(await this.client.waitFor(/^\{/)) as JsonFrame;
          if (frame.type === type) return frame;
        }
      })(),
      () => `a ${type} frame; last lines:\n${this.client.lines.slice(-10).join("\n")}`,
    );
  }

  /** Every frame received so far. */
  frames(): JsonFrame[] {
    return this.client.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as JsonFrame);
  }
}

/** `parley connect PORT --nick NICK` with `lines` piped to stdin, then end of input; resolves when it exits. */
async function pipedConnect(port: number, nick: string, lines: string[]): Promise<NsProcess & { code: number }> {
  const p = runLocal(["connect", String(port), "--nick", nick], { stdin: "pipe" });
  for (const line of lines) p.type(line);
  p.endInput();
  const code = await within(p.exited, () => `parley connect to exit; stdout so far:\n${p.stdout.lines.join("\n")}\nstderr:\n${p.stderr.lines.join("\n")}`);
  await within(Promise.all([p.stdout.whenEnded(), p.stderr.whenEnded()]), () => "parley connect's output to end");
  return Object.assign(p, { code });
}

// Named unlike any built-in plugin: it replaces the built-in commands
// `list` and `msg` (every alias with them) by defining commands of those names.
const ROSTER_TS = `import { defineCommand, definePlugin } from "parley";

export default definePlugin({
  name: "roster",
  description: "list and msg, the roster's way",
  commands: [
    defineCommand({
      name: "list",
      aliases: ["l", "who"],
      summary: "how many are here",
      run(ctx) {
        ctx.reply(\`* roster: \${ctx.users().length} here\`);
      },
    }),
    defineCommand({
      name: "msg",
      aliases: ["c", "tell"],
      params: ["nick", "text..."],
      summary: "whisper TEXT to NICK, upper-cased",
      run(ctx, [nick, text]) {
        if (!ctx.whisper(nick, text.toUpperCase())) return ctx.error(\`roster: no \${nick} here\`);
        ctx.reply(\`* roster: whispered to \${nick}\`);
      },
    }),
  ],
});
`;

/** A fresh plugins folder holding roster.ts. */
function rosterFolder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "parley-one-path-")), "plugins");
  mkdirSync(dir);
  writeFileSync(join(dir, "roster.ts"), ROSTER_TS);
  return dir;
}

/** The built-in list's header, as text. */
const BUILT_IN_HEADER = /^\* \d+ online:$/;

describe("a plugin that replaces list and msg replaces them for every client", () => {
  test("telnet lines, every JSON frame kind, and parley connect all get the replacement", async () => {
    const parley = await startChat(["--plugins", rosterFolder()]);
    expect(await within(parley.waitForLog(/\/list of built-in plugin list .*is replaced by plugin roster/), () => "the replacement note for /list")).toContain("roster");
    expect(await within(parley.waitForLog(/\/msg of built-in plugin secret .*is replaced by plugin roster/), () => "the replacement note for /msg")).toContain("roster");

    const amy = await Client.join(parley.port, "amy");
    const bob = await Client.join(parley.port, "bob");
    const jay = await JsonClient.join(parley.port, "jay");
    await see(amy, "jay joined");
    await see(bob, "jay joined");

    // A telnet user: the bare word, the slash form, more aliases, the colon form.
    for (const line of ["l", "/list", "/who"]) {
      amy.send(line);
      expect(await see(amy, /^(\* roster|\* \d+ online:)/)).toBe("* roster: 3 here");
    }
    amy.send("c:bob:hi");
    expect(await see(amy, /^(\* roster|! )/)).toBe("* roster: whispered to bob");
    expect(await see(bob, "[private]")).toBe("[private] amy: HI");
    amy.send("/msg bob hi again");
    expect(await see(amy, /^(\* roster|! )/)).toBe("* roster: whispered to bob");
    expect(await see(bob, "[private]")).toBe("[private] amy: HI AGAIN");
    amy.send("/tell bob hi there");
    expect(await see(amy, /^(\* roster|! )/)).toBe("* roster: whispered to bob");
    expect(await see(bob, "[private]")).toBe("[private] amy: HI THERE");
    expect(amy.lines.filter((l) => BUILT_IN_HEADER.test(l))).toEqual([]);

    // A program: the list frame, a command frame, line frames, the msg frame.
    jay.frame({ type: "list", id: 1 });
    expect(await jay.next("system")).toEqual({ type: "system", text: "* roster: 3 here", id: 1 });
    jay.frame({ type: "command", name: "list" });
    expect(await jay.next("system")).toEqual({ type: "system", text: "* roster: 3 here" });
    jay.frame({ type: "command", name: "who", id: "w" });
    expect(await jay.next("system")).toEqual({ type: "system", text: "* roster: 3 here", id: "w" });
    jay.frame({ type: "line", text: "l" });
    expect(await jay.next("system")).toEqual({ type: "system", text: "* roster: 3 here" });
    jay.frame({ type: "line", text: "/list", id: "L" });
    expect(await jay.next("system")).toEqual({ type: "system", text: "* roster: 3 here", id: "L" });
    jay.frame({ type: "msg", to: "bob", text: "hi", id: 4 });
    expect(await jay.next("system")).toEqual({ type: "system", text: "* roster: whispered to bob", id: 4 });
    expect(await see(bob, "[private]")).toBe("[private] jay: HI");
    jay.frame({ type: "line", text: "c:bob:hi by line", id: 5 });
    expect(await jay.next("system")).toEqual({ type: "system", text: "* roster: whispered to bob", id: 5 });
    expect(await see(bob, "[private]")).toBe("[private] jay: HI BY LINE");
    jay.frame({ type: "command", name: "msg", args: ["bob", "hi", "by", "command"] });
    expect(await jay.next("system")).toEqual({ type: "system", text: "* roster: whispered to bob" });
    expect(await see(bob, "[private]")).toBe("[private] jay: HI BY COMMAND");
    // No list frame ever came.
    const jayFrames = jay.frames();
    expect(jayFrames.filter((f) => f.type === "list")).toEqual([]);
    // Frames with an id get the whisper's own copy as their ack (session.whisper): upper-cased, too.
    expect(jayFrames.filter((f) => f.type === "private")).toEqual([
      { type: "private", from: "jay", to: "bob", text: "HI", id: 4 },
      { type: "private", from: "jay", to: "bob", text: "HI BY LINE", id: 5 },
    ]);

    // parley connect, piped: what is typed goes as line frames.
    const carl = await pipedConnect(parley.port, "carl", ["l", "c:bob:hi"]);
    expect(carl.code).toBe(0);
    expect(await see(bob, "[private]")).toBe("[private] carl: HI");
    const out = carl.stdout.lines;
    expect(out).toContain("* roster: 4 here");
    expect(out).toContain("* roster: whispered to bob");
    expect(out.indexOf("* roster: 4 here")).toBeLessThan(out.indexOf("* roster: whispered to bob"));
    expect(out.filter((l) => BUILT_IN_HEADER.test(l))).toEqual([]);
    expect(carl.stderr.lines).toEqual([]);

    // Bob never got a built-in (lower-case) whisper.
    expect(bob.lines.filter((l) => l.startsWith("[private]"))).toEqual([
      "[private] amy: HI",
      "[private] amy: HI AGAIN",
      "[private] amy: HI THERE",
      "[private] jay: HI",
      "[private] jay: HI BY LINE",
      "[private] jay: HI BY COMMAND",
      "[private] carl: HI",
    ]);
    for (const c of [amy, bob, jay.client]) c.close();
    await parley.stop();
  });
});

describe("control: with the built-in plugins", () => {
  test("the same three clients get the built-in list and msg", async () => {
    const parley = await startChat();
    const amy = await Client.join(parley.port, "amy");
    const bob = await Client.join(parley.port, "bob");
    const jay = await JsonClient.join(parley.port, "jay");
    await see(amy, "jay joined");
    await see(bob, "jay joined");

    for (const line of ["l", "/list"]) {
      amy.send(line);
      expect(await see(amy, /^(\* roster|\* \d+ online:)/)).toBe("* 3 online:");
    }
    amy.send("c:bob:hi");
    expect(await see(bob, "[private]")).toBe("[private] amy: hi");

    const users = [
      { nick: "amy", idle: expect.any(Number), connectedAt: expect.any(String) },
      { nick: "bob", idle: expect.any(Number), connectedAt: expect.any(String) },
      { nick: "jay", idle: expect.any(Number), connectedAt: expect.any(String) },
    ];
    jay.frame({ type: "list", id: 1 });
    expect(await jay.next("list")).toEqual({ type: "list", online: 3, users, room: "#lobby", defaultRoom: true, id: 1 });
    jay.frame({ type: "command", name: "list" });
    expect(await jay.next("list")).toEqual({ type: "list", online: 3, users, room: "#lobby", defaultRoom: true });
    jay.frame({ type: "line", text: "l" });
    expect(await jay.next("list")).toEqual({ type: "list", online: 3, users, room: "#lobby", defaultRoom: true });
    jay.frame({ type: "msg", to: "bob", text: "hi", id: 4 });
    expect(await jay.next("private")).toEqual({ type: "private", from: "jay", to: "bob", text: "hi", id: 4 });
    expect(await see(bob, "[private]")).toBe("[private] jay: hi");
    expect(jay.frames().filter((f) => f.type === "system" && String(f.text).includes("roster"))).toEqual([]);

    const carl = await pipedConnect(parley.port, "carl", ["l", "c:bob:hi"]);
    expect(carl.code).toBe(0);
    expect(await see(bob, "[private]")).toBe("[private] carl: hi");
    const out = carl.stdout.lines;
    expect(out).toContain("* 4 online:");
    expect(out.filter((l) => l.includes("roster"))).toEqual([]);
    expect(amy.lines.filter((l) => l.includes("roster"))).toEqual([]);
    for (const c of [amy, bob, jay.client]) c.close();
    await parley.stop();
  });
});
