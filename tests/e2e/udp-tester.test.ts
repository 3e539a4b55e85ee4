// The UDP toolbox as a network tester: the bugs, each with a test.
// Loopback unicast runs here (127.0.0.1 only); broadcast, multicast and the
// privilege test run inside network namespaces the test makes.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Netns, nthLine, portIn, runLocal, runLocalToEnd, type NsProcess } from "../helpers/netns.ts";
import { PARLEY } from "../helpers/parley.ts";

const DIR = mkdtempSync(join(tmpdir(), "parley-udp-tester-"));

let mc: Netns;
let lo: Netns;
beforeAll(async () => {
  [mc, lo] = await Promise.all([Netns.create("multicast"), Netns.create("lo")]);
});
afterAll(() => {
  mc.close();
  lo.close();
});

async function listening(args: string[], stdin: "pipe" | "ignore" = "ignore"): Promise<{ p: NsProcess; port: number }> {
  const p = runLocal(args, { stdin });
  const line = await p.stderr.waitFor("listening on", "the listening line");
  return { p, port: portIn(line) };
}

/** A socket of the test's own on 127.0.0.1, which gathers what it receives. */
async function testSocket(port = 0): Promise<{ socket: dgram.Socket; got: Buffer[]; port: number }> {
  const socket = dgram.createSocket("udp4");
  const got: Buffer[] = [];
  socket.on("message", (m) => got.push(m));
  await new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", () => resolve()));
  return { socket, got, port: socket.address().port };
}

