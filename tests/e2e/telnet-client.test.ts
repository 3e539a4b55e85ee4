// A real telnet client (netkit, Debian package `telnet`) driven through a
// pseudo-terminal by `script`, as a person at a keyboard would use it. What
// the other users receive must be clean text.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { LineReader, startChat, type Parley } from "../helpers/parley.ts";

let parley: Parley;
beforeAll(async () => {
  parley = await startChat();
});
afterAll(() => parley.stop());

describe("a telnet user", () => {
  test("joins, chats in Chinese and emoji, sees others, and quits; the others get clean text", async () => {
    const watcher = await Client.join(parley.port, "watcher");
    // -8 / -L: an 8-bit clean path both ways, as a UTF-8 terminal user sets up.
    const telnet = Bun.spawn(["script", "-qfec", `telnet -8 -L 127.0.0.1 ${parley.port}`, "/dev/null"], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, LANG: "C.UTF-8", TERM: "dumb" },
    });
    const screen = new LineReader(telnet.stdout);
    const type = (text: string) => {
      telnet.stdin.write(text + "\r");
      telnet.stdin.flush();
    };

    await screen.waitFor("choose a nickname");
    type("终端用户");
    expect(await watcher.waitFor("joined")).toBe("* 终端用户 joined (2 online)");
    await screen.waitFor("* Hi 终端用户!");

    type("hello 你好 👋 from telnet");
    expect(await watcher.waitFor("终端用户:")).toBe("终端用户: hello 你好 👋 from telnet");

    watcher.send("welcome, 终端用户");
    await screen.waitFor("watcher: welcome, 终端用户");

    type("quit");
    await screen.waitFor("bye, 终端用户");
    expect(await watcher.waitFor("left")).toBe("* 终端用户 left (quit)");
    expect(await telnet.exited).toBeDefined();

    const bytes = Buffer.concat(watcher.received);
    for (const b of [0xff, 0x1b, 0x00]) expect(bytes.includes(b)).toBe(false);
    watcher.close();
  });
});
