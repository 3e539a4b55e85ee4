// What one run of one workload against one target yields: named numbers
// (their meaning, unit and direction live in bench/report.ts) and notes
// for anything a reader should know (drops, failures, caps hit).

export interface RunResult {
  metrics: Record<string, number>;
  notes: string[];
}
