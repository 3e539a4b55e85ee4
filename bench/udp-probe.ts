// The UDP probe benchmark: `parley udp echo` on 127.0.0.1 and `parley udp
// probe` against it at rising rates, for a few seconds each; one row per
// rate: what the probe sent, what came back, loss, RTT and jitter, and what
// the kernel dropped for the echo server's socket. Loopback unicast only.
//
//   bun bench/udp-probe.ts [--rates 1000,5000,20000] [--seconds 2] [--size 64]

import { resolve } from "node:path";

const PARLEY = resolve(import.meta.dir, "../dist/parley");

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
}

const rates = flag("rates", "1000,5000,20000").split(",").map(Number).filter((n) => n > 0).slice(0, 20);
const seconds = Math.min(60, Number(flag("seconds", "2")));
const size = flag("size", "64");

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

interface Row {
  rate: number;
  sent: number;
  received: number;
  lostPercent: number;
  rttAvg: number | undefined;
  jitter: number;
  echoDropped: number;
}

async function one(rate: number): Promise<Row> {
  const echo = Bun.spawn([PARLEY, "udp", "echo", "--host", "127.0.0.1", "--port", "0", "--limit", "1000000", "--rcvbuf", "4194304", "--log-level", "info"], { stdout: "ignore", stderr: "pipe" });
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

const rows: Row[] = [];
for (const rate of rates) rows.push(await one(rate));
const table = [
  ["rate/s", "sent", "received", "lost %", "rtt avg ms", "jitter ms", "echo dropped"],
  ...rows.map((r) => [String(r.rate), String(r.sent), String(r.received), r.lostPercent.toFixed(2), r.rttAvg === undefined ? "-" : r.rttAvg.toFixed(3), r.jitter.toFixed(3), String(r.echoDropped)]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const row of table) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join("  "));
