// What `npm run release` checks of a binary it built, beyond building it:
// it starts, says its version, and carries one chat line from one user to
// another over 127.0.0.1. A binary for another CPU runs under QEMU's user
// mode emulator (Debian's qemu-user-static) with that CPU's C library
// (libc6-arm64-cross: Bun's binary links glibc), installed with apt-get
// when missing and this runs as root; otherwise one line says how to get them.
// Every wait is bounded: an emulated binary that hangs fails the release.

import { existsSync } from "node:fs";
import net from "node:net";

/** How long one step may take; emulation makes start-up a few times slower. */
const STEP_MS = 60_000;

export interface CheckTarget {
  file: string;
  /** the command to run it with: [] natively, ["qemu-aarch64-static"] under emulation */
  runner: string[];
}

/** Debian packages that make a foreign Linux binary run here: the emulator, and that CPU's C library (Bun's binary links glibc). */
const EMULATION = {
  arm64: { qemu: "qemu-aarch64-static", libc: "/usr/aarch64-linux-gnu", packages: ["qemu-user-static", "libc6-arm64-cross"] },
  x64: { qemu: "qemu-x86_64-static", libc: "/usr/x86_64-linux-gnu", packages: ["qemu-user-static", "libc6-amd64-cross"] },
} as const;

/** The command that runs a linux binary for `arch` on this machine: nothing natively, else QEMU with that CPU's C library. */
export async function runnerFor(arch: "x64" | "arm64"): Promise<string[]> {
  if (process.platform === "linux" && process.arch === arch) return [];
  const { qemu, libc, packages } = EMULATION[arch];
  const ready = () => Bun.which(qemu) !== null && existsSync(`${libc}/lib`);
  if (!ready()) {
    const aptGet = Bun.which("apt-get");
    if (process.getuid?.() !== 0 || !aptGet) throw new Error(`${qemu} and ${libc} are missing: install them with: sudo apt-get install -y ${packages.join(" ")}`);
    console.log(`installing ${packages.join(" ")}, to run the ${arch} binary`);
    const install = Bun.spawnSync([aptGet, "install", "-y", "-qq", ...packages], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, stdout: "pipe", stderr: "pipe" });
    if (install.exitCode !== 0 || !ready()) throw new Error(`could not install ${packages.join(" ")}: ${install.stderr.toString().trim().split("\n").pop() || `exit ${install.exitCode}`}`);
  }
  return [Bun.which(qemu)!, "-L", libc];
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${STEP_MS / 1000}s`)), STEP_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** `--version` prints exactly the package's version. */
export async function checkVersion(target: CheckTarget, version: string): Promise<void> {
  const proc = Bun.spawn([...target.runner, target.file, "--version"], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await within(Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]), `${target.file} --version`);
  if (code !== 0 || out.trim() !== version) throw new Error(`${target.file} --version: exit ${code}, printed "${out.trim()}"${err.trim() ? `, and on stderr: ${err.trim().split("\n")[0]}` : ""} (expected ${version})`);
}

/** A line from one connection, read as it comes. */
class Lines {
  readonly socket: net.Socket;
  private buffer = "";
  private waiting: (() => void) | undefined;
  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      this.buffer += text;
      this.waiting?.();
    });
    socket.on("close", () => this.waiting?.());
  }
  async waitFor(text: string): Promise<void> {
    while (!this.buffer.includes(text)) {
      if (this.socket.destroyed) throw new Error(`connection closed before "${text}"`);
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}

async function join(port: number, nick: string): Promise<Lines> {
  const socket = net.connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  const lines = new Lines(socket);
  await lines.waitFor("choose a nickname");
  socket.write(`${nick}\r\n`);
  await lines.waitFor(`Hi ${nick}!`);
  return lines;
}

/** `parley chat` on 127.0.0.1: one user's line reaches another; SIGTERM ends it with exit 0. */
export async function checkChat(target: CheckTarget): Promise<void> {
  const proc = Bun.spawn([...target.runner, target.file, "chat", "--host", "127.0.0.1", "--port", "0"], { stdout: "ignore", stderr: "pipe" });
  let log = "";
  const listening = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) {
      log += decoder.decode(chunk, { stream: true });
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      if (port) return Number(port);
    }
    const last = log.trim().split("\n").pop();
    throw new Error(`exited with ${await proc.exited} before listening${last ? `: ${last}` : ""}`);
  })();
  try {
    const port = await within(listening, `${target.file} chat`);
    const [from, to] = await within(Promise.all([join(port, "sender"), join(port, "receiver")]), `${target.file}: joining`);
    from.socket.write("hello across the release\r\n");
    await within(to.waitFor("sender: hello across the release"), `${target.file}: the chat line`);
    from.socket.destroy();
    to.socket.destroy();
    proc.kill("SIGTERM");
    const code = await within(proc.exited, `${target.file}: stopping`);
    if (code !== 0) throw new Error(`${target.file} chat exited ${code} on SIGTERM`);
  } finally {
    if (proc.exitCode === null) proc.kill("SIGKILL");
  }
}
