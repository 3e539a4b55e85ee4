// The UDP benchmarks, on loopback only (127.0.0.1, unicast).
//
// U1 (`npm run bench -- --only U1`, not in the default set): loss at rising
// rates of 64-byte datagrams, 2 s each, as each tool's receiver reports it:
// parley (a receiving probe, `--no-send`, hearing a sending probe) beside
// iperf 2 (`iperf -s -u -l 64` hearing `iperf -c 127.0.0.1 -u -l 64 -b BITS
// -t 2`), each next to the kernel's drop count for the receiving socket
// (parley: its exit summary; iperf: /proc/net/udp, sampled while it runs).
// Both run with the kernel's default receive buffer.
//
// Run alone, the older table: `parley udp echo` and a probe against it at
// rising rates (loss, RTT, jitter, the echo socket's kernel drops).
//
//   bun bench/udp-probe.ts [--rates 1000,5000,20000] [--seconds 2] [--size 64]
//   bun bench/udp-probe.ts --vs-iperf [--rates 20000,40000,60000,100000] [--seconds 2] [--size 64]

import { readFileSync } from "node:fs";
import dgram from "node:dgram";
import { resolve } from "node:path";
import type { RunResult } from "./result.ts";

/** Every process started here, so an interrupted bench can stop them (by PID). */
const running = new Set<Bun.Subprocess>();

export function stopUdpProcesses(): void {
  for (const proc of running) proc.kill("SIGKILL");
}

function spawn(command: string[], stdout: "pipe" | "ignore" = "pipe"): Bun.Subprocess<"ignore", "pipe" | "ignore", "pipe"> {
  const proc = Bun.spawn(command, { stdin: "ignore", stdout, stderr: "pipe" });
  running.add(proc);
  void proc.exited.then(() => running.delete(proc));
  return proc as Bun.Subprocess<"ignore", "pipe" | "ignore", "pipe">;
}

/** Reads a stream to its end in the background; `text()` is what came so far. */
function collect(stream: ReadableStream<Uint8Array>): { text: () => string; done: Promise<void> } {
  let text = "";
  const done = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  })();
  return { text: () => text, done };
}

async function waitFor(read: () => string, match: string, timeoutMs = 10_000): Promise<string> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await Bun.sleep(10)) {
    const line = read().split("\n").find((l) => l.includes(match));
    if (line) return line;
  }
  throw new Error(`no "${match}" line`);
}

/** A UDP port free on 127.0.0.1 a moment ago. */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((done) => s.bind(0, "127.0.0.1", done));
  const port = s.address().port;
  await new Promise<void>((done) => s.close(done));
  return port;
}

/** The kernel's drop count for the IPv4 UDP sockets bound to `port` (the last field of /proc/net/udp), or NaN if none. */
function kernelDrops(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
  const lines = readFileSync("/proc/net/udp", "utf8").split("\n").slice(1).filter((l) => l.trim().split(/\s+/)[1]?.endsWith(hex.trim()));
  return lines.length ? lines.reduce((sum, l) => sum + Number(l.trim().split(/\s+/).at(-1)), 0) : NaN;
}

export function iperfMissing(): string | null {
  return Bun.which("iperf") ? null : "iperf is not installed (apt-get install -y iperf)";
}

export interface LossFigures {
  /** what the sender says it sent */
  sent: number;
  /** what the receiver counted as sent, received and lost */
  expected: number;
  received: number;
  lost: number;
  lostPercent: number;
  /** the kernel's drops for the receiving socket */
  drops: number;
}

