// HTTPS and WSS: with --tls-cert/--tls-key the web listener speaks TLS,
// against dist/parley with a certificate the test makes (openssl). Fetch
// checks the certificate against itself as the CA; a WSS client joins;
// Debian's chromium (told to accept the test's certificate) loads the page
// over https and chats over wss with it.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBrowser, type Browser } from "../helpers/browser.ts";
import { startChat, type Parley } from "../helpers/parley.ts";
import { closeAllWebSockets, httpPort, WsClient } from "../helpers/ws-client.ts";


const dir = mkdtempSync(join(tmpdir(), "parley-https-"));
const cert = join(dir, "cert.pem");
const key = join(dir, "key.pem");
let ca = "";
let parley: Parley;
let port: number;

beforeAll(async () => {
  const made = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
  if (made.exitCode !== 0) throw new Error(`openssl: ${made.stderr}`);
  ca = readFileSync(cert, "utf8");
  parley = await startChat(["--tls-cert", cert, "--tls-key", key, "--http", "0", "--http-host", "127.0.0.1"]);
  port = await httpPort(parley);
});
afterAll(async () => {
  closeAllWebSockets();
  await parley?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the web listener over TLS", () => {
  test("serves HTTPS with the given certificate, and says so at start", async () => {
    expect(await parley.waitForLog(/parley web listening on/)).toContain(`(HTTPS); open https://127.0.0.1:${port}/`);
    const health = await fetch(`https://127.0.0.1:${port}/healthz`, { tls: { ca } });
    expect(health.status).toBe(200);
    const page = await fetch(`https://localhost:${port}/`, { tls: { ca } });
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'");
    // Plain HTTP on the TLS port gets no page.
    const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => "refused");
    expect(plain).not.toBe(200);
  });

  test("a WSS client joins and talks", async () => {
    const amy = await WsClient.join(port, "amy", { scheme: "wss" });
    const bob = await WsClient.join(port, "bob", { scheme: "wss" });
    await amy.next("joined", (f) => f.nick === "bob");
    bob.send({ type: "say", text: "over wss 🔒" });
    expect((await amy.next("said", (f) => f.from === "bob")).text).toBe("over wss 🔒");
    amy.ws.close();
    bob.ws.close();
    await Promise.all([amy.whenClosed(), bob.whenClosed()]);
  });
});

describe("the page over https in chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await openBrowser({ ignoreHTTPSErrors: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  test("joins over wss and chats with a WebSocket program", async () => {
    const { page } = browser;
    const watcher = await WsClient.join(port, "watcher", { scheme: "wss" });
    await page.goto(`https://127.0.0.1:${port}/`);
    await page.locator("#status", { hasText: "connected" }).waitFor();
    expect(await page.evaluate("location.protocol")).toBe("https:");
    await page.keyboard.type("secure");
    await page.keyboard.press("Enter");
    await page.locator("#log li", { hasText: "* Hi secure!" }).first().waitFor({ timeout: 10_000 });
    await watcher.next("joined", (f) => f.nick === "secure");
    await page.keyboard.type("hello over https");
    await page.keyboard.press("Enter");
    expect((await watcher.next("said", (f) => f.from === "secure")).text).toBe("hello over https");
    watcher.send({ type: "say", text: "hi secure, from wss" });
    await page.locator("#log li", { hasText: "watcher: hi secure, from wss" }).first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: "/tmp/parley-web-https.png" });
    watcher.ws.close();
    await watcher.whenClosed();
  });
});
