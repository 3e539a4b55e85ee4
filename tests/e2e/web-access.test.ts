// Who may use the web listener, against dist/parley: --metrics-token (a
// bearer token, from the flag or PARLEY_METRICS_TOKEN, never logged),
// /metrics for loopback clients only without one, --trust-proxy (the
// client's address from X-Forwarded-For, for --max-per-ip and the logs;
// ignored without the flag), --http-origin (other sites' pages allowed on
// /ws), and the one-line errors of bad flags.

import { afterAll, describe, expect, test } from "bun:test";
import { runToEnd, startChat } from "../helpers/parley.ts";
import { closeAllWebSockets, httpPort, WsClient } from "../helpers/ws-client.ts";

afterAll(closeAllWebSockets);

const TOKEN = "s3cret-scrape-token-0123456789";
const UPGRADE = { upgrade: "websocket", connection: "upgrade", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" };

describe("--metrics-token", () => {
  test("/metrics asks for the bearer token, and the token never reaches the log", async () => {
    const parley = await startChat(["--http", "0", "--metrics-token", TOKEN]);
    const url = `http://127.0.0.1:${await httpPort(parley)}/metrics`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toStartWith("Bearer");
    const body = await none.text();
    expect(body.trimEnd().split("\n")).toHaveLength(1);
    expect(body).not.toContain(TOKEN);
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: TOKEN } })).status).toBe(401);
    const right = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("# TYPE parley_lines_received_total counter");
    await parley.stop();
    expect(parley.log.lines.join("\n")).not.toContain(TOKEN);
  });

  test("PARLEY_METRICS_TOKEN sets it too, out of ps", async () => {
    const parley = await startChat(["--http", "0"], { env: { PARLEY_METRICS_TOKEN: TOKEN } });
    const url = `http://127.0.0.1:${await httpPort(parley)}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    await parley.stop();
  });
});

describe("without a token /metrics answers loopback only; --trust-proxy", () => {
  test("a client a proxy names as remote is refused with one line; without --trust-proxy the header is ignored", async () => {
    const remote = { "x-forwarded-for": "203.0.113.50" };
    const trusting = await startChat(["--http", "0", "--trust-proxy"]);
    const url = `http://127.0.0.1:${await httpPort(trusting)}/metrics`;
    expect((await fetch(url)).status).toBe(200);
    const refused = await fetch(url, { headers: remote });
    expect(refused.status).toBe(403);
    const line = await refused.text();
    expect(line).toBe("/metrics answers only loopback clients on this server (start it with --metrics-token to scrape from elsewhere)\n");
    // The address the proxy added is the last one; what the client wrote before it is not believed.
    expect((await fetch(url, { headers: { "x-forwarded-for": "127.0.0.1, 203.0.113.50" } })).status).toBe(403);
    expect((await fetch(url, { headers: { "x-forwarded-for": "203.0.113.50, 127.0.0.1" } })).status).toBe(200);
    await trusting.stop();

    const plain = await startChat(["--http", "0"]);
    const plainUrl = `http://127.0.0.1:${await httpPort(plain)}/metrics`;
    expect((await fetch(plainUrl, { headers: remote })).status).toBe(200);
    await plain.stop();
  });

  test("--max-per-ip and the log see the forwarded address of WebSocket users", async () => {
    const parley = await startChat(["--http", "0", "--trust-proxy", "--max-per-ip", "1"]);
    const port = await httpPort(parley);
    const first = await WsClient.join(port, "proxied", { headers: { "x-forwarded-for": "198.51.100.7" } });
    await parley.waitForLog(/websocket from 198\.51\.100\.7/);
    const second = await fetch(`http://127.0.0.1:${port}/ws`, { headers: { ...UPGRADE, "x-forwarded-for": "198.51.100.7" } });
    expect(second.status).toBe(429);
    expect(await second.text()).toContain("too many connections from your address (1)");
    // Another address behind the same proxy is let in.
    const other = await WsClient.join(port, "other", { headers: { "x-forwarded-for": "198.51.100.8" } });
    first.ws.close();
    other.ws.close();
    await Promise.all([first.whenClosed(), other.whenClosed()]);
    await parley.stop();
  });
});

describe("--http-origin", () => {
  test("a page on an allowed site may open /ws; others are refused; the page's own origin always may", async () => {
    const parley = await startChat(["--http", "0", "--http-origin", "https://chat.example.org, http://lab.example:8080", "--http-origin", "https://third.example"]);
    const port = await httpPort(parley);
    for (const origin of ["https://chat.example.org", "http://lab.example:8080", "https://third.example", `http://127.0.0.1:${port}`]) {
      const ws = await WsClient.join(port, `u${Math.random().toString(36).slice(2, 8)}`, { headers: { origin } });
      ws.ws.close();
      await ws.whenClosed();
    }
    for (const origin of ["https://evil.example", "http://chat.example.org", "https://chat.example.org:444", "null"]) {
      const res = await fetch(`http://127.0.0.1:${port}/ws`, { headers: { ...UPGRADE, origin } });
      expect(res.status, origin).toBe(403);
    }
    await parley.stop();
  });
});

describe("bad web flags are one line and a non-zero exit", () => {
  for (const [args, message, env] of [
    [["--http-origin", "https://a.example"], "--http-origin needs --http PORT"],
    [["--trust-proxy"], "--trust-proxy needs --http PORT"],
    [["--metrics-token", TOKEN], "--metrics-token needs --http PORT"],
    [["--http", "0", "--http-origin", "ftp://files.example"], 'is not an origin like https://chat.example.org'],
    [["--http", "0", "--http-origin", "https://a.example/path"], "scheme, host and port only"],
    [["--http", "0", "--metrics-token", "short"], "--metrics-token must be at least 16 printable characters"],
    // The message names where the token came from, never the token.
    [["--http", "0"], "PARLEY_METRICS_TOKEN must be at least 16", { PARLEY_METRICS_TOKEN: "has a space in it, sadly" }],
  ] as [string[], string, Record<string, string>?][]) {
    test(args.join(" ") + (env ? " with PARLEY_METRICS_TOKEN" : ""), async () => {
      const { code, stderr } = await runToEnd(["chat", "--port", "0", ...args], { env });
      expect(code).not.toBe(0);
      expect(stderr).toContain(message);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).not.toContain("    at ");
      expect(stderr).not.toContain("sadly");
    });
  }
});
