// Server behaviour from the tutorial, made real: connection limits,
// half-close, idle timeout, back-pressure, keepalive, the chat log,
// graceful shutdown. Each test starts its own dist/parley.

import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { startChat } from "../helpers/parley.ts";

// Every behaviour holds on both transports: Bun.listen (the default) and node:net.
for (const transport of ["bun", "net"] as const) {
  const start = (args: string[] = []) => startChat([...args, "--transport", transport]);
  describe(`--transport ${transport}`, () => {
    describe("--max-connections", () => {
      test("connection N+1 is told the server is full and closed; the others notice nothing", async () => {
        const parley = await start(["--max-connections", "2"]);
        const a = await Client.join(parley.port, "first");
        const b = await Client.join(parley.port, "second");
        const c = await Client.connect(parley.port);
        await c.whenClosed();
        expect(c.lines).toEqual(["! server full (2 users), try again later"]);
        a.send("still fine");
        expect(await b.waitFor("first:")).toBe("first: still fine");
        expect(b.drainLines()).toEqual([]);
        // A freed place can be taken again.
        a.close();
        await b.waitFor("first left");
        const d = await Client.join(parley.port, "third");
        d.close();
        b.close();
        expect(await parley.stop()).toBe(0);
      });
    });

    describe("half-close", () => {
      test("a client that shuts down its sending side still gets its answers before the server closes", async () => {
        const parley = await start();
        const other = await Client.join(parley.port, "other");
        const c = await Client.connect(parley.port, { allowHalfOpen: true });
        await c.waitFor("choose a nickname");
        // Like `printf 'nick\nl\nhelp\nlast words' | nc -N`: the last line has no line end.
        c.socket.end("halfy\r\nl\r\nhelp\r\nlast words");
        await c.whenClosed();
        expect(c.lines).toContain("* Hi halfy! Online (2): other, halfy");
        expect(c.lines).toContain("* 2 online:");
        expect(c.lines.at(-1)).toBe("* help COMMAND explains one.");
        expect(await other.waitFor("halfy:")).toBe("halfy: last words");
        expect(await other.waitFor("left")).toBe("* halfy left (connection closed)");
        other.close();
        await parley.stop();
      });
    });

    describe("--idle-timeout", () => {
      test("an idle user is told why and disconnected, and the room sees them leave", async () => {
        const parley = await start(["--idle-timeout", "1"]);
        const idle = await Client.join(parley.port, "sleepy");
        const watcher = await Client.connect(parley.port);
        await watcher.waitFor("choose a nickname");
        watcher.send("watcher");
        // The watcher keeps talking, so only sleepy goes idle.
        const keepAlive = setInterval(() => watcher.send("/list"), 300);
        await idle.whenClosed();
        clearInterval(keepAlive);
        expect(idle.lines.at(-1)).toBe("* You have been idle for 1s; disconnecting. Bye!");
        expect(await watcher.waitFor("sleepy left")).toBe("* sleepy left (idle timeout)");
        expect(await parley.waitForLog("sleepy disconnected: idle")).toContain("idle for 1s");
        watcher.close();
        await parley.stop();
      });
    });

    describe("back-pressure", () => {
      test("a client that stops reading is cut off at its outbox cap, and the others keep up", async () => {
        const parley = await start(["--max-outbox", "256k"]);
        const stalled = await Client.join(parley.port, "stalled");
        const reader = await Client.join(parley.port, "reader");
        const sender = await Client.join(parley.port, "sender");
        stalled.socket.pause(); // reads nothing more: the kernel buffers fill, then the outbox
        const line = "y".repeat(4000);
        // 20 MB in all, more than any loopback socket buffer, sent in batches the
        // reader keeps up with: only the stalled client falls behind.
        const batches = 50;
        const perBatch = 100;
        const cut = parley.waitForLog("stalled disconnected: not reading");
        for (let b = 0; b < batches; b++) {
          for (let i = 0; i < perBatch; i++) sender.send(`${b * perBatch + i} ${line}`);
          await reader.waitFor(`sender: ${(b + 1) * perBatch - 1} `);
        }
        expect(await cut).toMatch(/limit 262144/);
        const said = reader.lines.filter((l) => l.startsWith("sender: ")).length;
        expect(said).toBe(batches * perBatch);
        // The room was told as soon as it happened, somewhere among the lines.
        expect(reader.lines).toContain("* stalled left (not reading: too much waiting)");
        for (const c of [stalled, reader, sender]) c.close();
        await parley.stop();
      });
    });

    describe("--keepalive", () => {
      test("sets TCP keepalive on every connection", async () => {
        const parley = await start(["--keepalive", "42"]);
        const c = await Client.join(parley.port, "kept");
        // The kernel shows the keepalive timer once no other timer (a pending
        // ACK, a retransmit) is running; there is no event for that, so ask a
        // bounded number of times.
        let shown = "";
        for (let i = 0; i < 100 && !shown.includes("keepalive"); i++) {
          if (i > 0) await Bun.sleep(20);
          shown = Bun.spawnSync(["ss", "-tnoH", "state", "established", `( sport = :${parley.port} )`]).stdout.toString();
        }
        expect(shown).toMatch(/timer:\(keepalive,(4[0-2]|3\d)sec/);
        c.close();
        await parley.stop();
      });
    });

    describe("--log-file", () => {
      test("appends every chat event as one JSON line, sanitized", async () => {
        const dir = mkdtempSync(join(tmpdir(), "parley-log-"));
        const file = join(dir, "chat.jsonl");
        const parley = await start(["--log-file", file]);
        const a = await Client.join(parley.port, "logger");
        const b = await Client.join(parley.port, "logged");
        a.send("hi \x1b[31mthere");
        await b.waitFor("logger:");
        b.send("/nick renamed");
        await a.waitFor("is now");
        b.close();
        await a.waitFor("left");
        expect(await parley.stop()).toBe(0);
        const events = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
        // A shutdown tells everyone at once, so no one is logged as leaving then.
        expect(events.map(({ time: _, ...e }) => e)).toEqual([
          { type: "joined", nick: "logger", online: 1 },
          { type: "joined", nick: "logged", online: 2 },
          { type: "said", room: "#lobby", from: "logger", text: "hi there" },
          { type: "renamed", from: "logged", to: "renamed" },
          { type: "left", nick: "renamed", reason: "connection closed", online: 1 },
        ]);
        for (const e of events) expect(Date.parse(e.time)).not.toBeNaN();
      });
    });

    describe("shutdown", () => {
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        test(`${signal}: everyone is told, connections close, exit code 0`, async () => {
          const parley = await start();
          const a = await Client.join(parley.port, "one");
          const b = await Client.join(parley.port, "two");
          const code = await parley.stop(signal);
          await Promise.all([a.whenClosed(), b.whenClosed()]);
          expect(code).toBe(0);
          expect(a.lines.at(-1)).toBe("* The server is shutting down. Bye!");
          expect(b.lines.at(-1)).toBe("* The server is shutting down. Bye!");
          // No one is announced as leaving one by one during a shutdown.
          expect(a.lines.filter((l) => l.includes("left"))).toEqual([]);
        });
      }
    });
  });
}
