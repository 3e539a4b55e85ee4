// What the room says to people, as data. Each event is rendered once per
// framing (text lines for people, JSON lines for programs) and the bytes are
// shared by every recipient: no per-recipient string building on the
// fan-out path.

import type { CommandInfo } from "../plugins/api.ts";
import { escapeIAC } from "./telnet.ts";

/** The `id` of the client frame an event answers (JSON framing). */
export type FrameId = string | number;

export interface ListedUser {
  nick: string;
  /** seconds since the user last sent a line */
  idle: number;
  connectedAt: string;
}

export type ChatEvent = (
  | { type: "said"; from: string; text: string; time?: string; history?: true }
  | { type: "emote"; from: string; text: string; time?: string; history?: true }
  | { type: "private"; from: string; to: string; text: string }
  | { type: "joined"; nick: string; online: number; self?: true; users?: string[] }
  | { type: "left"; nick: string; reason: string; online: number }
  | { type: "renamed"; from: string; to: string }
  | { type: "notice"; plugin: string; text: string }
  | { type: "system"; text: string }
  | { type: "error"; text: string; code?: string }
  | { type: "welcome"; server: string; version: string; protocol: number; online: number; motd: string; password?: true }
  | { type: "list"; online: number; users: ListedUser[] }
  | { type: "help"; commands: CommandInfo[] }
  | { type: "pong"; time: string }
) & { id?: FrameId };

/** The text a telnet user sees, one or more lines, without line ends. */
export function renderText(event: ChatEvent): string {
  switch (event.type) {
    case "said":
      return `${replayed(event)}${event.from}: ${event.text}`;
    case "emote":
      return `${replayed(event)}* ${event.from} ${event.text}`;
    case "private":
      return `[private] ${event.from}: ${event.text}`;
    case "joined":
      return `* ${event.nick} joined (${event.online} online)`;
    case "left":
      return `* ${event.nick} left (${event.reason})`;
    case "renamed":
      return `* ${event.from} is now ${event.to}`;
    case "notice":
      return prefixLines(`[${event.plugin}] `, event.text);
    case "system":
      return event.text;
    case "error":
      return prefixLines("! ", event.text);
    // The rest answer JSON frames; a text user never asks for them, but
    // they still read sensibly.
    case "welcome":
      return `Welcome to ${event.server} ${event.version}! ${event.online} online.`;
    case "list":
      return [`* ${event.online} online:`, ...event.users.map((u) => `*   ${u.nick}  idle ${u.idle}s`)].join("\n");
    case "help":
      return event.commands.map((c) => `*   ${c.forms.join(" | ")}  ${c.summary}`).join("\n");
    case "pong":
      return `* pong ${event.time}`;
  }
}

/** The JSON frame a program sees (docs/protocol.md). */
export function renderJson(event: ChatEvent): Record<string, unknown> {
  switch (event.type) {
    case "emote": {
      const { type: _, ...rest } = event;
      return { type: "said", ...rest, action: true };
    }
    case "notice": {
      const { type: _, plugin, text, ...rest } = event;
      return { type: "system", text, plugin, ...rest };
    }
    case "error": {
      const { text, code, ...rest } = event;
      return { ...rest, code: code ?? "error", message: text };
    }
    default:
      return event;
  }
}

/** "[12:03] " before a message replayed from history. */
function replayed(event: { time?: string; history?: true }): string {
  return event.history && event.time ? `[${new Date(event.time).toTimeString().slice(0, 5)}] ` : "";
}

function prefixLines(prefix: string, text: string): string {
  return text.includes("\n") ? text.split("\n").map((l) => prefix + l).join("\n") : prefix + text;
}

/** An event with its wire bytes, built on first use per framing and then shared. */
export class Frame {
  readonly event: ChatEvent;
  private textBytes: Buffer | null = null;
  private jsonBytes: Buffer | null = null;
  private telnetBytes: Uint8Array | null = null;

  constructor(event: ChatEvent) {
    this.event = event;
  }

  /** CRLF-terminated text lines, as telnet expects. */
  text(): Buffer {
    this.textBytes ??= Buffer.from(renderText(this.event).replaceAll("\n", "\r\n") + "\r\n");
    return this.textBytes;
  }

  /** The text lines with 0xFF doubled for telnet clients; the same bytes (UTF-8 never holds 0xFF), checked once per event. */
  telnetText(): Uint8Array {
    this.telnetBytes ??= escapeIAC(this.text());
    return this.telnetBytes;
  }

  /** One JSON object and LF. */
  json(): Buffer {
    this.jsonBytes ??= Buffer.from(JSON.stringify(renderJson(this.event)) + "\n");
    return this.jsonBytes;
  }
}
