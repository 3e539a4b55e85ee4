// W4: connection churn. A few clients at a time, each in a loop for a fixed
// time: connect, complete the handshake (parley: pick a nick; IRC:
// register and JOIN; ncat: its greeting), leave the server's way, wait for
// the close. The room is otherwise empty, so this measures the connection
// path, not the fan-out of join notices.

import { BenchClient } from "./clients.ts";
import { DIALECTS } from "./dialects.ts";
import { memory, usage, usageBetween } from "./proc.ts";
import type { RunResult } from "./result.ts";
import { Histogram } from "./stats.ts";
import type { Target } from "./targets.ts";

export interface ChurnConfig {
  seconds: number;
  /** clients cycling at once */
  parallel: number;
  /**
   * Seconds of the same churn before the measured interval, for every
   * target alike (W1 has its warm-up round too): a fresh parley spends its
   * first second or so compiling its connection path (Bun's JIT threads
   * used about 0.5 s of CPU in a 5 s run), which is start-up, not what a
   * connection costs. A target that exits during it is reported from it.
   */
  warmUpSeconds?: number;
}

const STEP_TIMEOUT_MS = 5_000;

export async function runChurn(target: Target, config: ChurnConfig): Promise<RunResult> {
  if (config.warmUpSeconds) {
    const warm = await churnRound(target, config.warmUpSeconds, config.parallel);
    if (target.exited) return { ...warm, notes: [...warm.notes, "exited during the warm-up round: these are its figures"] };
  }
  return churnRound(target, config.seconds, config.parallel);
}

async function churnRound(target: Target, seconds: number, parallel: number): Promise<RunResult> {
  const dialect = DIALECTS[target.name];
  const cycle = new Histogram();
  const failures: string[] = [];
  let next = 0;
  let completed = 0;
  let lastCompletedAt = 0;
  const start = usage(target.pid);
  const deadline = start.at + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && !target.exited) {
      const client = new BenchClient(`c${next++}`, dialect, "joined", "ignore");
      const t0 = performance.now();
      try {
        await client.connect(target.port, STEP_TIMEOUT_MS);
        const left = await Promise.race([client.quit().then(() => true), Bun.sleep(STEP_TIMEOUT_MS).then(() => false)]);
        if (!left) throw new Error(`no close within ${STEP_TIMEOUT_MS} ms of leaving`);
        cycle.record(Math.round((performance.now() - t0) * 1000));
        completed++;
        lastCompletedAt = performance.now();
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
        client.destroy();
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const end = usage(target.pid);
  const { wall: measured, serverCpu, generatorCpu, otherCpu } = usageBetween(start, end);
  // A server that died mid-run is credited for the time it was up.
  const wall = target.exited && lastCompletedAt ? (lastCompletedAt - start.at) / 1000 : measured;
  const notes = failures.length ? [`${failures.length} cycles failed (first: ${failures[0]})`] : [];
  if (target.exited) notes.push(`${target.name} exited: ${target.log().slice(-3).join(" | ")}`);
  return {
    metrics: {
      cyclesPerSecond: completed / wall,
      failures: failures.length,
      seconds: wall,
      crashed: target.exited ? 1 : 0,
      p50: cycle.percentile(0.5) / 1000,
      p99: cycle.percentile(0.99) / 1000,
      max: cycle.percentile(1) / 1000,
      serverCpu,
      generatorCpu,
      generatorBusy: generatorCpu / wall,
      serverBusy: serverCpu / wall,
      otherCpu,
      machineBusy: (serverCpu + generatorCpu + otherCpu) / wall,
      peakRss: memory(target.pid).peak,
    },
    notes,
  };
}
