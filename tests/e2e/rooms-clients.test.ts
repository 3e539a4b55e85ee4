// Three real clients moving between two rooms, each in a terminal of its own
// (tmux panes, typed key by key): stock telnet, nc and parley connect. Each
// sees its rooms' lines only, a line from a room that is not its current one
// with the room in front, and parley connect's prompt names its room and
// Tab switches it. The screens are printed at the end: the transcript.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PARLEY, startChat, type Parley } from "../helpers/parley.ts";
import { Pane } from "../helpers/tmux.ts";

const NC = Bun.which("nc") ?? "ncat";
const HOME = mkdtempSync(join(tmpdir(), "parley-rooms-clients-"));

let parley: Parley;
beforeAll(async () => {
  parley = await startChat(["--history", "10"]);
});
afterAll(() => parley.stop());

/** A row of the screen that is exactly `row` (trailing spaces aside). */
const hasRow = (row: string) => (screen: string) => screen.split("\n").some((r) => r.trimEnd() === row);
/** How many rows of the screen are exactly `row`. */
const rows = (screen: string, row: string) => screen.split("\n").filter((r) => r.trimEnd() === row).length;

describe("telnet, nc and parley connect in two rooms", () => {
  test("each sees only its rooms' lines, another room's with its name in front; the connect prompt names the room and Tab switches", async () => {
    const tel = await Pane.start(["telnet", "127.0.0.1", String(parley.port)], { env: { HOME } });
    const ncu = await Pane.start([NC, "127.0.0.1", String(parley.port)], { env: { HOME } });
    const pc = await Pane.start([PARLEY, "connect", `127.0.0.1:${parley.port}`, "--nick", "pc", "--no-time"], { env: { HOME } });
    try {
      await tel.waitForScreen("Please choose a nickname:");
      await tel.typeLine("tel");
      await tel.waitForScreen("* Hi tel!");
      await ncu.waitForScreen("Please choose a nickname:");
      await ncu.typeLine("ncu");
      await ncu.waitForScreen("* Hi ncu!");
      await pc.waitForScreen("#lobby pc>");

      await tel.typeLine("/join #help");
      await tel.waitForScreen(hasRow("* you are in #help now, with 1 here: tel"));
      await ncu.typeLine("/join #help");
      await ncu.waitForScreen(hasRow("* you are in #help now, with 2 here: tel, ncu"));
      await tel.waitForScreen(hasRow("* ncu joined #help (2 here)"));

      await ncu.typeLine("how do rooms work?");
      await tel.waitForScreen(hasRow("ncu: how do rooms work?"));

      // pc, in #lobby only, says something: the two in #help hear it as a #lobby line.
      await pc.typeLine("lunch anyone?");
      await tel.waitForScreen(hasRow("[#lobby] pc: lunch anyone?"));
      await ncu.waitForScreen(hasRow("[#lobby] pc: lunch anyone?"));
      expect(await pc.screen()).not.toContain("how do rooms work?");

      // pc joins #help: the prompt moves, and #help's history is replayed.
      await pc.typeLine("/join #help");
      await pc.waitForScreen(hasRow("* you are in #help now, with 3 here: tel, ncu, pc"));
      await pc.waitForScreen(/\[\d\d:\d\d\] ncu: how do rooms work\?/);
      await pc.waitForScreen("#help pc>");

      await tel.typeLine("/switch #lobby");
      await tel.waitForScreen(hasRow("* now talking in #lobby: your lines go there"));
      await ncu.typeLine("tab works too");
      await tel.waitForScreen(hasRow("[#help] ncu: tab works too"));
      await pc.waitForScreen(hasRow("ncu: tab works too"));

      // Tab: pc talks in its next room, #lobby.
      await pc.press("Tab");
      await pc.waitForScreen("#lobby pc>");
      await pc.typeLine("back in the lobby");
      await tel.waitForScreen(hasRow("pc: back in the lobby"));
      await ncu.waitForScreen(hasRow("[#lobby] pc: back in the lobby"));

      await ncu.typeLine("/part #help");
      await tel.waitForScreen(hasRow("* ncu left #help (parted)"));
      await pc.waitForScreen(hasRow("* ncu left #help (parted)"));

      // The transcript shows pc's prompt as it is before it quits.
      const pcScreen = await pc.screen();
      // pc shares #lobby and #help with tel: its leave is told once.
      await pc.typeLine("quit");
      const telScreen = await tel.waitForScreen(hasRow("* pc left (quit)"));
      await ncu.waitForScreen(hasRow("* pc left (quit)"));
      await tel.typeLine("l");
      const final = await tel.waitForScreen(hasRow("* 2 online:"));
      expect(rows(final, "* pc left (quit)")).toBe(1);

      const ncScreen = await ncu.screen();
      const shown = (screen: string) => screen.split("\n").map((r) => r.trimEnd()).filter((r) => r !== "").join("\n");
      console.log(
        [
          "---- telnet (tel) ----",
          shown(telScreen),
          "---- nc (ncu) ----",
          shown(ncScreen),
          "---- parley connect (pc), before it quits ----",
          shown(pcScreen),
          "----",
        ].join("\n"),
      );
    } finally {
      for (const pane of [tel, ncu, pc]) pane.kill();
    }
  });
});
