// `parley udp probe`: crafted datagrams on loopback (loss, duplicates,
// reordering counted exactly), the round trip against `parley udp echo`,
// and three probes on a LAN of three network namespaces the test makes
// (tests/helpers/netns.ts, Netns.triangle): a multicast group, the
// broadcast address and unicast. Nothing leaves those namespaces.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import { Netns, runLocal, runLocalToEnd, type NsProcess } from "../helpers/netns.ts";

let a: Netns;
let b: Netns;
let c: Netns;
beforeAll(async () => {
  [a, b, c] = await Netns.triangle();
});
afterAll(() => {
  for (const ns of [a, b, c]) ns?.close();
});

/** The JSON summary a finished probe printed last. */
function summaryOf(p: { stdout: string } | NsProcess): { sent: number; peers: Record<string, unknown>[] } {
  const lines = "stdout" in p && typeof p.stdout === "string" ? p.stdout.split("\n") : (p as NsProcess).stdout.lines;
  return JSON.parse(lines.findLast((l) => l.includes('"summary"'))!);
}

function packet(id: number, seq: number, size = 32): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x50524231);
  view.setUint32(4, id);
  view.setUint32(8, seq);
  view.setFloat64(12, performance.timeOrigin + performance.now());
  return bytes;
}

describe("probe counts what arrives", () => {
  test("lost, duplicated and reordered are counted exactly, with one-way delay from this host", async () => {
    const p = runLocal(["udp", "probe", "127.0.0.1:9", "--no-send", "--json"]);
    const start = JSON.parse(await p.stdout.waitFor('"start"'));
    const port = Number(/:(\d+)$/.exec(start.local)![1]);
    const s = dgram.createSocket("udp4");
    for (const seq of [0, 1, 2, 5, 5, 3]) await new Promise<void>((resolve, reject) => s.send(packet(0xabcdef01, seq), port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
    await new Promise<void>((resolve) => s.send("not a probe", port, "127.0.0.1", () => resolve()));
    await p.stderr.waitFor("hearing");
    await Bun.sleep(200);
    s.close();
    expect(await p.stop()).toBe(0);
    const summary = summaryOf(p);
    expect(summary.peers).toHaveLength(1);
    expect(summary.peers[0]).toMatchObject({ sent: 6, received: 5, lost: 1, lostPercent: 16.67, duplicated: 1, reordered: 1 });
    expect(summary.peers[0]!.peer).toMatch(/^127\.0\.0\.1:\d+ \(abcdef01\)$/);
    expect((summary.peers[0]!.oneWayMs as { avg: number }).avg).toBeGreaterThanOrEqual(0);
    expect(summary).toMatchObject({ other: 1 });
  });

  test("against parley udp echo: the round trip, and nothing lost", async () => {
    const echo = runLocal(["udp", "echo", "--host", "127.0.0.1", "--port", "0"]);
    const port = Number(/:(\d+)$/.exec(await echo.stderr.waitFor("listening on"))![1]);
    const r = await runLocalToEnd(["udp", "probe", `127.0.0.1:${port}`, "--rate", "200", "--count", "40", "--wait", "500", "--json"]);
    expect(r.code).toBe(0);
    const summary = summaryOf(r);
    expect(summary.sent).toBe(40);
    expect(summary.peers).toEqual([expect.objectContaining({ peer: `127.0.0.1:${port} (echo)`, sent: 40, received: 40, lost: 0, duplicated: 0 })]);
    const rtt = summary.peers[0]!.rttMs as { min: number; avg: number; max: number };
    expect(rtt.min).toBeGreaterThan(0);
    expect(rtt.min).toBeLessThanOrEqual(rtt.avg);
    await echo.stop();
  });

  test("--report prints interval lines, then the final table", async () => {
    const echo = runLocal(["udp", "echo", "--host", "127.0.0.1", "--port", "0"]);
    const port = Number(/:(\d+)$/.exec(await echo.stderr.waitFor("listening on"))![1]);
    const r = await runLocalToEnd(["udp", "probe", `127.0.0.1:${port}`, "--rate", "50", "--duration", "0.7", "--report", "0.2s", "--wait", "300"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => /^127\.0\.0\.1:\d+ \(echo\)  received \d+\/\d+  lost \d+ \(\d+\.\d%\)  dup 0  reordered 0  jitter \d+\.\d{3} ms  rtt \d+\.\d{3} ms$/.test(l)).length).toBeGreaterThanOrEqual(3);
    expect(lines).toContain(`probe ${lines.find((l) => l.startsWith("probe "))!.split(" ")[1]} to 127.0.0.1:${port}: sent 35, 1 peer heard`);
    expect(lines.find((l) => l.startsWith("peer "))).toMatch(/^peer +sent +received +lost +dup +reordered +jitter ms +delay ms min\/avg\/max +rtt ms min\/avg\/max$/);
    expect(lines.at(-1)).toMatch(/^127\.0\.0\.1:\d+ \(echo\) +35 +35 +0 \(0\.0%\) +0 +0 +\d+\.\d{3} +- +[\d.]+\/[\d.]+\/[\d.]+$/);
    await echo.stop();
  });

  test("a bad size is one line", async () => {
    const r = await runLocalToEnd(["udp", "probe", "127.0.0.1:9", "--size", "10"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('parley: --size must be from 24 to 65507 (got 10)');
  });
});

describe("three probes on a LAN of three namespaces", () => {
  async function all(runs: [Netns, string[]][]): Promise<{ code: number; stdout: string }[]> {
    return Promise.all(runs.map(([ns, args]) => ns.runToEnd(["udp", "probe", ...args, "--json"])));
  }

  test("a multicast group: each probe hears the two others, nothing lost", async () => {
    const args = ["239.5.5.5:7000", "--rate", "50", "--count", "50", "--wait", "1500"];
    const runs = await all([[a, args], [b, args], [c, args]]);
    for (const r of runs) {
      expect(r.code).toBe(0);
      const { peers } = summaryOf(r);
      expect(peers).toHaveLength(2);
      for (const p of peers) expect(p).toMatchObject({ lost: 0, duplicated: 0, reordered: 0 });
      expect(peers.map((p) => String(p.peer).split(":")[0]).toSorted()).toHaveLength(2);
    }
    expect(summaryOf(runs[0]!).peers.map((p) => String(p.peer).split(":")[0]).toSorted()).toEqual(["10.9.0.2", "10.9.0.3"]);
  });

  test("the broadcast address: a and c hear each other", async () => {
    const args = ["10.9.0.255:7001", "--rate", "50", "--count", "30", "--wait", "1500"];
    const [ra, rc] = await all([[a, args], [c, args]]);
    expect(summaryOf(ra!).peers).toEqual([expect.objectContaining({ peer: expect.stringMatching(/^10\.9\.0\.3:7001 /), lost: 0 })]);
    expect(summaryOf(rc!).peers).toEqual([expect.objectContaining({ peer: expect.stringMatching(/^10\.9\.0\.1:7001 /), lost: 0 })]);
  });

  test("unicast: two probes aimed at each other", async () => {
    const [ra, rc] = await all([
      [a, ["10.9.0.3:7100", "--port", "7100", "--rate", "50", "--count", "30", "--wait", "1500"]],
      [c, ["10.9.0.1:7100", "--port", "7100", "--rate", "50", "--count", "30", "--wait", "1500"]],
    ]);
    expect(summaryOf(ra!).peers).toEqual([expect.objectContaining({ peer: expect.stringMatching(/^10\.9\.0\.3:7100 /), lost: 0 })]);
    expect(summaryOf(rc!).peers).toEqual([expect.objectContaining({ peer: expect.stringMatching(/^10\.9\.0\.1:7100 /), lost: 0 })]);
  });
});

describe("probe over IPv6", () => {
  test("a link-local group with its scope, and the round trip to echo on ::1", async () => {
    const v6 = await Netns.create("ipv6");
    try {
      const args = ["udp", "probe", "[ff02::55%v0]:7000", "--rate", "50", "--count", "20", "--wait", "1000", "--json"];
      const [one, two] = await Promise.all([v6.runToEnd(args), v6.runToEnd(args)]);
      for (const r of [one!, two!]) {
        expect(r.code).toBe(0);
        expect(summaryOf(r).peers).toEqual([expect.objectContaining({ peer: expect.stringMatching(/^\[fe80::1%v0\]:7000 \([0-9a-f]{8}\)$/), lost: 0, duplicated: 0 })]);
      }
      const echo = v6.run(["udp", "echo", "--host", "::1", "--port", "7007"]);
      await echo.stderr.waitFor("listening on");
      const r = await v6.runToEnd(["udp", "probe", "[::1]:7007", "--rate", "100", "--count", "10", "--wait", "500", "--json"]);
      expect(summaryOf(r).peers).toEqual([expect.objectContaining({ peer: "[::1]:7007 (echo)", sent: 10, received: 10, lost: 0 })]);
      await echo.stop();
    } finally {
      v6.close();
    }
  });
});
