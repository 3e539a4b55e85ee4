// /metrics against dist/parley, scraped during a real run and parsed as
// Prometheus parses it: the counters must match what the test did (lines
// sent and received, deliveries, history writes, a flood refusal, the
// reasons people left), and connections are counted by kind: a telnet-style
// text client, a JSON-lines client over TCP, and a WebSocket.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";
import { scrape, type Scrape } from "../helpers/prometheus.ts";
import { closeAllWebSockets, httpPort, WsClient } from "../helpers/ws-client.ts";

afterAll(closeAllWebSockets);

/** A JSON-lines client on the chat port: hello, then a nick. */
async function jsonClient(port: number, nick: string): Promise<Client> {
  const c = await Client.connect(port);
  c.send(JSON.stringify({ type: "hello", client: "metrics-test", version: 1 }));
  await c.waitFor('"type":"welcome"');
  c.send(JSON.stringify({ type: "nick", nick, id: "n" }));
  await c.waitFor('"self":true');
  return c;
}

describe("/metrics counts what happened", () => {
  let parley: Parley;
  let url: string;
  const metrics = () => scrape(url);
  beforeAll(async () => {
    // Flood control on (the helper turns it off), fast enough for a test: 5 lines at once, then 200 a second.
    parley = await startChat(["--http", "0", "--http-host", "127.0.0.1", "--flood-rate", "200", "--flood-burst", "5"]);
    url = `http://127.0.0.1:${await httpPort(parley)}/metrics`;
  });
  afterAll(() => parley.stop());

  test("every metric has a TYPE and HELP, and the process figures are there", async () => {
    const m = await metrics();
    for (const [name, family] of m.families) {
      expect(family.help.length, name).toBeGreaterThan(0);
      expect(["COUNTER", "GAUGE"], name).toContain(family.type);
      if (name.endsWith("_total")) expect(family.type, name).toBe("COUNTER");
    }
    expect(m.value("process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(m.value("process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    expect(m.value("process_open_fds")).toBeGreaterThan(3);
    expect(m.value("process_max_fds")).toBeGreaterThanOrEqual(m.value("process_open_fds"));
    expect(Math.abs(m.value("process_start_time_seconds") - Date.now() / 1000)).toBeLessThan(600);
    expect(m.value("parley_ready")).toBe(1);
    // Not clustered: no Redis figures.
    expect(m.families.has("parley_redis_up")).toBe(false);
  });

  test("connections by kind, lines in, events relayed, deliveries, bytes and history writes", async () => {
    const amy = await Client.join(parley.port, "amy");
    const bot = await jsonClient(parley.port, "bot");
    const web = await WsClient.join(await httpPort(parley), "webby");
    await amy.waitFor("* webby joined");
    let before: Scrape = await metrics();
    expect(before.value("parley_connections", { kind: "text" })).toBe(1);
    expect(before.value("parley_connections", { kind: "json" })).toBe(1);
    expect(before.value("parley_connections", { kind: "websocket" })).toBe(1);
    expect(before.value("parley_users_online")).toBe(3);
    expect(before.value("parley_rooms")).toBe(1);

    const N = 4;
    const sent = Array.from({ length: N }, (_, i) => `line ${i} 你好 🎉`);
    for (const line of sent) amy.send(line);
    for (let i = 0; i < N; i++) await web.next("said", (f) => f.text === sent[i]);
    await bot.waitFor(`"text":"${sent[N - 1]}"`);
    const after = await metrics();
    const delta = (name: string) => after.value(name) - before.value(name);
    expect(delta("parley_lines_received_total")).toBe(N);
    // Each line is one event, delivered to the two others (never back to amy).
    expect(delta("parley_events_relayed_total")).toBe(N);
    expect(delta("parley_deliveries_total")).toBe(2 * N);
    expect(delta("parley_history_writes_total")).toBe(N);
    // In: each line and its CR LF. Out: at least the lines to two clients.
    expect(delta("parley_received_bytes_total")).toBe(sent.reduce((n, l) => n + Buffer.byteLength(l) + 2, 0));
    expect(delta("parley_sent_bytes_total")).toBeGreaterThan(2 * sent.reduce((n, l) => n + Buffer.byteLength(l), 0));
    expect(after.value("parley_outbox_high_water_bytes")).toBeGreaterThan(0);

    before = after;
    web.ws.close();
    await amy.waitFor("* webby left");
    bot.send(JSON.stringify({ type: "line", text: "/quit bye all" }));
    await amy.waitFor("* bot left");
    await bot.whenClosed();
    const end = await metrics();
    expect(end.value("parley_connections", { kind: "websocket" })).toBe(0);
    expect(end.value("parley_connections", { kind: "json" })).toBe(0);
    expect(end.value("parley_users_online")).toBe(1);
    expect(end.value("parley_disconnects_total", { reason: "closed" }) - before.value("parley_disconnects_total", { reason: "closed" })).toBe(1);
    expect(end.value("parley_disconnects_total", { reason: "quit" }) - before.value("parley_disconnects_total", { reason: "quit" })).toBe(1);
    expect(end.value("parley_websockets_accepted_total")).toBe(1);
    // A room made is a room more; an empty one is forgotten.
    amy.send("/join #extra");
    await amy.waitFor("you are in #extra");
    expect((await metrics()).value("parley_rooms")).toBe(2);
    amy.send("/part #extra");
    await amy.waitFor("you left #extra");
    expect((await metrics()).value("parley_rooms")).toBe(1);
    amy.close();
    await amy.whenClosed();
  });

  test("flood control's refusals and delays are counted, as many as the user is told", async () => {
    const before = await metrics();
    const paster = await Client.join(parley.port, "paster");
    // One paste of 150 lines: 5 go at once, 100 may wait their turn, the rest are refused.
    await paster.write(Array.from({ length: 150 }, (_, i) => `paste ${i}`).join("\r\n") + "\r\n");
    const told = await paster.waitFor(/lines? (was|were) not sent/);
    const refused = Number(/(\d+) lines? (was|were) not sent/.exec(told)?.[1]);
    expect(refused).toBeGreaterThan(0);
    const after = await metrics();
    expect(after.value("parley_flood_refused_lines_total") - before.value("parley_flood_refused_lines_total")).toBe(refused);
    // Lines past the burst waited their turn (not all: the rate refills while they wait).
    const delayed = after.value("parley_flood_delayed_lines_total") - before.value("parley_flood_delayed_lines_total");
    expect(delayed).toBeGreaterThan(0);
    expect(delayed).toBeLessThanOrEqual(150 - refused);
    // The nick line and the 150 pasted ones were all received.
    expect(after.value("parley_lines_received_total") - before.value("parley_lines_received_total")).toBe(151);
    paster.close();
    await paster.whenClosed();
  });
});

describe("/stats shows operators the same figures in chat", () => {
  test("an operator sees the figures of /metrics in a few lines; anyone else is refused in one", async () => {
    const parley = await startChat(["--http", "0", "--http-host", "127.0.0.1", "--admin-password", "rootpw-for-stats"]);
    const url = `http://127.0.0.1:${await httpPort(parley)}/metrics`;
    const guest = await Client.join(parley.port, "guest");
    guest.send("/stats");
    expect(await guest.waitFor(/^! /)).toBe("! only operators can do that (/op PASSWORD)");
    const op = await Client.join(parley.port, "oper");
    const web = await WsClient.join(await httpPort(parley), "webby");
    op.send("/op rootpw-for-stats");
    await op.waitFor("you are an operator now");
    for (let i = 0; i < 3; i++) op.send(`hello ${i}`);
    await guest.waitFor("oper: hello 2");
    guest.send("/quit gone");
    await op.waitFor("* guest left");
    await guest.whenClosed();
    const m = await scrape(url);
    op.send("/stats");
    await op.waitFor("* server figures (as /metrics serves them):");
    const lines: string[] = [];
    // One row each, "process" last (no "redis" row without --redis).
    while (!lines.at(-1)?.startsWith("process")) lines.push((await op.waitFor(/^\*   /)).replace(/^\*   /, ""));
    expect(lines.map((l) => l.split("  ")[0])).toEqual(["connections", "since start", "bytes", "flood control", "disconnects", "plugins", "history", "process"]);
    const row = (label: string) => lines.find((l) => l.startsWith(label))?.slice(label.length).trim() ?? `(no ${label} row in ${lines.join(" | ")})`;
    expect(row("connections")).toBe("1 text, 0 json, 1 websocket; 2 users online in 1 room");
    expect(row("since start")).toBe(`${m.value("parley_lines_received_total") + 1} lines in, ${m.value("parley_events_relayed_total")} events relayed, ${m.value("parley_deliveries_total")} deliveries`);
    expect(row("flood control")).toBe("0 lines delayed, 0 refused");
    expect(row("disconnects")).toBe("quit 1");
    expect(row("history")).toBe("3 written, 0 failed");
    expect(row("process")).toMatch(/^up \d+s, \d+\.\d\d s CPU, [\d.]+ MiB resident, \d+ of \d+ files open$/);
    web.ws.close();
    await web.whenClosed();
    await parley.stop();
  });
});

describe("plugin failures are counted", () => {
  // A dropped-in plugin whose commands throw and hang.
  const dir = mkdtempSync(join(tmpdir(), "parley-metrics-plugins-"));
  mkdirSync(join(dir, "plugins"));
  writeFileSync(
    join(dir, "plugins", "faulty.ts"),
    `import { definePlugin } from "parley";
export default definePlugin({
  name: "faulty",
  commands: [
    { name: "boom", summary: "throws", run() { throw new Error("boom"); } },
    { name: "hang", summary: "never answers", run() { return new Promise(() => {}); } },
  ],
});
`,
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a command that throws is a plugin error; one past --handler-timeout is a time-out too", async () => {
    const parley = await startChat(["--http", "0", "--http-host", "127.0.0.1", "--plugins", "plugins", "--handler-timeout", "1"], { cwd: dir });
    const url = `http://127.0.0.1:${await httpPort(parley)}/metrics`;
    const amy = await Client.join(parley.port, "amy");
    const before = await scrape(url);
    amy.send("/boom");
    await amy.waitFor("! command /boom failed");
    const thrown = await scrape(url);
    expect(thrown.value("parley_plugin_errors_total") - before.value("parley_plugin_errors_total")).toBe(1);
    expect(thrown.value("parley_plugin_timeouts_total") - before.value("parley_plugin_timeouts_total")).toBe(0);
    amy.send("/hang");
    await amy.waitFor("! command /hang is taking too long; moving on");
    const hung = await scrape(url);
    expect(hung.value("parley_plugin_errors_total") - thrown.value("parley_plugin_errors_total")).toBe(1);
    expect(hung.value("parley_plugin_timeouts_total") - thrown.value("parley_plugin_timeouts_total")).toBe(1);
    amy.close();
    await amy.whenClosed();
    await parley.stop();
  });
});
