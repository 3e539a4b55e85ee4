// The workloads of issue 5, as data: what each does, its size in each mode
// (full for `npm run bench`, quick for a look, smoke for CI), how often it
// repeats, which targets it applies to, and which function runs it.

import { runChurn } from "./churn.ts";
import { runCluster, runClusterFault } from "./cluster.ts";
import { clusterMissing } from "./cluster-setup.ts";
import { runFanout } from "./fanout.ts";
import { runIdle } from "./idle.ts";
import type { RunResult } from "./result.ts";
import { runStartup } from "./startup.ts";
import { iperfMissing, runUdpLoss, U1_RATES } from "./udp-probe.ts";
import { NCAT_MAX_CLIENTS, type Target, type TargetName, type TargetPaths } from "./targets.ts";

export type Mode = "full" | "quick" | "smoke";

export interface Workload {
  id: string;
  title: string;
  /** one sentence for results.md: what is measured, how */
  description: string;
  repeats: number;
  /** targets that cannot take part, with the reason */
  skip: Partial<Record<TargetName, string>>;
  /** the connection cap given to ncat --max-conns */
  maxClients: number;
  /** left out of the default set; runs when named in --only */
  optional?: boolean;
  /** runs against a target started fresh for this run */
  run?: (target: Target) => Promise<RunResult>;
  /** runs that start (and stop) targets themselves */
  runAlone?: (name: TargetName, paths: TargetPaths) => Promise<RunResult>;
  /** flags parley gets for this workload on top of its own (--http for the WebSocket ones) */
  parleyArgs?: string[];
  /** a tool measured beside parley inside its run (not a target) that is missing, with the reason */
  besideMissing?: () => { tool: string; why: string } | null;
}

// Closed-loop window of W1: lines a sender may have in flight before every
// receiver has them. Large enough that the server, not round trips, is the
// limit (ncat without TCP_NODELAY needs ~100+ to leave Nagle's 40 ms stalls
// behind), small enough that no server has to queue a backlog for a slow
// reader: 10 senders x 128 lines x ~60 bytes is ~77 KB per receiver.
export const W1_WINDOW = 128;

// The C peers have no WebSocket listener: the WebSocket workloads are parley's alone, beside its TCP rows.
const NO_WEBSOCKET = { ncat: "no WebSocket listener", ngircd: "no WebSocket listener" };
// The rooms workloads measure parley's rooms against its own one room.
const ROOMS_SKIP = { ncat: "one room only: it has no rooms", ngircd: "parley's rooms against parley's one room (W1 and W2 are the comparison with peers)" } as const;
// Users who joined are measured "once settled": after the storm of join
// notices a Bun server's RSS falls for ~10 s (its collector and the
// allocator giving pages back: 9.1 -> 3.3 KB per user over 10 s at 10,000),
// so the joined workloads read memory 15 s after the last byte, for every target.
const JOINED_SETTLE_MS = 15_000;