/** parley: a receiving probe on 127.0.0.1, a sending probe at `rate` for `seconds`. */
export async function parleyLoss(parley: string, rate: number, seconds: number, size: number): Promise<LossFigures> {
  // A probe needs a target; with --no-send it sends nothing to it (127.0.0.1:9, discard) and only listens.
  const receiver = spawn([parley, "udp", "probe", "127.0.0.1:9", "--port", "0", "--no-send", "--rate", "1", "--json", "--log-level", "info"]);
  try {
    const out = collect(receiver.stdout as ReadableStream<Uint8Array>);
    const err = collect(receiver.stderr);
    const port = Number(/:(\d+)$/.exec(JSON.parse(await waitFor(out.text, '"start"')).local)![1]);
    const sender = spawn([parley, "udp", "probe", `127.0.0.1:${port}`, "--rate", String(rate), "--duration", String(seconds), "--size", String(size), "--wait", "0", "--json", "--log-level", "warn"]);
    const sent = await new Response(sender.stdout as ReadableStream<Uint8Array>).text();
    await sender.exited;
    const sentSummary = JSON.parse(sent.split("\n").findLast((l) => l.includes('"summary"'))!);
    await Bun.sleep(300);
    receiver.kill("SIGINT");
    await receiver.exited;
    await Promise.all([out.done, err.done]);
    const summary = JSON.parse(out.text().split("\n").findLast((l) => l.includes('"summary"'))!);
    const peer = summary.peers.find((p: { peer: string }) => p.peer.endsWith(`(${sentSummary.id})`)) ?? { sent: 0, received: 0, lost: 0, lostPercent: 0 };
    // The runner's exit line names the socket's kernel drops (none: no "dropped").
    const drops = Number(/dropped (\d+)/.exec(err.text())?.[1] ?? 0);
    return { sent: sentSummary.sent, expected: peer.sent, received: peer.received, lost: peer.lost, lostPercent: peer.lostPercent, drops };
  } finally {
    receiver.kill("SIGKILL");
  }
}

/** iperf 2: `-s -u -l SIZE` on 127.0.0.1, `-c 127.0.0.1 -u -l SIZE -b BITS -t SECONDS`. */
export async function iperfLoss(rate: number, seconds: number, size: number): Promise<LossFigures> {
  const port = await freeUdpPort();
  const server = spawn(["iperf", "-s", "-u", "-l", String(size), "-B", "127.0.0.1", "-p", String(port)]);
  try {
    const out = collect(server.stdout as ReadableStream<Uint8Array>);
    await waitFor(out.text, "Server listening");
    // -b is payload bits per second: rate datagrams of size bytes.
    const client = spawn(["iperf", "-c", "127.0.0.1", "-p", String(port), "-u", "-l", String(size), "-b", String(rate * size * 8), "-t", String(seconds)]);
    let drops = NaN;
    const sampling = (async () => {
      while (client.exitCode === null) {
        const d = kernelDrops(port);
        if (Number.isFinite(d)) drops = Number.isFinite(drops) ? Math.max(drops, d) : d;
        await Bun.sleep(50);
      }
    })();
    const text = await new Response(client.stdout as ReadableStream<Uint8Array>).text();
    await client.exited;
    await sampling;
    const d = kernelDrops(port);
    if (Number.isFinite(d)) drops = Number.isFinite(drops) ? Math.max(drops, d) : d;
    const sentLine = /Sent (\d+) datagrams/.exec(text);
    const report = /(\d+)\/(\d+) \(([\d.e+-]+)%\)/.exec(text.slice(text.indexOf("Server Report")));
    if (!report) throw new Error(`iperf gave no server report: ${text.split("\n").slice(-3).join(" ")}`);
    const [lost, total] = [Number(report[1]), Number(report[2])];
    return { sent: Number(sentLine?.[1] ?? NaN), expected: total, received: total - lost, lost, lostPercent: Math.round((lost / total) * 10_000) / 100, drops: Number.isFinite(drops) ? drops : 0 };
  } finally {
    server.kill("SIGKILL");
  }
}

export const U1_RATES = [20_000, 40_000, 60_000, 100_000];

export const rateKey = (rate: number) => `${rate / 1000}k`;

