// What the room says to people, as data. Each event is rendered once per
// framing and the bytes are shared by every recipient: no per-recipient
// string building on the fan-out path.

export type ChatEvent =
  | { type: "said"; from: string; text: string }
  | { type: "emote"; from: string; text: string }
  | { type: "private"; from: string; to: string; text: string }
  | { type: "joined"; nick: string; online: number }
  | { type: "left"; nick: string; reason: string; online: number }
  | { type: "renamed"; from: string; to: string }
  | { type: "notice"; plugin: string; text: string }
  | { type: "system"; text: string }
  | { type: "error"; text: string };

/** The text a telnet user sees, one or more lines, without line ends. */
export function renderText(event: ChatEvent): string {
  switch (event.type) {
    case "said":
      return `${event.from}: ${event.text}`;
    case "emote":
      return `* ${event.from} ${event.text}`;
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
  }
}

function prefixLines(prefix: string, text: string): string {
  return text.includes("\n") ? text.split("\n").map((l) => prefix + l).join("\n") : prefix + text;
}

/** An event with its wire bytes, built on first use and then shared. */
export class Frame {
  private textBytes: Buffer | null = null;
  readonly event: ChatEvent;
  constructor(event: ChatEvent) {
    this.event = event;
  }

  /** CRLF-terminated text lines, as telnet expects. */
  text(): Buffer {
    this.textBytes ??= Buffer.from(renderText(this.event).replaceAll("\n", "\r\n") + "\r\n");
    return this.textBytes;
  }
}
