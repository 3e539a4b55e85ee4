// The servers under test: parley (the compiled dist/parley), ncat --chat and
// ngircd. Each start is fresh, on a free loopback port, from a temp folder
// of its own; each stop is by the PID we spawned, never by name.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type TargetName = "parley" | "ncat" | "ngircd";
export const TARGET_NAMES: readonly TargetName[] = ["parley", "ncat", "ngircd"];

export const HOST = "127.0.0.1";

// parley's protective limits that a benchmark would trip, and what they
// are set to. Like ngircd's flood penalties, they are switched off: the
// point is to measure relaying, not those (tested) protections.
// - --max-outbox: the default (1m) would cut off a benchmark receiver that
//   falls a few hundred ms behind during W1/W2.
// - --flood-rate 0: a W1 sender sends thousands of lines a second; the
//   default (5/s) disconnects it for flooding.
// - --max-per-ip 0: every client comes from 127.0.0.1 (exempt today, but
//   the benchmark should not depend on that).
// Flags this binary does not know (an older build) are left out.
export const PARLEY_LIMITS: readonly [flag: string, value: string][] = [
  ["--max-outbox", "64m"],
  ["--flood-rate", "0"],
  ["--max-per-ip", "0"],
];

const knownFlags = new Map<string, string>();

/** The PARLEY_LIMITS flags that `binary chat --help` lists, and --data memory when it knows it. */
export function parleyLimitArgs(binary: string): string[] {
  let help = knownFlags.get(binary);
  if (help === undefined) {
    const run = Bun.spawnSync([binary, "chat", "--help"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    help = run.stdout.toString();
    knownFlags.set(binary, help);
  }
  const limits = PARLEY_LIMITS.filter(([flag]) => help.includes(flag + "=") || help.includes(flag + " ")).flat();
  // A benchmark keeps nothing: without this a build that keeps data by
  // default would write parley.db into the state directory (and time SQLite).
  // An older build, whose --data took only a file, kept nothing by default.
  return help.includes("memory keeps nothing") ? [...limits, "--data", "memory"] : limits;
}

// ncat --chat keeps its clients in a select() set: it cannot hold more than
// about 1,018 (FD_SETSIZE 1024), and the measurements saw it fall
// over when ~32 connected at once (it also exits when a client
// disconnects before it has looked at it: see W4).
export const NCAT_MAX_CLIENTS = 1000;

const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
const LOG_TAIL = 40;

// Every process running now, so an interrupted run can stop them (by PID).
const running = new Set<Target<string>>();

/** Stops every target still running: for SIGINT/SIGTERM. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((t) => t.stop()));
}

/** A running server we started (a target, or a helper such as the cluster's Redis). */
export class Target<Name extends string = TargetName> {
  readonly name: Name;
  readonly command: string[];
  /** 0 until known (parley with --port 0 names it in its log) */
  port: number;
  /** resolves with the port once the server says it listens (null: it never says) */
  readonly announced: Promise<number | null>;
  private readonly proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  private readonly dir: string;
  private readonly tail: string[] = [];
  private hasExited = false;

  constructor(name: Name, recipe: Recipe, dir: string, port: number) {
    this.name = name;
    this.command = recipe.command;
    this.port = port;
    this.dir = dir;
    for (const [file, text] of Object.entries(recipe.files ?? {})) writeFileSync(join(dir, file), text);
    this.proc = Bun.spawn(recipe.command, { cwd: dir, env: recipe.env ?? process.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    running.add(this);
    void this.proc.exited.then(() => {
      this.hasExited = true;
      running.delete(this);
    });
    let announce: (port: number | null) => void = () => {};
    this.announced = new Promise((resolve) => (announce = resolve));
    const { portFromLog } = recipe;
    void this.proc.exited.then(() => announce(null));
    // Both pipes are read to the end: a full pipe would stall the server.
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      let partial = "";
      for await (const chunk of stream) {
        const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) {
          this.tail.push(line);
          if (this.tail.length > LOG_TAIL) this.tail.shift();
          const found = portFromLog?.(line, port);
          if (found) announce(found);
        }
      }
    };
    void drain(this.proc.stdout);
    void drain(this.proc.stderr);
  }

  get pid(): number {
    return this.proc.pid;
  }

  get exited(): boolean {
    return this.hasExited;
  }

  /** The last lines it wrote to stdout/stderr, for error messages. */
  log(): string[] {
    return [...this.tail];
  }

  /** SIGTERM to our PID, SIGKILL after a grace period; removes its folder. */
  async stop(): Promise<void> {
    if (!this.hasExited) {
      this.proc.kill("SIGTERM");
      const timer = setTimeout(() => this.proc.kill("SIGKILL"), STOP_GRACE_MS);
      await this.proc.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface TargetPaths {
  parley: string;
}

/** Why `name` cannot run here, or null when it can. */
export function missing(name: TargetName, paths: TargetPaths): string | null {
  if (name === "parley") return Bun.file(paths.parley).size > 0 ? null : `${paths.parley} not found (npm run build)`;
  return Bun.which(name) ? null : `${name} is not installed (apt-get install -y ${name})`;
}

export interface Recipe {
  command: string[];
  env?: Record<string, string | undefined>;
  /** files written into the target's folder first */
  files?: Record<string, string>;
  /** the port, from the log line saying the server listens */
  portFromLog?: (line: string, port: number) => number | null;
}

/**
 * How to run each target on `port` (parley: 0 lets it choose and log it).
 * Every target runs in an empty temp folder: parley would load a ./plugins
 * folder from its working directory.
 */
function recipe(name: TargetName, paths: TargetPaths, maxClients: number, port: number): Recipe {
  switch (name) {
    case "parley": {
      const env = { ...process.env };
      delete env.PARLEY_PLUGINS;
      return {
        // --log-level info: the port chosen by --port 0 is only logged at info.
        command: [paths.parley, "chat", "--host", HOST, "--port", String(port), "--json-logs", "--log-level", "info", ...parleyLimitArgs(paths.parley)],
        env,
        portFromLog: (line) => Number(/listening on \S*:(\d+)/.exec(line)?.[1] ?? 0) || null,
      };
    }
    case "ncat":
      // ncat says nothing when it is ready; a connect probe decides.
      return { command: ["ncat", "-l", HOST, String(port), "--chat", "--max-conns", String(Math.min(maxClients, NCAT_MAX_CLIENTS))] };
    case "ngircd":
      return {
        command: ["ngircd", "--nodaemon", "--config", "ngircd.conf"],
        files: { "ngircd.conf": ngircdConfig(port) },
        portFromLog: (line, p) => (line.includes("Now listening on") ? p : null),
      };
  }
}

/** Spawns `name` on `port` without waiting for anything (W5 times the wait itself). */
export function launch(name: TargetName, paths: TargetPaths, maxClients: number, port: number): Target {
  return spawnRecipe(name, recipe(name, paths, maxClients, port), port);
}

function spawnRecipe<Name extends string>(name: Name, recipe: Recipe, port: number): Target<Name> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  return new Target(name, recipe, dir, port);
}

/**
 * Starts `name` fresh on a free loopback port and waits until it accepts
 * connections. `extraArgs` go after parley's own (the cluster's --redis).
 */
export async function startTarget(name: TargetName, paths: TargetPaths, maxClients: number, extraArgs: string[] = []): Promise<Target> {
  const port = name === "parley" ? 0 : await freePort();
  const r = recipe(name, paths, maxClients, port);
  const target = spawnRecipe(name, { ...r, command: [...r.command, ...extraArgs] }, port);
  return ready(target, name === "ncat" ? waitForListen(port, START_TIMEOUT_MS).then(() => port) : target.announced);
}

/** Starts a helper process (the cluster's Redis) from its recipe; ready when its log says so. */
export async function startProcess<Name extends string>(name: Name, recipe: Recipe, port: number): Promise<Target<Name>> {
  const target = spawnRecipe(name, recipe, port);
  return ready(target, target.announced);
}

async function ready<Name extends string>(target: Target<Name>, announced: Promise<number | null>): Promise<Target<Name>> {
  const timeout = Bun.sleep(START_TIMEOUT_MS).then(() => null);
  const found = await Promise.race([announced, timeout]).catch(() => null);
  if (!found || target.exited) {
    await target.stop();
    throw new Error(`${target.name} did not start:\n${target.log().slice(-10).join("\n")}`);
  }
  target.port = found;
  return target;
}

/** What `--version` says, first line. */
export function versionOf(name: TargetName, paths: TargetPaths): string {
  const run = Bun.spawnSync([name === "parley" ? paths.parley : name, "--version"], { stdout: "pipe", stderr: "pipe" });
  return (run.stdout.toString() + run.stderr.toString()).trim().split("\n")[0] ?? "?";
}

/** The command line each target runs with, for results.md (PORT: a free port picked per start). */
export function commandFor(name: TargetName, paths: TargetPaths, maxClients: number): string {
  const { command } = recipe(name, paths, maxClients, 0);
  const shown = command.map((arg) => (arg === "0" && name === "ncat" ? "PORT" : arg)).join(" ");
  return name === "ngircd" ? `${shown}   (ngircd.conf below, Ports = PORT)` : shown;
}

/**
 * The ngircd config: loopback only, no DNS/ident/PAM lookups, no per-IP or
 * total connection caps (every benchmark client comes from 127.0.0.1), and
 * flood penalties off (MaxPenaltyTime = 0), so it relays as fast as it can.
 */
export function ngircdConfig(port: number): string {
  return `[Global]
\tName = bench.localhost
\tInfo = parley benchmark peer
\tListen = ${HOST}
\tPorts = ${port}
\tMotdPhrase = "bench"
[Limits]
\tMaxConnections = 0
\tMaxConnectionsIP = 0
\tMaxJoins = 0
\tMaxNickLength = 24
\tMaxPenaltyTime = 0
\tPingTimeout = 600
\tPongTimeout = 600
[Options]
\tDNS = no
\tIdent = no
\tPAM = no
`;
}

/** A port the kernel just handed out (closed again; the race is tiny on loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once something listens on 127.0.0.1:`port`, read from
 * /proc/net/tcp (polling, bounded). No probe connection: ncat --chat exits
 * ("getpeername ... failed") when a client is gone before it looks at it.
 */
export async function waitForListen(port: number, timeoutMs: number, everyMs = 5): Promise<void> {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const listening = () => readFileSync("/proc/net/tcp", "latin1").split("\n").some((l) => l.includes(` ${local} `) && / 0A /.test(l));
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (listening()) return;
    await Bun.sleep(everyMs);
  }
  throw new Error(`nothing listens on ${HOST}:${port} after ${timeoutMs} ms`);
}
