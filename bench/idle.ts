// W3: what an idle connection costs the server. N clients connect and
// finish the handshake, then sit silent; the server's resident memory grows
// by (after - before), and that over the connections still held is the
// cost of one. Resident memory includes allocator slack and the runtime's
// heap growth, which is the point: it is what a host pays.

import { BenchClient, CONNECT_PARALLEL, connectMany, quiet, type LoadClient } from "./clients.ts";
import { DIALECTS, type Stage } from "./dialects.ts";
import { memory, usage, usageBetween } from "./proc.ts";
import type { RunResult } from "./result.ts";
import type { Target } from "./targets.ts";
import type { Transport } from "./fanout.ts";
import { webPort, WsBenchClient } from "./ws-clients.ts";

export interface IdleConfig {
  connections: number;
  stage: Stage;
  /** parley's /ws instead of TCP (the target runs with --http) */
  transport?: Transport;
  /** how long no client may receive a byte before memory is read (default 300 ms) */
  quietMs?: number;
  /** the longest wait for that quiet (default 20 s): 10,000 joins send ~50 million notices */
  settleWithinMs?: number;
  /** how long after that quiet memory is read (default SETTLE_MS) */
  settleMs?: number;
}

const HANDSHAKE_TIMEOUT_MS = 15_000;
// Time for the server to finish with the last connections (and a
// collector to run) before memory is read.
const SETTLE_MS = 1_000;

export async function runIdle(target: Target, config: IdleConfig): Promise<RunResult> {
  await Bun.sleep(300);
  const before = memory(target.pid).rss;
  const start = usage(target.pid);
  const dialect = DIALECTS[target.name];
  const { clients, failures }: { clients: LoadClient[]; failures: string[] } =
    config.transport === "websocket"
      ? await connectMany(config.connections, CONNECT_PARALLEL, (i) => new WsBenchClient(`i${i}`, config.stage, "ignore"), await webPort(target), HANDSHAKE_TIMEOUT_MS)
      : await connectMany(config.connections, CONNECT_PARALLEL, (i) => new BenchClient(`i${i}`, dialect, config.stage, "ignore"), target.port, HANDSHAKE_TIMEOUT_MS);
  try {
    const connected = usage(target.pid);
    await quiet(clients, config.quietMs ?? 300, config.settleWithinMs ?? 20_000);
    await Bun.sleep(config.settleMs ?? SETTLE_MS);
    const after = memory(target.pid);
    const held = clients.filter((c) => !c.closed).length;
    const notes: string[] = [];
    if (failures.length) notes.push(`${failures.length} of ${config.connections} failed to connect (first: ${failures[0]})`);
    if (held < clients.length) notes.push(`${clients.length - held} connections were closed by ${target.name} while idle`);
    if (target.exited) notes.push(`${target.name} exited: ${target.log().slice(-3).join(" | ")}`);
    const setup = usageBetween(start, connected);
    return {
      metrics: {
        perConnection: held > 0 ? (after.rss - before) / held : NaN,
        held,
        crashed: target.exited ? 1 : 0,
        rssBefore: before,
        rssAfter: after.rss,
        peakRss: after.peak,
        connectRate: clients.length / setup.wall,
        seconds: setup.wall,
        serverCpu: setup.serverCpu,
        generatorCpu: setup.generatorCpu,
        otherCpu: setup.otherCpu,
      },
      notes,
    };
  } finally {
    for (const c of clients) c.destroy();
  }
}
