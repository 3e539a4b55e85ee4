// A real redis-server for cluster tests (Debian package redis-server;
// .ci/run installs it): on a free loopback port, no persistence, stopped by
// PID when the test file ends. No mocks of Redis.

import { afterAll } from "bun:test";
import net from "node:net";
import { LineReader } from "./parley.ts";

const started = new Set<Bun.Subprocess>();
afterAll(() => {
  for (const proc of started) proc.kill("SIGKILL");
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

export interface Redis {
  port: number;
  url: string;
  /** SIGTERM, and wait for it to exit */
  stop(): Promise<void>;
  /** starts it again on the same port (after stop) */
  restart(): Promise<void>;
}

export async function startRedis(): Promise<Redis> {
  const port = await freePort();
  let proc = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
    async restart() {
      proc = await launch(port);
    },
  };
}

async function launch(port: number): Promise<Bun.Subprocess<"ignore", "pipe", "pipe">> {
  const proc = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  started.add(proc);
  void proc.exited.then(() => started.delete(proc));
  await new LineReader(proc.stdout).waitFor("Ready to accept connections", "redis-server to be ready");
  return proc;
}
