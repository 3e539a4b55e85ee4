// Loaded before every test file (bunfig.toml [test] preload). An afterAll
// here runs once, after the last test file: it runs what the helpers left
// for the end of the run (run-end.ts), then removes this run's temporary
// directory. Every temporary directory a test makes (mkdtempSync(join(
// tmpdir(), ...)) in tests and helpers, and what the processes they start
// make there) goes under that one directory, so running the suite again and
// again leaves nothing behind: TMPDIR is what os.tmpdir() reads, in this
// process and in every child that inherits the environment.

import { afterAll } from "bun:test";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runEnded } from "./run-end.ts";

const run = mkdtempSync(join(tmpdir(), "parley-test-run-"));
// Open to pass through, as /tmp is: a test that runs a tool as another user
// (nobody) hands it a directory made under here.
chmodSync(run, 0o755);
process.env.TMPDIR = run;
afterAll(() => {
  runEnded();
  rmSync(run, { recursive: true, force: true });
});
