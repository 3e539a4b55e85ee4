// A network namespace of the test's own, so that broadcast and multicast
// never reach a real network: `unshare -n` (we are root) starts a shell in
// a new namespace, which sets up its interfaces, says "ready" and waits on
// stdin; dist/parley runs inside it through `nsenter --net`. Every process
// started here, and the namespace's shell, is ended by PID when the file's
// tests end (closing the shell's stdin also ends it). runLocal runs
// parley right here instead, for plain loopback unicast.
//
// Layouts:
//   lo        loopback only (127.0.0.1/8; 127.255.255.255 is its broadcast address)
//   multicast lo with multicast on and 224.0.0.0/4 routed to it, source 127.0.0.1
//   multicast-nosrc  the same route without a source address (the kernel then sends from 0.0.0.0)
//   ipv6      lo, and a veth pair v0 (fe80::1, fd00:7e57::1) <-> v1 (fe80::2), no DAD:
//             Linux refuses IPv6 multicast routes through lo, so IPv6 multicast uses v0
// Netns.triangle() makes three namespaces a, b, c on one LAN: b holds a
// bridge br0 (10.9.0.2/24) with veth pairs to a's a0 (10.9.0.1) and c's c0
// (10.9.0.3); each routes 224.0.0.0/4 to its LAN interface, and 10.9.0.255
// is the LAN's broadcast address. Nothing leaves the three.

import { afterAll } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LineReader, PARLEY } from "./parley.ts";
import { atRunEnd } from "./run-end.ts";

export type Layout = "lo" | "multicast" | "multicast-nosrc" | "ipv6";

const SETUP: Record<Layout, string> = {
  lo: "ip link set lo up",
  multicast: "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo src 127.0.0.1",
  "multicast-nosrc": "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo",
  ipv6: [
    "ip link set lo up",
    // no duplicate address detection, no automatic link-local addresses: fe80::1 and fe80::2 are the only ones
    "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad && echo 1 > /proc/sys/net/ipv6/conf/default/addr_gen_mode",
    "ip link add v0 type veth peer name v1",
    "ip -6 addr add fe80::1/64 dev v0 nodad && ip -6 addr add fd00:7e57::1/64 dev v0 nodad && ip -6 addr add fe80::2/64 dev v1 nodad",
    "ip link set v0 up && ip link set v1 up",
    // veth's carrier comes up a moment after; bounded wait for it
    "for i in $(seq 200); do ip link show v0 | grep -q LOWER_UP && break; sleep 0.01; done",
  ].join(" && "),
};

// Like a downloaded binary, parley runs from a folder of its own (the
// repository's plugins/ folder holds the built-in sources).
const HOME = mkdtempSync(join(tmpdir(), "parley-udp-"));

const started = new Set<Bun.Subprocess>();
const killAll = () => {
  for (const proc of started) proc.kill("SIGKILL");
};
// This module's afterAll belongs to the first test file that imports it (it
// is loaded once per run); what later files leave running goes when the run ends.
afterAll(killAll);
atRunEnd(killAll);

export interface NsProcess {
  proc: Bun.Subprocess<"pipe" | "ignore", "pipe", "pipe">;
  stdout: LineReader;
  stderr: LineReader;
  /** writes a line to stdin (started with stdin: "pipe") */
  type(line: string): void;
  /** ends stdin */
  endInput(): void;
  /** sends a signal (SIGINT by default) and resolves with the exit code */
  stop(signal?: NodeJS.Signals): Promise<number>;
  /** resolves with the exit code once the process ends by itself */
  exited: Promise<number>;
}

export class Netns {
  private readonly holder: Bun.Subprocess<"pipe", "pipe", "pipe">;

  private constructor(holder: Bun.Subprocess<"pipe", "pipe", "pipe">) {
    this.holder = holder;
  }

