// Connection-level attacks against dist/parley, each a reproduction from the
// issue "Nothing a client or a plugin does can crash, freeze or exhaust the
// server", asserting what must hold instead:
// - TLS sockets that never finish the handshake are counted from TCP accept
//   (--max-connections refuses past the limit) and cut at the handshake
//   deadline; a legitimate TLS client then gets in;
// - flooded past its open-file limit, the server neither spins nor stops
//   answering the clients it has;
// - a client streaming telnet negotiation and never reading holds about
//   --max-outbox of memory;
// - an unterminated line sent a byte per packet holds about its bytes.
// Memory is read from /proc/PID/status (VmRSS) and compared with the bound
// the limits document; CPU from /proc/PID/stat. No absolute times.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { Client } from "../helpers/client.ts";
import { LineReader, PARLEY, startChat, type LogEntry } from "../helpers/parley.ts";

const TRANSPORTS = ["bun", "net"] as const;
const MiB = 1024 * 1024;

let cert = "";
let key = "";
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "parley-attacks-tls-"));
  cert = join(dir, "cert.pem");
  key = join(dir, "key.pem");
  const made = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost"]);
  if (made.exitCode !== 0) throw new Error(`openssl: ${made.stderr}`);
});

// Every raw socket opened here is destroyed when the file ends.
const sockets = new Set<net.Socket>();
const started = new Set<Bun.Subprocess>();
afterAll(() => {
  for (const s of sockets) s.destroy();
  for (const p of started) p.kill("SIGKILL");
});

/** A TCP connection that says nothing: for a TLS port, a handshake never started. */
function silent(port: number): net.Socket & { closedByServer: Promise<void> } {
  const socket = net.connect({ port, host: "127.0.0.1" }) as net.Socket & { closedByServer: Promise<void> };
  sockets.add(socket);
  socket.on("error", () => {});
  socket.on("data", () => {});
  socket.closedByServer = new Promise((resolve) => socket.once("close", () => resolve()));
  return socket;
}

/** A TLS client's lines (the certificate is self-signed, so not checked). */
function tlsReader(port: number): { socket: tls.TLSSocket; lines: LineReader } {
  const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
  socket.on("error", () => {});
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      socket.on("data", (b: Buffer) => controller.enqueue(new Uint8Array(b)));
      socket.on("close", () => controller.close());
    },
  });
  return { socket, lines: new LineReader(stream) };
}

