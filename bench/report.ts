// From runs to the table: which numbers each workload shows, how they read
// (unit, which way is better, how repeats combine), the ratios parley/peer,
// the issue's goals, and what limited each run.

import { CLUSTER_ROWS } from "./cluster-report.ts";
import { check, count, kb, known, mb, ms, nanos, pct, perSec, secs } from "./format.ts";
import type { RunResult } from "./result.ts";
import { median } from "./stats.ts";
import type { TargetName } from "./targets.ts";
import { rateKey, U1_RATES } from "./udp-probe.ts";

/** Every run, by workload id and target; a string when the target was skipped or failed. */
export type Results = Map<string, Map<TargetName, RunResult[] | string>>;

import type { Get, GetOf, Row } from "./row.ts";

export type { Get, GetOf, Row };

const fanoutRows = (w: string): Row[] => [
  { workload: w, key: "lost", label: "lost (worst run)", format: count, combine: "max", ratio: false, goal: (g) => (known(g("parley", "lost")) ? check(g("parley", "lost") === 0, "0 lost") : "") },
  { workload: w, key: "p50", label: "latency p50", format: ms },
  { workload: w, key: "p99", label: "latency p99", format: ms },
  { workload: w, key: "max", label: "latency max", format: ms },
  { workload: w, key: "serverCpu", label: "server CPU", format: secs },
  { workload: w, key: "serverBusy", label: "server CPU / wall", format: pct, ratio: false },
  { workload: w, key: "generatorBusy", label: "generator CPU / wall", format: pct, ratio: false },
  { workload: w, key: "peakRss", label: "server peak RSS", format: mb },
];

/**
 * A rooms workload: its figures, and the goal of costing no more server CPU
 * per delivery (or, where the rooms make each line reach fewer, per line)
 * than the one room of `base`, measured in the same run.
 */
const roomRows = (w: string, base: string, key: "serverNsPerDelivery" | "serverNsPerLine", per: string): Row[] => [
  { workload: w, key: "rate", label: "deliveries/s", format: perSec, ratio: false },
  { workload: w, key: "lost", label: "lost (worst run)", format: count, combine: "max", ratio: false, goal: (g) => (known(g("parley", "lost")) ? check(g("parley", "lost") === 0, "0 lost") : "") },
  { workload: w, key: "p50", label: "latency p50", format: ms, ratio: false },
  { workload: w, key: "p99", label: "latency p99", format: ms, ratio: false },
  ...(["serverNsPerDelivery", "serverNsPerLine"] as const).map(
    (k): Row => ({
      workload: w,
      key: k,
      label: k === "serverNsPerLine" ? "server CPU per line sent" : "server CPU per delivery",
      format: nanos,
      ratio: false,
      // Within the machine's noise (10%) of the one room's, in the same run.
      goal:
        k !== key
          ? undefined
          : (g, of) => {
              const rooms = g("parley", key);
              const one = of(base, "parley", key);
              return known(rooms, one) ? check(rooms <= 1.1 * one, `no slower ${per} than ${base} (${(rooms / one).toFixed(2)}×)`) : "";
            },
    }),
  ),
];

