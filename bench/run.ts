// `npm run bench`: runs the issue-5 workloads against parley and its C
// peers, prints one table, and (for a full run) writes bench/results.md.
//
//   bun bench/run.ts [--only W1,W3] [--targets parley,ncat] [--quick]
//                    [--parley PATH] [--out FILE]
//   bun bench/run.ts --smoke     W1 scaled down to ~1 s against parley only;
//                                exits 1 if a line was lost (for CI)
//
// Traffic stays on 127.0.0.1; every target is started fresh for each run
// on a free port and stopped by its PID.

import { join, relative, resolve } from "node:path";
import { snapshotParley, staleness } from "./binary.ts";
import { clusterCommands } from "./cluster-setup.ts";
import { fileLimit, raiseFileLimit, waitForQuiet } from "./proc.ts";
import { table, type Results } from "./report.ts";
import type { RunResult } from "./result.ts";
import { writeResults } from "./results-file.ts";
import { commandFor, missing, parleyLimitArgs, startTarget, stopAll, TARGET_NAMES, versionOf, type TargetName, type TargetPaths } from "./targets.ts";
import { stopUdpProcesses } from "./udp-probe.ts";
import { defineWorkloads, selectWorkloads, type Mode, type Workload } from "./workloads.ts";

const USAGE = `usage: bun bench/run.ts [--only W1,W2,W3,W4,W5,W6,U1] [--targets parley,ncat,ngircd] [--quick] [--smoke] [--parley PATH] [--out FILE]
  --only     workloads by id or prefix: W1, W2, W3 (W3-1k, W3-10k, W3-joined-1k and W3-joined-10k; W3-joined: the last two), W4, W5,
             W6 (W6 and W6-steady: W1 and W2 on two parley nodes + Redis; needs redis-server),
             U1 (not in the default set: UDP loss on loopback, parley udp probe beside iperf; ~20 s)
  --targets  which servers (missing ones are skipped with a note)
  --quick    one run each, shorter W2/W4, no W3-10k or W3-joined-10k: a look in ~30 s
  --smoke    W1 scaled down against parley only; exit 1 if anything was lost
  --parley   the binary to bench (default: dist/parley; it is not rebuilt)
  --out      where to write the results (default: bench/results.md, full runs only)`;
const ROOT = resolve(import.meta.dir, "..");
const DEFAULT_RESULTS = join(ROOT, "bench", "results.md");
// W3-10k needs 10,000 sockets in the generator and as many in the server.
const WANTED_FILES = 65_536;
const FILES_FOR_10K = 10_200;

