// The chat log (--log-file): every chat event appended as one JSON line.
// The tutorial pipes raw socket bytes into msg.txt; this keeps what people
// actually saw, sanitized and attributed, in a form tools can read.

import { createWriteStream, type WriteStream } from "node:fs";
import type { ServerFrame } from "../wire/protocol.ts";
import { UserError } from "../base/errors.ts";

export class ChatLog {
  private readonly stream: WriteStream;
  private constructor(stream: WriteStream) {
    this.stream = stream;
  }

  /** Opens (creating or appending to) the file; fails with a one-line error. */
  static async open(path: string): Promise<ChatLog> {
    const stream = createWriteStream(path, { flags: "a" });
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", (e: NodeJS.ErrnoException) => reject(new UserError(`cannot open log file ${path}: ${e.code ?? e.message}`)));
    });
    return new ChatLog(stream);
  }

  write(event: ServerFrame): void {
    // System lines and errors are answers to one user, not chat; a plugin's notice is.
    if ((event.type === "system" && event.plugin === undefined) || event.type === "error") return;
    this.stream.write(JSON.stringify({ time: new Date().toISOString(), ...event }) + "\n");
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