const rss = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
/** CPU seconds (user + system) the process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}
const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** Starts dist/parley chat under `prlimit --nofile=N:N`, logging JSON; waits for both ports. */
async function startLimited(nofile: number, args: string[]) {
  const proc = Bun.spawn(["prlimit", `--nofile=${nofile}:${nofile}`, PARLEY, "chat", "--data", "memory", "--host", "127.0.0.1", "--port", "0", "--json-logs", "--log-level", "info", "--flood-rate", "0", ...args], {
    cwd: mkdtempSync(join(tmpdir(), "parley-attacks-")),
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  started.add(proc);
  const log = new LineReader(proc.stderr);
  const plain = await log.waitFor(/listening on /);
  const tlsLine = args.includes("--tls-port") ? await log.waitFor(/listening for TLS/) : undefined;
  const portOf = (line: string) => Number(/:(\d+)[;) ]/.exec((JSON.parse(line) as LogEntry).message)![1]);
  return { proc, log, port: portOf(plain), tlsPort: tlsLine ? portOf(tlsLine) : undefined };
}

describe.each(TRANSPORTS)("--transport %s", (transport) => {
  test("TLS sockets that never finish the handshake count against --max-connections from TCP accept, and are cut at the deadline; then a TLS client gets in", async () => {
    const parley = await startChat(["--transport", transport, "--tls-cert", cert, "--tls-key", key, "--nick-timeout", "2", "--max-connections", "20"]);
    const half = Array.from({ length: 20 }, () => silent(parley.port));
    // Counted at TCP accept, before any handshake.
    expect(await parley.waitForLog(/\(TLS handshake\) \(20 open\)/)).toContain("connection from 127.0.0.1:");
    // The 21st is refused, and told so once its own handshake is done.
    const refused = tlsReader(parley.port);
    expect(await refused.lines.waitFor("server full")).toBe("! server full (20 users), try again later");
    await refused.lines.whenEnded();
    // The silent ones are cut by the handshake deadline (the nick timeout, shorter than 10 s).
    await Promise.all(half.map((s) => s.closedByServer));
    expect(await parley.waitForLog("no TLS handshake")).toMatch(/disconnected: no TLS handshake after 2s$/);
    // Now a legitimate TLS client joins and is answered.
    const ok = tlsReader(parley.port);
    await ok.lines.waitFor("choose a nickname");
    ok.socket.write("tlsok\r\n/list\r\n");
    expect(await ok.lines.waitFor("Hi tlsok")).toStartWith("* Hi tlsok!");
    ok.socket.destroy();
    await parley.stop();
  }, 20_000);

  test("flooded past its open-file limit (plain and TLS), the server does not spin and still answers the client it has", async () => {
    const NOFILE = 256;
    const parley = await startLimited(NOFILE, ["--transport", transport, "--tls-cert", cert, "--tls-key", key, "--tls-port", "0"]);
    const pid = parley.proc.pid;
    const old = await Client.join(parley.port, "old");
    // 400 connections held open, half of them TLS handshakes never begun: more than 256 files.
    const flood: ReturnType<typeof silent>[] = [];
    for (let i = 0; i < 400; i++) {
      flood.push(silent(i % 2 ? parley.tlsPort! : parley.port));
      if (i % 50 === 49) await Bun.sleep(10);
    }
    await parley.log.waitFor("all the open-file limit allows");
    // Those past the limit are closed at once; the server keeps its files under it.
    let closed = 0;
    for (const s of flood) void s.closedByServer.then(() => closed++);
    for (let i = 0; i < 100 && closed < 400 - NOFILE; i++) await Bun.sleep(20);
    expect(closed).toBeGreaterThanOrEqual(400 - NOFILE);
    expect(openFds(pid)).toBeLessThan(NOFILE);
    // Two seconds with the flood still holding its sockets: well under a core.
    const before = cpuSeconds(pid);
    const t0 = performance.now();
    await Bun.sleep(2000);
    const cores = (cpuSeconds(pid) - before) / ((performance.now() - t0) / 1000);
    expect(cores).toBeLessThan(0.25);
    // The client it had is answered.
    expect(await old.sync()).toBeArray();
    old.close();
    for (const s of flood) s.destroy();
    parley.proc.kill("SIGTERM");
    await parley.proc.exited;
  }, 30_000);
});

test("100 clients streaming telnet negotiation and never reading: memory grows by at most 2 × --max-outbox each, and each is cut", async () => {
  const N = 100;
  const OUTBOX = 1 * MiB;
  const parley = await startChat(["--max-outbox", "1m"]);
  const pid = parley.proc.pid;
  const clients: Client[] = [];
  for (let i = 0; i < N; i++) clients.push(await Client.join(parley.port, `neg${i}`));
  for (const c of clients) c.socket.pause(); // never reads again
  await Bun.sleep(300);
  const base = rss(pid);
  let peak = base;
  // IAC WILL 200, over and over: each 3 bytes asks for a 3-byte IAC DONT 200.
  const storm = Buffer.alloc(3 * 10_000);
  for (let i = 0; i < storm.length; i += 3) storm.set([255, 251, 200], i);
  for (const c of clients) {
    const pump = () => {
      while (!c.socket.destroyed && c.socket.write(storm));
    };
    c.socket.on("drain", pump);
    pump();
  }
  const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 50);
  await Promise.all(clients.map((c) => c.whenClosed()));
  clearInterval(sampler);
  peak = Math.max(peak, rss(pid));
  const cuts = parley.log.lines.filter((l) => l.includes("disconnected: not reading"));
  expect(cuts.length).toBe(N);
  expect(cuts[0]).toContain("limit 1048576");
  const growth = peak - base;
  // What each client holds is capped at --max-outbox; the peak RSS also
  // counts the flood's own input that the collector has not returned yet
  // (measured 1.16-1.53 here, more when the machine is loaded and the
  // collector runs late), so the bound is three times the cap. Before the
  // cap counted held memory, this grew by 8.6 times it (+861 MB for 100 clients).
  expect(growth / (N * OUTBOX)).toBeLessThanOrEqual(3);
  await parley.stop();
}, 40_000);

test("an unterminated line sent one byte per packet by 500 clients holds at most 1.5 × --max-line each", async () => {
  const N = 500;
  const LEN = 1000;
  const MAX_LINE = 16 * 1024;
  const parley = await startChat(["--max-line", "16k"]);
  const pid = parley.proc.pid;
  const clients: Client[] = [];
  for (let i = 0; i < N; i++) clients.push(await Client.join(parley.port, `slow${i}`));
  const watcher = await Client.join(parley.port, "watcher");
  await watcher.sync();
  await Bun.sleep(500);
  const base = rss(pid);
  // A byte to each client in turn, so every byte reaches the server as a read of its own.
  const byte = Buffer.from("x");
  for (let b = 0; b < LEN; b++) {
    for (const c of clients) c.socket.write(byte);
    if (b % 10 === 9) await Bun.sleep(1);
  }
  // Everything sent has been read: a line ended now arrives whole.
  clients[0]!.send("");
  expect(await watcher.waitFor("slow0: ")).toBe(`slow0: ${"x".repeat(LEN)}`);
  // RSS also counts the reads' garbage until the collector's timer runs (seen
  // at up to 1.1 × the bound on a loaded machine, and past it once in CI);
  // what is held stays. So the growth must come down to the bound within a
  // deadline: a per-read leak (the bug: ~190 B a read, 11.6 × the bound)
  // never does, garbage does within about 8 s here.
  const bound = 1.5 * N * MAX_LINE;
  const deadline = Date.now() + 20_000;
  let growth = rss(pid) - base;
  while (growth > bound && Date.now() < deadline) {
    await Bun.sleep(250);
    growth = rss(pid) - base;
  }
  expect(growth / (N * MAX_LINE)).toBeLessThanOrEqual(1.5);
  for (const c of [...clients, watcher]) c.close();
  await parley.stop();
}, 40_000);
