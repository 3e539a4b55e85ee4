// Answers matched to the frames they answer: a request gets a fresh id, and
// the server frame carrying that id settles it (docs/protocol.md: "the
// server's answer to that frame carries the same id").

import type { ServerFrame } from "./protocol.ts";

/** How a step such as the nickname or the password went. */
export type StepResult = { ok: true } | { ok: false; code: string; message: string };

/** An answer that is not the one hoped for, as a failed step: the error's code, or "closed". */
export function failure(answer: ServerFrame | undefined): StepResult & { ok: false } {
  if (answer?.type === "error") return { ok: false, code: answer.code, message: answer.message };
  return { ok: false, code: "closed", message: answer ? `the server answered with a ${answer.type} frame` : "the connection closed" };
}

export class Answers {
  private nextId = 1;
  private readonly waiting = new Map<string, { quiet: boolean; resolve: (frame: ServerFrame | undefined) => void }>();

  /** A fresh id, for a frame whose answer is shown but not awaited. */
  id(): string {
    return `pc${this.nextId++}`;
  }

  /** A fresh id and the frame that will answer it (undefined if the connection closes first); `quiet`: not shown. */
  expect(quiet: boolean): { id: string; answer: Promise<ServerFrame | undefined> } {
    const id = this.id();
    const answer = new Promise<ServerFrame | undefined>((resolve) => this.waiting.set(id, { quiet, resolve }));
    return { id, answer };
  }

  /** Settles the request this frame answers, if any; true when the frame is not to be shown. */
  settle(frame: ServerFrame): boolean {
    const key = frame.id === undefined ? undefined : String(frame.id);
    const waiter = key === undefined ? undefined : this.waiting.get(key);
    if (!waiter) return false;
    this.waiting.delete(key!);
    waiter.resolve(frame);
    return waiter.quiet;
  }

  /** The connection closed: every open request gets undefined. */
  abandon(): void {
    for (const waiter of this.waiting.values()) waiter.resolve(undefined);
    this.waiting.clear();
  }
}
