// A real redis-server for cluster tests (Debian package redis-server;
// .ci/run installs it): on a free loopback port, no persistence, stopped by
// PID when the test file ends. No mocks of Redis. It can be paused
// (SIGSTOP), killed, restarted on the same port, given a password, or
// serve TLS only, with certificates made here by openssl.

import { afterAll } from "bun:test";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LineReader } from "./parley.ts";
import { atRunEnd } from "./run-end.ts";

const started = new Set<Bun.Subprocess>();
afterAll(() => {
  for (const proc of started) {
    proc.kill("SIGCONT");
    proc.kill("SIGKILL");
  }
});
// The afterAll above belongs to the first file that imports this (it is
// loaded once per run); what later files left (a failed test) goes at the end.
atRunEnd(() => {
  for (const proc of started) {
    proc.kill("SIGCONT");
    proc.kill("SIGKILL");
  }
});

/** A port that was free a moment ago (bind 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface Certs {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

/** A CA and a server certificate for 127.0.0.1 and localhost, signed by it (openssl). */
export async function makeCerts(): Promise<Certs> {
  const dir = mkdtempSync(join(tmpdir(), "parley-redis-tls-"));
  const f = (name: string) => join(dir, name);
  await Bun.write(f("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  const steps = [
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.crt"), "-days", "2", "-subj", "/CN=parley test CA"],
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1"],
    ["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.crt"), "-days", "2", "-extfile", f("ext.cnf")],
  ];
  for (const step of steps) {
    const proc = Bun.spawn(["openssl", ...step], { stdout: "ignore", stderr: "pipe" });
    if ((await proc.exited) !== 0) throw new Error(`openssl ${step[0]} failed: ${await new Response(proc.stderr).text()}`);
  }
  return { dir, ca: f("ca.crt"), cert: f("server.crt"), key: f("server.key") };
}

export interface RedisOptions {
  /** requirepass */
  password?: string;
  /** serve TLS only, with these files */
  tls?: Certs;
}

export interface Redis {
  port: number;
  url: string;
  pid: number;
  /** SIGTERM, and wait for it to exit */
  stop(): Promise<void>;
  /** SIGKILL, and wait */
  kill(): Promise<void>;
  /** starts it again on the same port (after stop): empty, as it keeps nothing */
  restart(): Promise<void>;
  /** SIGSTOP: it keeps its connections and answers nothing */
  pause(): void;
  /** SIGCONT */
  resume(): void;
  /** one redis-cli command; its output */
  cli(...args: string[]): Promise<string>;
}

export async function startRedis(options: RedisOptions = {}): Promise<Redis> {
  const port = await freePort();
  let proc = await launch(port, options);
  const scheme = options.tls ? "rediss" : "redis";
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : "";
  return {
    port,
    url: `${scheme}://${auth}127.0.0.1:${port}`,
    get pid() {
      return proc.pid;
    },
    async stop() {
      proc.kill("SIGCONT");
      proc.kill("SIGTERM");
      await proc.exited;
    },
    async kill() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
    async restart() {
      proc = await launch(port, options);
    },
    pause() {
      proc.kill("SIGSTOP");
    },
    resume() {
      proc.kill("SIGCONT");
    },
    async cli(...args: string[]) {
      const tls = options.tls ? ["--tls", "--cacert", options.tls.ca] : [];
      const cli = Bun.spawn(["redis-cli", "-h", "127.0.0.1", "-p", String(port), ...tls, ...args], {
        stdout: "pipe",
        stderr: "pipe",
        // The password through the environment, not the command line.
        env: { ...process.env, ...(options.password ? { REDISCLI_AUTH: options.password } : {}) },
      });
      const [out, err] = await Promise.all([new Response(cli.stdout).text(), new Response(cli.stderr).text(), cli.exited]);
      return (out + err).trim();
    },
  };
}

async function launch(port: number, options: RedisOptions): Promise<Bun.Subprocess<"ignore", "pipe", "pipe">> {
  const ports = options.tls
    ? ["--port", "0", "--tls-port", String(port), "--tls-cert-file", options.tls.cert, "--tls-key-file", options.tls.key, "--tls-ca-cert-file", options.tls.ca, "--tls-auth-clients", "no"]
    : ["--port", String(port)];
  const pass = options.password ? ["--requirepass", options.password] : [];
  const proc = Bun.spawn(["redis-server", ...ports, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...pass], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  started.add(proc);
  void proc.exited.then(() => started.delete(proc));
  await new LineReader(proc.stdout).waitFor("Ready to accept connections", "redis-server to be ready");
  return proc;
}
