// Starts the compiled dist/parley as a user would, on a free loopback port,
// and reads its log. Every process started here is stopped by PID when the
// test file ends.

import { afterAll } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { atRunEnd } from "./run-end.ts";

export const PARLEY = resolve(import.meta.dir, "../../dist/parley");

export interface LogEntry {
  time: string;
  level: string;
  message: string;
  tag?: string;
}

const running = new Set<Bun.Subprocess>();
afterAll(() => {
  for (const proc of running) proc.kill("SIGKILL");
});
// The afterAll above belongs to the first test file that imports this
// module (it is loaded once per run); what a later file left running (a test
// that failed before its stop) is killed when the run ends.
atRunEnd(() => {
  for (const proc of running) proc.kill("SIGKILL");
});

/** Reads a stream line by line; waiters are resolved as lines arrive. */
export class LineReader {
  readonly lines: string[] = [];
  private waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  private ended = false;
  private endWaiters: (() => void)[] = [];

  constructor(stream: ReadableStream<Uint8Array>) {
    void this.pump(stream);
  }

  private async pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of stream) {
      buffer += decoder.decode(chunk, { stream: true });
      let at: number;
      while ((at = buffer.indexOf("\n")) !== -1) {
        this.add(buffer.slice(0, at).replace(/\r$/, ""));
        buffer = buffer.slice(at + 1);
      }
    }
    if (buffer) this.add(buffer);
    this.ended = true;
    for (const w of this.endWaiters) w();
  }

  private add(line: string): void {
    this.lines.push(line);
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(line)) return true;
      w.resolve(line);
      return false;
    });
  }

  /** The first line (already read or still to come) that matches; with `from`, among lines from that index on. */
  waitFor(match: RegExp | string, what = String(match), from = 0): Promise<string> {
    const test = (line: string) => (typeof match === "string" ? line.includes(match) : match.test(line));
    const seen = this.lines.slice(from).find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const fail = () => reject(new Error(`stream ended without ${what}; last lines:\n${this.lines.slice(-10).join("\n")}`));
      if (this.ended) return fail();
      this.waiters.push({ test, resolve });
      this.endWaiters.push(fail);
    });
  }

  whenEnded(): Promise<void> {
    return this.ended ? Promise.resolve() : new Promise((resolve) => this.endWaiters.push(resolve));
  }
}

export interface Parley {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  log: LineReader;
  stdout: LineReader;
  /** resolves with a log message matching */
  waitForLog(match: RegExp | string): Promise<string>;
  /** SIGTERM, then the exit code */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

// Like a downloaded binary, parley runs from a folder of its own, not from
// the repository (whose plugins/ folder holds the built-in sources).
const HOME = mkdtempSync(join(tmpdir(), "parley-cwd-"));

// No test reads the real ~/.config/parley/parley.toml or writes the data
// file into the real ~/.local/state/parley: both are temp folders unless a
// test gives its own.
export const TEST_XDG = {
  XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "parley-config-")),
  XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "parley-state-")),
};

/** Runs `dist/parley ARGS` (not waiting for anything). */
export function run(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const proc = Bun.spawn([PARLEY, ...args], {
    cwd: options.cwd ?? HOME,
    env: { ...process.env, STATE_DIRECTORY: "", ...TEST_XDG, ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  running.add(proc);
  void proc.exited.then(() => running.delete(proc));
  return proc;
}

/** Runs a command to completion: exit code, stdout, stderr. */
export async function runToEnd(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const proc = run(args, options);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Starts `parley chat` on a free loopback port and waits until it listens. */
export async function startChat(args: string[] = [], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Parley> {
  // Tests share one room between many scripted clients that send bursts:
  // flood control and the history replay on join are off unless a test
  // turns them on (its flags come later, and the last one wins).
  // Nothing is kept unless a test asks for a --data file (a later --data wins).
  const proc = run(["chat", "--host", "127.0.0.1", "--port", "0", "--json-logs", "--log-level", "debug", "--flood-rate", "0", "--history", "0", "--data", "memory", ...args], options);
  const log = new LineReader(proc.stderr);
  const stdout = new LineReader(proc.stdout);
  const listening = await log.waitFor(/listening on/, "the listening log line");
  const port = Number(/listening on [^ ]*:(\d+)/.exec(listening)?.[1]);
  if (!port) throw new Error(`no port in: ${listening}`);
  return {
    proc,
    port,
    log,
    stdout,
    waitForLog: (match) => log.waitFor(match).then((line) => (JSON.parse(line) as LogEntry).message),
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return proc.exited;
    },
  };
}
