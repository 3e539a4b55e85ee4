// A reader that stops early (`| head`) ends parley quietly: exit 0, no EPIPE
// stack trace on stderr. Real shell pipes into dist/parley: `parley connect`
// against a running `parley chat`, `parley udp listen`, `parley plugins types`.

import { afterAll, describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { PARLEY, startChat } from "../helpers/parley.ts";

// Each shell, and the parley it runs (by the PID it wrote), is stopped when the file ends.
const shells = new Set<Bun.Subprocess>();
const parleys: string[] = [];
afterAll(() => {
  for (const proc of shells) proc.kill("SIGKILL");
  for (const file of parleys) {
    const pid = existsSync(file) ? Number(readFileSync(file, "utf8")) : 0;
    if (pid > 0) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  }
});

/**
 * Runs a bash script in which `$RUN ARGS` runs dist/parley ARGS with its
 * stderr in a file, its PID written down, and its exit code in another
 * file after it ends: `$RUN plugins types | true`.
 */
function shell(script: string) {
  const dir = mkdtempSync(join(tmpdir(), "parley-pipe-"));
  const files = { ERR: join(dir, "stderr"), CODE: join(dir, "code"), PID: join(dir, "pid") };
  parleys.push(files.PID);
  // The inner subshell becomes parley (exec), so its $BASHPID is parley's PID.
  const run = `run() { ( echo $BASHPID >"$PID"; exec "$PARLEY" "$@" 2>"$ERR" ); echo $? >"$CODE"; }`;
  script = `${run}\n${script.replaceAll("$RUN", "run")}`;
  const proc = Bun.spawn(["bash", "-c", script], { env: { ...process.env, PARLEY, ...files }, stdin: "pipe", stdout: "ignore", stderr: "pipe" });
  shells.add(proc);
  void proc.exited.then(() => shells.delete(proc));
  return {
    proc,
    stderr: () => (existsSync(files.ERR) ? readFileSync(files.ERR, "utf8") : ""),
    code: () => (existsSync(files.CODE) ? readFileSync(files.CODE, "utf8").trim() : undefined),
  };
}

async function until<T>(get: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

function expectQuiet(stderr: string, allowed: RegExp | undefined = undefined): void {
  expect(stderr).not.toContain("EPIPE");
  expect(stderr).not.toMatch(/^\s+at /m);
  const lines = stderr.split("\n").filter((l) => l !== "");
  expect(lines.length).toBeLessThanOrEqual(1);
  if (lines.length === 1) expect(lines[0]).toMatch(allowed ?? /^$/);
}

describe("stdout closed by its reader", () => {
  test("parley connect | head -c 100: exits 0 at the next line, quietly, while its stdin is still open", async () => {
    const parley = await startChat();
    const talker = await Client.join(parley.port, "talker");
    // parley connect's stdin is this test's pipe, held open: only the closed stdout can end it.
    const run = shell(`$RUN connect ${parley.port} --nick piper | head -c 100 >/dev/null`);
    run.proc.stdin.write("hi\n");
    run.proc.stdin.flush();
    await talker.waitFor("piper joined");
    await talker.waitFor("piper: hi");
    // Lines for piper to print after head has gone.
    for (let i = 0; i < 20 && run.code() === undefined; i++) {
      talker.send(`line ${i} ${"x".repeat(60)}`);
      await Bun.sleep(50);
    }
    expect(await until(run.code, "parley connect to exit")).toBe("0");
    expectQuiet(run.stderr());
    await run.proc.stdin.end();
    await run.proc.exited;
    talker.close();
    await parley.stop();
  });

  test("parley udp listen | head -n 1: exits 0 at the next datagram, quietly", async () => {
    const run = shell(`$RUN udp listen --host 127.0.0.1 --port 0 | head -n 1 >/dev/null`);
    const port = await until(() => /listening on 127\.0\.0\.1:(\d+)/.exec(run.stderr())?.[1], "the listening line");
    const socket = dgram.createSocket("udp4");
    for (let i = 0; i < 50 && run.code() === undefined; i++) {
      socket.send(`datagram ${i}`, Number(port), "127.0.0.1");
      await Bun.sleep(40);
    }
    socket.close();
    expect(await until(run.code, "parley udp listen to exit")).toBe("0");
    // The one line is its own log line, from before.
    expectQuiet(run.stderr(), /listening on 127\.0\.0\.1:/);
    await run.proc.exited;
  });

  test("parley plugins types into a reader that is gone already: exit 0, nothing on stderr", async () => {
    // `true` has exited before parley starts: its first write finds no reader.
    const run = shell(`{ sleep 0.3; $RUN plugins types; } | true`);
    expect(await until(run.code, "parley plugins types to exit")).toBe("0");
    expect(run.stderr()).toBe("");
    await run.proc.exited;
  });
});
