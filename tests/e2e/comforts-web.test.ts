// The comforts on the chat page (--http) in Debian's chromium, driven by
// playwright-core: an away answer, /whois, the ignore list and away in the
// list read as they do in telnet, and a line is highlighted as a mention
// when the server says it is one (its `mention` flag, compared as nicks
// are: "ＰＡＧＥＹ" in fullwidth mentions pagey).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { openBrowser, type Browser } from "../helpers/browser.ts";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";
import { freePort } from "../helpers/redis.ts";

let parley: Parley;
let httpPort: number;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  httpPort = await freePort();
  parley = await startChat(["--http", String(httpPort), "--http-host", "127.0.0.1"]);
  await parley.waitForLog(/parley web listening on/);
  browser = await openBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await parley?.stop();
});

const line = (text: string | RegExp) => page.locator("#log li", { hasText: text }).first();
const shows = async (text: string | RegExp) => {
  await line(text).waitFor({ timeout: 10_000 });
  return line(text).innerText();
};
const type = async (text: string) => {
  await page.locator("#input").fill(text);
  await page.keyboard.press("Enter");
};

describe("the comforts on the chat page", () => {
  test("away, whois, ignore and mentions read as they do in telnet", async () => {
    const bob = await Client.join(parley.port, "bob");
    await page.goto(`http://127.0.0.1:${httpPort}/`);
    await page.locator("#status", { hasText: "connected" }).waitFor();
    await page.keyboard.type("pagey");
    await page.keyboard.press("Enter");
    await shows("* Hi pagey!");
    await bob.waitFor("* pagey joined");

    bob.send("/away gone fishing");
    await bob.waitFor("you are away");
    await type("/msg bob are you there?");
    expect(await shows("is away")).toMatch(/^\d\d:\d\d \* bob is away: gone fishing$/);
    await type("/list");
    expect(await shows("idle")).toMatch(/bob\s+idle \d+s\s+\(away: gone fishing\)/);
    await type("/whois bob");
    expect(await shows(/\*\s+away: gone/)).toMatch(/^\d\d:\d\d \*\s+away: gone fishing$/);
    expect(await shows("connected since")).toContain("connected since");
    // A telnet user sees how the browser user is connected.
    bob.send("/whois pagey");
    expect(await bob.waitFor("connected since")).toEndWith(", over a WebSocket (the web page or a program)");
    expect(await page.locator("#log").innerText()).not.toContain("127.0.0.1");

    bob.send("ＰＡＧＥＹ, look");
    expect(await line("look").getAttribute("class")).toContain("mention");
    bob.send("no one named");
    await shows("no one named");
    expect(await line("no one named").getAttribute("class")).not.toContain("mention");

    await type("/ignore bob");
    expect(await shows("you ignore")).toMatch(/\* you ignore \(1\): bob$/);
    bob.send("you will not see this");
    bob.send("/msg pagey nor this");
    await bob.waitFor("[private] you -> pagey");
    await type("/list");
    await page.locator("#log li", { hasText: "online:" }).nth(1).waitFor({ timeout: 10_000 });
    expect(await page.locator("#log").innerText()).not.toContain("not see this");
    expect(await page.locator("#log").innerText()).not.toContain("nor this");
    bob.close();
  });
});
