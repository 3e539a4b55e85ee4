// Every real client a person chats with, in a real terminal (a tmux pane),
// typing the corpus (tests/helpers/corpus.ts) key by key: stock telnet
// (no -8: parley asks for BINARY so it needs none), telnet -8, PuTTY's plink
// in telnet and raw mode, nc, socat and parley connect. A raw observer must
// receive exactly "nick: <line>" for each line, byte for byte, with no
// telnet command byte, no escape and no U+FFFD; the typing client's own
// screen must show what the observer sent, each on a line of its own, with
// none of the option bytes a raw client receives at connect left showing;
// and when the observer sends the corpus back, the client must write every
// line of it to its terminal byte for byte.
// One dist/parley for the whole file; the clients take turns.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sanitize } from "../../core/wire/sanitize.ts";
import { BLOCKS, CORPUS, SCREEN_LINES, STRAY } from "../helpers/corpus.ts";
import { Client } from "../helpers/client.ts";
import { PARLEY, startChat, type Parley } from "../helpers/parley.ts";
import { Pane, rowsAsShown } from "../helpers/tmux.ts";

const NC = Bun.which("nc") ?? "ncat";
// The clients' own files (plink's ~/.putty, parley connect's) stay out of the real home.
const HOME = mkdtempSync(join(tmpdir(), "parley-clients-"));
const LINE_MS = 5000;

interface Spec {
  name: string;
  nick: string;
  argv: (port: number) => string[];
  /** the client joins with its nick itself (parley connect --nick) */
  joinsItself?: boolean;
  /**
   * A telnet client in BINARY: it echoes Enter without a CR (its terminal's
   * output processing is off), and parley's CR after each line puts the
   * cursor back. That CR comes a round trip after Enter; a person types the
   * next line later than that, and so does the test (typed sooner, the
   * first keys' echo is overwritten on the typist's own screen, while the
   * line itself goes through whole).
   */
  crAfterLine?: boolean;
}

const CLIENTS: Spec[] = [
  { name: "stock telnet (no -8)", nick: "stock", crAfterLine: true, argv: (port) => ["telnet", "127.0.0.1", String(port)] },
  { name: "telnet -8", nick: "eight", crAfterLine: true, argv: (port) => ["telnet", "-8", "127.0.0.1", String(port)] },
  { name: "plink -telnet", nick: "plinkt", crAfterLine: true, argv: (port) => ["plink", "-telnet", "-P", String(port), "127.0.0.1"] },
  { name: "plink -raw", nick: "plinkr", argv: (port) => ["plink", "-raw", "-P", String(port), "127.0.0.1"] },
  { name: "nc", nick: "netcat", argv: (port) => [NC, "127.0.0.1", String(port)] },
  { name: "socat", nick: "socat", argv: (port) => ["socat", "-", `TCP:127.0.0.1:${port}`] },
  { name: "parley connect", nick: "pconnect", argv: (port) => [PARLEY, "connect", `127.0.0.1:${port}`, "--nick", "pconnect", "--no-time"], joinsItself: true },
];

let parley: Parley;
let observer: Client;
/** how far into observer.lines each wait has read */
let read = 0;

beforeAll(async () => {
  parley = await startChat();
  observer = await Client.join(parley.port, "observer");
  read = observer.lines.length;
});
afterAll(async () => {
  observer?.close();
  await parley?.stop();
});

/** The next line the observer receives that starts with `prefix`; fails after `ms`. */
function observerLine(prefix: string, ms = LINE_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      while (read < observer.lines.length) {
        const line = observer.lines[read++]!;
        if (line.startsWith(prefix)) return done(() => resolve(line));
      }
      if (observer.closed) done(() => reject(new Error(`the observer's connection closed before a line starting ${prefix}`)));
    };
    const timer = setTimeout(() => done(() => reject(new Error(`no line starting ${JSON.stringify(prefix)} reached the observer within ${ms} ms`))), ms);
    const done = (then: () => void) => {
      clearTimeout(timer);
      observer.socket.off("data", check);
      observer.socket.off("close", check);
      then();
    };
    observer.socket.on("data", check);
    observer.socket.on("close", check);
    check();
  });
}

interface Conversation {
  /** what the observer received for each corpus line, in order */
  got: string[];
  /** every line of the observer's that starts "nick: " while the client was on */
  said: string[];
  /** the observer's bytes while the client was on */
  bytes: Buffer;
  /** the typing client's screen once the observer's lines were shown */
  screen: string;
  /** what the client wrote to its terminal, as a terminal that shows undecodable bytes would show it */
  shown: string;
  /** the lines the observer sent that the client did not write to its terminal as "observer: <line>", byte for byte */
  unheard: string[];
}

/**
 * One client joins, types `lines`, is sent `replies` by the observer (which
 * its screen must show) and then `heard` (which what it writes to its
 * terminal must hold whole), and quits.
 */
