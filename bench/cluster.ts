// W6: W1's fan-out (and W2's steady load) across a parley cluster: two
// nodes sharing one room through Redis (bench/cluster-setup.ts). Clients
// alternate between the nodes, so each node has half the senders and half
// the receivers: a line reaches the receivers on its sender's node
// directly, and the others through Redis. Every delivery is counted once
// in the ledger, and also as same-node or cross-node, each with its own
// latency; CPU is read for both nodes and Redis.
//
// W6-fault: W2's steady load on the same cluster, with Redis stopped for
// two seconds mid-run and started again empty: how many cross-node lines
// are lost (the goal is none: each node keeps what it could not write),
// how long from Redis being back until every line sent before it has
// arrived everywhere, and the latency of lines sent during that recovery.

import type { BenchClient } from "./clients.ts";
import { Cluster, connectAlternately, NODE_NAMES } from "./cluster-setup.ts";
import { closedLoop, openLoop, type FanoutConfig } from "./fanout.ts";
import { Ledger, type Recorder } from "./ledger.ts";
import { cpuSeconds, machineCpuSeconds, memory, selfCpuSeconds } from "./proc.ts";
import type { RunResult } from "./result.ts";
import { Histogram } from "./stats.ts";
import type { TargetPaths } from "./targets.ts";

const nsPer = (seconds: number, n: number) => (n ? (seconds * 1e9) / n : NaN);

/** Deliveries by where the receiver is: on the sender's node, or another. */
class Split {
  readonly same = new Histogram();
  readonly cross = new Histogram();
}

/** One receiver's recorder: the shared ledger first, then the split by node. */
class NodeRecorder implements Recorder {
  private readonly ledger: Ledger;
  private readonly split: Split;
  private readonly node: number;
  private readonly senderNode: Uint8Array;

  constructor(ledger: Ledger, split: Split, node: number, senderNode: Uint8Array) {
    this.ledger = ledger;
    this.split = split;
    this.node = node;
    this.senderNode = senderNode;
  }

  record(sender: number, seq: number, latency: number, now: number): void {
    const strays = this.ledger.strays;
    this.ledger.record(sender, seq, latency, now);
    if (this.ledger.strays !== strays) return;
    (this.senderNode[sender] === this.node ? this.split.same : this.split.cross).record(latency);
  }
}

/** CPU seconds so far of each cluster process (nodes, then Redis), the generator and the machine. */
interface ClusterUsage {
  at: number;
  procs: number[];
  generator: number;
  machine: number;
}

function usageOf(cluster: Cluster): ClusterUsage {
  return { at: performance.now(), procs: cluster.all.map((t) => cpuSeconds(t.pid)), generator: selfCpuSeconds(), machine: machineCpuSeconds() };
}

/** The warm-up relays this many times the measured lines, as W1's does (fanout.ts). */
const WARM_UP_ROUNDS = 5;

/**
 * W6 with config.warmUp: W1's warm-up on the cluster, unmeasured, so both
 * nodes have compiled their hot paths (sending, Redis, receiving) before
 * the measured round, and W6 is set beside a warm W1. Returns the first
 * round's CPU per delivery (all three processes), for beside it.
 */
async function warmUp(cluster: Cluster, clients: BenchClient[], config: FanoutConfig, notes: string[]): Promise<number> {
  const warmConfig = { ...config, lines: config.lines * WARM_UP_ROUNDS };
  const warm = new Ledger(config.senders, warmConfig.lines, clients.length - 1);
  for (const c of clients) c.counter.ledger = warm;
  const before = usageOf(cluster);
  closedLoop(clients.slice(0, config.senders), warm, warmConfig);
  const after = await finish(cluster, warm, warmConfig, before);
  if (!warm.complete) notes.push(`the warm-up round did not finish (${warm.lost} lines missing): the measured round may count its late lines as strays`);
  const cpu = after.procs.reduce((a, v, i) => a + v - before.procs[i]!, 0);
  return warm.delivered ? (cpu * 1e9) / warm.delivered : NaN;
}

