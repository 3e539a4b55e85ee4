// `parley udp` over plain loopback unicast (127.0.0.1 and ::1 only): the
// echo server and the client (tutorial 2.5 and 2.6), the listener's output,
// the exit summary, and the one-line errors for bad input.

import { describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import { portIn, runLocal, runLocalToEnd, type NsProcess } from "../helpers/netns.ts";

/** Starts a mode that binds, and waits for its "listening on" line. */
async function listening(args: string[]): Promise<{ p: NsProcess; port: number }> {
  const p = runLocal(args);
  const line = await p.stderr.waitFor("listening on", "the listening line");
  return { p, port: portIn(line) };
}

/** Sends raw bytes from the test itself to a loopback port. */
async function sendRaw(bytes: Uint8Array, port: number, host = "127.0.0.1"): Promise<void> {
  const socket = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
  await new Promise<void>((resolve, reject) => socket.send(bytes, port, host, (error) => (error ? reject(error) : resolve())));
  socket.close();
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(stderr).not.toContain("    at ");
  return lines[0]!;
}

describe("echo and send: a datagram goes out and comes back", () => {
  test("send prints the echo server's reply with its sender, then exits 0 with a summary", async () => {
    const echo = await listening(["udp", "echo", "--host", "127.0.0.1", "--port", "0"]);
    const sent = await runLocalToEnd(["udp", "send", `127.0.0.1:${echo.port}`, "hello", "world", "--replies", "1", "--wait", "10000"]);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  127\\.0\\.0\\.1:${echo.port}  11 bytes  hello world$`));
    expect(sent.stderr).toContain(`[info] sent 11 bytes to 127.0.0.1:${echo.port}`);
    expect(sent.stderr.trim().split("\n").at(-1)).toBe("[info] sent 1 datagram (11 bytes), received 1 (11 bytes)");
    expect(await echo.p.stop()).toBe(0);
    expect(echo.p.stderr.lines.at(-1)).toBe("[info] sent 1 datagram (11 bytes), received 1 (11 bytes)");
  });

  test("over IPv6 too: [::1]:PORT", async () => {
    const echo = await listening(["udp", "echo", "--host", "::1", "--port", "0"]);
    const sent = await runLocalToEnd(["udp", "send", `[::1]:${echo.port}`, "six", "--replies", "1", "--wait", "10000", "--json"]);
    expect(sent.code).toBe(0);
    const reply = JSON.parse(sent.stdout);
    expect(reply).toMatchObject({ from: `[::1]:${echo.port}`, address: "::1", port: echo.port, family: "IPv6", size: 3, text: "six" });
    await echo.p.stop();
  });

  test("with no MESSAGE, each line of stdin is one datagram, and each reply is printed", async () => {
    const echo = await listening(["udp", "echo", "--host", "127.0.0.1", "--port", "0", "--log-level", "debug"]);
    const send = runLocal(["udp", "send", `127.0.0.1:${echo.port}`, "--json", "--replies", "2", "--wait", "10000"], { stdin: "pipe" });
    send.type("first line");
    expect(JSON.parse(await send.stdout.waitFor("first line")).text).toBe("first line");
    send.type("second, 第二");
    expect(JSON.parse(await send.stdout.waitFor("second")).text).toBe("second, 第二");
    send.endInput();
    expect(await send.exited).toBe(0);
    expect(send.stdout.lines).toHaveLength(2);
    expect(await echo.p.stderr.waitFor("[debug] 14 bytes from 127.0.0.1:")).toContain(", sent back");
    await echo.p.stop();
  });

  test("--count and --interval repeat the message", async () => {
    const echo = await listening(["udp", "echo", "--host", "127.0.0.1", "--port", "0"]);
    const sent = await runLocalToEnd(["udp", "send", `127.0.0.1:${echo.port}`, "again", "--count", "3", "--interval", "10", "--replies", "3", "--wait", "10000"]);
    expect(sent.code).toBe(0);
    expect(sent.stdout.split("\n").map((l) => l.split("  ").at(-1))).toEqual(["again", "again", "again"]);
    await echo.p.stop();
  });

  test("echo --json prints each datagram it sends back", async () => {
    const echo = await listening(["udp", "echo", "--host", "127.0.0.1", "--port", "0", "--json"]);
    await runLocalToEnd(["udp", "send", `127.0.0.1:${echo.port}`, "ping", "--wait", "0"]);
    expect(JSON.parse(await echo.p.stdout.waitFor("ping"))).toMatchObject({ address: "127.0.0.1", text: "ping", size: 4 });
    await echo.p.stop();
  });
});

describe("listen prints every datagram", () => {
  test("text as text, other bytes as hex, control characters escaped", async () => {
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0"]);
    await sendRaw(new TextEncoder().encode("plain text"), listen.port);
    expect(await listen.p.stdout.waitFor("plain text")).toMatch(/^\d\d:\d\d:\d\d\.\d{3}  127\.0\.0\.1:\d+  10 bytes  plain text$/);
    await sendRaw(new Uint8Array([0xff, 0x00, 0xfe, 0x01]), listen.port);
    expect(await listen.p.stdout.waitFor("hex")).toMatch(/  4 bytes  hex ff00fe01$/);
    await sendRaw(new TextEncoder().encode("two\nlines\x1b[31m"), listen.port);
    expect(await listen.p.stdout.waitFor("two")).toEndWith("  14 bytes  two\\nlines\\e[31m");
    expect(await listen.p.stop()).toBe(0);
    expect(listen.p.stderr.lines.at(-1)).toBe("[info] sent 0 datagrams (0 bytes), received 3 (28 bytes)");
  });

  test("--json: one object per datagram, with text or hex", async () => {
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0", "--json"]);
    await sendRaw(new TextEncoder().encode("héllo"), listen.port);
    const text = JSON.parse(await listen.p.stdout.waitFor("llo"));
    expect(text).toMatchObject({ address: "127.0.0.1", family: "IPv4", size: 6, text: "héllo" });
    expect(text.from).toBe(`127.0.0.1:${text.port}`);
    expect(new Date(text.time).getTime()).toBeGreaterThan(Date.now() - 60_000);
    await sendRaw(new Uint8Array([0xc3, 0x28]), listen.port);
    expect(JSON.parse(await listen.p.stdout.waitFor("hex"))).toMatchObject({ size: 2, hex: "c328" });
    expect(await listen.p.stop("SIGTERM")).toBe(0);
  });

  test("a second SIGINT is not needed: the first closes the socket and the port is free again", async () => {
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0"]);
    expect(await listen.p.stop()).toBe(0);
    const again = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", String(listen.port)]);
    expect(again.port).toBe(listen.port);
    await again.p.stop();
  });
});

describe("bad input: one line, no stack trace, non-zero exit", () => {
  test("a unicast address in use says so, without offering --reuse (Linux would not share its datagrams)", async () => {
    const first = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0"]);
    const second = await runLocalToEnd(["udp", "listen", "--host", "127.0.0.1", "--port", String(first.port)]);
    expect(second.code).toBe(1);
    expect(oneLine(second.stderr)).toBe(`parley: UDP 127.0.0.1:${first.port} is in use by another program; choose another port`);
    await first.p.stop();
    const refused = await runLocalToEnd(["udp", "listen", "--host", "127.0.0.1", "--port", "0", "--reuse"]);
    expect(refused.code).toBe(1);
    expect(oneLine(refused.stderr)).toBe(
      "parley: --reuse does not share a unicast address: Linux hands each datagram to 127.0.0.1 to one socket only; share the wildcard (no --host) for broadcasts, or use parley udp multicast",
    );
    const echo = await runLocalToEnd(["udp", "echo", "--port", "0", "--reuse"]);
    expect(oneLine(echo.stderr)).toContain("parley: --reuse cannot share an echo port");
  });

  const cases: [string, string[], string][] = [
    ["a port over 65535", ["udp", "listen", "--port", "70000"], "parley: --port must be a port from 0 to 65535 (0 picks a free one) (got \"70000\")"],
    ["a port that is not a number", ["udp", "echo", "--port", "http"], "parley: --port must be a port from 0 to 65535 (0 picks a free one) (got \"http\")"],
    ["port 0 as a destination", ["udp", "send", "127.0.0.1:0", "x"], "parley: HOST:PORT must be a port from 1 to 65535 (got \"0\")"],
    ["an address net.isIP rejects", ["udp", "listen", "--host", "127.0.0.300", "--port", "0"], "parley: --host must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1 (got \"127.0.0.300\")"],
    ["a target that is not HOST:PORT", ["udp", "send", "127.0.0.1", "x"], "parley: HOST:PORT must be HOST:PORT, like 127.0.0.1:5000 or [::1]:5000 (got \"127.0.0.1\")"],
    ["a TTL over 255", ["udp", "send", "127.0.0.1:9", "x", "--ttl", "256"], "parley: --ttl must be a TTL (hop count) from 1 to 255 (got \"256\")"],
    ["TTL 0", ["udp", "send", "127.0.0.1:9", "x", "--ttl", "0", "--wait", "0"], "parley: --ttl must be a TTL (hop count) from 1 to 255 (got \"0\")"],
    ["a payload over 65507 bytes", ["udp", "send", "127.0.0.1:9", "x".repeat(65508)], "parley: the message is 65508 bytes; one UDP datagram over IPv4 carries at most 65507"],
    ["a payload over 65527 bytes over IPv6", ["udp", "send", "[::1]:9", "x".repeat(65528)], "parley: the message is 65528 bytes; one UDP datagram over IPv6 carries at most 65527"],
    ["an unknown flag", ["udp", "listen", "--port", "0", "--colour"], "parley: unknown flag --colour for parley udp listen (see parley udp listen --help)"],
    ["an unknown mode", ["udp", "telnet"], "parley: unknown command \"telnet\"; the commands are: echo, send, listen, broadcast, multicast, chat, probe (see parley udp --help)"],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const { code, stdout, stderr } = await runLocalToEnd(args);
      expect(code).not.toBe(0);
      expect(stdout).toBe("");
      expect(oneLine(stderr)).toBe(message);
    });
  }

  test("the largest IPv4 payload, 65507 bytes, does go", async () => {
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0", "--json"]);
    const sent = await runLocalToEnd(["udp", "send", `127.0.0.1:${listen.port}`, "y".repeat(65507), "--wait", "0"]);
    expect(sent.code).toBe(0);
    expect(JSON.parse(await listen.p.stdout.waitFor('"size":65507')).text).toHaveLength(65507);
    await listen.p.stop();
  });
});

describe("parley udp --help", () => {
  test("lists every built-in mode with its summary", async () => {
    const { code, stdout } = await runLocalToEnd(["udp", "--help"]);
    expect(code).toBe(0);
    for (const mode of ["echo", "send", "listen", "broadcast", "multicast", "chat", "probe"]) expect(stdout).toMatch(new RegExp(`^ +${mode}  +\\S`, "m"));
    expect(stdout).not.toContain("\x1b[");
  });

  test("a mode's help lists its flags and the common ones", async () => {
    const { code, stdout } = await runLocalToEnd(["udp", "multicast", "--help"]);
    expect(code).toBe(0);
    for (const flag of ["--group", "--port", "--interface", "--source", "--ttl", "--no-loopback", "--send", "--every", "--reuse", "--json", "--log-level", "--plugins"]) {
      expect(stdout).toContain(flag);
    }
  });
});