export const ROWS: Row[] = [
  {
    workload: "W1",
    key: "rate",
    label: "deliveries/s ↑",
    format: perSec,
    goal: (g) => {
      const p = g("parley", "rate");
      const parts = [];
      if (known(p, g("ncat", "rate"))) parts.push(check(p >= 1.5 * g("ncat", "rate"), "≥ 1.5× ncat"));
      if (known(p, g("ngircd", "rate"))) parts.push(check(p >= 2 * g("ngircd", "rate"), "≥ 2× ngircd"));
      return parts.join(", ");
    },
  },
  {
    // The headline: what the server itself spends per line it delivers, measured after a warm-up round
    // (fanout.ts); the deliveries/s above are set as much by the generator as by the server.
    workload: "W1",
    key: "serverNsPerDelivery",
    label: "server CPU per delivery ↓ (warm)",
    format: nanos,
    goal: (g) => {
      const p = g("parley", "serverNsPerDelivery");
      const parts = [];
      if (known(p, g("ncat", "serverNsPerDelivery"))) parts.push(check(p <= 2 * g("ncat", "serverNsPerDelivery"), "≤ 2× ncat"));
      if (known(p, g("ngircd", "serverNsPerDelivery"))) parts.push(check(p <= 0.2 * g("ngircd", "serverNsPerDelivery"), "≤ 0.2× ngircd"));
      return parts.join(", ");
    },
  },
  { workload: "W1", key: "generatorNsPerDelivery", label: "generator CPU per delivery", format: nanos, ratio: false },
  { workload: "W1", key: "firstRoundNsPerDelivery", label: "server CPU per delivery, first round (cold)", format: nanos },
  {
    workload: "W1",
    key: "restingRss",
    label: "server RSS at rest (started, no clients) ↓",
    format: mb,
    goal: (g) => (known(g("parley", "restingRss")) ? check(g("parley", "restingRss") <= 30 * 1024 * 1024, "≤ 30 MB") : ""),
  },
  ...fanoutRows("W1").map((r): Row =>
    r.key !== "peakRss"
      ? r
      : {
          ...r,
          goal: (g) => {
            const peak = g("parley", "peakRss");
            const rest = g("parley", "restingRss");
            return known(peak, rest) ? check(peak <= 1.3 * rest, `≤ 1.3× resting (${(peak / rest).toFixed(2)}×)`) : "";
          },
        },
  ),
  // The same load over parley's /ws, beside W1's TCP rows (the C peers have no WebSocket listener).
  { workload: "W1-ws", key: "rate", label: "deliveries/s over WebSocket ↑", format: perSec },
  ...fanoutRows("W1-ws"),
  { workload: "W2", key: "rate", label: "deliveries/s (offered: see below)", format: perSec },
  ...fanoutRows("W2").filter((r) => r.key !== "p99"),
  {
    workload: "W2",
    key: "p99",
    label: "latency p99",
    format: ms,
    goal: (g) => (known(g("parley", "p99"), g("ngircd", "p99")) ? check(g("parley", "p99") <= g("ngircd", "p99"), "≤ ngircd") : ""),
  },
  {
    workload: "W2",
    key: "tail",
    label: "last line after schedule end",
    format: ms,
    goal: (g) => (known(g("parley", "tail")) ? check(g("parley", "tail") < 500 && g("parley", "lost") === 0, "keeps up (< 500 ms, 0 lost)") : ""),
  },
  { workload: "W2", key: "sendLagP99", label: "generator send lag p99", format: ms, ratio: false },
  { workload: "W1", key: "serverNsPerLine", label: "server CPU per line sent", format: nanos, ratio: false },
  { workload: "W2", key: "serverNsPerDelivery", label: "server CPU per delivery", format: nanos, ratio: false },
  { workload: "W2", key: "serverNsPerLine", label: "server CPU per line sent", format: nanos, ratio: false },
  ...roomRows("W1-rooms", "W1", "serverNsPerLine", "per line"),
  ...roomRows("W1-rooms-wide", "W1", "serverNsPerDelivery", "per delivery"),
  ...roomRows("W2-rooms", "W2", "serverNsPerLine", "per line"),
  { workload: "W2-wide", key: "rate", label: "deliveries/s", format: perSec, ratio: false },
  { workload: "W2-wide", key: "lost", label: "lost (worst run)", format: count, combine: "max", ratio: false },
  { workload: "W2-wide", key: "p99", label: "latency p99", format: ms, ratio: false },
  { workload: "W2-wide", key: "serverNsPerDelivery", label: "server CPU per delivery", format: nanos, ratio: false },
  ...roomRows("W2-rooms-wide", "W2-wide", "serverNsPerDelivery", "per delivery"),
  {
    workload: "W3-1k",
    key: "perConnection",
    label: "server RSS / connection ↓",
    format: kb,
    goal: (g) => (known(g("parley", "perConnection")) ? check(g("parley", "perConnection") <= 2560, "≤ 2.5 KB") : ""),
  },
  { workload: "W3-1k", key: "held", label: "connections held (worst run)", format: count, combine: "min", ratio: false },
  { workload: "W3-ws", key: "perConnection", label: "server RSS / idle WebSocket ↓", format: kb },
  { workload: "W3-ws", key: "held", label: "WebSockets held (worst run)", format: count, combine: "min", ratio: false },
  {
    workload: "W3-10k",
    key: "perConnection",
    label: "server RSS / connection ↓",
    format: kb,
    goal: (g) => (known(g("parley", "perConnection")) ? check(g("parley", "perConnection") <= 2048 && g("parley", "held") === 10_000, "≤ 2 KB, all 10,000 held") : ""),
  },
  { workload: "W3-10k", key: "held", label: "connections held (worst run)", format: count, combine: "min", ratio: false },
  { workload: "W3-joined-1k", key: "perConnection", label: "server RSS / connection ↓", format: kb },
  { workload: "W3-joined-1k", key: "held", label: "connections held (worst run)", format: count, combine: "min", ratio: false },
  {
    workload: "W3-joined-10k",
    key: "perConnection",
    label: "server RSS / user in the room ↓",
    format: kb,
    goal: (g) => (known(g("parley", "perConnection")) ? check(g("parley", "perConnection") <= 4096 && g("parley", "held") === 10_000, "≤ 4 KB, all 10,000 held") : ""),
  },
  { workload: "W3-joined-10k", key: "held", label: "users held (worst run)", format: count, combine: "min", ratio: false },
  { workload: "W4", key: "cyclesPerSecond", label: "connect+join+quit /s ↑", format: perSec },
  { workload: "W4", key: "p50", label: "cycle p50", format: ms },
  { workload: "W4", key: "p99", label: "cycle p99", format: ms },
  { workload: "W4", key: "failures", label: "failed cycles (worst run)", format: count, combine: "max", ratio: false },
  { workload: "W4", key: "serverBusy", label: "server CPU / wall", format: pct, ratio: false },
  { workload: "W5", key: "versionMs", label: "`--version` wall ↓", format: ms, goal: (g) => (known(g("parley", "versionMs")) ? check(g("parley", "versionMs") < 50, "< 50 ms") : "") },
  {
    workload: "W5",
    key: "firstConnectionMs",
    label: "spawn → first client greeted ↓",
    format: ms,
    goal: (g) => (known(g("parley", "firstConnectionMs")) ? check(g("parley", "firstConnectionMs") < 150, "< 150 ms") : ""),
  },
  ...CLUSTER_ROWS,
  ...udpRows(),
];