export function defineWorkloads(mode: Mode, paths: TargetPaths): Workload[] {
  const quick = mode === "quick";
  const fanout = (clients: number, senders: number, lines: number, rate: number, stallMs: number) => ({
    clients,
    senders,
    lines,
    window: W1_WINDOW,
    rate,
    stallMs,
    timeoutMs: 60_000,
  });

  if (mode === "smoke") {
    const w1 = fanout(40, 5, 4000, 0, 3_000);
    return [
      {
        id: "W1",
        title: "fan-out, smoke size",
        description: `${w1.clients} clients, ${w1.senders} senders x ${w1.lines} lines, closed loop (window ${W1_WINDOW})`,
        repeats: 1,
        skip: {},
        maxClients: w1.clients,
        run: (target) => runFanout(target, { ...w1, timeoutMs: 15_000 }),
      },
    ];
  }

  const w1 = fanout(100, 10, 1000, 0, 3_000);
  const w2Seconds = quick ? 3 : 6;
  const w2 = fanout(200, 20, 100 * w2Seconds, 100, 3_000);
  const churnSeconds = quick ? 2 : 5;
  const faultSeconds = quick ? 6 : 8;
  const faultAt = quick ? 1_500 : 2_000;
  // W6 is parley's own: the C peers have no cluster mode to set beside it.
  const cluster = { ncat: "no cluster mode", ngircd: "no cluster mode (server links are not a shared room)", ...(clusterMissing() ? { parley: clusterMissing()! } : {}) };
  return [
    {
      id: "W1",
      title: "fan-out at full speed",
      description: `${w1.clients} clients, ${w1.senders} of them send ${w1.lines} lines each as fast as the server relays them (closed loop, ${W1_WINDOW} lines in flight per sender); every other client must receive every line`,
      repeats: quick ? 1 : 5,
      skip: {},
      maxClients: w1.clients + 10,
      run: (target) => runFanout(target, { ...w1, warmUp: true }),
    },
    {
      id: "W1-ws",
      title: "fan-out at full speed, over WebSocket",
      description: `W1 with the ${w1.clients} clients on parley's /ws (--http) instead of TCP: JSON frames, a batch of say frames per message, one said frame per delivery`,
      repeats: quick ? 1 : 5,
      skip: NO_WEBSOCKET,
      maxClients: w1.clients + 10,
      parleyArgs: ["--http", "0"],
      run: (target) => runFanout(target, { ...w1, warmUp: true }, "websocket"),
    },
    {
      id: "W2",
      title: "steady chat load",
      description: `${w2.clients} clients, ${w2.senders} senders x ${w2.rate} lines/s each for ${w2Seconds} s (open loop: each line leaves on schedule, stamped with its planned time)`,
      repeats: quick ? 1 : 3,
      skip: {},
      maxClients: w2.clients + 10,
      run: (target) => runFanout(target, w2),
    },
    {
      id: "W1-rooms",
      title: "W1 with its users spread over 10 rooms",
      description: `W1's load (${w1.clients} clients, ${w1.senders} senders x ${w1.lines} lines, window ${W1_WINDOW}) with client i in room #r(i mod 10) only: one sender and 9 receivers per room, so each line reaches 9 others, not 99; compare the server's CPU per line with W1`,
      repeats: quick ? 1 : 5,
      skip: ROOMS_SKIP,
      maxClients: w1.clients + 10,
      run: (target) => runFanout(target, { ...w1, rooms: 10, warmUp: true }),
    },
    {
      id: "W1-rooms-wide",
      title: "W1 in each of 10 rooms at once",
      description: `10 rooms each as large as W1's one room: ${w1.clients * 10} clients, client i in room #r(i mod 10) only, ${w1.senders} senders (one per room) x ${w1.lines} lines, window ${W1_WINDOW}; each line reaches its room's ${w1.clients - 1} others, as in W1, so the deliveries are W1's: compare the server's CPU per delivery with W1`,
      repeats: quick ? 1 : 3,
      skip: ROOMS_SKIP,
      maxClients: w1.clients * 10 + 10,
      run: (target) => runFanout(target, { ...w1, clients: w1.clients * 10, rooms: 10, timeoutMs: 120_000, warmUp: true }),
    },
    {
      id: "W2-rooms",
      title: "W2 with its users spread over 10 rooms",
      description: `W2's load (${w2.clients} clients, ${w2.senders} senders x ${w2.rate} lines/s for ${w2Seconds} s) with client i in room #r(i mod 10) only: two senders and 19 receivers per room; compare the server's CPU per line with W2`,
      repeats: quick ? 1 : 3,
      skip: ROOMS_SKIP,
      maxClients: w2.clients + 10,
      run: (target) => runFanout(target, { ...w2, rooms: 10 }),
    },
    {
      id: "W2-wide",
      title: "W2's deliveries in one room of 10 times its users",
      description: `the control for W2-rooms-wide: ${w2.clients * 10} clients in one room, ${w2.senders / 10} senders x ${w2.rate} lines/s for ${w2Seconds} s, so every client receives what it does in W2-rooms-wide (${(w2.senders / 10) * w2.rate} lines/s) and the deliveries per second are the same`,
      repeats: quick ? 1 : 2,
      skip: ROOMS_SKIP,
      maxClients: w2.clients * 10 + 10,
      run: (target) => runFanout(target, { ...w2, clients: w2.clients * 10, senders: w2.senders / 10, timeoutMs: 120_000 }),
    },
    {
      id: "W2-rooms-wide",
      title: "W2 in each of 10 rooms at once",
      description: `10 rooms each as large as W2's one room: ${w2.clients * 10} clients, ${w2.senders} senders (two per room) x ${w2.rate} lines/s for ${w2Seconds} s; each line reaches its room's ${w2.clients - 1} others, as in W2. Compared per delivery with W2-wide (the same clients, each receiving as many lines, in one room): with 10 times W2's clients each receives a tenth of W2's lines, so the server writes fewer lines per write than in W2`,
      repeats: quick ? 1 : 2,
      skip: ROOMS_SKIP,
      maxClients: w2.clients * 10 + 10,
      run: (target) => runFanout(target, { ...w2, clients: w2.clients * 10, rooms: 10, timeoutMs: 120_000 }),
    },
    {
      id: "W3-1k",
      title: "idle memory, 1,000 connections",
      description: "1,000 clients connect and are greeted (parley: at the nickname prompt; ngircd: registered, in no channel; ncat: announced), then sit idle; server RSS growth / connections held",
      repeats: quick ? 1 : 2,
      skip: {},
      maxClients: NCAT_MAX_CLIENTS,
      run: (target) => runIdle(target, { connections: 1000, stage: "greeted" }),
    },
    {
      id: "W3-ws",
      title: "idle memory, 1,000 WebSockets",
      description: "as W3-1k over parley's /ws (--http): 1,000 WebSockets say hello and get the welcome frame, then sit idle; server RSS growth / connections held",
      repeats: quick ? 1 : 2,
      skip: NO_WEBSOCKET,
      maxClients: 1000,
      parleyArgs: ["--http", "0"],
      run: (target) => runIdle(target, { connections: 1000, stage: "greeted", transport: "websocket" }),
    },
    {
      id: "W3-10k",
      title: "idle memory, 10,000 connections",
      description: "as W3-1k with 10,000 clients",
      repeats: quick ? 1 : 2,
      optional: quick,
      skip: { ncat: `ncat --chat cannot hold more than ~${NCAT_MAX_CLIENTS} clients (select() and FD_SETSIZE)` },
      maxClients: 10_000,
      run: (target) => runIdle(target, { connections: 10_000, stage: "greeted" }),
    },
    {
      id: "W3-joined-1k",
      title: "idle memory, 1,000 users in the room",
      description: "as W3-1k, but each client also joins (parley: picks a nick; ngircd: JOINs #bench), so every join is announced to everyone already there; memory read once settled, 15 s after the last byte",
      repeats: quick ? 1 : 2,
      skip: {},
      maxClients: NCAT_MAX_CLIENTS,
      run: (target) => runIdle(target, { connections: 1000, stage: "joined", settleMs: JOINED_SETTLE_MS }),
    },
    {
      id: "W3-joined-10k",
      title: "idle memory, 10,000 users in the room",
      description:
        "10,000 clients connect and join (parley: pick a nick; ngircd: register and JOIN #bench), so every join is announced to everyone already there (~50 million notices), then sit idle; server RSS growth / users held, read once settled: 15 s after no client has received a byte for 2 s",
      repeats: quick ? 1 : 2,
      optional: quick,
      skip: {
        ncat: "ncat --chat has no nicks or rooms to join (and holds at most ~1,000 clients)",
        ngircd: "ngircd was still taking the JOINs after 13 minutes (10.5 min of CPU) with 10,000 clients for one channel; W3-joined-1k sets it beside parley",
      },
      maxClients: 10_000,
      run: (target) => runIdle(target, { connections: 10_000, stage: "joined", quietMs: 2_000, settleWithinMs: 240_000, settleMs: JOINED_SETTLE_MS }),
    },
    {
      id: "W4",
      title: "connection churn",
      description: `after ${quick ? 0.5 : 1} s of the same as a warm-up, for ${churnSeconds} s, 8 clients at a time connect, join (parley: pick a nick; ngircd: register and JOIN; ncat: its greeting), leave the server's way and wait for the close; the room is otherwise empty`,
      repeats: quick ? 1 : 2,
      skip: {},
      maxClients: 100,
      run: (target) => runChurn(target, { seconds: churnSeconds, parallel: 8, warmUpSeconds: quick ? 0.5 : 1 }),
    },
    {
      id: "W5",
      title: "start-up",
      description: `\`--version\` wall time (median of ${quick ? 10 : 20} runs), and spawn until a first client is accepted and greeted (median of ${quick ? 5 : 10} launches)`,
      repeats: 1,
      skip: {},
      maxClients: 100,
      runAlone: (name) => runStartup(name, paths, { versionRuns: quick ? 10 : 20, launchRuns: quick ? 5 : 10 }),
    },
    {
      id: "W6",
      title: "W1 across a cluster: 2 parley nodes + Redis",
      description: `W1's load (${w1.clients} clients, ${w1.senders} senders x ${w1.lines} lines, window ${W1_WINDOW}) on two parley nodes sharing the room through one redis-server (all three fresh per run); clients alternate between the nodes, so each has half the senders and half the receivers, and about half the deliveries cross Redis`,
      repeats: quick ? 1 : 5,
      skip: cluster,
      maxClients: w1.clients + 10,
      runAlone: () => runCluster(paths, { ...w1, warmUp: true }),
    },
    {
      id: "W6-steady",
      title: "W2 across the same cluster",
      description: `W2's load (${w2.clients} clients, ${w2.senders} senders x ${w2.rate} lines/s for ${w2Seconds} s, open loop) on the W6 cluster, clients alternating between the nodes`,
      repeats: quick ? 1 : 3,
      skip: cluster,
      maxClients: w2.clients + 10,
      runAlone: () => runCluster(paths, w2),
    },
    {
      id: "W6-fault",
      title: "W2 across the cluster, Redis restarted mid-run",
      description: `W2's load (${w2.clients} clients, ${w2.senders} senders x ${w2.rate} lines/s for ${faultSeconds} s, open loop) on the W6 cluster; ${faultAt / 1000} s in, Redis is stopped for 2 s and started again empty (no persistence): lines lost (goal 0), time from Redis back until every earlier line is delivered, latency of the lines sent while it recovers`,
      repeats: quick ? 1 : 2,
      skip: cluster,
      maxClients: w2.clients + 10,
      runAlone: () => runClusterFault(paths, { ...w2, lines: w2.rate * faultSeconds, stallMs: 6_000 }, { stopAtMs: faultAt, outageMs: 2_000 }),
    },
    {
      id: "U1",
      title: "UDP loss on loopback: parley udp probe beside iperf (only with --only)",
      description: `64-byte datagrams to 127.0.0.1 at ${U1_RATES.map((r) => `${r / 1000}k`).join(", ")} per second, 2 s each; the loss each tool's receiver reports (parley: a \`--no-send\` probe hearing a sending probe; iperf 2: \`-s -u -l 64\` hearing \`-c 127.0.0.1 -u -l 64 -b BITS -t 2\`), each beside the kernel's drop count for the receiving socket; default receive buffers`,
      repeats: 1,
      optional: true,
      skip: { ncat: "a TCP chat relay: U1 is UDP (iperf is set beside parley inside its run)", ngircd: "an IRC server: U1 is UDP (iperf is set beside parley inside its run)" },
      maxClients: 100,
      runAlone: () => runUdpLoss(paths.parley, { rates: U1_RATES, seconds: 2, size: 64 }),
      besideMissing: () => (iperfMissing() ? { tool: "iperf", why: iperfMissing()! } : null),
    },
  ];
}

/** Workloads picked by `--only` (an id, or a prefix: "W3" picks W3-1k and W3-10k); none: the default set. */
export function selectWorkloads(all: Workload[], only: string[] | null): Workload[] {
  if (!only) return all.filter((w) => !w.optional);
  return all.filter((w) => {
    const id = w.id.toUpperCase();
    return only.some((want) => id === want || (id.startsWith(want + "-") && !w.optional));
  });
}
