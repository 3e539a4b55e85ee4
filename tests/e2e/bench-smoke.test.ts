// Keeps the benchmark's load generator working: a one-second fan-out
// against dist/parley (npm run bench:smoke). It checks that nothing is
// lost, not how fast: speed is compared in `npm run bench`, never in tests.

import { expect, test } from "bun:test";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");

test("the bench smoke run delivers every line to every client", async () => {
  const proc = Bun.spawn([resolve(ROOT, "node_modules/.bin/bun"), "bench/run.ts", "--smoke"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect({ code, tail: (out + err).trim().split("\n").slice(-3).join("\n") }).toMatchObject({ code: 0 });
  expect(out + err).toMatch(/lost 0/);
});
