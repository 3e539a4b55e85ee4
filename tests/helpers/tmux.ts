// A real client program in a real terminal: a tmux pane, on a tmux server of
// its own (-L, one socket per pane, so nothing else on the machine is
// touched), driven in control mode (tmux -C). Keys are sent one grapheme at
// a time as `send-keys -l`, each waiting for tmux's answer, so a client reads
// them as typed; what the program writes to its terminal arrives as %output
// notifications, so waiting for the screen is event-driven, and the bytes
// themselves are kept (`output`) to prove a secret never reached the
// terminal at all. Every server started here is killed when the test file
// ends: kill-server on its own socket (its PID only if that fails), and its
// socket file removed.

import { afterAll } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { atRunEnd } from "./run-end.ts";

const started = new Set<Pane>();
const killAll = () => {
  for (const pane of started) pane.kill();
};
// This module's afterAll belongs to the first test file that imports it (it
// is loaded once per run); panes later files leave go when the run ends.
afterAll(killAll);
atRunEnd(killAll);

export interface PaneOptions {
  width?: number;
  height?: number;
  /** set in the pane (LANG is C.UTF-8 unless given) */
  env?: Record<string, string>;
}

interface Pending {
  resolve: (lines: string[]) => void;
  reject: (error: Error) => void;
  command: string;
}

const LF = 0x0a;
const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
let panes = 0;

/** SIGKILL to `pid`, which may have exited since it was checked (the hangup is on its way): ESRCH is that. */
function killGone(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Quotes a word for tmux's command parser: single quotes, nothing expanded inside. */
function quote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/** The bytes of a %output value: tmux writes bytes under 0x20 and the backslash as \ooo. */
function unescapeOutput(value: Uint8Array): Uint8Array {
  const out = new Uint8Array(value.length);
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === 0x5c && i + 3 < value.length) {
      out[n++] = parseInt(String.fromCharCode(value[i + 1]!, value[i + 2]!, value[i + 3]!), 8);
      i += 3;
    } else out[n++] = value[i]!;
  }
  return out.subarray(0, n);
}

/**
 * The rows a terminal that shows every byte it cannot decode as U+FFFD (as
 * xterm and VTE do; tmux drops them) would show of `output`: each row's
 * characters, where a CR goes back to the first column and later
 * characters overwrite earlier ones; NUL shows nothing. Rows with an escape
 * sequence are left out: this is for what raw clients write.
 */
export function rowsAsShown(output: string): string[] {
  const rows: string[] = [];
  for (const text of output.split("\n")) {
    if (text.includes("\x1b")) continue;
    const cells: string[] = [];
    let column = 0;
    for (const ch of text) {
      if (ch === "\r") column = 0;
      else if (ch !== "\0") cells[column++] = ch;
    }
    rows.push(cells.join(""));
  }
  return rows;
}

export class Pane {
  /** the -L socket name of this pane's tmux server */
  readonly socket: string;
  /** the tmux server's PID */
  serverPid = 0;
  /** the PID of the program in the pane (tmux runs it without a shell) */
  programPid = 0;
  private socketPath = "";
  private paneId = "";
  private readonly proc: Bun.Subprocess<"pipe", "pipe", "ignore">;
  private readonly argv0: string;
  private readonly decoder = new TextDecoder();
  /** everything the program wrote to its terminal, decoded as UTF-8 */
  output = "";
  private outputs = 0;
  private outputWaiters: (() => void)[] = [];
  private pending: Pending[] = [];
  private block: string[] | null = null;
  private blockIsOurs = false;
  private closed = false;
  // Settled by the %session-changed notification, or by tmux exiting first.
  private attach!: () => void;
  private failStart!: (error: Error) => void;
  private readonly attached = new Promise<void>((resolve, reject) => {
    this.attach = resolve;
    this.failStart = reject;
  });

  private constructor(socket: string, argv0: string, proc: Bun.Subprocess<"pipe", "pipe", "ignore">) {
    this.socket = socket;
    this.argv0 = argv0;
    this.proc = proc;
    started.add(this);
    void this.read();
  }

  /** Starts `argv` in a new WIDTH x HEIGHT pane (200 x 50) of a tmux server of its own. */
  static async start(argv: string[], options: PaneOptions = {}): Promise<Pane> {
    const socket = `parley-test-${process.pid}-${++panes}`;
    const env: Record<string, string> = { LANG: "C.UTF-8", ...options.env };
    const { TMUX: _, ...outer } = process.env;
    const proc = Bun.spawn(
      [
        "tmux", "-L", socket, "-u", "-f", "/dev/null", "-C",
        // The pane stays when the program exits, so its last screen can be read.
        "start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";", "set-option", "-g", "history-limit", "10000", ";",
        "new-session", "-x", String(options.width ?? 200), "-y", String(options.height ?? 50),
        ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
        "--", ...argv,
      ],
      { stdin: "pipe", stdout: "pipe", stderr: "ignore", env: { ...outer, LANG: "C.UTF-8", TERM: "xterm-256color" } },
    );
    const pane = new Pane(socket, argv[0]!, proc);
    // Commands reach the new pane once this client is attached to its session.
    await pane.attached;
    const [info] = await pane.command(`display-message -p ${quote("#{pid}\t#{pane_id}\t#{pane_pid}\t#{socket_path}")}`);
    const [pid, id, programPid, path] = (info ?? "").split("\t");
    pane.serverPid = Number(pid);
    pane.paneId = id ?? "";
    pane.programPid = Number(programPid);
    pane.socketPath = path ?? "";
    if (!pane.serverPid || !pane.paneId || !pane.socketPath) throw new Error(`tmux did not start: ${info}`);
    return pane;
  }

