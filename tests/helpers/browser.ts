// Debian's chromium (`npm test` installs it: scripts/system-deps.ts), driven
// by playwright-core, in a profile of its own that goes when it closes. No
// browser is downloaded: executablePath is the system one.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export interface Browser {
  context: BrowserContext;
  /** the first tab */
  page: Page;
  close(): Promise<void>;
}

/** Starts chromium headless (1000 x 640); `ignoreHTTPSErrors` for a test's self-signed certificate. */
export async function openBrowser(options: { ignoreHTTPSErrors?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "parley-chromium-"));
  // A WebSocket (wss://) to a self-signed certificate needs chromium's own flag too.
  const args = options.ignoreHTTPSErrors ? [...ARGS, "--ignore-certificate-errors"] : ARGS;
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args, viewport: { width: 1000, height: 640 }, ...options });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