/** U1: per rate, what each tool's receiver reports beside its socket's kernel drops (all in the parley column: iperf is not a target). */
function udpRows(): Row[] {
  const percent = (v: number) => v.toFixed(2) + "%";
  return U1_RATES.flatMap((rate) => {
    const k = rateKey(rate);
    const group = `U1 UDP loss, ${k} datagrams/s`;
    const rows = (tool: string): Row[] => [
      { workload: "U1", group, key: `${k}_${tool}_sent`, label: `${tool}: sent (its sender's count)`, format: count, ratio: false },
      { workload: "U1", group, key: `${k}_${tool}_lost`, label: `${tool}: lost (its receiver's count)`, format: count, ratio: false },
      { workload: "U1", group, key: `${k}_${tool}_lostPercent`, label: `${tool}: lost %`, format: percent, ratio: false },
      { workload: "U1", group, key: `${k}_${tool}_drops`, label: `${tool}: kernel drops, receiving socket`, format: count, ratio: false },
    ];
    return [...rows("parley"), ...rows("iperf")];
  });
}

function crashedIn(results: Results, workload: string, target: TargetName): boolean {
  const runs = results.get(workload)?.get(target);
  return Array.isArray(runs) && runs.some((r) => r.metrics.crashed);
}

// Other processes using more than this many cores during a run disturb it
// (the machine may be shared): medians use the undisturbed runs when any.
const DISTURBED_CORES = 0.25;

export function disturbed(run: RunResult): boolean {
  const { otherCpu, seconds } = run.metrics;
  return otherCpu !== undefined && seconds !== undefined && seconds > 0 && otherCpu / seconds >= DISTURBED_CORES;
}

/** The runs a median is taken over: the undisturbed ones if any, else all that produced numbers. */
function medianRuns(runs: RunResult[]): RunResult[] {
  const usable = runs.filter((r) => !r.metrics.failed);
  const quiet = usable.filter((r) => !disturbed(r));
  return quiet.length ? quiet : usable;
}

/**
 * One metric of one workload and target over its runs (NaN when absent):
 * the median of the undisturbed runs, or for counts that must be zero (or
 * full) the worst of all runs.
 */
export function combined(results: Results, workload: string, target: TargetName, key: string, how: Row["combine"] = "median"): number {
  const runs = results.get(workload)?.get(target);
  if (!Array.isArray(runs) || runs.length === 0) return NaN;
  if (how === "median") return median(medianRuns(runs).map((r) => r.metrics[key] ?? NaN));
  const values = runs.map((r) => r.metrics[key] ?? NaN);
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return NaN;
  return how === "max" ? Math.max(...finite) : Math.min(...finite);
}

/**
 * What held a run back, from its CPU shares: the generator (it used most of
 * a core), both cores (everything together nearly filled the machine), the
 * server (one core), or neither, when waiting dominates (round trips of the
 * closed loop, Nagle, timers).
 */
function limitOf(m: Record<string, number>, cores: number): string {
  if (!known(m.generatorBusy ?? NaN)) return "";
  if (m.generatorBusy! >= 0.9) return "generator";
  if ((m.machineBusy ?? 0) >= 0.8 * cores) return "both cores";
  // A cluster (W6) is limited by its busiest process, not by the sum of three.
  if ((m.busiestBusy ?? m.serverBusy ?? 0) >= 0.9) return "server";
  return "round trips";
}

