// examples/systemd/parley.service: systemd's own checker accepts it, it is as
// locked down as it says, and parley runs inside the sandbox it describes.
// No systemd as PID 1 is needed: `systemd-analyze verify` and `security
// --offline` read the file, and the sandbox is rebuilt by hand (a mount
// namespace with a read-only root, setpriv for the user and capabilities).

import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "../helpers/client.ts";
import { LineReader, PARLEY } from "../helpers/parley.ts";

const UNIT = resolve(import.meta.dir, "../../examples/systemd/parley.service");
const dir = mkdtempSync(join(tmpdir(), "parley-unit-"));
chmodSync(dir, 0o755);

/** The unit with its ExecStart pointing at the binary under test, so verify can resolve it. */
function unitCopy(name: string, edit: (text: string) => string = (t) => t): string {
  const file = join(dir, name);
  writeFileSync(file, edit(readFileSync(UNIT, "utf8").replaceAll("/usr/local/bin/parley", PARLEY)));
  return file;
}

function analyze(args: string[]): { code: number; output: string } {
  const run = Bun.spawnSync(["systemd-analyze", ...args], { stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, output: (run.stdout.toString() + run.stderr.toString()).trim() };
}

/** The settings of the [Service] section, as key -> values. */
function serviceSettings(): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let section = "";
  for (const raw of readFileSync(UNIT, "utf8").split("\n")) {
    const line = raw.trim();
    if (line.startsWith("[")) section = line;
    else if (section === "[Service]" && line && !line.startsWith("#")) {
      const at = line.indexOf("=");
      const key = line.slice(0, at);
      settings.set(key, [...(settings.get(key) ?? []), line.slice(at + 1)]);
    }
  }
  return settings;
}

describe("the systemd unit", () => {
  test("systemd-analyze verify accepts it without a word; the same check speaks up about a bad value", () => {
    expect(analyze(["verify", unitCopy("parley.service")])).toEqual({ code: 0, output: "" });
    // verify exits 0 on a value it ignores, so silence is what is checked: here it is not silent.
    const bad = analyze(["verify", unitCopy("parley-bad.service", (t) => t.replace("ProtectSystem=strict", "ProtectSystem=bogus"))]);
    expect(bad.output).toContain("protect system value");
  });

  test("it is safe by default: a dynamic user, no capabilities, a read-only system, reload by SIGHUP", () => {
    const s = serviceSettings();
    const one = (key: string) => s.get(key)?.at(-1);
    expect(one("DynamicUser")).toBe("yes");
    expect(one("StateDirectory")).toBe("parley");
    expect(one("ProtectSystem")).toBe("strict");
    expect(one("NoNewPrivileges")).toBe("yes");
    expect(s.get("CapabilityBoundingSet")).toEqual([""]);
    expect(s.get("AmbientCapabilities")).toEqual([""]);
    expect(one("Restart")).toBe("on-failure");
    expect(one("ExecReload")).toBe("kill -HUP $MAINPID");
    for (const key of ["ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups", "RestrictSUIDSGID", "LockPersonality"]) {
      expect(`${key}=${one(key)}`).toBe(`${key}=yes`);
    }
    expect(one("RestrictAddressFamilies")).toBe("AF_INET AF_INET6 AF_UNIX");
    // The way to a low port is written down, and it names that one capability only.
    expect(readFileSync(UNIT, "utf8")).toContain("#   CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n");
  });

  test("systemd-analyze security rates its exposure low (2.0 or less on its 0-10 scale)", () => {
    const { code, output } = analyze(["security", "--offline=yes", "--no-pager", unitCopy("parley-security.service")]);
    expect(code).toBe(0);
    const level = Number(/Overall exposure level for \S+: (\d+\.\d+)/.exec(output)?.[1]);
    expect(level).toBeLessThanOrEqual(2.0);
  });
});

// ------------------------------------------------------------ the sandbox

const running = new Set<Bun.Subprocess>();
afterAll(() => {
  for (const proc of running) proc.kill("SIGKILL");
});

describe("parley inside the unit's sandbox", () => {
  test("a read-only root, only the state directory writable, an unprivileged user with no capabilities: it serves, reloads and keeps its data", async () => {
    // The binary, where the unprivileged user can read it (the checkout may not be).
    const bin = join(dir, "bin");
    mkdirSync(bin, { mode: 0o755 });
    copyFileSync(PARLEY, join(bin, "parley"));
    chmodSync(join(bin, "parley"), 0o755);
    const state = join(dir, "state");
    mkdirSync(state, { mode: 0o700 });
    Bun.spawnSync(["chown", "61234:61234", state]);
    const motd = join(dir, "motd.txt");
    writeFileSync(motd, "sandboxed\n");
    chmodSync(motd, 0o644);
    // unshare, sh and setpriv each exec the next: the PID is parley's, so signals reach it.
    const sandbox = [
      "mount --make-rprivate /",
      `mount --bind "${state}" "${state}"`,
      "mount -o remount,bind,ro /",
      `exec setpriv --reuid=61234 --regid=61234 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- "$0" "$@"`,
    ].join(" && ");
    const args = ["chat", "--host", "127.0.0.1", "--port", "0", "--json-logs", "--motd", `@${motd}`, "--data", join(state, "parley.db")];
    const proc = Bun.spawn(["unshare", "--mount", "sh", "-c", sandbox, join(bin, "parley"), ...args], {
      cwd: "/",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", STATE_DIRECTORY: state },
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
    });
    running.add(proc);
    const log = new LineReader(proc.stderr);
    const listening = await log.waitFor("listening on", "the listening line");
    const port = Number(/:(\d+);/.exec(listening)![1]);

    const c = await Client.join(port, "inside");
    c.send("kept in the state directory");
    await c.sync();
    writeFileSync(motd, "sandboxed, reloaded\n");
    const from = log.lines.length;
    proc.kill("SIGHUP");
    await log.waitFor(/"message":"reload done"/, "the reload's last line", from);
    const late = await Client.connect(port);
    await late.waitFor("sandboxed, reloaded");
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(log.lines.filter((l) => /"level":"(error|warn)"/.test(l))).toEqual([]);
    expect(existsSync(join(state, "parley.db"))).toBe(true);
    const db = new Database(join(state, "parley.db"), { readonly: true });
    const said = db.query("SELECT nick, text FROM history WHERE nick != ''").all();
    db.close();
    expect(said).toEqual([{ nick: "inside", text: "kept in the state directory" }]);
  });
});
