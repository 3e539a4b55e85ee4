// W1 and W2: lines from a few senders fanned out to every other client.
// W1 is closed-loop (each sender keeps a window of lines in flight, as fast
// as the server relays them); W2 is open-loop (each sender sends on a fixed
// schedule whatever happens, so a server that falls behind shows it as
// latency instead of slowing the senders down).

import { BenchClient, CONNECT_PARALLEL, connectMany, nowMicros, quiet, type LoadClient } from "./clients.ts";
import { DIALECTS } from "./dialects.ts";
import { Ledger } from "./ledger.ts";
import { memory, usage, usageBetween, type Usage } from "./proc.ts";
import { Histogram } from "./stats.ts";
import type { Target } from "./targets.ts";
import type { RunResult } from "./result.ts";
import { webPort, WsBenchClient } from "./ws-clients.ts";

/** How the clients reach the server: TCP, or parley's /ws (the target runs with --http). */
export type Transport = "tcp" | "websocket";

export interface FanoutConfig {
  clients: number;
  senders: number;
  /** W1: lines per sender; W2: derived from rate × seconds */
  lines: number;
  /** W1: lines a sender may have in flight */
  window: number;
  /** W2: lines per second per sender (0: closed loop) */
  rate: number;
  /** give up when no line has arrived for this long */
  stallMs: number;
  /** hard cap on the whole run */
  timeoutMs: number;
  /**
   * W1: relay the same load (five times over), unmeasured, before the measured round
   * (every target alike): a server that compiles its hot path as it runs
   * (parley's JIT) is then measured as it runs for hours, not in its first
   * 0.1 s. The first round's CPU per delivery is reported beside it.
   */
  warmUp?: boolean;
  /**
   * parley only: spread the clients over this many rooms (#r0, #r1, ...),
   * client i in room i % rooms and in no other, so the senders are spread
   * too and each line reaches the other clients of its room only
   */
  rooms?: number;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;
/** The warm-up relays this many times the measured lines. */
const WARM_UP_ROUNDS = 5;

/** Connects the clients (into their rooms, with `rooms`: TCP only) and waits until the join chatter has stopped. */
async function setUp(target: Target, clients: number, transport: Transport, rooms = 1): Promise<{ clients: LoadClient[]; failures: string[] }> {
  const dialect = DIALECTS[target.name];
  const result =
    transport === "websocket"
      ? await connectMany(clients, CONNECT_PARALLEL, (i) => new WsBenchClient(`u${i}`, "joined", "count"), await webPort(target), HANDSHAKE_TIMEOUT_MS)
      : await connectMany(clients, CONNECT_PARALLEL, (i) => new BenchClient(`u${i}`, dialect, "joined", "count"), target.port, HANDSHAKE_TIMEOUT_MS);
  await quiet(result.clients, 150, 5_000);
  if (rooms > 1) {
    if (transport !== "tcp") throw new Error("rooms are measured over TCP only");
    (result.clients as BenchClient[]).forEach((c, i) => c.write(Buffer.from(`/join #r${i % rooms}${dialect.lineEnd}/part #lobby${dialect.lineEnd}`)));
    await quiet(result.clients, 150, 10_000);
  }
  return result;
}

/** Receivers per line: the other clients of the sender's room (the clients are spread evenly). */
function fanoutOf(clients: number, rooms: number): number {
  if (clients % rooms !== 0) throw new Error(`${clients} clients do not spread evenly over ${rooms} rooms`);
  return clients / rooms - 1;
}

/** Runs W1 (rate 0) or W2 (rate > 0) against a started target. */
export async function runFanout(target: Target, config: FanoutConfig, transport: Transport = "tcp"): Promise<RunResult> {
  const rooms = config.rooms ?? 1;
  // Started and greeted no one yet: what the server costs at rest.
  const resting = memory(target.pid).rss;
  const { clients, failures } = await setUp(target, config.clients, transport, rooms);
  const notes = failures.length ? [`${failures.length} clients failed to connect: ${failures[0]}`] : [];
  try {
    if (clients.length < config.senders + 1) throw new Error(`only ${clients.length} of ${config.clients} clients connected: ${failures[0] ?? ""}`);
    if (rooms > 1 && clients.length !== config.clients) throw new Error(`only ${clients.length} of ${config.clients} clients connected: the rooms are uneven`);
    const fanout = rooms > 1 ? fanoutOf(clients.length, rooms) : clients.length - 1;
    const senders = clients.slice(0, config.senders);
    let firstRound: number | undefined;
    if (config.warmUp && config.rate === 0) {
      // Five times the measured load: enough for a JIT to have compiled what the run uses.
      const warmConfig = { ...config, lines: config.lines * WARM_UP_ROUNDS };
      const warm = new Ledger(config.senders, warmConfig.lines, fanout);
      for (const c of clients) c.counter.ledger = warm;
      const before = usage(target.pid);
      closedLoop(senders, warm, warmConfig);
      const after = await finish(target, warm, warmConfig, before);
      if (!warm.complete) notes.push(`the warm-up round did not finish (${warm.lost} lines missing): the measured round may count its late lines as strays`);
      firstRound = warm.delivered ? (usageBetween(before, after).serverCpu * 1e9) / warm.delivered : NaN;
    }
    const ledger = new Ledger(config.senders, config.lines, fanout);
    for (const c of clients) {
      c.counter.ledger = ledger;
      c.counter.otherLines = 0; // from here on: mangled lines (ncat) or unexpected server output
    }
    const lag = new Histogram();
    const start = usage(target.pid);
    let lastPlanned = NaN;
    if (config.rate > 0) lastPlanned = await openLoop(senders, ledger, config, lag);
    else closedLoop(senders, ledger, config);
    const end = await finish(target, ledger, config, start);
    const result = summarise(target, ledger, config, clients, start, end, lastPlanned, lag, notes);
    if (firstRound !== undefined) result.metrics.firstRoundNsPerDelivery = firstRound;
    result.metrics.restingRss = resting;
    return result;
  } finally {
    for (const c of clients) c.destroy();
  }
}

/** W1: each sender refills its window whenever its frontier moves; finish() waits for the end. */
export function closedLoop(senders: LoadClient[], ledger: Ledger, config: FanoutConfig): void {
  const sent = new Int32Array(senders.length);
  const dirty = new Set<number>();
  let flushQueued = false;
  const refill = (s: number) => {
    const want = Math.min(config.lines, ledger.frontier[s]! + config.window) - sent[s]!;
    if (want <= 0) return;
    const stamp = nowMicros();
    senders[s]!.sendLines(s, sent[s]!, want, () => stamp);
    sent[s]! += want;
  };
  // Frontiers move while a receiver's read is being scanned: refill once
  // after it, so a sender writes one batch instead of one line per advance.
  ledger.onAdvance = (s) => {
    dirty.add(s);
    if (flushQueued) return;
    flushQueued = true;
    queueMicrotask(() => {
      flushQueued = false;
      for (const d of dirty) refill(d);
      dirty.clear();
    });
  };
  for (let s = 0; s < senders.length; s++) refill(s);
}

/** W2: sender s sends line q at t0 + (q + s/S) / rate, stamped with that planned time. */
export async function openLoop(senders: LoadClient[], ledger: Ledger, config: FanoutConfig, lag: Histogram): Promise<number> {
  const interval = 1000 / config.rate; // ms between one sender's lines
  const sent = new Int32Array(senders.length);
  const t0 = performance.now() + 5;
  const planned = (s: number, q: number) => t0 + (q + s / senders.length) * interval;
  let remaining = senders.length;
  return new Promise<number>((resolve) => {
    // Stamping the planned time, not the moment of writing, keeps a late
    // generator from hiding server delay (coordinated omission); how late
    // the generator itself was is reported apart, as send lag.
    const tick = () => {
      const now = performance.now();
      for (let s = 0; s < senders.length; s++) {
        const q = sent[s]!;
        if (q >= config.lines) continue;
        const due = Math.min(config.lines, Math.floor((now - t0) / interval - s / senders.length) + 1);
        if (due <= q) continue;
        lag.record(Math.round((now - planned(s, q)) * 1000));
        senders[s]!.sendLines(s, q, due - q, (seq) => Math.floor(planned(s, seq) * 1000));
        sent[s] = due;
        if (due === config.lines && --remaining === 0) {
          clearInterval(timer);
          resolve(planned(senders.length - 1, config.lines - 1));
        }
      }
    };
    const timer = setInterval(tick, 1);
  });
}

/** Waits until every line has arrived everywhere, nothing has arrived for stallMs, or the cap. */
async function finish(target: Target, ledger: Ledger, config: FanoutConfig, start: Usage): Promise<Usage> {
  const cap = start.at + config.timeoutMs;
  while (!ledger.complete && !target.exited) {
    const now = performance.now();
    if (now > cap || now - Math.max(ledger.lastDeliveryAt, start.at) > config.stallMs) break;
    await Bun.sleep(2);
  }
  return usage(target.pid);
}

function summarise(
  target: Target,
  ledger: Ledger,
  config: FanoutConfig,
  clients: LoadClient[],
  start: Usage,
  end: Usage,
  lastPlanned: number,
  lag: Histogram,
  notes: string[],
): RunResult {
  // Throughput over first send .. last delivery: the polling in finish() adds nothing.
  const active = ((ledger.lastDeliveryAt || end.at) - start.at) / 1000;
  const { serverCpu, generatorCpu, otherCpu, wall } = usageBetween(start, end);
  const dropped = clients.filter((c) => c.closed).length;
  if (dropped) {
    const why = target.log().filter((l) => /disconnect|flood|not reading|closed/i.test(l)).slice(-2);
    notes.push(`${dropped} clients were disconnected by ${target.name} during the run${why.length ? `: ${why.join(" | ")}` : ""}`);
  }
  if (ledger.strays) notes.push(`${ledger.strays} duplicate or out-of-range lines`);
  if (target.exited) notes.push(`${target.name} exited during the run: ${target.log().slice(-3).join(" | ")}`);
  const other = clients.reduce((n, c) => n + c.counter.otherLines, 0);
  const lat = ledger.latency;
  const metrics: Record<string, number> = {
    deliveries: ledger.delivered,
    crashed: target.exited ? 1 : 0,
    rate: ledger.delivered / active,
    lost: ledger.lost,
    p50: lat.percentile(0.5) / 1000,
    p90: lat.percentile(0.9) / 1000,
    p99: lat.percentile(0.99) / 1000,
    max: lat.percentile(1) / 1000,
    seconds: active,
    serverCpu,
    generatorCpu,
    generatorBusy: generatorCpu / wall,
    serverBusy: serverCpu / wall,
    otherCpu,
    machineBusy: (serverCpu + generatorCpu + otherCpu) / wall,
    peakRss: memory(target.pid).peak,
    otherLines: other,
    // The generator's own cost per line counted: what it can keep up with.
    generatorNsPerDelivery: ledger.delivered ? (generatorCpu * 1e9) / ledger.delivered : NaN,
    // The server's, per delivery and per line sent: what one room next to ten rooms is compared on.
    serverNsPerDelivery: ledger.delivered ? (serverCpu * 1e9) / ledger.delivered : NaN,
    serverNsPerLine: (serverCpu * 1e9) / (config.senders * config.lines),
  };
  if (config.rate > 0) {
    metrics.offered = config.senders * config.rate * ledger.fanout;
    // How long after the last planned send the last line arrived: a server
    // that keeps up finishes within a few ms of the schedule.
    metrics.tail = ledger.lastDeliveryAt && ledger.lost === 0 ? ledger.lastDeliveryAt - lastPlanned : NaN;
    metrics.sendLagP99 = lag.percentile(0.99) / 1000;
  }
  return { metrics, notes };
}