interface Flags {
  mode: Mode;
  only: string[] | null;
  targets: TargetName[];
  parley: string;
  out: string | null;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { mode: "full", only: null, targets: [...TARGET_NAMES], parley: join(ROOT, "dist", "parley"), out: null };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.split("=", 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? fail(`${name} needs a value`);
    switch (name) {
      case "--quick":
        flags.mode = "quick";
        break;
      case "--smoke":
        flags.mode = "smoke";
        break;
      case "--only":
        flags.only = value().split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
        break;
      case "--targets": {
        const names = value().split(",").map((s) => s.trim());
        const bad = names.filter((n) => !TARGET_NAMES.includes(n as TargetName));
        if (bad.length) fail(`unknown target ${bad.join(", ")}; the targets are ${TARGET_NAMES.join(", ")}`);
        flags.targets = TARGET_NAMES.filter((t) => names.includes(t));
        break;
      }
      case "--parley":
        flags.parley = resolve(value());
        break;
      case "--out":
        flags.out = resolve(value());
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
      default:
        fail(`unknown flag ${name}`);
    }
  }
  if (flags.mode === "smoke") flags.targets = ["parley"];
  return flags;
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

const log = (line: string) => process.stderr.write(line + "\n");

// How long a run may wait for other load on the machine to pass.
const QUIET_WAIT_MS = { full: 8_000, quick: 2_000, smoke: 0 } as const;

async function runOne(workload: Workload, name: TargetName, paths: TargetPaths, mode: Mode): Promise<RunResult> {
  const load = QUIET_WAIT_MS[mode] ? await waitForQuiet(QUIET_WAIT_MS[mode]) : 0;
  const result = await runAlone(workload, name, paths);
  if (load >= 0.2) result.notes.push(`started while other processes used ${load.toFixed(2)} cores`);
  return result;
}

async function runAlone(workload: Workload, name: TargetName, paths: TargetPaths): Promise<RunResult> {
  if (workload.runAlone) return workload.runAlone(name, paths);
  const target = await startTarget(name, paths, workload.maxClients, name === "parley" ? workload.parleyArgs : undefined);
  try {
    return await workload.run!(target);
  } finally {
    await target.stop();
  }
}

function progress(workload: Workload, name: TargetName, i: number, result: RunResult): string {
  const m = result.metrics;
  const f = (k: string, d = 2) => (Number.isFinite(m[k]) ? m[k]!.toFixed(d) : "-");
  const split = m.crossP99 !== undefined ? `, cross-node ${((m.crossShare ?? NaN) * 100).toFixed(0)}% p99 ${f("crossP99")} ms, same-node p99 ${f("sameP99")} ms, Redis ${f("redisCpu")} s CPU` : "";
  const main =
    m.rate !== undefined
      ? `${(m.rate / 1e6).toFixed(2)} M deliveries/s, lost ${m.lost}, p50 ${f("p50")} ms, p99 ${f("p99")} ms, server ${f("serverCpu")} s CPU, generator ${(m.generatorBusy! * 100).toFixed(0)}% busy`
      : m.perConnection !== undefined
        ? `${(m.perConnection / 1024).toFixed(2)} KB/connection, ${m.held} held`
        : m.cyclesPerSecond !== undefined
          ? `${m.cyclesPerSecond.toFixed(0)} cycles/s, p99 ${f("p99")} ms, ${m.failures} failed`
          : workload.id === "U1"
            ? udpProgress(m)
            : `--version ${f("versionMs", 1)} ms, first connection ${f("firstConnectionMs", 1)} ms`;
  return `${workload.id} ${name} run ${i + 1}/${workload.repeats}: ${main}${split}${result.notes.length ? `  [${result.notes.join("; ")}]` : ""}`;
}

/** U1's figures per rate: each tool's loss, and its socket's kernel drops. */
function udpProgress(m: Record<string, number>): string {
  const rates = [...new Set(Object.keys(m).map((k) => k.split("_")[0]!))].filter((k) => k.endsWith("k"));
  const tool = (rate: string, t: string) => (m[`${rate}_${t}_lost`] === undefined ? "" : ` ${t} lost ${m[`${rate}_${t}_lost`]} (${m[`${rate}_${t}_lostPercent`]}%, kernel ${m[`${rate}_${t}_drops`]})`);
  return rates.map((r) => `${r}/s:${tool(r, "parley")}${tool(r, "iperf")}`).join("; ");
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  const files = raiseFileLimit(WANTED_FILES);
  if (selectWorkloads(defineWorkloads(flags.mode, { parley: flags.parley }), flags.only).length === 0) fail(`--only ${flags.only?.join(",")} matches no workload`);
  const stale = staleness(flags.parley);
  if (stale) log(`bench: note: ${stale}`);
  const snapshot = snapshotParley(flags.parley);
  // Interrupted: stop what we started (by PID) and remove the copy, then go.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      log(`bench: ${signal}, stopping the targets`);
      stopUdpProcesses();
      void stopAll().finally(() => {
        snapshot.cleanup();
        process.exit(130);
      });
    });
  }
  const started = new Date();
  const t0 = performance.now();
  const workloads = selectWorkloads(defineWorkloads(flags.mode, snapshot.paths), flags.only);
  // What results.md says was run, read from the snapshot that is run.
  const shownBinary = relative(process.cwd(), flags.parley) || flags.parley;
  const available = flags.targets.filter((t) => !missing(t, snapshot.paths));
  const commands = available.map((t) => commandFor(t, snapshot.paths, 100).replace(snapshot.paths.parley, shownBinary));
  const versions = flags.targets.map((t) => (available.includes(t) ? versionOf(t, snapshot.paths) : "not installed"));
  const parleyLimits = available.includes("parley") ? parleyLimitArgs(snapshot.paths.parley) : [];
  if (available.includes("parley") && workloads.some((w) => w.id.startsWith("W6"))) commands.push(...clusterCommands(shownBinary, parleyLimits));
  const results: Results = new Map();
  const skipped: string[] = [];
  let broken = false;
  try {
    for (const workload of workloads) {
      const byTarget = new Map<TargetName, RunResult[] | string>();
      results.set(workload.id, byTarget);
      const beside = workload.besideMissing?.();
      if (beside) skipped.push(`${workload.id} ${beside.tool}: ${beside.why}`);
      const runnable = flags.targets.filter((name) => {
        const why =
          missing(name, snapshot.paths) ??
          workload.skip[name] ??
          (workload.maxClients >= 10_000 && files < FILES_FOR_10K ? `open-file limit is ${files}, ${workload.id} needs ${FILES_FOR_10K}` : null);
        if (why) {
          byTarget.set(name, `skipped: ${why}`);
          skipped.push(`${workload.id} ${name}: ${why}`);
        }
        return !why;
      });
      // Repeats go round the targets, so slow drift (another job on the
      // machine, thermal) spreads over all of them instead of one.
      for (let i = 0; i < workload.repeats; i++) {
        for (const name of runnable) {
          const runs = (byTarget.get(name) as RunResult[] | undefined) ?? [];
          byTarget.set(name, runs);
          try {
            const result = await runOne(workload, name, snapshot.paths, flags.mode);
            runs.push(result);
            log(progress(workload, name, i, result));
          } catch (error) {
            // Kept as a run without numbers: the table marks it, the other runs still count.
            const message = error instanceof Error ? error.message : String(error);
            runs.push({ metrics: { failed: 1 }, notes: [`failed: ${message.split("\n")[0]}`] });
            log(`${workload.id} ${name} run ${i + 1}: FAILED: ${message}`);
            if (name === "parley") broken = true;
          }
        }
      }
    }
  } finally {
    snapshot.cleanup();
  }

  const cores = navigator.hardwareConcurrency;
  const seconds = (performance.now() - t0) / 1000;
  const shown = flags.targets;
  console.log("\n" + table(results, shown, cores));
  for (const s of skipped) console.log(`skipped ${s}`);
  console.log(`\n${seconds.toFixed(1)} s in all; open-file limit ${files} (hard ${fileLimit().hard})`);

  if (flags.mode === "smoke") return smokeVerdict(results);
  const partial = flags.mode !== "full" || flags.only !== null || flags.targets.length < TARGET_NAMES.length;
  const out = flags.out ?? (partial ? null : DEFAULT_RESULTS);
  if (out) {
    writeResults(out, { results, targets: shown, workloads, started, seconds, cores, argv: process.argv.slice(2), parleyNote: snapshot.note + (stale ? ` (warning: ${stale})` : ""), parleyLimits, commands, versions, skipped });
    console.log(`wrote ${out}`);
  } else {
    console.log(`(partial run: results.md not written; add --out FILE to keep it)`);
  }
  return broken ? 1 : 0;
}

/** The smoke test passes when parley relayed every line to every receiver. */
function smokeVerdict(results: Results): number {
  const runs = results.get("W1")?.get("parley");
  if (!Array.isArray(runs) || runs.length === 0) {
    console.log(`smoke: FAIL (${typeof runs === "string" ? runs : "no run"})`);
    return 1;
  }
  const bad = runs.filter((r) => r.metrics.lost !== 0 || r.notes.length > 0);
  console.log(bad.length ? `smoke: FAIL (${bad.map((r) => `lost ${r.metrics.lost}; ${r.notes.join("; ")}`).join(" | ")})` : "smoke: ok, 0 lost");
  return bad.length ? 1 : 0;
}

process.exit(await main());
