// What a plugin or a failing disk does cannot end or freeze the server: a
// rejection no one awaited and a throw in a timer are told with the
// plugin's name; a full disk, a write lock held by another process, a
// read-only or corrupted data file cost history at most, never a line said
// or a session. Against dist/parley, with real limits and a real lock.

import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, mkdtempSync, openSync, writeSync, closeSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "../helpers/client.ts";
import { LineReader, PARLEY, startChat, type LogEntry } from "../helpers/parley.ts";

const BUN = resolve(import.meta.dir, "../../node_modules/.bin/bun");

/** dist/parley chat behind a wrapper command (prlimit, setpriv), on a free port, logging JSON. */
async function wrapped(wrapper: string[], args: string[], cwd: string) {
  const proc = Bun.spawn([...wrapper, PARLEY, "chat", "--data", "memory", "--host", "127.0.0.1", "--port", "0", "--json-logs", "--log-level", "debug", "--flood-rate", "0", ...args], { cwd, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const log = new LineReader(proc.stderr);
  const port = Number(/listening on [^ ]*:(\d+)/.exec(await log.waitFor(/listening on/))![1]);
  const message = (match: string) => log.waitFor(match).then((l) => (JSON.parse(l) as LogEntry).message);
  return { proc, port, log, message, stop: async () => (proc.kill("SIGTERM"), await proc.exited) };
}

describe("a plugin cannot end the server", () => {
  test("a rejection no one awaited and a throw in a timer are logged with the plugin's name; everyone goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-crash-"));
    mkdirSync(join(dir, "plugins"));
    writeFileSync(
      join(dir, "plugins", "crash.ts"),
      `import { definePlugin } from "parley";
export default definePlugin({ name: "crash", commands: [
  { name: "reject", summary: "rejects a promise no one awaits", run(ctx) { void Promise.reject(new Error("boom in a promise")); ctx.reply("* rejected"); } },
  { name: "timer", summary: "throws in a timer", run(ctx) { setTimeout(() => { throw new Error("boom in a timer"); }, 1); ctx.reply("* armed"); } },
] });
`,
    );
    const parley = await startChat(["--plugins", join(dir, "plugins")], { cwd: dir });
    const a = await Client.join(parley.port, "crasher");
    const b = await Client.join(parley.port, "bystander");
    a.send("/reject");
    expect(await parley.waitForLog("boom in a promise")).toBe("plugin crash (plugins/crash.ts): unhandled error, the server goes on: boom in a promise");
    a.send("/timer");
    expect(await parley.waitForLog("boom in a timer")).toBe("plugin crash (plugins/crash.ts): unhandled error, the server goes on: boom in a timer");
    // Both users are still here, and the server answers.
    a.send("after both");
    expect(await b.waitFor("crasher:")).toBe("crasher: after both");
    expect((await b.sync()).length).toBeGreaterThanOrEqual(0);
    expect(parley.proc.exitCode).toBeNull();
    a.close();
    b.close();
    expect(await parley.stop()).toBe(0);
  });
});

