// The JSON-lines framing of a session (docs/protocol.md): what each client
// frame does. The operations are the session's own, the same ones the
// built-in plugins use, and `command` frames run plugin commands exactly as
// typed commands do; only the framing differs.

import pkg from "../../package.json" with { type: "json" };
import { runCommand, runHooks } from "../plugins/runner.ts";
import { parseClientFrame, type ClientFrame } from "../wire/client-frames.ts";
import { parseParams, splitArgs } from "../plugins/params.ts";
import { tryPassword } from "./password-gate.ts";
import { sanitize } from "../wire/sanitize.ts";
import type { NickResult, Session } from "./session.ts";

export const PROTOCOL_VERSION = 1;

/** Switches a session to JSON if `line` is a hello frame; false when it is not one. */
export function startJson(session: Session, line: string): boolean {
  const parsed = parseClientFrame(line);
  if (!parsed.ok && isHello(line)) {
    // A program that speaks another version: answer in JSON, which it reads, and part.
    session.json = true;
    session.error(parsed.message, parsed.code);
    session.close("unsupported protocol");
    return true;
  }
  if (!parsed.ok || parsed.frame.type !== "hello") return false;
  session.json = true;
  session.rawLines();
  const { room, motd } = session.chat;
  const password = session.state === "password" ? { password: true as const } : {};
  session.send({ type: "welcome", server: "parley", version: pkg.version, protocol: PROTOCOL_VERSION, online: room.size, motd, ...password, ...idOf(parsed.frame) });
  return true;
}

export function handleJsonLine(session: Session, line: string): Promise<void> | void {
  if (line.trim() === "") return;
  const parsed = parseClientFrame(line);
  if (!parsed.ok) {
    session.replyId = parsed.id;
    session.error(parsed.message, parsed.code);
    session.replyId = undefined;
    return;
  }
  const frame = parsed.frame;
  session.replyId = frame.id;
  const done = () => {
    session.replyId = undefined;
  };
  const result = handleFrame(session, frame);
  if (result instanceof Promise) return result.then(done);
  done();
}

const BEFORE_JOIN = new Set(["hello", "nick", "ping", "help", "password"]);
const BEFORE_PASSWORD = new Set(["hello", "ping", "password"]);

function handleFrame(session: Session, frame: ClientFrame): Promise<void> | void {
  const id = idOf(frame);
  if (session.state === "password" && !BEFORE_PASSWORD.has(frame.type)) {
    return session.error("this server has a password: send a password frame first", "password_required");
  }
  if (session.state !== "chat" && !BEFORE_JOIN.has(frame.type)) {
    return session.error(`choose a nickname first (a nick frame)`, "not_joined");
  }
  const { room, registry } = session.chat;
  switch (frame.type) {
    case "hello":
      return session.error("hello is only for the first line", "bad_frame");
    case "nick": {
      if (session.state === "chat") return session.error(`you are ${session.nick} already; use a rename frame`, "already_joined");
      const after = (joined: NickResult): Promise<void> | void => {
        if (!joined.ok) return session.error(joined.reason, joined.code);
        session.send({ type: "joined", nick: session.nick, online: room.size, self: true, users: room.list().map((m) => m.nick), ...id });
        session.replayHistory();
        return runHooks(session, "join");
      };
      const joined = session.join(frame.nick);
      return joined instanceof Promise ? joined.then(after) : after(joined);
    }
    case "say": {
      const said = session.say(frame.text);
      // With an id, the sender's own copy of what the room saw is the
      // acknowledgement; nothing when nothing was said (a mute, a dropped line).
      const ack = (text: string | null) => {
        if (frame.id !== undefined && text !== null) session.send({ type: "said", from: session.nick, text, ...id });
      };
      return said instanceof Promise ? said.then(ack) : ack(said);
    }
    case "msg": {
      if (!session.whisper(frame.to, frame.text)) return session.error(`no one called ${frame.to} is online`, "no_such_nick");
      if (frame.id !== undefined) session.send({ type: "private", from: session.nick, to: room.find(frame.to)?.nick ?? frame.to, text: sanitize(frame.text), ...id });
      return;
    }
    case "rename": {
      const from = session.nick;
      const after = (renamed: NickResult<{ nick: string }>) => {
        if (!renamed.ok) return session.error(renamed.reason, renamed.code);
        session.send({ type: "renamed", from, to: renamed.nick, ...id });
      };
      const renamed = session.rename(frame.nick);
      return renamed instanceof Promise ? renamed.then(after) : after(renamed);
    }
    case "list": {
      const users = room.list().map((m) => {
        const u = m.info();
        return { nick: u.nick, idle: Math.floor(u.idle / 1000), connectedAt: u.connectedAt.toISOString() };
      });
      return session.send({ type: "list", online: users.length, users, ...id });
    }
    case "help":
      return session.send({ type: "help", commands: registry.infos(), ...id });
    case "command": {
      const entry = registry.bySlash(frame.name.replace(/^\//, ""));
      if (!entry) return session.error(`unknown command ${frame.name} - send a help frame for the list`, "unknown_command");
      // Arguments are what a user typed: cleaned like a typed line before any plugin sees them.
      const given = Array.isArray(frame.args) ? frame.args.map((a) => sanitize(a)) : sanitize(frame.args ?? "");
      const raw = Array.isArray(given) ? given.join(" ") : given;
      const args = Array.isArray(given) ? arrayArgs(given, entry.command.params) : splitArgs(raw, entry.params, " ");
      if (!args) return session.usage(entry);
      return runCommand(session, entry, args, raw);
    }
    case "quit":
      session.system(`* bye, ${session.nick}!`);
      return session.close(frame.reason || "quit");
    case "ping":
      return session.send({ type: "pong", time: new Date().toISOString(), ...id });
    case "password":
      if (session.state !== "password") return session.error("no password is needed now", "bad_frame");
      return tryPassword(session, frame.password);
  }
}

/** Args given as an array: taken as they are, if the required ones are there. */
function arrayArgs(args: string[], specs: readonly string[] | undefined): string[] | null {
  const params = parseParams(specs);
  if (params.length === 0) return args;
  const required = params.filter((p) => !p.optional).length;
  if (args.length < required) return null;
  const last = params[params.length - 1]!;
  if (args.length > params.length && !last.rest) return null;
  // Extra words go to a rest parameter, as they would when typed.
  return args.length > params.length ? [...args.slice(0, params.length - 1), args.slice(params.length - 1).join(" ")] : args;
}

function idOf(frame: ClientFrame): { id?: ClientFrame["id"] } {
  return frame.id !== undefined ? { id: frame.id } : {};
}

/** A first line that is a JSON object with type "hello", valid or not. */
function isHello(line: string): boolean {
  try {
    const value = JSON.parse(line) as { type?: unknown } | null;
    return typeof value === "object" && value !== null && value.type === "hello";
  } catch {
    return false;
  }
}
