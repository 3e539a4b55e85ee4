// The chat page in a real browser: Debian's chromium (apt-get install
// chromium), driven by playwright-core, against dist/parley --http. A person
// joins with the keyboard alone, talks with a telnet-style TCP client, sees
// the server's text as text (a `<b>` stays literal), a mention and a
// private message highlighted, the unread count in the tab title, and the
// page rejoins with the same nick after the server restarts. Screenshots go
// to /tmp/parley-web*.png.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { BrowserContext, Page } from "playwright-core";
import { openBrowser, type Browser } from "../helpers/browser.ts";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";


/** Page code that makes the tab read as hidden (or shown again), as switching tabs does. */
const hidden = (yes: boolean) => `Object.defineProperty(document, "hidden", { configurable: true, get: () => ${yes} }); document.dispatchEvent(new Event("visibilitychange"));`;

/** A free loopback port, so a restarted server can listen on the same one. */
async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

describe("the chat page in chromium", () => {
  let parley: Parley;
  let httpPort: number;
  let chromium: Browser;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    httpPort = await freePort();
    parley = await startChat(["--http", String(httpPort), "--http-host", "127.0.0.1"]);
    await parley.waitForLog(/parley web listening on/);
    chromium = await openBrowser();
    browser = chromium.context;
    page = chromium.page;
  });

  afterAll(async () => {
    await chromium?.close();
    await parley?.stop();
  });

  const logText = () => page.locator("#log").innerText();
  const logHas = (text: string) => page.locator("#log li", { hasText: text }).first().waitFor({ timeout: 10_000 });

  test("joins with the keyboard, talks with a TCP client, shows the server's text as text", async () => {
    const amy = await Client.join(parley.port, "amy");
    await page.goto(`http://127.0.0.1:${httpPort}/`);
    await page.locator("#status", { hasText: "connected" }).waitFor();
    // The nickname box has the focus; Enter joins.
    expect(await page.evaluate("document.activeElement?.id")).toBe("nick");
    await page.keyboard.type("browsy");
    await page.keyboard.press("Enter");
    await logHas("* Hi browsy!");
    expect(await page.locator("#join-view").isVisible()).toBe(false);
    await amy.waitFor("* browsy joined");
    // The message box has the focus now.
    expect(await page.evaluate("document.activeElement?.id")).toBe("input");
    await page.keyboard.type("hello from chromium");
    await page.keyboard.press("Enter");
    expect(await amy.waitFor("browsy:")).toBe("browsy: hello from chromium");

    amy.send("hi browsy, <b>not bold</b> & <script>alert(1)</script>");
    await logHas("amy: hi browsy");
    const line = page.locator("#log li", { hasText: "amy: hi browsy" }).first();
    expect(await line.innerText()).toMatch(/^\d\d:\d\d amy: hi browsy, <b>not bold<\/b> & <script>alert\(1\)<\/script>$/);
    expect(await page.locator("#log b, #log script").count()).toBe(0);
    // it names us: highlighted
    expect(await line.getAttribute("class")).toContain("mention");
    // the log is an ARIA live region
    expect(await page.locator("#log").getAttribute("role")).toBe("log");
    expect(await page.locator("#log").getAttribute("aria-live")).toBe("polite");

    // the user list, and a private message both ways
    expect(await page.locator("#users").innerText()).toContain("amy");
    amy.send("/msg browsy psst");
    await logHas("[private] amy: psst");
    await page.locator("#input").fill("/msg amy back at you");
    await page.keyboard.press("Enter");
    expect(await amy.waitFor("[private] browsy:")).toBe("[private] browsy: back at you");
    await logHas("[private] you -> amy: back at you");
    // a command typed as in telnet
    await page.locator("#input").fill("/list");
    await page.keyboard.press("Enter");
    await logHas("* 2 online:");

    await page.screenshot({ path: "/tmp/parley-web.png" });
    await page.setViewportSize({ width: 390, height: 700 });
    await page.screenshot({ path: "/tmp/parley-web-phone.png" });
    await page.setViewportSize({ width: 1000, height: 640 });
    amy.close();
  });

  test("lines that come while the tab is hidden are counted in its title", async () => {
    await page.evaluate(hidden(true));
    const bob = await Client.join(parley.port, "bob");
    bob.send("one");
    bob.send("two");
    await logHas("bob: two");
    expect(await page.title()).toBe("(2) parley");
    await page.evaluate(hidden(false));
    expect(await page.title()).toBe("parley");
    bob.close();
  });

  test("behind a server password: the page asks for it, says when it is wrong, then joins", async () => {
    const locked = await startChat(["--http", "0", "--http-host", "127.0.0.1", "--password", "sesame"]);
    const message = await locked.waitForLog(/parley web listening on/);
    const port = Number(/listening on [^ ]*:(\d+);/.exec(message)?.[1]);
    const other = await browser.newPage();
    try {
      await other.goto(`http://127.0.0.1:${port}/`);
      await other.locator("#password").waitFor({ state: "visible" });
      await other.locator("#password").fill("wrong");
      await other.locator("#nick").fill("locksmith");
      await other.keyboard.press("Enter");
      await other.locator("#join-error", { hasText: "wrong password" }).waitFor({ timeout: 15_000 });
      expect(await other.evaluate("document.activeElement?.id")).toBe("password");
      await other.keyboard.type("sesame");
      await other.keyboard.press("Enter");
      await other.locator("#log li", { hasText: "* Hi locksmith!" }).waitFor({ timeout: 15_000 });
    } finally {
      await other.close();
      await locked.stop();
    }
  }, 30_000);

  test("put out by the server (the idle timeout), the page does not rejoin by itself", async () => {
    const strict = await startChat(["--http", "0", "--http-host", "127.0.0.1", "--idle-timeout", "1"]);
    const message = await strict.waitForLog(/parley web listening on/);
    const port = Number(/listening on [^ ]*:(\d+);/.exec(message)?.[1]);
    const other = await browser.newPage();
    try {
      await other.goto(`http://127.0.0.1:${port}/`);
      await other.locator("#status", { hasText: "connected" }).waitFor();
      await other.locator("#nick").fill("sleepy");
      await other.keyboard.press("Enter");
      await other.locator("#join-error", { hasText: "You have been idle" }).waitFor({ timeout: 15_000 });
      expect(await other.locator("#join-view").isVisible()).toBe(true);
      await Bun.sleep(2500); // past the first reconnect: none comes
      expect(strict.log.lines.filter((l) => l.includes("websocket from")).length).toBe(1);
    } finally {
      await other.close();
      await strict.stop();
    }
  }, 30_000);

  test("after the server restarts, the page rejoins with the same nick", async () => {
    expect(await parley.stop()).toBe(0);
    await logHas("The server is shutting down");
    parley = await startChat(["--http", String(httpPort), "--http-host", "127.0.0.1"]);
    await page.locator("#status", { hasText: "joined as browsy" }).waitFor({ timeout: 20_000 });
    const cat = await Client.join(parley.port, "cat");
    expect(cat.lines.join("\n")).toMatch(/Online \(2\): browsy, cat/);
    cat.send("welcome back");
    await logHas("cat: welcome back");
    expect(await logText()).toContain("reconnecting as browsy");
    cat.close();
  }, 30_000);
});
