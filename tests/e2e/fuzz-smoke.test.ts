// A short fuzz run against dist/parley as part of the suite: five seconds of
// hostile connections with a fixed seed, and the server must come through
// it answering, bounded, and without losing or dirtying anyone's messages.
// The full run is `npm run fuzz`; a failure prints the seed to replay.

import { expect, test } from "bun:test";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");

test("five seconds of hostile input: the server still answers and well-behaved clients lose nothing", async () => {
  const proc = Bun.spawn([process.execPath, "scripts/fuzz.ts", "--seconds", "5", "--seed", "1"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const report = `${stdout}${stderr}`;
  expect(report).toContain("fuzz PASS");
  expect(code).toBe(0);
}, 90_000);
