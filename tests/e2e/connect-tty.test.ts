// `parley connect` at a terminal, driven through a pseudo-terminal by
// `script` as a person at a keyboard would use it: the prompt stays on the
// bottom line, a line arriving while someone types is printed above it and
// the partial input is drawn again with the cursor where it was.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { PARLEY, startChat, type Parley } from "../helpers/parley.ts";

let parley: Parley;
beforeAll(async () => {
  parley = await startChat();
});
afterAll(() => parley.stop());

const started = new Set<Bun.Subprocess>();
afterAll(() => {
  for (const proc of started) proc.kill("SIGKILL");
});

const LEFT = "\x1b[D";
const UP = "\x1b[A";
const CLEAR = "\r\x1b[2K";
const TIME = "\\d\\d:\\d\\d ";
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** What the terminal shows, as one growing string, read from a position on. */
class Terminal {
  output = "";
  private at = 0;
  private waiters: (() => void)[] = [];
  private ended = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        // The pty turns our CR LF into CR CR LF (ONLCR); a terminal shows both the same.
        this.output = (this.output + decoder.decode(chunk, { stream: true })).replaceAll("\r\r\n", "\r\n");
        for (const wake of this.waiters.splice(0)) wake();
      }
      this.ended = true;
      for (const wake of this.waiters.splice(0)) wake();
    })();
  }

  /** Waits for `pattern` after what was already matched; what comes after it is read next. */
  async waitFor(pattern: RegExp | string): Promise<string> {
    const regex = typeof pattern === "string" ? new RegExp(escape(pattern)) : pattern;
    for (;;) {
      const match = regex.exec(this.output.slice(this.at));
      if (match) {
        this.at += match.index + match[0].length;
        return match[0];
      }
      if (this.ended) throw new Error(`the terminal closed without ${regex}; it showed:\n${JSON.stringify(this.output.slice(this.at - 300))}`);
      // Bounded: a test that waits in vain says what the terminal showed.
      const timer = setTimeout(() => this.waiters.forEach((w) => w()), 5000);
      const before = this.output.length;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      clearTimeout(timer);
      if (this.output.length === before && !this.ended) {
        throw new Error(`the terminal did not show ${regex} within 5 s; it showed:\n${JSON.stringify(this.output.slice(this.at - 300))}`);
      }
    }
  }
}

/** `parley connect ARGS` in a pseudo-terminal; `keys` types raw bytes at it. */
function openTerminal(args: string) {
  const command = `${PARLEY} connect 127.0.0.1:${parley.port} ${args}`;
  const proc = Bun.spawn(["script", "-qfec", command, "/dev/null"], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, LANG: "C.UTF-8", TERM: "xterm-256color", NO_COLOR: "1" },
  });
  started.add(proc);
  const screen = new Terminal(proc.stdout);
  const keys = (bytes: string) => {
    proc.stdin.write(bytes);
    void proc.stdin.flush();
  };
  return { proc, screen, keys };
}

