// What a user sees when they get a flag wrong or the port is not free:
// one clear line, a non-zero exit, no stack trace.

import { describe, expect, test } from "bun:test";
import net from "node:net";
import pkg from "../../package.json" with { type: "json" };
import { PARLEY, runToEnd, startChat } from "../helpers/parley.ts";

function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(stderr).not.toContain("    at ");
  return lines[0]!;
}

describe("parley --version and --help", () => {
  test("--version prints the version", async () => {
    const { code, stdout } = await runToEnd(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  test("--help names the subcommands, plain when piped", async () => {
    const { code, stdout } = await runToEnd(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("chat");
    expect(stdout).not.toContain("\x1b[");
  });

  test("chat --help lists every flag", async () => {
    const { code, stdout } = await runToEnd(["chat", "--help"]);
    expect(code).toBe(0);
    for (const flag of ["--port", "--host", "--backlog", "--max-connections", "--max-line", "--max-outbox", "--idle-timeout", "--keepalive", "--motd", "--log-level", "--log-file", "--plugins"]) {
      expect(stdout).toContain(flag);
    }
  });
});

describe("a mistake on the command line", () => {
  const cases: [string, string[], RegExp][] = [
    ["an unknown flag", ["chat", "--prot", "80"], /^parley: unknown flag --prot for parley chat \(see parley chat --help\)$/],
    ["an unknown command", ["chta"], /^parley: unknown command "chta"/],
    ["a port out of range", ["chat", "--port", "70000"], /^parley: --port must be from 0 to 65535 \(got 70000\)$/],
    ["a port that is not a number", ["chat", "--port", "http"], /^parley: --port must be a whole number/],
    ["a bad host", ["chat", "--host", "not a host!"], /^parley: --host must be an IP address or a host name/],
    ["a bad log level", ["chat", "--log-level", "loud"], /^parley: --log-level must be one of/],
    ["a bad size", ["chat", "--max-line", "lots"], /^parley: --max-line must be a size in bytes/],
    ["a missing motd file", ["chat", "--motd", "@/nonexistent/motd.txt"], /^parley: cannot read --motd file \/nonexistent\/motd.txt: ENOENT$/],
    ["a host that is not on this machine", ["chat", "--host", "192.0.2.1", "--port", "0"], /^parley: cannot listen on 192.0.2.1: that address is not on this machine$/],
  ];
  for (const [what, args, expected] of cases) {
    test(`${what}: one line, non-zero exit`, async () => {
      const { code, stderr } = await runToEnd(args);
      expect(code).not.toBe(0);
      expect(oneLine(stderr)).toMatch(expected);
    });
  }

  test("a missing argument is a usage error like the others: one line naming it, exit 2", async () => {
    for (const [args, expected] of [
      [["completion"], "parley: parley completion needs bash|zsh|fish (see parley completion --help)"],
      [["backup"], "parley: parley backup needs FILE (see parley backup --help)"],
      [["plugins", "new"], "parley: parley plugins new needs NAME (see parley plugins new --help)"],
      [["udp", "send"], "parley: parley udp send needs HOST:PORT (see parley udp send --help)"],
    ] as [string[], string][]) {
      const { code, stderr } = await runToEnd(args);
      expect({ args, code, stderr: oneLine(stderr) }).toEqual({ args, code: 2, stderr: expected });
    }
  });

  test("a port in use: one line naming the port", async () => {
    const running = await startChat();
    const { code, stderr } = await runToEnd(["chat", "--host", "127.0.0.1", "--port", String(running.port)]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toBe(`parley: port ${running.port} is already in use (127.0.0.1:${running.port}); stop what holds it or pick another with --port`);
    await running.stop();
  });

  test("a low port without permission: one line that says so", async () => {
    // Tests run as root in CI; drop to nobody so the kernel says no.
    const low = 81;
    const proc = Bun.spawn(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", PARLEY, "chat", "--data", "memory", "--host", "127.0.0.1", "--port", String(low)], {
      cwd: "/",
      stderr: "pipe",
      stdout: "pipe",
    });
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toBe(`parley: permission denied to listen on 127.0.0.1:${low} (ports below 1024 need root; try --port 8088)`);
  });
});

describe("--port 0", () => {
  test("picks a free port and the listening line names it", async () => {
    const parley = await startChat();
    expect(parley.port).toBeGreaterThan(0);
    const socket = net.connect(parley.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.destroy();
    await parley.stop();
  });
});