/** U1: for each rate, parley's figures then iperf's, as metrics named `<rate>k_<tool>_<figure>`. */
export async function runUdpLoss(parley: string, options: { rates: number[]; seconds: number; size: number }): Promise<RunResult> {
  const metrics: Record<string, number> = {};
  const notes: string[] = [];
  const noIperf = iperfMissing();
  if (noIperf) notes.push(`${noIperf}: its rows are skipped`);
  const put = (rate: number, tool: string, f: LossFigures) => {
    for (const [k, v] of Object.entries(f)) metrics[`${rateKey(rate)}_${tool}_${k}`] = v;
  };
  for (const rate of options.rates) {
    put(rate, "parley", await parleyLoss(parley, rate, options.seconds, options.size));
    if (!noIperf) put(rate, "iperf", await iperfLoss(rate, options.seconds, options.size));
  }
  return { metrics, notes };
}

// --- run alone ---

const PARLEY = resolve(import.meta.dir, "../dist/parley");

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
}

interface Row {
  rate: number;
  sent: number;
  received: number;
  lostPercent: number;
  rttAvg: number | undefined;
  jitter: number;
  echoDropped: number;
}

async function one(rate: number, seconds: number, size: string): Promise<Row> {
  const echo = spawn([PARLEY, "udp", "echo", "--host", "127.0.0.1", "--port", "0", "--limit", "1000000", "--rcvbuf", "4194304", "--log-level", "info"], "ignore");
  try {
    const err = collect(echo.stderr);
    const port = Number(/:(\d+)/.exec(await waitFor(err.text, "listening on"))![1]);
    const probe = Bun.spawn([PARLEY, "udp", "probe", `127.0.0.1:${port}`, "--rate", String(rate), "--duration", String(seconds), "--size", size, "--wait", "500", "--json", "--log-level", "warn"], { stdout: "pipe", stderr: "inherit" });
    const out = await new Response(probe.stdout).text();
    await probe.exited;
    const summary = JSON.parse(out.split("\n").findLast((l) => l.includes('"summary"'))!);
    const peer = summary.peers[0] ?? { received: 0, lostPercent: 100, jitterMs: 0 };
    echo.kill("SIGINT");
    await echo.exited;
    await err.done;
    const dropped = Number(/dropped (\d+)/.exec(err.text())?.[1] ?? 0);
    return { rate, sent: summary.sent, received: peer.received, lostPercent: peer.lostPercent, rttAvg: peer.rttMs?.avg, jitter: peer.jitterMs, echoDropped: dropped };
  } finally {
    echo.kill("SIGKILL");
  }
}

function print(table: string[][]): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join("  "));
}

if (import.meta.main) {
  const vsIperf = process.argv.includes("--vs-iperf");
  const rates = flag("rates", vsIperf ? U1_RATES.join(",") : "1000,5000,20000").split(",").map(Number).filter((n) => n > 0).slice(0, 20);
  const seconds = Math.min(60, Number(flag("seconds", "2")));
  const size = flag("size", "64");
  if (vsIperf) {
    const { metrics, notes } = await runUdpLoss(PARLEY, { rates, seconds, size: Number(size) });
    const cell = (rate: number, tool: string, k: string) => String(metrics[`${rateKey(rate)}_${tool}_${k}`] ?? "-");
    print([
      ["rate/s", "parley sent", "received", "lost", "lost %", "kernel drops", "iperf sent", "received", "lost", "lost %", "kernel drops"],
      ...rates.map((r) => [String(r), ...["sent", "received", "lost", "lostPercent", "drops"].map((k) => cell(r, "parley", k)), ...["sent", "received", "lost", "lostPercent", "drops"].map((k) => cell(r, "iperf", k))]),
    ]);
    for (const n of notes) console.log(n);
  } else {
    const rows: Row[] = [];
    for (const rate of rates) rows.push(await one(rate, seconds, size));
    print([
      ["rate/s", "sent", "received", "lost %", "rtt avg ms", "jitter ms", "echo dropped"],
      ...rows.map((r) => [String(r.rate), String(r.sent), String(r.received), r.lostPercent.toFixed(2), r.rttAvg === undefined ? "-" : r.rttAvg.toFixed(3), r.jitter.toFixed(3), String(r.echoDropped)]),
    ]);
  }
}
