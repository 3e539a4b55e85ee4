// `parley connect` at a terminal: raw-mode keys go to the line editor, the
// prompt stays on the bottom line, and what arrives is printed above it with
// a timestamp and colours. Typed lines become frames (input.ts); `help`
// shows the client's forms and asks the server for its own.

import { sanitize } from "../wire/sanitize.ts";
import { ChatClient } from "./client.ts";
import { ending, type ClientEnd } from "./end.ts";
import type { ConnectOptions } from "./options.ts";
import { CLIENT_HELP, NO_FORMS, learnForms, toFrame, type Forms } from "./input.ts";
import { KeyReader } from "./keys.ts";
import type { ServerFrame } from "./protocol.ts";
import { decorate, linesIn, nickColour, timeOf, type Line } from "./render.ts";
import { Screen } from "./screen.ts";

export interface InteractiveHooks {
  /**
   * Called once the client is connected and reading keys, with what ends it
   * as quit does (the goodbye is said, a bounded time). cmd/connect.ts ties
   * SIGTERM and SIGHUP to it then; before, they end the process as they
   * would any, with nothing yet to say goodbye to.
   */
  stoppable(stop: () => void): void;
}

/** Runs until quit (typed, Ctrl-C, end of stdin, a stop) or the connection is over; resolves with how it ended, rejects with a UserError when the server cannot be reached. */
export function runInteractive(options: ConnectOptions, hooks: InteractiveHooks): Promise<ClientEnd> {
  const { done, end } = ending();
  // The flow never returns: it stops at an end (which settles done) or throws.
  return Promise.race([done, chat(options, hooks, end)]);
}

async function chat(options: ConnectOptions, hooks: InteractiveHooks, end: (code: number, error?: string) => Promise<never>): Promise<never> {
  const stdin = process.stdin;
  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const screen = new Screen(process.stdout);
  let forms: Forms = NO_FORMS;
  let joining = false;
  // A server with a password asks for it before the nickname.
  let locked = false;

  const show = (lines: readonly Line[], at = new Date()) =>
    screen.print(lines.map((line) => decorate(line, { time: options.time ? at : undefined, colour })));
  const note = (text: string, style: Line["style"] = "system") => show([{ style, after: text }]);
  const learn = (frame: ServerFrame | undefined) => {
    if (frame?.type === "help" && Array.isArray(frame.commands)) forms = learnForms(frame.commands);
  };
  // The prompt says where a plain line goes: "#lobby amy> ".
  const chatPrompt = () => {
    const nick = client.nick ?? "";
    const room = client.room ? `${sanitize(client.room)} ` : "";
    screen.setPrompt(`${room}${nick}> `, colour ? `\x1b[2m${room}\x1b[0m\x1b[1;${nickColour(nick)}m${nick}\x1b[0m> ` : `${room}${nick}> `);
  };
  const ask = (word: string, secret = false) => {
    screen.editor.secret = secret;
    screen.setPrompt(`${word}> `, colour ? `\x1b[1m${word}\x1b[0m> ` : `${word}> `);
  };
  const nickPrompt = () => ask("nickname");

  const finish = (code: number, error?: string): Promise<never> => {
    try {
      screen.hide();
      if (stdin.isTTY) stdin.setRawMode(false);
    } catch {
      // the terminal is gone (its window closed): nothing left to restore
    }
    stdin.pause();
    return end(code, error);
  };

  const client: ChatClient = new ChatClient(
    options.target,
    {
      frame(frame) {
        show(linesIn(frame, client.nick, client.room, !options.time), (frame.type === "said" && timeOf(frame)) || new Date());
        learn(frame);
        // Our own first join draws the prompt once the forms of quit and help are learnt (join, below), not here.
        const moved = frame.type === "switch" || frame.type === "join" || frame.type === "part";
        if ((frame.type === "renamed" || moved) && client.nick !== undefined) queueMicrotask(chatPrompt);
      },
      text: (line) => show([{ style: "chat", after: sanitize(line) }]),
      notice: (message) => note(`* ${message}`),
      rejoinFailed(code, message) {
        note(`! ${message}`, "error");
        locked = code.includes("password");
        if (locked) ask("password", true);
        else nickPrompt();
      },
      closed: (error) => void finish(error ? 1 : 0, error),
    },
    { reconnect: options.reconnect },
  );

  screen.hide();
  await client.start();

  const unlock = async (password: string) => {
    joining = true;
    const result = await client.authenticate(password);
    joining = false;
    if (!result.ok) {
      if (result.code !== "closed") note(`! ${result.message}`, "error");
      return ask("password", true);
    }
    locked = false;
    screen.editor.secret = false;
    if (options.nick !== undefined) return join(options.nick);
    nickPrompt();
  };

  const join = async (nick: string) => {
    joining = true;
    const result = await client.join(nick);
    joining = false;
    if (!result.ok) {
      if (result.code !== "closed") note(`! ${result.message}`, "error");
      return nickPrompt();
    }
    // The server's help says how quit and help are spelled: learnt before the prompt shows.
    learn(await client.request({ type: "help" }, true));
    chatPrompt();
  };

  const submit = async (line: string) => {
    if (client.mode === "text") {
      show([{ style: "system", after: `> ${line}` }]);
      return void client.sendText(line);
    }
    if (locked) return void (line !== "" && !joining && (await unlock(line)));
    const typed = toFrame(line, forms);
    if (client.nick === undefined && typed.kind !== "help" && typed.kind !== "quit") {
      // Before a nickname, a line is the nickname (help and quit still work).
      const nick = line.trim().replace(/^\/nick\s+|^n:/i, "");
      if (nick !== "" && !joining) await join(nick);
      return;
    }
    switch (typed.kind) {
      case "empty":
        return;
      case "help":
        show(CLIENT_HELP.map((after): Line => ({ style: "system", after })));
        return void client.send({ type: "help" }, true);
      case "quit":
        return quit(typed.reason);
      case "frame":
        // With an id, what we said comes back as the server's acknowledgement.
        client.send(typed.frame, true);
    }
  };

  // Tab: talk in the next of our rooms (the server answers with a switch frame, which moves the prompt).
  const nextRoom = () => {
    const room = client.mode === "json" && client.nick !== undefined ? client.nextRoom() : undefined;
    if (room) client.send({ type: "switch", room }, true);
  };

  let quitting = false;
  const quit = async (reason?: string) => {
    if (quitting) return;
    quitting = true;
    await client.quit(reason);
    return finish(0);
  };

  const keys = new KeyReader();
  stdin.setRawMode(true);
  stdin.on("data", (bytes: Buffer) => {
    for (const key of keys.feed(bytes)) {
      const result = screen.editor.apply(key);
      if (result.action === "submit") void submit(result.line);
      else if (result.action === "next-room") nextRoom();
      else if (result.action === "quit") return void quit();
    }
    screen.draw();
  });
  stdin.on("end", () => void quit());
  stdin.resume();
  process.stdout.on("resize", () => screen.draw());
  // The terminal went away (SIGHUP) or we were asked to stop: say goodbye to
  // the server, a bounded time, and end, whatever the terminal can still take.
  hooks.stoppable(() => void quit());

  if (client.mode === "text") screen.setPrompt("> ");
  else if (client.passwordAsked) {
    locked = true;
    if (options.password !== undefined) await unlock(options.password);
    else ask("password", true);
  } else if (options.nick !== undefined) await join(options.nick);
  else nickPrompt();
  screen.show();
  return new Promise<never>(() => {});
}
