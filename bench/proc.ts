// What the kernel knows about a process: CPU seconds, resident memory, fd
// limits, and the machine note for the results. Read from /proc so every
// target (Bun, C) is measured the same way, from outside.

import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

// utime and stime in /proc/PID/stat are in clock ticks; USER_HZ is 100 on
// every Linux we run on (getconf CLK_TCK), and Bun has no sysconf().
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds of every thread of `pid`; NaN once it is gone. From each
 * thread's /proc/PID/task/TID/schedstat (nanoseconds on a CPU), because the
 * ticks of /proc/PID/stat are 10 ms: a C peer relaying W1 in 5 ms of CPU
 * read as 0 or 10 ms, and every ratio against it was a ratio against a
 * rounding. A thread that has exited is no longer listed, so when the
 * ticks say more (by over two ticks) they are what is returned.
 */
export function cpuSeconds(pid: number): number {
  const ticks = tickSeconds(pid);
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "latin1").split(" ")[0]);
      } catch {
        // the thread ended while we looked
      }
    }
  } catch {
    return ticks;
  }
  const precise = ns / 1e9;
  return Number.isFinite(precise) && !(ticks - precise > 2 / TICKS_PER_SECOND) ? precise : ticks;
}

/** User + system CPU seconds of `pid` in clock ticks (dead threads included); NaN once it is gone. */
function tickSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command name (field 2) may hold spaces; fields resume after ") ".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

export interface Memory {
  /** resident set now, bytes */
  rss: number;
  /** peak resident set since the process started, bytes */
  peak: number;
}

export function memory(pid: number): Memory {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

/** This process's CPU seconds (the load generator's, all its threads). */
export function selfCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Soft and hard limits on open files for `pid` ("self" by default). */
export function fileLimit(pid: number | "self" = "self"): { soft: number; hard: number } {
  const limits = readFileSync(`/proc/${pid}/limits`, "latin1");
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  const n = (s: string | undefined) => (s === "unlimited" ? Infinity : Number(s));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

/**
 * Raises this process's open-file limit to its hard limit (capped at
 * `wanted`), so the generator and every target it spawns can hold the W3
 * connections. Bun has no setrlimit(); util-linux `prlimit` can set it for
 * a running PID. Returns the soft limit in force afterwards.
 */
export function raiseFileLimit(wanted: number): number {
  const { soft, hard } = fileLimit();
  const target = Math.min(hard, wanted);
  if (soft >= target) return soft;
  const prlimit = Bun.which("prlimit");
  if (prlimit) Bun.spawnSync([prlimit, "--pid", String(process.pid), `--nofile=${target}:${hard === Infinity ? "unlimited" : hard}`]);
  return fileLimit().soft;
}

/** One paragraph about the machine, for results.md. */
export function machineNote(): string {
  const cpuinfo = readFileSync("/proc/cpuinfo", "latin1");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown CPU";
  const memGiB = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${os.availableParallelism()} CPUs (nproc), ${model}, ${memGiB} GiB RAM, Linux ${os.release()}, Bun ${Bun.version}`;
}

/**
 * CPU seconds the whole machine has spent in processes since boot (user,
 * nice, system, steal from /proc/stat). Interrupt time is left out: it is
 * mostly our own loopback traffic, charged to no process.
 */
export function machineCpuSeconds(): number {
  const line = readFileSync("/proc/stat", "latin1").split("\n", 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , , , steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND;
}

/** A point in time with the CPU used so far by the server, the generator and the whole machine. */
export interface Usage {
  /** performance.now(), ms */
  at: number;
  server: number;
  generator: number;
  machine: number;
}

export function usage(pid: number): Usage {
  return { at: performance.now(), server: cpuSeconds(pid), generator: selfCpuSeconds(), machine: machineCpuSeconds() };
}

export interface UsageDelta {
  wall: number;
  serverCpu: number;
  generatorCpu: number;
  /** CPU used meanwhile by everything else (other processes, kernel threads such as ksoftirqd): noise */
  otherCpu: number;
}

/** Wall seconds and CPU seconds of each side between two usages. */
export function usageBetween(from: Usage, to: Usage): UsageDelta {
  const serverCpu = to.server - from.server;
  const generatorCpu = to.generator - from.generator;
  const otherCpu = Math.max(0, to.machine - from.machine - serverCpu - generatorCpu);
  return { wall: (to.at - from.at) / 1000, serverCpu, generatorCpu, otherCpu };
}

/**
 * Waits (at most `maxMs`) until the rest of the machine is nearly idle:
 * less than `cores` CPU used by everything over a 300 ms window. The
 * machine may be shared (tests, builds); starting a run in a lull keeps
 * their CPU out of the numbers. Returns the load last seen, in cores.
 */
export async function waitForQuiet(maxMs: number, cores = 0.2): Promise<number> {
  const end = performance.now() + maxMs;
  let load = Infinity;
  while (performance.now() < end) {
    const from = { at: performance.now(), cpu: machineCpuSeconds() - selfCpuSeconds() };
    await Bun.sleep(300);
    load = (machineCpuSeconds() - selfCpuSeconds() - from.cpu) / ((performance.now() - from.at) / 1000);
    if (load < cores) break;
  }
  return load;
}
