// The rest of the issue "Nothing a client or a plugin does can crash, freeze
// or exhaust the server", against dist/parley:
// - two /register of one nick, sent together: one winner, and the winner's
//   password is the one that works;
// - /login lines from connections that then close: the argon2 work they
//   asked for is not done after they are gone (CPU read from /proc);
// - limits that contradict each other are refused at start in one line;
// - a stream of over-long lines takes flood-control turns: a few errors and
//   one notice, not one error each.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import net from "node:net";
import { Client } from "../helpers/client.ts";
import { PARLEY, startChat } from "../helpers/parley.ts";

/** CPU seconds (user + system) the process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

describe("/register has one winner", () => {
  test("two /register of one nick that overlap (the first still waiting for argon2 past --handler-timeout): one is registered, the other refused, and the winner's password logs in", async () => {
    const parley = await startChat(["--handler-timeout", "1"]);
    // Thirty others register at once: argon2 runs a few at a time, so the
    // racer's first hash waits its turn past the 1 s handler timeout, and
    // the session goes on to its second /register while the first is pending.
    const fillers = await Promise.all(Array.from({ length: 30 }, (_, i) => Client.join(parley.port, `filler${i}`)));
    for (const f of fillers) f.send("/register filler-pass");
    const a = await Client.join(parley.port, "racer");
    await a.write("/register first-pass\r\n/register second-pass\r\n");
    await a.waitFor("taking too long"); // the overlap this test is about did happen
    // The two answers, in whichever order they come.
    await a.waitFor(/registered (to you|already)/);
    await a.waitFor(/registered (to you|already)/);
    await Promise.all(fillers.map((f) => f.waitFor("registered to you")));
    await a.sync();
    expect(a.lines.filter((l) => l.includes("registered to you"))).toEqual(["* racer is registered to you until the server restarts: this server keeps no data (--data memory), so the account is then gone. Until then: /login racer PASSWORD"]);
    expect(a.lines).toContain("! racer is registered already; to use it: /login racer PASSWORD");
    a.close();
    await a.whenClosed();
    for (const f of fillers) f.close();
    // The first password, not the second, is the one that works.
    const b = await Client.join(parley.port, "other");
    b.send("/login racer second-pass");
    expect(await b.waitFor("wrong nickname")).toBe("! wrong nickname or password"); // late: past the 1 s handler timeout
    b.send("/login racer first-pass"); // waits its address's turn after the wrong guess
    expect(await b.waitFor("logged in")).toBe("* you are logged in as racer");
    b.close();
    await parley.stop();
  }, 25_000);
});

describe("argon2 work does not outlive its client", () => {
  test("400 /login lines from 10 addresses that then hang up: the server is idle soon after", async () => {
    const parley = await startChat();
    const pid = parley.proc.pid;
    // Ten addresses, so no one address's turns hold the others back: only
    // the server-wide pace and the argon2 pool stand between them and the CPU.
    const clients = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const socket = net.connect({ host: "127.0.0.1", port: parley.port, localAddress: `127.0.0.${i + 2}` });
        await new Promise((resolve) => socket.once("connect", resolve));
        const c = Client.adopt(socket);
        await c.waitFor("choose a nickname");
        c.send(`hasher${i}`);
        await c.waitFor(`* Hi hasher${i}!`);
        return c;
      }),
    );
    const burst = Array.from({ length: 40 }, (_, i) => `/login victim guess-${i}\r\n`).join("");
    await Promise.all(clients.map((c) => c.write(burst)));
    await parley.waitForLog("failed login"); // the work has begun
    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.whenClosed()));
    // What was running when they hung up may finish (a hash per argon2
    // slot, 0.15 s of CPU each, later on a loaded machine: hence the 2 s
    // first); nothing queued for them starts. Before, such a burst kept both
    // cores busy for 30 s after the attack, and a queue that outlived its
    // clients would hold the pool's cores (2 here). Measured 0.01-0.15;
    // a loaded machine can only give the server less CPU.
    await Bun.sleep(2000);
    const before = cpuSeconds(pid);
    const t0 = performance.now();
    await Bun.sleep(3000);
    const cores = (cpuSeconds(pid) - before) / ((performance.now() - t0) / 1000);
    expect(cores).toBeLessThan(0.5);
    await parley.stop();
  }, 20_000);
});

describe("limits that contradict each other", () => {
  test("--max-line 16m with the default --max-outbox is refused at start in one line", async () => {
    const proc = Bun.spawn([PARLEY, "chat", "--data", "memory", "--host", "127.0.0.1", "--port", "0", "--max-line", "16m"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const code = await proc.exited;
    const err = (await new Response(proc.stderr).text()).trim();
    expect(code).not.toBe(0);
    expect(err.split("\n")).toEqual([expect.stringMatching(/^parley: --max-outbox 1m is too small for --max-line 16m: .*at least 4 × --max-line \(64m\)/)]);
  });
});

describe("over-long lines take flood-control turns", () => {
  test("2,000 over-long lines at once: a burst's worth of errors and one notice, and the connection lives", async () => {
    const parley = await startChat(["--flood-rate", "5", "--flood-burst", "10", "--max-line", "1k"]);
    const a = await Client.join(parley.port, "longliner");
    const long = `${"z".repeat(2000)}\r\n`;
    for (let i = 0; i < 2000; i += 100) await a.write(long.repeat(100));
    const told = await a.waitFor(/lines were not sent/);
    expect(Number(/^! (\d+) lines/.exec(told)![1])).toBeGreaterThan(1900);
    await a.sync();
    const errors = a.lines.filter((l) => l.startsWith("! that line was"));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(20);
    expect(a.lines.filter((l) => l.startsWith("! slow down")).length).toBe(1);
    expect(a.closed).toBe(false);
    a.close();
    await parley.stop();
  }, 20_000);
});