/** The one table: a row per metric, a column per target, ratios, goals. */
export function table(results: Results, targets: readonly TargetName[], cores: number): string {
  const peers = targets.filter((t) => t !== "parley");
  // W6 (a cluster) sets parley beside itself on one node: a column of its own, when it ran.
  const beside = ROWS.some((r) => r.baseline && results.has(r.workload));
  const header = ["workload", "metric", ...targets, ...(targets.includes("parley") ? peers.map((p) => `parley/${p}`) : []), ...(beside ? ["cluster ÷ single node"] : []), "goal (issue 5)"];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`];
  const cell = (workload: string, t: TargetName, row: Row) => {
    const entry = results.get(workload)?.get(t);
    if (typeof entry === "string") return "—";
    const v = combined(results, workload, t, row.key, row.combine);
    const crashed = crashedIn(results, workload, t) ? " (crashed)" : "";
    const failed = Array.isArray(entry) ? entry.filter((r) => r.metrics.failed).length : 0;
    const noisy = Array.isArray(entry) && (row.combine ?? "median") === "median" && medianRuns(entry).some(disturbed) ? " †" : "";
    return (Number.isFinite(v) ? row.format(v) : "—") + noisy + crashed + (failed ? ` (${failed} of ${entry!.length} runs failed)` : "");
  };
  for (const row of ROWS) {
    if (!results.has(row.workload)) continue;
    const get: Get = (t, key) => combined(results, row.workload, t, key, ROWS.find((r) => r.workload === row.workload && r.key === key)?.combine);
    const ratios = targets.includes("parley")
      ? peers.map((p) => {
          const a = get("parley", row.key);
          const b = get(p, row.key);
          // No ratio against a peer that crashed in this workload: its numbers cover only part of the run.
          return row.ratio === false || !known(a, b) || b === 0 || crashedIn(results, row.workload, p) ? "" : `${(a / b).toFixed(2)}×`;
        })
      : [];
    const single = beside ? [besideSingle(results, row)] : [];
    const of = (w: string, t: TargetName, key: string) => combined(results, w, t, key);
    lines.push(`| ${row.group ?? row.workload} | ${row.label} | ${targets.map((t) => cell(row.workload, t, row)).join(" | ")} | ${[...ratios, ...single, row.goal?.(get, of) ?? ""].join(" | ")} |`);
  }
  // W2 runs at a fixed rate: it keeps up or not (see its rows), nothing "limits" it.
  for (const workload of ["W1", "W4", "W6"]) {
    if (!results.has(workload)) continue;
    const limits = targets.map((t) => {
      const runs = results.get(workload)?.get(t);
      return Array.isArray(runs) ? [...new Set(medianRuns(runs).map((r) => limitOf(r.metrics, cores)))].filter(Boolean).join(", ") || "—" : "—";
    });
    const blanks = [...(targets.includes("parley") ? peers.map(() => "") : []), ...(beside ? [""] : [])];
    const group = ROWS.find((r) => r.workload === workload)?.group ?? workload;
    lines.push(`| ${[group, "limited by", ...limits, ...blanks, ""].join(" | ")} |`);
  }
  return lines.join("\n");
}

/** A W6 row's cluster figure ÷ parley's on one node in its baseline workload, with that figure. */
function besideSingle(results: Results, row: Row): string {
  if (!row.baseline) return "";
  const cluster = combined(results, row.workload, "parley", row.key, row.combine);
  const single = combined(results, row.baseline, "parley", row.key, row.combine);
  if (!known(single)) return results.has(row.baseline) ? "" : `(no ${row.baseline} in this run)`;
  const ratio = known(cluster) && single !== 0 ? `${(cluster / single).toFixed(2)}× ` : "";
  return `${ratio}(${row.baseline}: ${row.format(single)})`;
}

/** Every run's own numbers and notes, for results.md. */
export function runDetails(results: Results): string {
  const out: string[] = [];
  for (const [workload, byTarget] of results) {
    for (const [target, runs] of byTarget) {
      if (typeof runs === "string") {
        out.push(`- ${workload} ${target}: ${runs}`);
        continue;
      }
      runs.forEach((run, i) => {
        const values = Object.entries(run.metrics).map(([k, v]) => `${k}=${formatRaw(v)}`).join(" ");
        const mark = disturbed(run) ? " (disturbed)" : "";
        out.push(`- ${workload} ${target} run ${i + 1}${mark}: ${values}${run.notes.length ? ` — ${run.notes.join("; ")}` : ""}`);
      });
    }
  }
  return out.join("\n");
}

function formatRaw(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(3);
}