  static async create(layout: Layout): Promise<Netns> {
    const holder = Bun.spawn(["unshare", "-n", "bash", "-c", `set -e; ${SETUP[layout]}; echo ready; read -r _ || true`], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    started.add(holder);
    const out = new LineReader(holder.stdout);
    const err = new LineReader(holder.stderr);
    try {
      await out.waitFor("ready", "the namespace to be ready");
    } catch {
      await err.whenEnded();
      throw new Error(`cannot make a network namespace (${layout}): ${err.lines.join(" ")}`);
    }
    return new Netns(holder);
  }

  /** The namespace's holder process, whose /proc/PID/ns/net it is. */
  get pid(): number {
    return this.holder.pid;
  }

  /** Three namespaces on one bridged LAN 10.9.0.0/24: [a (10.9.0.1), b (10.9.0.2, the bridge), c (10.9.0.3)]. */
  static async triangle(): Promise<[Netns, Netns, Netns]> {
    const [a, b, c] = await Promise.all([Netns.create("lo"), Netns.create("lo"), Netns.create("lo")]);
    const sh = async (ns: Netns, script: string) => {
      const p = ns.exec(["bash", "-c", `set -e; ${script}`]);
      const code = await p.exited;
      await p.stderr.whenEnded();
      if (code !== 0) throw new Error(`cannot set up the namespaces: ${p.stderr.lines.join(" ")}`);
    };
    await sh(b, [
      "ip link add br0 type bridge && ip addr add 10.9.0.2/24 dev br0 && ip link set br0 up",
      `ip link add ab type veth peer name a0 netns ${a.pid}`,
      `ip link add cb type veth peer name c0 netns ${c.pid}`,
      "ip link set ab master br0 && ip link set cb master br0 && ip link set ab up && ip link set cb up",
      "ip link set br0 multicast on && ip route add 224.0.0.0/4 dev br0",
    ].join(" && "));
    for (const [ns, dev, address] of [[a, "a0", "10.9.0.1"], [c, "c0", "10.9.0.3"]] as const) {
      await sh(ns, `ip addr add ${address}/24 dev ${dev} && ip link set ${dev} up && ip route add 224.0.0.0/4 dev ${dev}`);
    }
    // the veths' carriers come up a moment after; bounded wait for both
    await sh(a, "for i in $(seq 300); do ip link show a0 | grep -q LOWER_UP && break; sleep 0.01; done");
    await sh(c, "for i in $(seq 300); do ip link show c0 | grep -q LOWER_UP && break; sleep 0.01; done");
    return [a, b, c];
  }

  /** Runs dist/parley ARGS inside the namespace. */
  run(args: string[], options: RunOptions = {}): NsProcess {
    return spawn(["nsenter", `--net=/proc/${this.holder.pid}/ns/net`, "--", PARLEY, ...args], options);
  }

  /** Runs any command inside the namespace (a test's own client script). */
  exec(command: string[], options: RunOptions = {}): NsProcess {
    return spawn(["nsenter", `--net=/proc/${this.holder.pid}/ns/net`, "--", ...command], options);
  }

  /** Runs dist/parley ARGS inside the namespace to its end. */
  runToEnd(args: string[], options: RunOptions = {}): Promise<Finished> {
    return finish(this.run(args, options));
  }

  close(): void {
    void this.holder.stdin.end();
    this.holder.kill();
    started.delete(this.holder);
  }
}

export interface RunOptions {
  stdin?: "pipe" | "ignore";
  cwd?: string;
  env?: Record<string, string>;
}

export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs dist/parley ARGS here, outside any namespace: for plain loopback unicast only. */
export function runLocal(args: string[], options: RunOptions = {}): NsProcess {
  return spawn([PARLEY, ...args], options);
}

export function runLocalToEnd(args: string[], options: RunOptions = {}): Promise<Finished> {
  return finish(runLocal(args, options));
}

function spawn(command: string[], options: RunOptions): NsProcess {
  const proc = Bun.spawn(command, {
    cwd: options.cwd ?? HOME,
    env: { ...process.env, ...options.env },
    stdin: options.stdin ?? "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  started.add(proc);
  void proc.exited.then(() => started.delete(proc));
  const stdin = proc.stdin as import("bun").FileSink | undefined;
  return {
    proc,
    stdout: new LineReader(proc.stdout),
    stderr: new LineReader(proc.stderr),
    type(line) {
      stdin!.write(line + "\n");
      void stdin!.flush();
    },
    endInput() {
      void stdin!.end();
    },
    async stop(signal = "SIGINT") {
      proc.kill(signal);
      return proc.exited;
    },
    exited: proc.exited,
  };
}

async function finish(p: NsProcess): Promise<Finished> {
  const code = await p.exited;
  await Promise.all([p.stdout.whenEnded(), p.stderr.whenEnded()]);
  return { code, stdout: p.stdout.lines.join("\n"), stderr: p.stderr.lines.join("\n") };
}

/** Resolves with the n-th line (seen already or still to come) that contains `match`. */
export function nthLine(reader: LineReader, n: number, match = ""): Promise<string> {
  let seen = 0;
  const counting = { test: (line: string) => line.includes(match) && ++seen >= n } as unknown as RegExp;
  return reader.waitFor(counting, `${n} lines with "${match}"`);
}

/** The port a mode reports in its "listening on ADDRESS:PORT" or similar line. */
export function portIn(line: string): number {
  const port = Number(/:(\d+)(?!.*:\d)/.exec(line)?.[1]);
  if (!port) throw new Error(`no port in: ${line}`);
  return port;
}
