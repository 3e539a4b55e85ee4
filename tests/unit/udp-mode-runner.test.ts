// The UDP mode runner leaves the process to its caller: it installs no
// signal handler and never exits; the caller's AbortSignal ends the mode and
// the promise gives the exit code. And runCli hands the udp command its own argv, so the plugins
// folder comes from there, not from process.argv.

import { describe, expect, spyOn, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineCommand } from "citty";
import type { UdpMode } from "../../core/plugins/api.ts";
import { createLogger } from "../../core/base/log.ts";
import type { UdpModeEntry } from "../../core/plugins/registry.ts";
import { runUdpMode } from "../../core/udp/mode-runner.ts";
import { runCli } from "../../cmd/_cli.ts";
import udp from "../../cmd/udp.ts";

const entry = (mode: UdpMode): UdpModeEntry => ({ mode, owner: { plugin: { name: "test", udpModes: [mode] }, source: "test.ts" } });
const options = (signal = new AbortController().signal) => ({ json: false, log: createLogger("silent"), words: [], signal });

describe("runUdpMode", () => {
  test("the caller's signal ends a mode that waits for it; the code is 0 and no signal handler was added", async () => {
    const before = ["SIGINT", "SIGTERM"].map((s) => process.listenerCount(s));
    const exit = spyOn(process, "exit").mockImplementation((() => undefined) as never);
    try {
      const stop = new AbortController();
      const running = runUdpMode(entry({ name: "wait", summary: "waits", run: (ctx) => ctx.stopped() }), {}, options(stop.signal));
      expect(["SIGINT", "SIGTERM"].map((s) => process.listenerCount(s))).toEqual(before);
      stop.abort();
      expect(await running).toBe(0);
      expect(exit).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
    }
  });

  test("a mode that throws makes the promise reject with one line naming it", async () => {
    const running = runUdpMode(entry({ name: "boom", summary: "throws", run: () => { throw new Error("no"); } }), {}, options());
    await expect(running).rejects.toThrow("udp mode boom (test.ts) failed: no");
  });
});

describe("runCli with its own argv", () => {
  test("`udp --plugins DIR --help` lists the folder's modes though process.argv names no folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-unit-udp-"));
    mkdirSync(join(dir, "more"));
    writeFileSync(join(dir, "more", "hello.ts"), 'export default { name: "hello", udpModes: [{ name: "hello", summary: "says hello", run() {} }] };\n');
    const root = defineCommand({ meta: { name: "parley" }, subCommands: { udp } });
    let out = "";
    const write = spyOn(process.stdout, "write").mockImplementation(((chunk: string) => ((out += chunk), true)) as never);
    try {
      await runCli(root, ["udp", "--plugins", join(dir, "more"), "--help"], "0.0.0");
    } finally {
      write.mockRestore();
    }
    expect(process.argv.join(" ")).not.toContain(dir);
    expect(out).toContain("echo|send|listen|broadcast|multicast|chat|probe|hello");
    expect(out).toMatch(/hello +says hello/);
  });
});
