// bench/results.md: the table with everything needed to judge and repeat
// it — when, on what machine, which binary, the exact commands and
// configs, what each workload does, and every run's own numbers.

import { writeFileSync } from "node:fs";
import os from "node:os";
import { machineNote } from "./proc.ts";
import { combined, disturbed, runDetails, table, type Results } from "./report.ts";
import { ngircdConfig, type TargetName } from "./targets.ts";
import { W1_WINDOW, type Workload } from "./workloads.ts";

export interface ResultsInfo {
  results: Results;
  targets: readonly TargetName[];
  workloads: Workload[];
  started: Date;
  seconds: number;
  cores: number;
  argv: string[];
  parleyNote: string;
  /** the protective limits parley ran with, as flags */
  parleyLimits: string[];
  /** the exact command line of each target */
  commands: string[];
  /** `--version` of each target */
  versions: string[];
  skipped: string[];
}

export function writeResults(path: string, info: ResultsInfo): void {
  const { results, targets, cores } = info;
  const versions = targets.map((t, i) => `${t}: \`${info.versions[i]}\``);
  const w2Offered = combined(results, "W2", "parley", "offered") || combined(results, "W2", "ngircd", "offered");
  const other = [...results.values()].flatMap((byTarget) => [...byTarget.values()].flatMap((runs) => (Array.isArray(runs) ? runs : [])));
  const noisy = other.filter(disturbed).length;
  const genBound = other.filter((r) => (r.metrics.generatorBusy ?? 0) >= 0.9).length;
  const notes = [
    `Ratios are parley ÷ peer: above 1 is better for ↑ rows (throughput), below 1 is better for the others (latency, CPU, memory, time).`,
    `Each cell is the median of the runs (lost, failures: the worst run; held: the fewest); a fresh server was started for every run. This machine may be shared: each run waits (up to 8 s) for other load to pass, and a run during which other processes used ≥ 0.25 cores is left out of the median when an undisturbed run exists. † marks a cell whose median had to use disturbed runs.`,
    `parley ran with \`${info.parleyLimits.join(" ")}\`: a receiver that falls briefly behind is not cut off as "not reading" (default --max-outbox 1m), and a sender is not disconnected for flooding (default --flood-rate 5/s) — as ngircd runs with its flood penalties off (MaxPenaltyTime = 0).`,
    `ncat --chat is not line-framed: it relays each read() chunk with one \`<userN> \` prefix. Its deliveries are counted by line id inside the chunks; a line split across two chunks gets a prefix in its middle and counts as lost. It also does almost no per-line work, which is why its CPU is near zero.`,
    `Neither C peer sets TCP_NODELAY; parley and the generator do.`,
    Number.isFinite(w2Offered) ? `W2 offered ${(w2Offered / 1e3).toFixed(0)} k deliveries/s (senders × rate × receivers).` : "",
    `"limited by" (W1, W4): generator = the load generator used ≥ 90% of a core, so the server's number is a lower bound; both cores = server + generator + everything else used ≥ 80% of the machine; server = the server used ≥ 90% of a core; round trips = nothing was CPU-bound (the closed loop waited on round trips, Nagle's delay, timers).`,
    genBound ? `${genBound} run(s) were generator-bound (see the per-run list, generatorBusy ≥ 0.9).` : "",
    noisy ? `${noisy} of ${other.length} runs were disturbed (otherCpu in the per-run list: CPU used meanwhile by other processes and kernel threads).` : "",
    `W1 latency is queueing behind each sender's window (${W1_WINDOW} lines in flight), not light-load latency; W2 shows that.`,
    results.has("W6") || results.has("W6-steady")
      ? `W6 (a cluster: two parley nodes sharing the room through one redis-server, clients alternating between them) has no peer: its parley column holds the cluster's figures, and "cluster ÷ single node" divides each by parley's own on one node in this run (W6 by W1, W6-steady by W2). Its server CPU is both nodes plus Redis, all three on the same ${cores} cores as the generator. Same-node deliveries go from the sender's node straight to its receivers; cross-node ones through Redis (one PUBLISH per line, and one XADD to the shared history stream).`
      : "",
    ...info.skipped.map((s) => `Skipped ${s}.`),
  ].filter(Boolean);

  const md = `# parley benchmark results

Run ${info.started.toISOString()} — ${info.seconds.toFixed(0)} s in all.

Machine: ${machineNote()}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}.
The load generator (one Bun process) and the server share these ${cores} cores.

Binary: ${info.parleyNote}. Versions: ${versions.join("; ")}.

${table(results, targets, cores)}

${notes.map((n) => `- ${n}`).join("\n")}

## Workloads

${info.workloads.map((w) => `- **${w.id}** (${w.title}; ${w.runAlone ? "measured inside one run" : `${w.repeats} runs per target`}): ${w.description}.`).join("\n")}

Every line a sender sends is \`b<sender> <seq> <stamp µs>\` on the generator's monotonic clock; each receiver
parses the id and stamp from the end of what the server relays (\`nick: …\`, \`:nick!… PRIVMSG #bench :…\`,
\`<userN> …\`), so a delivery counts once per receiver and latency is arrival minus stamp.
CPU seconds are utime+stime from /proc/PID/stat (10 ms ticks) over the measured interval; peak RSS is VmHWM
from /proc/PID/status at the end of the run; per-connection memory is the growth of VmRSS over the connections held.

## Commands

\`\`\`sh
bun bench/run.ts ${info.argv.join(" ")}   # via: npm run bench${info.argv.length ? " -- " + info.argv.join(" ") : ""}
${info.commands.join("\n")}
\`\`\`

ncat's \`--max-conns\` is the workload's client count plus a margin (at most 1000). ngircd.conf (Ports = a free port per run):

\`\`\`ini
${ngircdConfig(0).replace("Ports = 0", "Ports = PORT").trimEnd()}
\`\`\`

## Every run

${runDetails(results)}
`;
  writeFileSync(path, md);
}
