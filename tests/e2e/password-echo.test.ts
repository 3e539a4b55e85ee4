// Passwords typed into a real telnet client are never on its screen: the
// server password (--password, asked with IAC WILL ECHO before anything
// about the room is told), a wrong one and then the right one, and the
// password /register asks for when typed alone. Stock telnet (no -8) and
// PuTTY's plink, each in a tmux pane; what the client wrote to its terminal
// is checked as well as every screen, so a secret shown and then overwritten
// is caught too. One dist/parley for the file.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChat, type Parley } from "../helpers/parley.ts";
import { Pane } from "../helpers/tmux.ts";

const SERVER_PASSWORD = "sesame";
const WRONG = "hunter2x";
const ACCOUNT_PASSWORD = "mypassword1";
const SECRETS = [SERVER_PASSWORD, WRONG, ACCOUNT_PASSWORD];
const MOTD = "secret motd";
/** What would tell someone without the password about the room. */
const ABOUT_THE_ROOM = ["people online", "person online", "no one else", MOTD];
const HOME = mkdtempSync(join(tmpdir(), "parley-clients-"));

const CLIENTS = [
  { name: "stock telnet (no -8)", nick: "tess", argv: (port: number) => ["telnet", "127.0.0.1", String(port)] },
  { name: "plink -telnet", nick: "pete", argv: (port: number) => ["plink", "-telnet", "-P", String(port), "127.0.0.1"] },
];

let parley: Parley;
beforeAll(async () => {
  parley = await startChat(["--password", SERVER_PASSWORD, "--motd", MOTD]);
});
afterAll(() => parley?.stop());

const count = (text: string, part: string) => text.split(part).length - 1;
const shown = (screen: string, parts: readonly string[]) => parts.filter((part) => screen.includes(part));

describe("passwords typed in a terminal are never shown", () => {
  for (const client of CLIENTS) {
    test(`${client.name}: a wrong server password, the right one, then /register`, async () => {
      const pane = await Pane.start(client.argv(parley.port), { env: { HOME } });
      const screens: string[] = [];
      const see = async (match: string | ((s: string) => boolean)) => {
        const screen = await pane.waitForScreen(match);
        screens.push(screen);
        return screen;
      };
      try {
        const asked = await see("Password:");
        expect(shown(asked, ABOUT_THE_ROOM)).toEqual([]);

        await pane.typeLine(WRONG);
        const again = await see((s) => count(s, "Password:") === 2);
        expect(again).toContain("! wrong password");
        expect(shown(again, ABOUT_THE_ROOM)).toEqual([]);
        expect(shown(pane.output, ABOUT_THE_ROOM)).toEqual([]);

        await pane.typeLine(SERVER_PASSWORD);
        const accepted = await see("Please choose a nickname:");
        // Now the room is described: the welcome line and the motd.
        expect(accepted).toContain("no one else is here yet");
        expect(accepted).toContain(MOTD);

        await pane.typeLine(client.nick);
        await see(`* Hi ${client.nick}!`);
        await pane.typeLine("/register");
        await see("password for /register");
        await pane.typeLine(ACCOUNT_PASSWORD);
        await see(`* ${client.nick} is registered to you`);
        expect(await parley.waitForLog(`${client.nick} registered`)).toBe(`${client.nick} registered`);

        screens.push(await pane.screen());
        for (const screen of screens) expect(shown(screen, SECRETS)).toEqual([]);
        expect(shown(pane.output, SECRETS)).toEqual([]);
      } catch (error) {
        console.log(`${client.name}: its screen:\n${await pane.screen()}`);
        throw error;
      } finally {
        pane.kill();
      }
    });
  }
});
