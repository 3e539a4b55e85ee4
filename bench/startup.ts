// W5: start-up. How long `--version` takes (the cost of loading the binary
// at all), and how long from spawning a server until a client is accepted
// and greeted: the outage a restart costs.

import { BenchClient } from "./clients.ts";
import { DIALECTS } from "./dialects.ts";
import type { RunResult } from "./result.ts";
import { median } from "./stats.ts";
import { freePort, launch, type TargetName, type TargetPaths } from "./targets.ts";

export interface StartupConfig {
  versionRuns: number;
  launchRuns: number;
}

const LAUNCH_TIMEOUT_MS = 5_000;
const RETRY_MS = 2;

function versionCommand(name: TargetName, paths: TargetPaths): string[] {
  return [name === "parley" ? paths.parley : name, "--version"];
}

/** Wall milliseconds of `command` run to its end. */
async function timeCommand(command: string[]): Promise<number> {
  const t0 = performance.now();
  const proc = Bun.spawn(command, { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  await proc.exited;
  return performance.now() - t0;
}

/** Spawn → first connection accepted and greeted, in ms (NaN if never within the timeout). */
async function timeLaunch(name: TargetName, paths: TargetPaths): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const target = launch(name, paths, 100, port);
  try {
    while (performance.now() - t0 < LAUNCH_TIMEOUT_MS && !target.exited) {
      const client = new BenchClient("first", DIALECTS[name], "greeted", "ignore");
      try {
        await client.connect(port, LAUNCH_TIMEOUT_MS);
        const ms = performance.now() - t0;
        client.destroy();
        return ms;
      } catch {
        client.destroy();
        await Bun.sleep(RETRY_MS);
      }
    }
    return NaN;
  } finally {
    await target.stop();
  }
}

export async function runStartup(name: TargetName, paths: TargetPaths, config: StartupConfig): Promise<RunResult> {
  const version: number[] = [];
  for (let i = 0; i < config.versionRuns; i++) version.push(await timeCommand(versionCommand(name, paths)));
  const launches: number[] = [];
  for (let i = 0; i < config.launchRuns; i++) launches.push(await timeLaunch(name, paths));
  const failed = launches.filter((ms) => !Number.isFinite(ms)).length;
  return {
    metrics: { versionMs: median(version), firstConnectionMs: median(launches), launchFailures: failed },
    notes: failed ? [`${failed} of ${config.launchRuns} launches accepted no connection within ${LAUNCH_TIMEOUT_MS} ms`] : [],
  };
}