async function converse(spec: Spec, lines: readonly string[], replies: readonly string[], heard: readonly string[] = []): Promise<Conversation> {
  const firstLine = observer.lines.length;
  const firstChunk = observer.received.length;
  const pane = await Pane.start(spec.argv(parley.port), { env: { HOME } });
  try {
    if (!spec.joinsItself) {
      await pane.waitForScreen("Please choose a nickname:");
      await pane.typeLine(spec.nick);
    }
    await observerLine(`* ${spec.nick} joined`);
    await pane.waitForScreen(`* Hi ${spec.nick}!`);
    const got: string[] = [];
    for (const line of lines) {
      const before = pane.output.length;
      await pane.typeLine(line);
      try {
        got.push(await observerLine(`${spec.nick}: `));
        if (spec.crAfterLine) await pane.waitForOutput((o) => o.endsWith("\r") && o.indexOf("\n", before) !== -1, "parley's CR after the echo of Enter");
      } catch (error) {
        throw new Error(`${spec.name}: after typing ${JSON.stringify(line)}: ${(error as Error).message}; its screen:\n${await pane.screen()}`);
      }
    }
    for (const reply of replies) observer.send(reply);
    const screen = await pane.waitForScreen((s) => replies.every((reply) => s.includes(`observer: ${reply}`)));
    // The receiving side, for the whole corpus: the bytes the client wrote to its terminal.
    for (const line of heard) observer.send(line);
    // Colours (parley connect draws nicks in colour) are not text: SGR sequences are taken out.
    const unheardIn = (output: string) => {
      const text = output.replace(/\x1b\[[0-9;]*m/g, "");
      return heard.filter((line) => !text.includes(`observer: ${line}`));
    };
    if (heard.length > 0) await pane.waitForOutput((o) => unheardIn(o).length === 0, "every line the observer sent").catch(() => {});
    const unheard = unheardIn(pane.output);
    await pane.typeLine("quit");
    await observerLine(`* ${spec.nick} left`);
    const said = observer.lines.slice(firstLine).filter((l) => l.startsWith(`${spec.nick}: `));
    return { got, said, bytes: Buffer.concat(observer.received.slice(firstChunk)), screen, shown: rowsAsShown(pane.output).join("\n"), unheard };
  } finally {
    pane.kill();
  }
}

/** The lines `screen` should show but does not show as a line of their own, from the first column. */
function notOnARowOfTheirOwn(screen: string, replies: readonly string[]): string[] {
  const rows = new Set(screen.split("\n").map((row) => row.trimEnd()));
  return replies.map((reply) => `observer: ${reply}`).filter((row) => !rows.has(row));
}

/**
 * The option bytes' look-alikes on `screen`, once the text the two users sent
 * is taken out (the corpus has its own ý: Czech "žluťoučký").
 */
function strayOn(screen: string, sent: readonly string[]): string[] {
  let rest = screen;
  for (const text of [...sent].sort((a, b) => b.length - a.length)) rest = rest.replaceAll(text, "");
  return STRAY.filter((s) => rest.includes(s));
}

function expectClean(spec: Spec, run: Conversation, lines: readonly string[], replies: readonly string[]): void {
  const expected = lines.map((line) => `${spec.nick}: ${line}`);
  const misplaced = notOnARowOfTheirOwn(run.screen, replies);
  const stray = strayOn(run.screen, [...lines, ...replies]);
  // tmux drops bytes it cannot decode; most terminals show them, until the welcome line overwrites them.
  const strayElsewhere = strayOn(run.shown, [...lines, ...replies]);
  if (misplaced.length > 0 || stray.length > 0) console.log(`${spec.name}: its screen:\n${run.screen}`);
  if (strayElsewhere.length > 0) console.log(`${spec.name}: what a terminal that shows undecodable bytes shows:\n${run.shown}`);
  expect(run.got).toEqual(expected);
  expect(run.said).toEqual(expected);
  const bytes = { iac: run.bytes.includes(0xff), esc: run.bytes.includes(0x1b), replacement: run.bytes.includes(Buffer.from("\ufffd")) };
  expect(bytes).toEqual({ iac: false, esc: false, replacement: false });
  expect({ misplaced, stray, strayElsewhere, unheard: run.unheard }).toEqual({ misplaced: [], stray: [], strayElsewhere: [], unheard: [] });
}

describe("the corpus", () => {
  test("is lines parley keeps as they are, under 400 bytes, with no U+FFFD, ÿ or û", () => {
    expect(BLOCKS.length).toBeGreaterThanOrEqual(60);
    for (const [block, cp] of BLOCKS) {
      const ch = String.fromCodePoint(cp);
      // A letter, number or symbol: no control, format, surrogate, private use, unassigned code point or space.
      expect({ block, ok: /^[\p{L}\p{N}\p{S}\p{P}]$/u.test(ch) }).toEqual({ block, ok: true });
      expect((cp & 0xfffe) === 0xfffe || (cp >= 0xfdd0 && cp <= 0xfdef)).toBe(false);
    }
    for (const line of [...CORPUS, ...SCREEN_LINES]) {
      expect(Buffer.byteLength(line)).toBeLessThan(400);
      expect(sanitize(line)).toBe(line);
      expect(line.trim()).toBe(line);
      expect(line.startsWith("/")).toBe(false);
      for (const s of STRAY.filter((s) => s !== "ý")) expect(line).not.toContain(s);
    }
  });
});

describe("each client types the corpus key by key", () => {
  for (const spec of CLIENTS) {
    test(spec.name, async () => {
      const run = await converse(spec, CORPUS, SCREEN_LINES, CORPUS);
      expectClean(spec, run, CORPUS, SCREEN_LINES);
    });
  }
});

describe("the screens, for the closing note", () => {
  const said = ["Zażółć gęślą jaźń: ă ď Ě ą ĝ 🍜"];
  const replies = ["Příliš žluťoučký kůň 🇵🇱"];
  for (const spec of [CLIENTS[0]!, CLIENTS[4]!]) {
    test(`${spec.name}: a short conversation`, async () => {
      const run = await converse({ ...spec, nick: "amy" }, said, replies);
      console.log(`--- ${spec.name}: the screen ---\n${run.screen}\n---`);
      expectClean({ ...spec, nick: "amy" }, run, said, replies);
    });
  }
});
