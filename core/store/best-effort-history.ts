// History when the disk fails: a message is relayed whether or not it could
// be kept. A write that fails (disk full, a file locked by another process,
// a read-only file, a corrupted page) is kept in memory and tried again, a
// bounded number of entries; a read that fails answers with what is held
// here. Each new condition is told once (`told`), and again when it ends.

import { counters } from "../base/counters.ts";
import type { History, HistoryEntry } from "./history.ts";

// Entries held while writes fail; past this the oldest are given up.
const PENDING_MAX = 1000;
const RETRY_MS = 1000;

export class BestEffortHistory implements History {
  private readonly inner: History;
  private readonly told: (problem: string | null) => void;
  private pending: HistoryEntry[] = [];
  private failing: string | null = null;
  private retry: ReturnType<typeof setTimeout> | undefined;

  /** `told(problem)` when a new failure starts, `told(null)` when writing works again. */
  constructor(inner: History, told: (problem: string | null) => void) {
    this.inner = inner;
    this.told = told;
  }

  add(entry: HistoryEntry): void {
    this.pending.push(entry);
    if (this.pending.length > PENDING_MAX) this.pending.shift();
    // While writes fail, the retry writes what waits: a write tried for every
    // line would make every line wait for SQLite (up to its busy timeout,
    // 10 ms, with a lock held), and a busy room would freeze.
    if (this.retry === undefined) this.flush();
  }

  recent(limit: number, room = ""): HistoryEntry[] {
    let kept: HistoryEntry[];
    try {
      kept = this.inner.recent(limit, room);
    } catch (error) {
      this.fail(error);
      kept = [];
    }
    // What could not be written yet is still history.
    if (this.pending.length === 0) return kept;
    const waiting = this.pending.filter((e) => (e.room ?? "") === room);
    return waiting.length === 0 ? kept : [...kept, ...waiting].slice(-Math.max(0, limit));
  }

  forget(room: string): void {
    this.pending = this.pending.filter((e) => (e.room ?? "") !== room);
    try {
      this.inner.forget(room);
    } catch (error) {
      this.fail(error);
    }
  }

  rooms(): string[] {
    let kept: string[] = [];
    try {
      kept = this.inner.rooms();
    } catch (error) {
      this.fail(error);
    }
    return [...new Set([...kept, ...this.pending.map((e) => e.room ?? "")])];
  }

  private flush(): void {
    try {
      while (this.pending.length > 0) {
        this.inner.add(this.pending[0]!);
        this.pending.shift();
        counters.historyWrites++;
      }
    } catch (error) {
      counters.historyWriteFailures++;
      this.fail(error);
      this.retry ??= setTimeout(() => {
        this.retry = undefined;
        this.flush();
      }, RETRY_MS);
      this.retry.unref();
      return;
    }
    if (this.failing !== null) {
      this.failing = null;
      this.told(null);
    }
  }

  private fail(error: unknown): void {
    const problem = error instanceof Error ? error.message : String(error);
    if (problem === this.failing) return;
    this.failing = problem;
    this.told(problem);
  }
}
