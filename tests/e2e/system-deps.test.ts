// npm test's first step, scripts/ensure-system-deps.ts, on machines that lack
// the tools the tests drive: each run gets a PATH of its own, a directory of
// symlinks to just the commands that case should find, so redis-server and
// friends can be taken away without touching the machine. apt-get is faked
// so no case installs anything for real.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SYSTEM_DEPS } from "../../scripts/system-deps.ts";

const SCRIPTS = resolve(import.meta.dir, "../../scripts");
const SETPRIV = Bun.which("setpriv")!;
const AS_NOBODY = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups"];
const ALL = SYSTEM_DEPS.map((dep) => dep.command);

let root = "";
let bun = process.execPath;
let dirs = 0;

beforeAll(() => {
  // Copies the user nobody can read: the checkout may sit under a directory
  // only root may enter, and mkdtemp makes its directory 0700.
  root = mkdtempSync(join(tmpdir(), "parley-system-deps-"));
  chmodSync(root, 0o755);
  for (const file of ["ensure-system-deps.ts", "system-deps.ts"]) copyFileSync(join(SCRIPTS, file), join(root, file));
  if (Bun.spawnSync([...AS_NOBODY, bun, "--version"]).exitCode !== 0) {
    copyFileSync(bun, join(root, "bun"));
    chmodSync(join(root, "bun"), 0o755);
    bun = join(root, "bun");
  }
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A directory for PATH holding bun, the given commands, and extra files. */
function pathOf(commands: string[], extra: Record<string, string> = {}): string {
  const dir = join(root, `bin${++dirs}`);
  mkdirSync(dir, { mode: 0o755 });
  symlinkSync(bun, join(dir, "bun"));
  for (const command of commands) symlinkSync(Bun.which(command)!, join(dir, command));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text, { mode: 0o755 });
  return dir;
}

function ensure(path: string, asNobody: boolean) {
  const proc = Bun.spawnSync([...(asNobody ? AS_NOBODY : []), bun, join(root, "ensure-system-deps.ts")], {
    cwd: root,
    env: { PATH: path },
  });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

function oneLine(output: string): string {
  const lines = output.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(output).not.toContain("    at ");
  return lines[0]!;
}

/** An apt-get that logs how it was called, then links in `provides` or fails. */
function fakeAptGet(log: string, provides: string[], fails = false): string {
  const install = fails
    ? `echo "E: Unable to locate package $4" >&2; exit 100`
    : provides.map((command) => `/bin/ln -s '${Bun.which(command)}' "\${0%/*}/${command}"`).join("\n");
  return `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> '${log}'\nif [ "$1" = install ]; then\n${install}\nfi\n`;
}

describe("npm test's system tools check", () => {
  test("not root, nothing there: one line naming every tool and its package", () => {
    const { code, stdout, stderr } = ensure(pathOf([]), true);
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    const line = oneLine(stderr);
    expect(line).toStartWith("missing for the tests: ");
    for (const dep of SYSTEM_DEPS) expect(line).toContain(`${dep.command} (package ${dep.pkg})`);
    // Every package of the one list, each once, sorted.
    const packages = [...new Set(SYSTEM_DEPS.map((dep) => dep.pkg))].sort().join(" ");
    expect(line).toEndWith(`install them with: sudo apt-get install -y ${packages} (Debian package names: there is no apt-get on PATH)`);
  });

  test("not root, two missing: names exactly those, and does not try apt-get", () => {
    const log = join(root, "apt-not-root.log");
    const path = pathOf(ALL.filter((c) => c !== "redis-server" && c !== "ncat"), { "apt-get": fakeAptGet(log, []) });
    const { code, stdout, stderr } = ensure(path, true);
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    expect(oneLine(stderr)).toBe("missing for the tests: ncat (package ncat), redis-server (package redis-server); install them with: sudo apt-get install -y ncat redis-server");
    expect(() => readFileSync(log)).toThrow();
  });

  test("everything there: exit 0, no output", () => {
    expect(ensure(pathOf(ALL), true)).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  test("root without apt-get: cannot install, so says what is missing", () => {
    const { code, stdout, stderr } = ensure(pathOf(ALL.filter((c) => c !== "redis-server")), false);
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    expect(oneLine(stderr)).toBe("missing for the tests: redis-server (package redis-server); install them with: apt-get install -y redis-server (Debian package names: there is no apt-get on PATH)");
  });

  test("root with apt-get: one line, then update once and a quiet, non-interactive install", () => {
    const log = join(root, "apt-root.log");
    const missing = ["ncat", "redis-server"];
    const path = pathOf(ALL.filter((c) => !missing.includes(c)), { "apt-get": fakeAptGet(log, missing) });
    const { code, stdout, stderr } = ensure(path, false);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(oneLine(stdout)).toBe("installing system packages the tests need: ncat redis-server");
    expect(readFileSync(log, "utf8")).toBe("noninteractive update -qq\nnoninteractive install -y -qq ncat redis-server\n");
  });

  test("root, apt-get fails: one line saying why, non-zero exit", () => {
    const path = pathOf(ALL.filter((c) => c !== "openssl"), { "apt-get": fakeAptGet(join(root, "apt-fail.log"), [], true) });
    const { code, stdout, stderr } = ensure(path, false);
    expect(code).not.toBe(0);
    expect(oneLine(stdout)).toBe("installing system packages the tests need: openssl");
    expect(oneLine(stderr)).toBe("could not install openssl: apt-get install exited with 100: E: Unable to locate package openssl");
  });
});