  private async read(): Promise<void> {
    let rest = new Uint8Array(0);
    for await (const chunk of this.proc.stdout) {
      const bytes = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
      let from = 0;
      for (let at = bytes.indexOf(LF); at !== -1; at = bytes.indexOf(LF, from)) {
        this.protocolLine(bytes.subarray(from, at));
        from = at + 1;
      }
      rest = bytes.slice(from);
    }
    this.closed = true;
    this.failStart(new Error(`tmux exited before its session started (socket ${this.socket})`));
    for (const p of this.pending) p.reject(new Error(`tmux exited before answering ${p.command}`));
    this.pending = [];
    this.wake();
  }

  private protocolLine(bytes: Uint8Array): void {
    const OUTPUT = "%output ";
    if (this.block === null && Buffer.from(bytes.subarray(0, OUTPUT.length)).toString() === OUTPUT) {
      const space = bytes.indexOf(0x20, OUTPUT.length);
      this.output += this.decoder.decode(unescapeOutput(bytes.subarray(space + 1)), { stream: true });
      this.outputs++;
      return this.wake();
    }
    const line = Buffer.from(bytes).toString("utf8");
    if (this.block === null) {
      if (line.startsWith("%session-changed ")) this.attach();
      if (line.startsWith("%begin ")) {
        this.block = [];
        // Flag 1: the answer to a command from our stdin (0: the command line's own).
        this.blockIsOurs = line.split(" ")[3] === "1";
      }
      return;
    }
    if (line.startsWith("%end ") || line.startsWith("%error ")) {
      const lines = this.block;
      this.block = null;
      if (!this.blockIsOurs) return;
      const p = this.pending.shift();
      if (!p) return;
      if (line.startsWith("%end ")) p.resolve(lines);
      else p.reject(new Error(`tmux: ${p.command}: ${lines.join("\n")}`));
      return;
    }
    this.block.push(line);
  }

  private wake(): void {
    const waiters = this.outputWaiters;
    this.outputWaiters = [];
    for (const w of waiters) w();
  }

  /** Runs one tmux command; resolves with what it printed. */
  command(command: string): Promise<string[]> {
    if (this.closed) return Promise.reject(new Error(`tmux has exited; cannot run ${command}`));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject, command });
      this.proc.stdin.write(command + "\n");
      this.proc.stdin.flush();
    });
  }

  /** Types `text` one grapheme at a time, each a `send-keys -l` of its own. */
  async type(text: string): Promise<void> {
    for (const { segment } of segmenter.segment(text)) {
      await this.command(`send-keys -t ${this.paneId} -l -- ${quote(segment)}`);
    }
  }

  /** Presses named keys (Enter, BSpace, C-c). */
  async press(...keys: string[]): Promise<void> {
    await this.command(`send-keys -t ${this.paneId} ${keys.map(quote).join(" ")}`);
  }

  /** Types a line and presses Enter. */
  async typeLine(text: string): Promise<void> {
    await this.type(text);
    await this.press("Enter");
  }

  /** The whole screen and its scrollback, wrapped lines joined (capture-pane -p -J), trailing blank lines dropped. */
  async screen(): Promise<string> {
    const lines = await this.command(`capture-pane -p -J -S - -E - -t ${this.paneId}`);
    return lines.join("\n").trimEnd();
  }

  /**
   * Waits until the screen matches, re-reading it whenever the program
   * writes to its terminal; fails with the screen after `ms`.
   */
  async waitForScreen(match: string | RegExp | ((screen: string) => boolean), ms = 5000): Promise<string> {
    const test = typeof match === "function" ? match : (s: string) => (typeof match === "string" ? s.includes(match) : match.test(s));
    const deadline = Date.now() + ms;
    for (;;) {
      const seen = this.outputs;
      const screen = await this.screen();
      if (test(screen)) return screen;
      if (this.outputs !== seen) continue;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error(`the screen never showed ${String(match)} (${ms} ms); it shows:\n${screen}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.outputWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * Waits until what the program wrote to its terminal (`output`, the raw
   * bytes, not the screen) matches; fails after `ms`.
   */
  async waitForOutput(test: (output: string) => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test(this.output)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error(`the program never wrote ${what} (${ms} ms); it wrote, at the end: ${JSON.stringify(this.output.slice(-200))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.outputWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Stops this pane's tmux server, and so the program in it. */
  kill(): void {
    if (!started.delete(this)) return;
    const asked = Bun.spawnSync(["tmux", "-L", this.socket, "kill-server"], { stdout: "ignore", stderr: "ignore" });
    // By PID only if it did not answer, and only while that PID is still this server.
    if (asked.exitCode !== 0 && this.serverPid && this.holds(this.serverPid, this.socket)) killGone(this.serverPid);
    // The program gets a hangup as its terminal goes; one still there (parley connect spins on a dead
    // terminal and ignores SIGHUP) is stopped by PID, while that PID is still it.
    if (this.programPid && this.holds(this.programPid, this.argv0)) killGone(this.programPid);
    this.proc.kill();
    if (this.socketPath) rmSync(this.socketPath, { force: true });
  }

  /** Whether process `pid` is still the one started here: its command line holds `word`. */
  private holds(pid: number, word: string): boolean {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(word);
    } catch {
      return false;
    }
  }
}
