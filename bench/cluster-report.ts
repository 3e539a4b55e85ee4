// W6's rows in the table: the cluster's figures in the parley column, each
// set beside parley's own on one node in the same run (W6 beside W1,
// W6-steady beside W2) as cluster ÷ single node. Issue 5 sets no goal
// for a cluster; nothing may be lost, and the steady load must be kept up.

import { check, count, known, mb, ms, nanos, pct, perSec, secs } from "./format.ts";
import type { Get, Row } from "./row.ts";

const FANOUT = "W6 cluster (2 nodes + Redis)";
const STEADY = "W6-steady cluster (2 nodes + Redis)";
const FAULT = "W6-fault cluster, Redis restarted mid-run";

const noneLost = (g: Get) => (known(g("parley", "lost")) ? check(g("parley", "lost") === 0, "0 lost") : "");

export const CLUSTER_ROWS: Row[] = [
  {
    // The headline, as W1's: what the cluster spends per delivery after the same warm-up round (cluster.ts), beside W1's.
    workload: "W6",
    group: FANOUT,
    key: "serverNsPerDelivery",
    label: "server CPU per delivery ↓ (warm; both nodes + Redis)",
    format: nanos,
    baseline: "W1",
    goal: (g, of) => {
      const p = g("parley", "serverNsPerDelivery");
      const single = of("W1", "parley", "serverNsPerDelivery");
      return known(p, single) ? check(p <= 1.5 * single, "≤ 1.5× W1 (one node)") : "";
    },
  },
  { workload: "W6", group: FANOUT, key: "leftNsPerDelivery", label: "of which node left", format: nanos, ratio: false },
  { workload: "W6", group: FANOUT, key: "rightNsPerDelivery", label: "of which node right", format: nanos, ratio: false },
  { workload: "W6", group: FANOUT, key: "redisNsPerDelivery", label: "of which Redis", format: nanos, ratio: false },
  { workload: "W6", group: FANOUT, key: "serverNsPerCross", label: "server CPU per cross-node delivery (all three ÷ deliveries via Redis)", format: nanos, ratio: false },
  { workload: "W6", group: FANOUT, key: "generatorNsPerDelivery", label: "generator CPU per delivery", format: nanos, ratio: false, baseline: "W1" },
  { workload: "W6", group: FANOUT, key: "firstRoundNsPerDelivery", label: "server CPU per delivery, first round (cold)", format: nanos, baseline: "W1" },
  { workload: "W6", group: FANOUT, key: "rate", label: "deliveries/s ↑ (all receivers)", format: perSec, baseline: "W1" },
  { workload: "W6", group: FANOUT, key: "crossRate", label: "of which cross-node (via Redis) /s", format: perSec, ratio: false },
  { workload: "W6", group: FANOUT, key: "lost", label: "lost (worst run)", format: count, combine: "max", ratio: false, goal: noneLost },
  { workload: "W6", group: FANOUT, key: "p50", label: "latency p50", format: ms, baseline: "W1" },
  { workload: "W6", group: FANOUT, key: "p99", label: "latency p99", format: ms, baseline: "W1" },
  { workload: "W6", group: FANOUT, key: "sameP50", label: "same-node p50", format: ms, ratio: false },
  { workload: "W6", group: FANOUT, key: "sameP99", label: "same-node p99", format: ms, ratio: false },
  { workload: "W6", group: FANOUT, key: "crossP50", label: "cross-node p50", format: ms, ratio: false },
  { workload: "W6", group: FANOUT, key: "crossP99", label: "cross-node p99", format: ms, ratio: false },
  { workload: "W6", group: FANOUT, key: "serverCpu", label: "server CPU (both nodes + Redis)", format: secs, baseline: "W1" },
  { workload: "W6", group: FANOUT, key: "leftCpu", label: "CPU of node left", format: secs, ratio: false },
  { workload: "W6", group: FANOUT, key: "rightCpu", label: "CPU of node right", format: secs, ratio: false },
  { workload: "W6", group: FANOUT, key: "redisCpu", label: "CPU of Redis", format: secs, ratio: false },
  { workload: "W6", group: FANOUT, key: "serverBusy", label: "server CPU / wall (all three)", format: pct, ratio: false, baseline: "W1" },
  { workload: "W6", group: FANOUT, key: "generatorBusy", label: "generator CPU / wall", format: pct, ratio: false },
  { workload: "W6", group: FANOUT, key: "peakRss", label: "node peak RSS (larger node)", format: mb, baseline: "W1" },
  { workload: "W6", group: FANOUT, key: "redisPeakRss", label: "Redis peak RSS", format: mb, ratio: false },
  { workload: "W6-steady", group: STEADY, key: "rate", label: "deliveries/s (offered: as W2)", format: perSec, baseline: "W2" },
  { workload: "W6-steady", group: STEADY, key: "lost", label: "lost (worst run)", format: count, combine: "max", ratio: false, goal: noneLost },
  { workload: "W6-steady", group: STEADY, key: "p50", label: "latency p50", format: ms, baseline: "W2" },
  { workload: "W6-steady", group: STEADY, key: "p99", label: "latency p99", format: ms, baseline: "W2" },
  { workload: "W6-steady", group: STEADY, key: "max", label: "latency max", format: ms, baseline: "W2" },
  { workload: "W6-steady", group: STEADY, key: "sameP99", label: "same-node p99", format: ms, ratio: false },
  { workload: "W6-steady", group: STEADY, key: "crossP99", label: "cross-node p99", format: ms, ratio: false },
  {
    workload: "W6-steady",
    group: STEADY,
    key: "tail",
    label: "last line after schedule end",
    format: ms,
    baseline: "W2",
    goal: (g) => (known(g("parley", "tail")) ? check(g("parley", "tail") < 500 && g("parley", "lost") === 0, "keeps up (< 500 ms, 0 lost)") : ""),
  },
  { workload: "W6-steady", group: STEADY, key: "serverCpu", label: "server CPU (both nodes + Redis)", format: secs, baseline: "W2" },
  { workload: "W6-steady", group: STEADY, key: "redisCpu", label: "CPU of Redis", format: secs, ratio: false },
  { workload: "W6-steady", group: STEADY, key: "serverBusy", label: "server CPU / wall (all three)", format: pct, ratio: false, baseline: "W2" },
  { workload: "W6-steady", group: STEADY, key: "generatorBusy", label: "generator CPU / wall", format: pct, ratio: false },
  { workload: "W6-steady", group: STEADY, key: "sendLagP99", label: "generator send lag p99", format: ms, ratio: false },
  { workload: "W6-fault", group: FAULT, key: "lost", label: "cross-node lines lost (worst run)", format: count, combine: "max", ratio: false, goal: noneLost },
  { workload: "W6-fault", group: FAULT, key: "outage", label: "Redis down", format: ms, ratio: false },
  { workload: "W6-fault", group: FAULT, key: "recovery", label: "Redis back → every earlier line delivered", format: ms, ratio: false },
  { workload: "W6-fault", group: FAULT, key: "recoveryP99", label: "p99 of lines sent in the 3 s after", format: ms, ratio: false },
  { workload: "W6-fault", group: FAULT, key: "p99", label: "latency p99 (whole run)", format: ms, ratio: false },
  { workload: "W6-fault", group: FAULT, key: "rate", label: "deliveries/s (offered: as W2)", format: perSec, ratio: false },
];