/** Runs W6 (rate 0: closed loop, as W1) or W6-steady (rate > 0: open loop, as W2) on a fresh cluster. */
export async function runCluster(paths: TargetPaths, config: FanoutConfig): Promise<RunResult> {
  const cluster = await Cluster.start(paths, config.clients + 10);
  try {
    const { clients, nodeOf, failures } = await connectAlternately(cluster, config.clients);
    const notes = failures.length ? [`${failures.length} clients failed to connect: ${failures[0]}`] : [];
    try {
      if (clients.length < config.senders + 1) throw new Error(`only ${clients.length} of ${config.clients} clients connected: ${failures[0] ?? ""}`);
      const firstRound = config.warmUp && config.rate === 0 ? await warmUp(cluster, clients, config, notes) : undefined;
      const ledger = new Ledger(config.senders, config.lines, clients.length - 1);
      const split = new Split();
      const senderNode = nodeOf.slice(0, config.senders);
      clients.forEach((c, i) => {
        c.counter.ledger = new NodeRecorder(ledger, split, nodeOf[i]!, senderNode);
        c.counter.otherLines = 0;
      });
      const senders = clients.slice(0, config.senders);
      const lag = new Histogram();
      const start = usageOf(cluster);
      let lastPlanned = NaN;
      if (config.rate > 0) lastPlanned = await openLoop(senders, ledger, config, lag);
      else closedLoop(senders, ledger, config);
      const end = await finish(cluster, ledger, config, start);
      const result = summarise(cluster, { ledger, split, config, clients, start, end, lastPlanned, lag, notes });
      if (firstRound !== undefined) result.metrics.firstRoundNsPerDelivery = firstRound;
      return result;
    } finally {
      for (const c of clients) c.destroy();
    }
  } finally {
    await cluster.stop();
  }
}

/** Waits until every line has arrived everywhere, nothing has arrived for stallMs, or the cap. */
async function finish(cluster: Cluster, ledger: Ledger, config: FanoutConfig, start: ClusterUsage): Promise<ClusterUsage> {
  const cap = start.at + config.timeoutMs;
  while (!ledger.complete && !cluster.exited) {
    const now = performance.now();
    if (now > cap || now - Math.max(ledger.lastDeliveryAt, start.at) > config.stallMs) break;
    await Bun.sleep(2);
  }
  return usageOf(cluster);
}

interface RunState {
  ledger: Ledger;
  split: Split;
  config: FanoutConfig;
  clients: BenchClient[];
  start: ClusterUsage;
  end: ClusterUsage;
  lastPlanned: number;
  lag: Histogram;
  notes: string[];
}

function summarise(cluster: Cluster, run: RunState): RunResult {
  const { ledger, split, config, clients, start, end, notes } = run;
  const active = ((ledger.lastDeliveryAt || end.at) - start.at) / 1000;
  const wall = (end.at - start.at) / 1000;
  const cpu = end.procs.map((v, i) => v - start.procs[i]!);
  const serverCpu = cpu.reduce((a, b) => a + b, 0);
  const generatorCpu = end.generator - start.generator;
  const otherCpu = Math.max(0, end.machine - start.machine - serverCpu - generatorCpu);
  const dropped = clients.filter((c) => c.closed).length;
  if (dropped) {
    const why = cluster.nodes.flatMap((n) => n.log().filter((l) => /disconnect|flood|not reading|closed|redis/i.test(l)).slice(-1));
    notes.push(`${dropped} clients were disconnected during the run${why.length ? `: ${why.join(" | ")}` : ""}`);
  }
  if (ledger.strays) notes.push(`${ledger.strays} duplicate or out-of-range lines`);
  const gone = cluster.exited;
  if (gone) notes.push(`${gone.name} (PID ${gone.pid}) exited during the run: ${gone.log().slice(-3).join(" | ")}`);
  const lat = ledger.latency;
  const ms = (h: Histogram, q: number) => h.percentile(q) / 1000;
  const metrics: Record<string, number> = {
    deliveries: ledger.delivered,
    crashed: gone ? 1 : 0,
    rate: ledger.delivered / active,
    crossRate: split.cross.count / active,
    crossShare: ledger.delivered ? split.cross.count / ledger.delivered : NaN,
    lost: ledger.lost,
    p50: ms(lat, 0.5),
    p90: ms(lat, 0.9),
    p99: ms(lat, 0.99),
    max: ms(lat, 1),
    sameP50: ms(split.same, 0.5),
    sameP99: ms(split.same, 0.99),
    crossP50: ms(split.cross, 0.5),
    crossP99: ms(split.cross, 0.99),
    seconds: active,
    serverCpu,
    redisCpu: cpu[cpu.length - 1]!,
    serverBusy: serverCpu / wall,
    generatorCpu,
    generatorBusy: generatorCpu / wall,
    otherCpu,
    machineBusy: (serverCpu + generatorCpu + otherCpu) / wall,
    peakRss: Math.max(...cluster.nodes.map((n) => memory(n.pid).peak)),
    redisPeakRss: memory(cluster.redis.pid).peak,
    otherLines: clients.reduce((n, c) => n + c.counter.otherLines, 0),
    generatorNsPerDelivery: ledger.delivered ? (generatorCpu * 1e9) / ledger.delivered : NaN,
    // The headline, as W1's: what the cluster itself (both nodes and Redis) spends per delivery, and per cross-node one.
    serverNsPerDelivery: nsPer(serverCpu, ledger.delivered),
    serverNsPerCross: nsPer(serverCpu, split.cross.count),
    redisNsPerDelivery: nsPer(cpu[cpu.length - 1]!, ledger.delivered),
    // The busiest single process's share of the wall: a node at ~100% of its one thread is what limits the run.
    busiestBusy: Math.max(...cpu) / wall,
  };
  NODE_NAMES.forEach((name, i) => {
    metrics[`${name}Cpu`] = cpu[i]!;
    metrics[`${name}NsPerDelivery`] = nsPer(cpu[i]!, ledger.delivered);
  });
  if (config.rate > 0) {
    metrics.offered = config.senders * config.rate * ledger.fanout;
    metrics.tail = ledger.lastDeliveryAt && ledger.lost === 0 ? ledger.lastDeliveryAt - run.lastPlanned : NaN;
    metrics.sendLagP99 = run.lag.percentile(0.99) / 1000;
  }
  return { metrics, notes };
}

