// The bell, timestamps and mention highlight as a person sees them: stock
// telnet in a real terminal (a tmux pane) rings on a mention after /bell on
// and shows [HH:MM] after /timestamps on; parley connect shows a line that
// says its nick highlighted. What each client wrote to its terminal is
// checked byte for byte (Pane.output), not only the screen.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { PARLEY, startChat, type Parley } from "../helpers/parley.ts";
import { Pane } from "../helpers/tmux.ts";

const HOME = mkdtempSync(join(tmpdir(), "parley-comforts-"));
const BEL = "\x07";
const count = (text: string, part: string) => text.split(part).length - 1;

let parley: Parley;
beforeAll(async () => {
  parley = await startChat();
});
afterAll(() => parley?.stop());

describe("a telnet user", () => {
  test("hears the bell only on a line that says their nick, and only after /bell on", async () => {
    const bob = await Client.join(parley.port, "bob");
    const pane = await Pane.start(["telnet", "127.0.0.1", String(parley.port)], { env: { HOME } });
    try {
      await pane.waitForScreen("Please choose a nickname:");
      await pane.typeLine("tina");
      await bob.waitFor("* tina joined");
      bob.send("tina: before the bell");
      await pane.waitForScreen("bob: tina: before the bell");
      expect(count(pane.output, BEL)).toBe(0);

      await pane.typeLine("/bell on");
      await pane.waitForScreen("* bell on");
      bob.send("hello TINA");
      await pane.waitForScreen("bob: hello TINA");
      expect(count(pane.output, BEL)).toBe(1);
      // The bell rings as the line ends: telnet wrote it right after the text.
      expect(pane.output).toContain(`bob: hello TINA${BEL}`);

      bob.send("tinashe is someone else");
      bob.send(`a typed bell ${BEL} and an escape \x1b]0;tina${BEL}`);
      bob.send("/msg tina privately, tina");
      await pane.waitForScreen("[private] bob: privately, tina");
      expect(count(pane.output, BEL)).toBe(1);

      await pane.typeLine("/bell off");
      await pane.waitForScreen("* bell off");
      bob.send("tina, still there?");
      await pane.waitForScreen("bob: tina, still there?");
      expect(count(pane.output, BEL)).toBe(1);
    } finally {
      pane.kill();
      bob.close();
    }
  });

  test("/timestamps on puts [HH:MM], the server's local time, in front of live lines", async () => {
    const bob = await Client.join(parley.port, "bill");
    const pane = await Pane.start(["telnet", "127.0.0.1", String(parley.port)], { env: { HOME } });
    try {
      await pane.waitForScreen("Please choose a nickname:");
      await pane.typeLine("tom");
      await bob.waitFor("* tom joined");
      await pane.typeLine("/timestamps on");
      await pane.waitForScreen("* timestamps on");
      bob.send("what time is it?");
      const screen = await pane.waitForScreen("what time is it?");
      const row = screen.split("\n").find((r) => r.includes("what time is it?"))!;
      expect(row).toMatch(/^\[\d\d:\d\d\] bill: what time is it\?$/);
      const now = new Date();
      const before = new Date(now.getTime() - 60_000);
      const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
      expect([hhmm(now), hhmm(before)]).toContain(row.slice(1, 6));
      // A forged stamp stays behind the real one and the sender's nick.
      bob.send("[00:00] tom: I said this");
      const forged = await pane.waitForScreen("I said this");
      expect(forged.split("\n").find((r) => r.includes("I said this"))).toMatch(/^\[\d\d:\d\d\] bill: \[00:00\] tom: I said this$/);
    } finally {
      pane.kill();
      bob.close();
    }
  });
});

describe("parley connect", () => {
  test("shows a line that says its nick highlighted; nothing a sender types can fake the highlight", async () => {
    const bob = await Client.join(parley.port, "ben");
    const pane = await Pane.start([PARLEY, "connect", `127.0.0.1:${parley.port}`, "--nick", "pia", "--no-time"], { env: { HOME, NO_COLOR: "" } });
    try {
      await bob.waitFor("* pia joined");
      await pane.waitForScreen("* Hi pia!");
      bob.send("pia, look at this");
      bob.send("no one in particular");
      bob.send("\x1b[1;33mfake highlight\x1b[0m");
      await pane.waitForScreen("fake highlight");
      const HIGHLIGHT = "\x1b[1;33m";
      expect(pane.output).toContain(`${HIGHLIGHT}: pia, look at this\x1b[0m`);
      expect(count(pane.output, HIGHLIGHT)).toBe(1);
      const screen = await pane.screen();
      expect(screen).toContain("ben: pia, look at this");
      expect(screen).toContain("ben: fake highlight");
      // parley connect rings no bell of its own.
      expect(count(pane.output, BEL)).toBe(0);
    } finally {
      pane.kill();
      bob.close();
    }
  });
});