function sendFrom(socket: dgram.Socket, bytes: Uint8Array | string, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(bytes, port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 10) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

describe("binary input is sent byte for byte", () => {
  const bytes = new Uint8Array(700).map((_, i) => (i * 7) & 255);

  test("send --raw --file cuts the bytes at --size; listen --hex prints each payload as hex", async () => {
    const file = join(DIR, "blob.bin");
    writeFileSync(file, bytes);
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0", "--hex"]);
    const sent = await runLocalToEnd(["udp", "send", `127.0.0.1:${listen.port}`, "--raw", "--file", file, "--size", "300", "--wait", "0"]);
    expect(sent.code).toBe(0);
    await nthLine(listen.p.stdout, 3);
    expect(listen.p.stdout.lines).toEqual([0, 300, 600].map((at) => Buffer.from(bytes.subarray(at, at + 300)).toString("hex")));
    await listen.p.stop();
  });

  test("send --raw from stdin, listen --raw writes the payloads to stdout exactly", async () => {
    const listen = Bun.spawn([PARLEY, "udp", "listen", "--host", "127.0.0.1", "--port", "0", "--raw"], { stdout: "pipe", stderr: "pipe", cwd: DIR });
    try {
      const reader = listen.stderr.getReader();
      let err = "";
      while (!err.includes("listening on")) err += new TextDecoder().decode((await reader.read()).value);
      const port = portIn(err.split("\n")[0]!);
      const send = Bun.spawn([PARLEY, "udp", "send", `127.0.0.1:${port}`, "--raw", "--size", "256", "--rate", "200", "--wait", "0"], { stdin: "pipe", stdout: "pipe", stderr: "pipe", cwd: DIR });
      send.stdin.write(bytes);
      await send.stdin.end();
      expect(await send.exited).toBe(0);
      await Bun.sleep(200);
      listen.kill("SIGINT");
      const out = new Uint8Array(await new Response(listen.stdout).arrayBuffer());
      expect(Buffer.from(out).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      listen.kill("SIGKILL");
    }
  });

  test("send --hex: MESSAGE or each stdin line is hex; a line that is not hex is reported and skipped", async () => {
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0", "--hex"]);
    const one = await runLocalToEnd(["udp", "send", `127.0.0.1:${listen.port}`, "--hex", "00ff 0a0d", "--wait", "0"]);
    expect(one.code).toBe(0);
    expect(await listen.p.stdout.waitFor("00ff")).toBe("00ff0a0d");
    const send = runLocal(["udp", "send", `127.0.0.1:${listen.port}`, "--hex", "--wait", "0"], { stdin: "pipe" });
    send.type("c3 28");
    send.type("not hex");
    send.type("ff");
    send.endInput();
    expect(await send.exited).toBe(0);
    expect(await send.stderr.waitFor("not hex")).toBe("[warn] line 2 is not hex (pairs of hex digits, like 00ff0a): skipped");
    await nthLine(listen.p.stdout, 3);
    expect(listen.p.stdout.lines).toEqual(["00ff0a0d", "c328", "ff"]);
    await listen.p.stop();
  });

  test("lines split on \\n only: a lone \\r and U+2028 stay in the line, CRLF ends one, and invalid UTF-8 goes as it is", async () => {
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0", "--hex"]);
    const send = Bun.spawn([PARLEY, "udp", "send", `127.0.0.1:${listen.port}`, "--wait", "0"], { stdin: "pipe", stdout: "pipe", stderr: "pipe", cwd: DIR });
    send.stdin.write(Buffer.concat([Buffer.from("a\rb\u2028c\nd\r\n"), Buffer.from([0xff, 0xfe, 0x0a])]));
    await send.stdin.end();
    expect(await send.exited).toBe(0);
    await nthLine(listen.p.stdout, 3);
    expect(listen.p.stdout.lines).toEqual([Buffer.from("a\rb\u2028c").toString("hex"), "64", "fffe"]);
    await listen.p.stop();
  });
});

describe("stdin is paced and counted, and one bad line does not end the run", () => {
  test("--rate paces stdin; --count stops after N datagrams of it", async () => {
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0", "--json"]);
    const send = runLocal(["udp", "send", `127.0.0.1:${listen.port}`, "--rate", "10", "--count", "4", "--wait", "0"], { stdin: "pipe" });
    for (const n of [1, 2, 3, 4, 5, 6]) send.type(`line ${n}`);
    send.endInput();
    const started = Date.now();
    expect(await send.exited).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    await nthLine(listen.p.stdout, 4, "line");
    await Bun.sleep(100);
    const texts = listen.p.stdout.lines.map((l) => JSON.parse(l)).filter((d) => !d.event).map((d) => d.text);
    expect(texts).toEqual(["line 1", "line 2", "line 3", "line 4"]);
    const times = listen.p.stdout.lines.map((l) => JSON.parse(l)).filter((d) => !d.event).map((d) => new Date(d.time).getTime());
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(70);
    await listen.p.stop();
  });

  test("a line too big for one datagram is reported and skipped; the rest is sent and the summary printed", async () => {
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0", "--json"]);
    const send = runLocal(["udp", "send", `127.0.0.1:${listen.port}`, "--wait", "0"], { stdin: "pipe" });
    send.type("before");
    send.type("x".repeat(70_000));
    send.type("after");
    send.endInput();
    expect(await send.exited).toBe(0);
    expect(send.stderr.lines).toContain("[warn] line 2 is 70000 bytes; one UDP datagram over IPv4 carries at most 65507: skipped");
    expect(send.stderr.lines.at(-1)).toBe("[info] sent 2 datagrams (11 bytes), received 0 (0 bytes)");
    await listen.p.stdout.waitFor("after");
    expect(listen.p.stdout.lines.map((l) => JSON.parse(l)).filter((d) => !d.event).map((d) => d.text)).toEqual(["before", "after"]);
    await listen.p.stop();
  });
});

describe("silent surprises, said", () => {
  test("a send to a closed port is 'connection refused', exit 1", async () => {
    const closed = await testSocket();
    const port = closed.port;
    closed.socket.close();
    const r = await runLocalToEnd(["udp", "send", `127.0.0.1:${port}`, "anyone?", "--wait", "2000"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toBe(`parley: connection refused: nothing listens on UDP 127.0.0.1:${port} (ICMP port unreachable)`);
  });

  test("listen --port 0 --json says which port it got", async () => {
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0", "--json"]);
    const first = JSON.parse(await listen.p.stdout.waitFor("listening"));
    expect(first).toMatchObject({ event: "listening", address: "127.0.0.1", port: listen.port });
    await listen.p.stop();
  });

  test("echo prints each datagram it answers, without --json too", async () => {
    const echo = await listening(["udp", "echo", "--host", "127.0.0.1", "--port", "0"]);
    const r = await runLocalToEnd(["udp", "send", `127.0.0.1:${echo.port}`, "ping", "--replies", "1", "--wait", "5000"]);
    expect(r.code).toBe(0);
    expect(await echo.p.stdout.waitFor("ping")).toMatch(/^\d\d:\d\d:\d\d\.\d{3}  127\.0\.0\.1:\d+  4 bytes  ping$/);
    await echo.p.stop();
  });

  test("echo never answers a datagram from an echo port (7), so two echo servers cannot loop", async () => {
    const echo = await listening(["udp", "echo", "--host", "127.0.0.1", "--port", "0"]);
    const seven = await testSocket(7);
    try {
      await sendFrom(seven.socket, "loop?", echo.port);
      expect(await echo.p.stderr.waitFor("echo-like")).toBe("[warn] not answering 127.0.0.1:7: port 7 is an echo-like service's, and answering could start a loop");
      await Bun.sleep(100);
      expect(seven.got).toHaveLength(0);
    } finally {
      seven.socket.close();
    }
    await echo.p.stop();
  });

  test("a peer that echoes everything back does not ping-pong with echo for ever: --limit answers a second per sender", async () => {
    const echo = await listening(["udp", "echo", "--host", "127.0.0.1", "--port", "0", "--limit", "20"]);
    const mirror = await testSocket();
    mirror.socket.on("message", (m) => mirror.socket.send(m, echo.port, "127.0.0.1"));
    await sendFrom(mirror.socket, "ball", echo.port);
    await echo.p.stderr.waitFor("more than 20 datagrams a second");
    const settled = mirror.got.length;
    await Bun.sleep(1500);
    expect(settled).toBeLessThanOrEqual(20);
    expect(mirror.got.length).toBe(settled);
    mirror.socket.close();
    await echo.p.stop();
  });

  test("send has no --interface, and its errors do not offer one", async () => {
    const r = await lo.runToEnd(["udp", "send", "239.1.1.1:5000", "x", "--wait", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("parley: no route to 239.1.1.1:5000 (for a multicast group name the interface: a scope like ff02::1%eth0, or add a multicast route)");
  });

  test("a port below net.ipv4.ip_unprivileged_port_start names the real limit", async () => {
    const set = lo.exec(["sh", "-c", "echo 2000 > /proc/sys/net/ipv4/ip_unprivileged_port_start"]);
    expect(await set.exited).toBe(0);
    const p = lo.exec(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", PARLEY, "udp", "listen", "--port", "1500"], { cwd: "/" });
    expect(await p.exited).toBe(1);
    await p.stderr.whenEnded();
    expect(p.stderr.lines.join("\n")).toBe(
      "parley: cannot listen on UDP port 1500: ports below 2000 need root or CAP_NET_BIND_SERVICE (net.ipv4.ip_unprivileged_port_start is 2000)",
    );
  });

  test("echo does not answer broadcasts", async () => {
    const echo = lo.run(["udp", "echo", "--port", "7700"]);
    await echo.stderr.waitFor("listening on");
    const b = await lo.runToEnd(["udp", "broadcast", "--address", "127.255.255.255", "--port", "7700", "everyone", "--wait", "300"]);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe("");
    const u = await lo.runToEnd(["udp", "send", "127.0.0.1:7700", "just me", "--replies", "1", "--wait", "5000"]);
    expect(u.stdout).toContain("just me");
    expect(echo.stdout.lines.some((l) => l.includes("everyone"))).toBe(false);
    await echo.stop();
  });
});

describe("broadcast and echo on a namespace's own network", () => {
  test("broadcast takes send's input: --hex lines from stdin, paced by --rate", async () => {
    const listen = lo.run(["udp", "listen", "--port", "7710", "--hex"]);
    await listen.stderr.waitFor("listening on");
    const b = lo.run(["udp", "broadcast", "--address", "127.255.255.255", "--port", "7710", "--hex", "--rate", "20", "--wait", "0"], { stdin: "pipe" });
    b.type("0001");
    b.type("ff00");
    b.endInput();
    expect(await b.exited).toBe(0);
    await nthLine(listen.stdout, 2);
    expect(listen.stdout.lines).toEqual(["0001", "ff00"]);
    await listen.stop();
  });

  test("echo does not answer what comes to a multicast group on its port", async () => {
    const echo = mc.run(["udp", "echo", "--port", "7720", "--log-level", "debug"]);
    await echo.stderr.waitFor("listening on");
    const member = mc.run(["udp", "multicast", "--group", "239.7.7.20", "--port", "7720", "--reuse"]);
    await member.stderr.waitFor("joined");
    await mc.runToEnd(["udp", "send", "239.7.7.20:7720", "to the group", "--wait", "300"]);
    await member.stdout.waitFor("to the group");
    const u = await mc.runToEnd(["udp", "send", "127.0.0.1:7720", "to echo", "--replies", "1", "--wait", "5000"]);
    expect(u.stdout).toContain("to echo");
    expect(echo.stdout.lines.some((l) => l.includes("to the group"))).toBe(false);
    await Promise.all([echo.stop(), member.stop()]);
  });
});

describe("honest receive figures", () => {
  test("listen --rcvbuf sets the buffer, and the datagrams the kernel dropped are in the summary", async () => {
    const listen = await listening(["udp", "listen", "--host", "127.0.0.1", "--port", "0", "--rcvbuf", "4096", "--hex"]);
    expect(listen.p.stderr.lines[0]).toMatch(/^\[info\] listening on 127\.0\.0\.1:\d+ \(receive buffer \d+ bytes\)$/);
    listen.p.proc.kill("SIGSTOP");
    const s = await testSocket();
    const total = 300;
    for (let i = 0; i < total; i++) await sendFrom(s.socket, new Uint8Array(1000), listen.port);
    s.socket.close();
    listen.p.proc.kill("SIGCONT");
    await Bun.sleep(300);
    expect(await listen.p.stop()).toBe(0);
    const summary = listen.p.stderr.lines.at(-1)!;
    const m = /received (\d+) \(\d+ bytes\), dropped (\d+) \(the kernel's receive buffer was full; --rcvbuf makes it bigger\)$/.exec(summary);
    expect(m).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(total);
    expect(Number(m![2])).toBeGreaterThan(0);
  });
});

describe("groups do not leak into each other", () => {
  test("two members of different groups on one port each hear their own group only; each datagram names its group", async () => {
    const a = mc.run(["udp", "multicast", "--group", "239.1.1.1", "--port", "6000", "--reuse", "--json"]);
    const b = mc.run(["udp", "multicast", "--group", "239.2.2.2", "--port", "6000", "--reuse", "--json"]);
    await Promise.all([a.stderr.waitFor("joined"), b.stderr.waitFor("joined")]);
    await mc.runToEnd(["udp", "send", "239.1.1.1:6000", "for one", "--wait", "0"]);
    await mc.runToEnd(["udp", "send", "239.2.2.2:6000", "for two", "--wait", "0"]);
    expect(JSON.parse(await a.stdout.waitFor("for one"))).toMatchObject({ to: "239.1.1.1", text: "for one" });
    expect(JSON.parse(await b.stdout.waitFor("for two"))).toMatchObject({ to: "239.2.2.2", text: "for two" });
    await Bun.sleep(200);
    expect(a.stdout.lines.some((l) => l.includes("for two"))).toBe(false);
    expect(b.stdout.lines.some((l) => l.includes("for one"))).toBe(false);
    await Promise.all([a.stop(), b.stop()]);
  });

  test("--group given twice joins both, and says which group each datagram came to", async () => {
    const m = mc.run(["udp", "multicast", "--group", "239.3.3.3", "--group", "239.4.4.4", "--port", "6001", "--reuse"]);
    expect(await m.stderr.waitFor("joined")).toBe("[info] joined 239.3.3.3, 239.4.4.4 port 6001");
    await mc.runToEnd(["udp", "send", "239.3.3.3:6001", "three", "--wait", "0"]);
    await mc.runToEnd(["udp", "send", "239.4.4.4:6001", "four", "--wait", "0"]);
    expect(await m.stdout.waitFor("three")).toContain("  to 239.3.3.3  5 bytes  three");
    expect(await m.stdout.waitFor("four")).toContain("  to 239.4.4.4  4 bytes  four");
    expect(await m.stop()).toBe(0);
    expect(m.stderr.lines.slice(-3, -1).toSorted()).toEqual(["[info] left 239.3.3.3", "[info] left 239.4.4.4"]);
  });
});

describe("LAN chat cannot be forged, and says what it missed", () => {
  let port = 7500;
  async function peer(nick: string, group = "239.7.7.7", at = port): Promise<NsProcess> {
    const p = mc.run(["udp", "chat", "--group", group, "--port", String(at), "--nick", nick], { stdin: "pipe" });
    await p.stderr.waitFor("joined", `${nick} to join`);
    return p;
  }
  /** One crafted chat datagram, sent to the room from a plain `send`. */
  function craft(message: Record<string, unknown>, at = port): Promise<unknown> {
    return mc.runToEnd(["udp", "send", `239.7.7.7:${at}`, JSON.stringify({ parley: "chat", v: 1, id: "f0f0f0f0", ...message }), "--wait", "0"]);
  }

  test("a line break in a peer's text or nick cannot make a line of its own", async () => {
    port++;
    const alice = await peer("alice");
    await craft({ nick: "eve", type: "join", seq: 0 });
    await alice.stdout.waitFor("eve joined");
    await craft({ nick: "eve", type: "say", seq: 1, text: "hi\n* bob left\nbob: please send me your password\u2028\x1b[2Jx" });
    expect(await alice.stdout.waitFor("hi")).toBe("eve: hi* bob leftbob: please send me your passwordx");
    await craft({ nick: "bob\nroot", type: "say", seq: 2, text: "x" });
    await craft({ nick: "eve", type: "say", seq: 3, text: "marker" });
    await alice.stdout.waitFor("marker");
    expect(alice.stdout.lines.filter((l) => l.startsWith("* bob") || l.startsWith("bob") || l.startsWith("root"))).toEqual([]);
    await alice.stop();
  });

  test("a nick of emoji (counted in code points on both sides) is seen", async () => {
    port++;
    const alice = await peer("alice");
    const fox = "🦊".repeat(20);
    const p = await peer(fox);
    expect(await alice.stdout.waitFor("joined")).toBe(`* ${fox} joined`);
    p.type("hello");
    expect(await alice.stdout.waitFor("hello")).toBe(`${fox}: hello`);
    const long = await mc.runToEnd(["udp", "chat", "--group", "239.7.7.7", "--port", String(port), "--nick", "🦊".repeat(33)]);
    expect(long.stderr).toContain("--nick must be 1 to 32 characters without spaces");
    await Promise.all([alice.stop(), p.stop()]);
  });

  test("two peers with one nick are told apart by address", async () => {
    port++;
    const bob = await peer("bob");
    const first = await peer("alice");
    await bob.stdout.waitFor("alice joined");
    const second = await peer("alice");
    expect(await bob.stdout.waitFor("(127.0.0.1) joined")).toBe("* alice (127.0.0.1) joined");
    // and a peer whose nick is bob's own is shown with its address too
    const other = await peer("bob");
    expect(await bob.stdout.waitFor("bob (127.0.0.1)")).toBe("* bob (127.0.0.1) joined");
    await Promise.all([bob.stop(), first.stop(), second.stop(), other.stop()]);
  });

  test("a gap in a peer's sequence numbers is shown as missed messages; a duplicate is not shown twice", async () => {
    port++;
    const alice = await peer("alice");
    await craft({ nick: "mallory", type: "join", seq: 0 });
    await craft({ nick: "mallory", type: "say", seq: 1, text: "one" });
    await craft({ nick: "mallory", type: "say", seq: 1, text: "one" });
    await craft({ nick: "mallory", type: "say", seq: 7, text: "seven" });
    expect(await alice.stdout.waitFor("missed")).toBe("* missed 5 messages from mallory");
    await alice.stdout.waitFor("seven");
    expect(alice.stdout.lines.filter((l) => l === "mallory: one")).toHaveLength(1);
    await alice.stop();
  });

  test("rooms on different groups of one port never see each other", async () => {
    port++;
    const a = await peer("ann", "239.7.7.7");
    const b = await peer("ben", "239.8.8.8");
    const a2 = await peer("amy", "239.7.7.7");
    await a.stdout.waitFor("amy joined");
    b.type("only for eight");
    a2.type("only for seven");
    await a.stdout.waitFor("only for seven");
    await Bun.sleep(200);
    expect(a.stdout.lines.some((l) => l.includes("ben") || l.includes("eight"))).toBe(false);
    expect(b.stdout.lines).toEqual([]);
    await Promise.all([a.stop(), b.stop(), a2.stop()]);
  });
});
