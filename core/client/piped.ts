// `parley connect` with stdin from a pipe or a file, like nc: each line is
// sent (converted as a person's typing is), what arrives is printed as the
// plain lines a telnet user would read (or as JSON frames with --json), and
// at the end of stdin the client waits for the server to settle, says quit
// and ends with 0 (cmd/connect.ts exits with it).

import { sanitize } from "../wire/sanitize.ts";
import { ChatClient } from "./client.ts";
import { ending, type ClientEnd } from "./end.ts";
import type { ConnectOptions } from "./options.ts";
import { NO_FORMS, learnForms, toFrame, type Forms } from "./input.ts";
import { LineCutter, type ServerFrame } from "./protocol.ts";
import { linesIn, plain } from "./render.ts";

// At the end of stdin: after the pong, wait until the server has been quiet
// this long (later lines are others' answers), but never longer than SETTLE_MAX.
const QUIET = 100;
const SETTLE_MAX = 500;
// How long a pong (or the help frame that teaches us the server's aliases) may take.
const ANSWER_WAIT = 5000;

/** Runs until stdin ends, quit is typed or the connection is over; resolves with how it ended, rejects with a UserError when the server cannot be reached. */
export function runPiped(options: ConnectOptions): Promise<ClientEnd> {
  const { done, end } = ending();
  // The flow never returns: it stops at an end (which settles done) or throws.
  return Promise.race([done, pipe(options, end)]);
}

async function pipe(options: ConnectOptions, end: (code: number, error?: string) => Promise<never>): Promise<never> {
  let muted = false;
  let lastHeard = Date.now();
  const print = (line: string) => {
    lastHeard = Date.now();
    if (!muted) process.stdout.write(line + "\n");
  };
  const client: ChatClient = new ChatClient(
    options.target,
    {
      frame: (frame) => (options.json ? print(JSON.stringify(frame)) : linesIn(frame, client.nick, client.room).forEach((l) => print(plain(l)))),
      text: (line) => print(sanitize(line)),
      notice: (message) => process.stderr.write(`parley: ${message}\n`),
      rejoinFailed: (_code, message) => void end(1, `reconnected, but could not join again: ${message}`),
      closed: (error) => void end(error ? 1 : 0, error),
    },
    { reconnect: options.reconnect },
  );
  await client.start();

  let forms: Forms = NO_FORMS;
  const join = async (nick: string) => {
    const result = await client.join(nick);
    if (!result.ok) await end(1, `cannot join as ${nick}: ${result.message}`);
    const help = await within(client.request({ type: "help" }, true), ANSWER_WAIT);
    if (help?.type === "help" && Array.isArray(help.commands)) forms = learnForms(help.commands);
  };
  if (client.mode === "json" && client.passwordAsked) {
    if (options.password === undefined) await end(1, "the server asks for a password (give --password, or set PARLEY_PASSWORD)");
    const accepted = await client.authenticate(options.password!);
    if (!accepted.ok) await end(1, `the server refused the password: ${accepted.message}`);
  }
  if (client.mode === "json" && options.nick !== undefined) await join(options.nick);

  for await (const line of stdinLines()) {
    if (client.mode === "text") {
      if (!client.sendText(line)) await client.drained();
      continue;
    }
    if (options.json && line.trimStart().startsWith("{")) {
      if (!client.sendText(line.trim())) await client.drained();
      continue;
    }
    if (client.nick === undefined) {
      // Without --nick the first line is the nickname, as it is for nc.
      if (line.trim() !== "") await join(line.trim());
      continue;
    }
    const typed = toFrame(line, forms);
    if (typed.kind === "help") client.send({ type: "help" });
    else if (typed.kind === "quit") {
      await client.quit(typed.reason);
      return end(0);
    } else if (typed.kind === "frame" && !client.send(typed.frame)) await client.drained();
  }

  // End of input: the pong says the server has answered every line before
  // it; a short quiet spell lets others' replies to them arrive too.
  if (client.mode === "json") await within(client.request({ type: "ping" }, true), ANSWER_WAIT);
  const deadline = Date.now() + SETTLE_MAX;
  lastHeard = Date.now();
  while (Date.now() - lastHeard < QUIET && Date.now() < deadline) await Bun.sleep(Math.max(1, Math.min(QUIET - (Date.now() - lastHeard), deadline - Date.now())));
  muted = true;
  await client.quit();
  return end(0);
}

/** stdin, line by line (LF or CRLF; a last line without a newline counts). */
async function* stdinLines(): AsyncGenerator<string> {
  const lines: string[] = [];
  const cutter = new LineCutter((line) => lines.push(line));
  for await (const chunk of process.stdin as AsyncIterable<Uint8Array>) {
    cutter.feed(chunk);
    yield* lines.splice(0);
  }
  cutter.end();
  yield* lines.splice(0);
}

/** The promise's value, or undefined after `ms`. */
function within(promise: Promise<ServerFrame | undefined>, ms: number): Promise<ServerFrame | undefined> {
  let timer: Timer | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