export interface FaultPlan {
  /** ms after the load starts when Redis is stopped */
  stopAtMs: number;
  /** ms it stays down */
  outageMs: number;
}

/** Watches the deliveries around a Redis restart. */
class Recovery implements Recorder {
  private readonly inner: Recorder;
  private readonly state: { backAt: number; lastOld: number; during: Histogram };

  constructor(inner: Recorder, state: { backAt: number; lastOld: number; during: Histogram }) {
    this.inner = inner;
    this.state = state;
  }

  record(sender: number, seq: number, latency: number, now: number): void {
    this.inner.record(sender, seq, latency, now);
    // µs, as the ledger counts; the plan is in performance.now() ms.
    const at = now / 1000;
    const sentAt = (now - latency) / 1000;
    const { backAt } = this.state;
    // A line sent before Redis was back (or before anyone knew when): part of the backlog.
    if (!(backAt > 0) || sentAt < backAt) this.state.lastOld = Math.max(this.state.lastOld, at);
    else if (sentAt < backAt + RECOVERY_WINDOW_MS) this.state.during.record(latency);
  }
}

const RECOVERY_WINDOW_MS = 3000;

/** Runs W6-fault: W2's open loop on a fresh cluster, Redis stopped and started again empty mid-run. */
export async function runClusterFault(paths: TargetPaths, config: FanoutConfig, plan: FaultPlan): Promise<RunResult> {
  const cluster = await Cluster.start(paths, config.clients + 10);
  try {
    const { clients, nodeOf, failures } = await connectAlternately(cluster, config.clients);
    const notes = failures.length ? [`${failures.length} clients failed to connect: ${failures[0]}`] : [];
    try {
      if (clients.length < config.senders + 1) throw new Error(`only ${clients.length} of ${config.clients} clients connected: ${failures[0] ?? ""}`);
      const ledger = new Ledger(config.senders, config.lines, clients.length - 1);
      const split = new Split();
      const senderNode = nodeOf.slice(0, config.senders);
      const state = { backAt: 0, lastOld: 0, during: new Histogram() };
      clients.forEach((c, i) => {
        c.counter.ledger = new Recovery(new NodeRecorder(ledger, split, nodeOf[i]!, senderNode), state);
        c.counter.otherLines = 0;
      });
      const senders = clients.slice(0, config.senders);
      const lag = new Histogram();
      const start = usageOf(cluster);
      const load = openLoop(senders, ledger, config, lag);
      await Bun.sleep(plan.stopAtMs);
      await cluster.stopRedis();
      const stoppedAt = performance.now();
      await Bun.sleep(plan.outageMs);
      await cluster.restartRedis();
      state.backAt = performance.now();
      const lastPlanned = await load;
      // Until every line is everywhere, nothing arrives for stallMs, a node exits, or the cap.
      const cap = start.at + config.timeoutMs;
      while (!ledger.complete && !cluster.nodes.some((n) => n.exited)) {
        const now = performance.now();
        if (now > cap || now - Math.max(ledger.lastDeliveryAt, start.at) > config.stallMs) break;
        await Bun.sleep(2);
      }
      const end = usageOf(cluster);
      const result = summarise(cluster, { ledger, split, config, clients, start, end, lastPlanned, lag, notes });
      if (ledger.lost > 0) for (const n of cluster.nodes) notes.push(`${n.name} ${n.port}: ${n.log().filter((l) => /"warn"/.test(l)).slice(-4).join(" | ")}`);
      result.metrics.outage = state.backAt - stoppedAt;
      result.metrics.recovery = ledger.lost === 0 ? Math.max(0, state.lastOld - state.backAt) : NaN;
      result.metrics.recoveryP99 = state.during.count ? state.during.percentile(0.99) / 1000 : NaN;
      return result;
    } finally {
      for (const c of clients) c.destroy();
    }
  } finally {
    await cluster.stop();
  }
}
