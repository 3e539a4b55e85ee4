// One row of the results table: which figure of which workload, how it is
// shown and checked. Its own module, so the single-node and cluster tables
// (report.ts, cluster-report.ts) share it without importing each other.

import type { TargetName } from "./targets.ts";

export type Get = (target: TargetName, key: string) => number;
/** A figure of another workload of the same run (median of its runs): for goals that compare two. */
export type GetOf = (workload: string, target: TargetName, key: string) => number;

export interface Row {
  workload: string;
  /** how the workload column names it (default: its id) */
  group?: string;
  /** W6: the single-node workload whose parley figure this row is set beside, as cluster ÷ single node */
  baseline?: string;
  key: string;
  label: string;
  format: (v: number) => string;
  /** how repeats combine: the median, or the worst one for counts that must be 0 */
  combine?: "median" | "max" | "min";
  /** whether parley/peer means anything for this row */
  ratio?: boolean;
  /** the goal for this row, checked: "✓ ..." / "✗ ..." / "" */
  goal?: (get: Get, of: GetOf) => string;
}