describe("typing while others talk", () => {
  test("an incoming line appears above the prompt and the half-typed line stays as it was", async () => {
    const watcher = await Client.join(parley.port, "watcher");
    const { proc, screen, keys } = openTerminal("--nick amy");
    await screen.waitFor(new RegExp(`${TIME}\\* Hi amy! Online \\(2\\): watcher, amy`));
    await screen.waitFor("amy> ");
    expect(await watcher.waitFor("joined")).toBe("* amy joined (2 online)");

    keys("hel");
    // The prompt names the room: "#lobby amy> ".
    await screen.waitFor(`${CLEAR}#lobby amy> hel\r\x1b[15C`);
    watcher.send("hi amy, 你好");
    // Clear the prompt line, print the line, draw the prompt again with the
    // partial input, and put the cursor after "hel" (column 15).
    await screen.waitFor(new RegExp(`${escape(CLEAR)}${TIME}watcher: hi amy, 你好\r\n${escape("#lobby amy> hel\r\x1b[15C")}`));

    keys("lo 世界 👋\r");
    expect(await watcher.waitFor("amy:")).toBe("amy: hello 世界 👋");
    // Our own line comes back from the server and is shown above a clean prompt.
    await screen.waitFor(new RegExp(`${TIME}amy: hello 世界 👋\r\n${escape("#lobby amy> \r\x1b[12C")}`));

    keys("\x04"); // Ctrl-D on an empty line
    expect(await watcher.waitFor("left")).toBe("* amy left (quit)");
    expect(await proc.exited).toBe(0);
    watcher.close();
  });

  test("the cursor keys edit the line; up brings back the last one; wide characters count two columns", async () => {
    const watcher = await Client.join(parley.port, "watcher2");
    const { proc, screen, keys } = openTerminal("--nick 丽");
    await screen.waitFor("丽> ");

    keys(`hllo${LEFT}${LEFT}${LEFT}e\r`);
    expect(await watcher.waitFor("丽:")).toBe("丽: hello");
    keys(UP);
    await screen.waitFor(`#lobby 丽> hello\r\x1b[16C`);
    keys("\x01你\r");
    expect(await watcher.waitFor("丽:")).toBe("丽: 你hello");

    keys("/me waves\r");
    expect(await watcher.waitFor("waves")).toBe("** 丽 waves");
    await screen.waitFor(new RegExp(`${TIME}\\*\\* 丽 waves\r\n`));

    keys("draft\x03"); // Ctrl-C clears a line being typed
    await screen.waitFor(`${CLEAR}#lobby 丽> \r\x1b[11C`);
    keys("\x03"); // and quits on an empty one
    expect(await watcher.waitFor("left")).toBe("* 丽 left (quit)");
    expect(await proc.exited).toBe(0);
    watcher.close();
  });
});

describe("choosing a nickname", () => {
  test("without --nick it is asked for; a taken one is refused and asked for again", async () => {
    const watcher = await Client.join(parley.port, "taken");
    const { proc, screen, keys } = openTerminal("");
    await screen.waitFor("nickname> ");
    keys("TAKEN\r");
    await screen.waitFor(new RegExp(`${TIME}! TAKEN is taken, pick another\r\n`));
    await screen.waitFor("nickname> ");
    keys("newbie\r");
    expect(await watcher.waitFor("joined")).toBe("* newbie joined (2 online)");
    await screen.waitFor("newbie> ");
    keys("/quit done\r");
    expect(await watcher.waitFor("left")).toBe("* newbie left (done)");
    expect(await proc.exited).toBe(0);
    watcher.close();
  });

  test("help shows the client's keys and the server's commands", async () => {
    const { proc, screen, keys } = openTerminal("--nick helper --no-time");
    await screen.waitFor("helper> ");
    keys("help\r");
    await screen.waitFor("* parley connect: type a line to talk to everyone, or:\r\n");
    await screen.waitFor("* Type a line to talk to everyone. Commands:\r\n");
    // The forms are the server's, from its help frame: the client keeps no copy.
    await screen.waitFor(/\*   c:NICK:TEXT \| \/msg NICK TEXT \| \/tell +send TEXT to NICK only\r\n/);
    await screen.waitFor("* help COMMAND explains one.\r\n");
    keys("\x04");
    expect(await proc.exited).toBe(0);
  });
});

describe("nothing from the server acts on the terminal", () => {
  test("escape sequences and control characters in others' lines are removed", async () => {
    const { proc, screen, keys } = openTerminal("--nick reader --no-time");
    await screen.waitFor("reader> ");
    const evil = await Client.join(parley.port, "evil");
    // What the server passes on is already clean; the client cleans again, so
    // check the whole path: no escape but our own drawing reaches the terminal.
    await evil.write("look \x1b]0;owned\x07\x1b[2Jhere\x1bc!\r\n");
    await screen.waitFor("evil: look here!\r\n");
    expect(screen.output).not.toContain("\x1b]");
    expect(screen.output).not.toContain("\x1b[2J");
    expect(screen.output).not.toContain("\x1bc");
    evil.close();
    keys("\x04");
    expect(await proc.exited).toBe(0);
  });
});