describe("a failing disk costs history, never a line or a session", () => {
  test("a full disk (a file size limit): lines are still relayed, the failure is told once, the session goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-full-"));
    const data = join(dir, "chat.db");
    // Room for the schema and a few pages of history, no more.
    const server = await wrapped(["prlimit", "--fsize=98304", "--"], ["--data", data], dir);
    const a = await Client.join(server.port, "writer");
    const b = await Client.join(server.port, "reader");
    const line = "x".repeat(900);
    for (let i = 1; i <= 400; i++) a.send(`${i} ${line}`);
    for (let i = 1; i <= 400; i++) expect(await b.waitFor("writer:")).toBe(`writer: ${i} ${line}`);
    expect(await server.message("history is not being kept")).toStartWith("history is not being kept: ");
    // The room was told between the lines (waitFor above went past it).
    expect(b.lines).toContain("* history is not being kept right now (the server cannot write its data); messages still reach everyone");
    // Told once, however many writes failed.
    expect(server.log.lines.filter((l) => l.includes("history is not being kept")).length).toBe(1);
    a.send("still talking");
    expect(await b.waitFor("still talking")).toBe("writer: still talking");
    expect(statSync(data).size).toBeLessThanOrEqual(98304);
    a.close();
    b.close();
    expect(await server.stop()).toBe(0);
  });

  test("a write lock held by another process: lines go on at once; history is kept again once the lock is gone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-lock-"));
    const data = join(dir, "chat.db");
    const parley = await startChat(["--data", data, "--history", "500"], { cwd: dir });
    const a = await Client.join(parley.port, "talker");
    const b = await Client.join(parley.port, "hearer");
    // Another process takes the write lock and keeps it until told to let go.
    const holder = Bun.spawn([BUN, "-e", `const { Database } = require("bun:sqlite"); const db = new Database(${JSON.stringify(data)}); db.run("BEGIN IMMEDIATE"); console.log("locked"); for await (const _ of console) { db.run("COMMIT"); console.log("released"); break; }`], { stdin: "pipe", stdout: "pipe" });
    const said = new LineReader(holder.stdout);
    await said.waitFor("locked");
    for (let i = 1; i <= 20; i++) a.send(`locked out ${i}`);
    for (let i = 1; i <= 20; i++) expect(await b.waitFor("talker:")).toBe(`talker: locked out ${i}`);
    expect(b.lines.some((l) => l.startsWith("* history is not being kept"))).toBe(true);
    // A burst while the lock is held does not wait on SQLite line by line:
    // a write tried for each would wait out the 10 ms busy timeout each, 3 s
    // of sleep for these 300 (a lower bound no machine can beat); unlocked
    // they take some 30 ms here, so 1.5 s is a margin of 50.
    const started = performance.now();
    await a.write(Array.from({ length: 300 }, (_, i) => `burst ${i + 1}\r\n`).join(""));
    expect(await b.waitFor("burst 300")).toBe("talker: burst 300");
    expect(performance.now() - started).toBeLessThan(1500);
    holder.stdin.write("let go\n");
    holder.stdin.flush();
    await said.waitFor("released");
    expect(await b.waitFor("history is being kept again")).toBe("* history is being kept again");
    await holder.exited;
    // Nothing said during the lock was lost from history: a newcomer is shown it.
    const late = await Client.connect(parley.port);
    await late.waitFor("choose a nickname");
    late.send("latecomer");
    await late.waitFor("* Hi latecomer!");
    await late.sync();
    const replayed = late.lines.filter((l) => l.includes("talker: locked out"));
    expect(replayed.length).toBe(20);
    expect(late.lines.filter((l) => l.includes("talker: burst ")).length).toBe(300);
    for (const c of [a, b, late]) c.close();
    expect(await parley.stop()).toBe(0);
  });

  test("a read-only data file is reported at start, and the chat works", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-ro-"));
    chmodSync(dir, 0o777);
    const data = join(dir, "chat.db");
    new Database(data, { create: true }).close();
    const seeded = await startChat(["--data", data], { cwd: dir });
    expect(await seeded.stop()).toBe(0);
    chmodSync(data, 0o444);
    // As root a mode bit stops no write: the server runs as nobody.
    const server = await wrapped(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"], ["--data", data], dir);
    expect(await server.message("cannot write it")).toMatch(/^--data .*chat\.db: cannot write it \(.*readonly.*\); history, accounts and bans will not be kept$/);
    const a = await Client.join(server.port, "ro1");
    const b = await Client.join(server.port, "ro2");
    a.send("read-only is fine");
    expect(await b.waitFor("ro1:")).toBe("ro1: read-only is fine");
    a.close();
    b.close();
    expect(await server.stop()).toBe(0);
  });

  test("a corrupted data file: the server refuses it in one line, or serves without history; never a stack trace or a frozen session", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-bad-"));
    const data = join(dir, "chat.db");
    const first = await startChat(["--data", data, "--history", "20"], { cwd: dir });
    const w = await Client.join(first.port, "before");
    for (let i = 0; i < 50; i++) w.send(`kept ${i} ${"y".repeat(200)}`);
    await w.sync();
    w.close();
    expect(await first.stop()).toBe(0);
    // Garbage over the history table's pages.
    const fd = openSync(data, "r+");
    const size = statSync(data).size;
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.max(4096, size - 8192));
    closeSync(fd);
    const proc = Bun.spawn([PARLEY, "chat", "--host", "127.0.0.1", "--port", "0", "--json-logs", "--flood-rate", "0", "--data", data, "--history", "20"], { cwd: dir, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    const log = new LineReader(proc.stderr);
    const outcome = await Promise.race([log.waitFor(/listening on/).then(() => "listening" as const), proc.exited.then(() => "exited" as const)]);
    if (outcome === "exited") {
      expect(proc.exitCode).not.toBe(0);
      expect(log.lines.join("\n")).not.toContain("    at ");
      expect(log.lines.at(-1)).toMatch(/data|database|disk image/i);
      return;
    }
    const port = Number(/listening on [^ ]*:(\d+)/.exec(log.lines.find((l) => l.includes("listening on"))!)![1]);
    const a = await Client.join(port, "after1");
    const b = await Client.join(port, "after2");
    a.send("the chat goes on");
    expect(await b.waitFor("after1:")).toBe("after1: the chat goes on");
    for (const c of [a, b]) c.close();
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });
});
