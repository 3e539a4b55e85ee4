// The chat log (--log-file): every chat event appended as one JSON line.
// The tutorial pipes raw socket bytes into msg.txt; this keeps what people
// actually saw, sanitized and attributed, in a form tools can read.
//
// reopen() is logrotate's half of the deal: logrotate renames the file and
// sends SIGHUP; the server opens the path again (a new, empty file) and
// lets the old stream finish writing what it holds into the renamed one,
// so no line is lost across the rotation.

import { createWriteStream, openSync, type WriteStream } from "node:fs";
import type { ServerFrame } from "../wire/protocol.ts";
import { UserError } from "../base/errors.ts";

export class ChatLog {
  private stream: WriteStream;
  private readonly path: string;
  /** the last write error, said once until a reopen succeeds */
  private failing: string | undefined;
  private readonly onError: (problem: string) => void;

  private constructor(path: string, stream: WriteStream, onError: (problem: string) => void) {
    this.path = path;
    this.stream = stream;
    this.onError = onError;
    this.watch(stream);
  }

  /** Opens (creating or appending to) the file; fails with a one-line error. */
  static async open(path: string, onError: (problem: string) => void = () => {}): Promise<ChatLog> {
    return new ChatLog(path, openStream(path), onError);
  }

  write(event: ServerFrame): void {
    // System lines and errors are answers to one user, not chat; a plugin's notice is.
    if ((event.type === "system" && event.plugin === undefined) || event.type === "error") return;
    this.stream.write(JSON.stringify({ time: new Date().toISOString(), ...event }) + "\n");
  }

  /**
   * Opens the path again (after logrotate renamed the file). The new file is
   * opened before the old stream is let go, so every line lands in one of
   * the two; when the path cannot be opened, the old stream stays and this
   * throws the one-line reason. Resolves once the old stream has written
   * all it held: logrotate's next step (compressing the renamed file, at its
   * next run) must find it complete, or what was still buffered would land
   * in a file it has since compressed and removed.
   */
  reopen(): Promise<void> {
    const next = openStream(this.path);
    const old = this.stream;
    this.stream = next;
    this.failing = undefined;
    this.watch(next);
    return new Promise((resolve) => old.end(resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }

  /** A write that fails (a full disk) is said once, not thrown into the event loop. */
  private watch(stream: WriteStream): void {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      const problem = `cannot write log file ${this.path}: ${error.code ?? error.message}`;
      if (problem === this.failing) return;
      this.failing = problem;
      this.onError(problem);
    });
  }
}

/** Opened at once (not when the stream gets round to it), so a bad path is an error here, with its reason. */
function openStream(path: string): WriteStream {
  let fd: number;
  try {
    fd = openSync(path, "a", 0o640);
  } catch (error) {
    throw new UserError(`cannot open log file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return createWriteStream(path, { fd, flags: "a" });
}
