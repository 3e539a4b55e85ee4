// `parley chat --http PORT` against dist/parley: /healthz, /readyz,
// /metrics and the page over fetch; the /ws WebSocket speaking JSON lines
// (one frame per message) in the same room as a telnet-style TCP client;
// --max-connections counting WebSockets with TCP connections; a WebSocket
// that stops reading cut by --max-outbox; the goodbye at shutdown.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";
import { closeAllWebSockets, httpPort, WsClient } from "../helpers/ws-client.ts";

afterAll(closeAllWebSockets);

/** The value of one sample in Prometheus text. */
function sample(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  if (!line) throw new Error(`no ${name} in:\n${text}`);
  return Number(line.slice(name.length + 1));
}

describe("web listener", () => {
  let parley: Parley;
  let port: number;
  beforeAll(async () => {
    parley = await startChat(["--http", "0", "--http-host", "127.0.0.1"]);
    port = await httpPort(parley);
  });
  afterAll(() => parley.stop());

  test("/healthz and /readyz answer 200 while serving", async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe("ready\n");
  });

  test("/ serves the page, its script and style from the binary, with a strict CSP", async () => {
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toStartWith("text/html");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('role="log"');
    expect(html).toContain('src="/app.js"');
    expect(html).not.toMatch(/https?:\/\/(?!localhost)/); // nothing fetched from elsewhere
    const script = await fetch(`http://127.0.0.1:${port}/app.js`);
    expect(script.headers.get("content-type")).toStartWith("text/javascript");
    const js = await script.text();
    expect(js).toContain("textContent");
    expect(js).not.toContain("innerHTML");
    expect((await fetch(`http://127.0.0.1:${port}/style.css`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  test("/metrics is Prometheus text counting TCP and WebSocket connections and users", async () => {
    const tcp = await Client.join(parley.port, "metric_tcp");
    const ws = await WsClient.join(port, "metric_ws");
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    const text = await res.text();
    expect(text).toContain("# TYPE parley_connections gauge");
    expect(sample(text, 'parley_connections{kind="text"}')).toBe(1);
    expect(sample(text, 'parley_connections{kind="websocket"}')).toBe(1);
    expect(sample(text, "parley_users_online")).toBe(2);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    expect(sample(text, "parley_uptime_seconds")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "parley_ready")).toBe(1);
    tcp.close();
    ws.ws.close();
    await ws.whenClosed();
    await tcp.whenClosed();
  });

  test("a WebSocket says hello, takes a nick and talks with a TCP client in the same room", async () => {
    const amy = await Client.join(parley.port, "amy");
    const web = await WsClient.join(port, "webby");
    await amy.waitFor("* webby joined");
    web.send({ type: "say", text: "hello from the browser <b>bold</b>", id: 1 });
    const ack = await web.next("said", (f) => f.id === 1);
    expect(ack.text).toBe("hello from the browser <b>bold</b>");
    expect(await amy.waitFor("webby:")).toBe("webby: hello from the browser <b>bold</b>");
    amy.send("hi webby, from telnet");
    const heard = await web.next("said", (f) => f.from === "amy");
    expect(heard.text).toBe("hi webby, from telnet");
    // commands typed as in telnet go as line frames
    web.send({ type: "line", text: "/msg amy psst", id: "m" });
    expect(await amy.waitFor("[private]")).toBe("[private] webby: psst");
    amy.send("/quit");
    await web.next("left", (f) => f.nick === "amy");
    web.ws.close();
    await web.whenClosed();
  });

  test("each frame is its own message, even when several go out in one turn", async () => {
    const web = await WsClient.join(port, "burst");
    for (let i = 0; i < 5; i++) web.send({ type: "ping", id: i });
    for (let i = 0; i < 5; i++) expect((await web.next("pong")).id).toBe(i);
    web.ws.close();
    await web.whenClosed();
  });

  test("a message over --max-line gets too_long, and the connection goes on", async () => {
    const web = await WsClient.join(port, "longish");
    web.send({ type: "say", text: "y".repeat(5000), id: "big" });
    expect((await web.next("error")).code).toBe("too_long");
    web.send({ type: "ping", id: "after" });
    expect((await web.next("pong")).id).toBe("after");
    web.ws.close();
    await web.whenClosed();
  });

  test("a first message that is not a hello frame is refused", async () => {
    const c = await WsClient.open(port);
    c.ws.send("amy");
    const error = await c.next("error");
    expect(error.code).toBe("bad_frame");
    expect((await c.whenClosed()).code).toBe(1002);
  });

  test("a WebSocket from another site's page is refused", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/ws`, { headers: { upgrade: "websocket", connection: "upgrade", origin: "http://evil.example", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" } });
    expect(res.status).toBe(403);
  });
});

describe("limits and shutdown", () => {
  test("--max-connections counts WebSockets with TCP connections", async () => {
    const parley = await startChat(["--http", "0", "--max-connections", "2"]);
    const port = await httpPort(parley);
    const tcp = await Client.join(parley.port, "one");
    const web = await WsClient.join(port, "two");
    const refused = await fetch(`http://127.0.0.1:${port}/ws`, { headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" } });
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain("server full (2 users)");
    tcp.close();
    await parley.waitForLog(/closed 127.0.0.1:\d+ \(one\)/);
    const three = await WsClient.join(port, "three");
    three.ws.close();
    web.ws.close();
    await parley.stop();
  });

  test("a WebSocket that stops reading is cut at --max-outbox; the room goes on", async () => {
    const parley = await startChat(["--http", "0", "--max-outbox", "64k", "--max-line", "8k"]);
    const port = await httpPort(parley);
    // A raw socket does the upgrade and then never reads.
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    let upgraded = false;
    const sock = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(s) {
          if (!upgraded) {
            upgraded = true;
            s.write(maskedText(JSON.stringify({ type: "hello", client: "slow", version: 1 })));
            s.write(maskedText(JSON.stringify({ type: "nick", nick: "slow" })));
            s.pause(); // never read again
          }
        },
      },
    });
    sock.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    for (let i = 0; i < 100; i++) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      if (sample(metrics, "parley_users_online") === 1) break;
      await Bun.sleep(20);
    }
    const amy = await Client.join(parley.port, "amy");
    expect(amy.lines.join("\n")).toContain("Online (2): slow, amy");
    // Past the kernel's socket buffers on both sides, then --max-outbox.
    const line = "x".repeat(7000);
    for (let i = 0; i < 3000 && !amy.lines.some((l) => l.includes("* slow left")); i++) {
      amy.send(line);
      if (i % 20 === 19) await amy.sync();
    }
    expect(amy.lines.find((l) => l.startsWith("* slow left"))).toBe("* slow left (not reading: too much waiting)");
    expect(await parley.waitForLog(/slow disconnected: not reading/)).toContain("websocket");
    sock.terminate();
    amy.send("still here");
    await amy.sync();
    await parley.stop();
  }, 30_000);

  test("--nick-timeout closes a WebSocket that never says hello, with a JSON error", async () => {
    const parley = await startChat(["--http", "0", "--nick-timeout", "1"]);
    const port = await httpPort(parley);
    const silent = await WsClient.open(port);
    const error = await silent.next("error");
    expect(error.code).toBe("nick_timeout");
    expect((await silent.whenClosed()).code).toBe(1000);
    const named = await WsClient.open(port);
    named.send({ type: "hello", client: "web-test", version: 1 });
    await named.next("welcome");
    expect((await named.next("error")).code).toBe("nick_timeout");
    await named.whenClosed();
    await parley.stop();
  });

  test("at shutdown a WebSocket user is told, then closed; /readyz said 200 before", async () => {
    const parley = await startChat(["--http", "0"]);
    const port = await httpPort(parley);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const web = await WsClient.join(port, "leaver");
    const stopped = parley.stop();
    const bye = await web.next("system", (f) => String(f.text).includes("shutting down"));
    expect(bye.text).toBe("* The server is shutting down. Bye!");
    expect((await web.whenClosed()).code).toBe(1000);
    expect(await stopped).toBe(0);
  });
});

/** One masked text frame, as a client must send it (RFC 6455). */
function maskedText(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  if (payload.length > 125) throw new Error("keep test frames short");
  const mask = Uint8Array.of(1, 2, 3, 4);
  const out = new Uint8Array(2 + 4 + payload.length);
  out[0] = 0x81;
  out[1] = 0x80 | payload.length;
  out.set(mask, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i]! ^ mask[i % 4]!;
  return out;
}
