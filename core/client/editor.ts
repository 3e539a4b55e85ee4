// The line being typed: its characters, the cursor and the history of sent
// lines, changed one key at a time. Characters are grapheme clusters, so the
// cursor steps over an emoji or a Chinese character whole. Pure: keys in,
// state and actions out; screen.ts draws it.

import type { Key } from "./keys.ts";

export const HISTORY_SIZE = 200;

export type EditAction = { action: "none" } | { action: "submit"; line: string } | { action: "quit" } | { action: "redraw" } | { action: "next-room" };

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const graphemes = (text: string): string[] => Array.from(segmenter.segment(text), (s) => s.segment);

export class LineEditor {
  /** the line, one grapheme cluster per element */
  chars: string[] = [];
  /** index into chars: the cursor sits before chars[cursor] */
  cursor = 0;
  /** a password is being typed: it is not kept in the history */
  secret = false;
  private readonly history: string[] = [];
  private historyAt = 0;
  private draft = "";

  get text(): string {
    return this.chars.join("");
  }

  /** Replaces the line; the cursor goes to its end. */
  set(text: string): void {
    this.chars = graphemes(text);
    this.cursor = this.chars.length;
  }

  apply(key: Key): EditAction {
    switch (key.name) {
      case "text":
        this.insert(key.text);
        break;
      case "enter":
        return { action: "submit", line: this.submit() };
      case "tab":
        return { action: "next-room" };
      case "backspace":
        if (this.cursor > 0) this.chars.splice(--this.cursor, 1);
        break;
      case "delete":
        this.chars.splice(this.cursor, 1);
        break;
      case "ctrl-d":
        if (this.chars.length === 0) return { action: "quit" };
        this.chars.splice(this.cursor, 1);
        break;
      case "ctrl-c":
        if (this.chars.length === 0) return { action: "quit" };
        this.set("");
        this.historyAt = this.history.length;
        break;
      case "left":
        this.cursor = Math.max(0, this.cursor - 1);
        break;
      case "right":
        this.cursor = Math.min(this.chars.length, this.cursor + 1);
        break;
      case "home":
        this.cursor = 0;
        break;
      case "end":
        this.cursor = this.chars.length;
        break;
      case "word-left":
        this.cursor = this.wordStart();
        break;
      case "word-right":
        this.cursor = this.wordEnd();
        break;
      case "ctrl-u":
        this.chars.splice(0, this.cursor);
        this.cursor = 0;
        break;
      case "ctrl-k":
        this.chars.splice(this.cursor);
        break;
      case "ctrl-w": {
        const start = this.wordStart();
        this.chars.splice(start, this.cursor - start);
        this.cursor = start;
        break;
      }
      case "up":
        this.walk(-1);
        break;
      case "down":
        this.walk(1);
        break;
      case "ctrl-l":
        return { action: "redraw" };
    }
    return { action: "none" };
  }

  private insert(text: string): void {
    // Re-segment around the cursor: a combining mark or a ZWJ joins the
    // character before it.
    const before = graphemes(this.chars.slice(0, this.cursor).join("") + text);
    this.chars = [...before, ...this.chars.slice(this.cursor)];
    this.cursor = before.length;
  }

  private submit(): string {
    const line = this.text;
    if (!this.secret && line.trim() !== "" && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > HISTORY_SIZE) this.history.shift();
    }
    this.historyAt = this.history.length;
    this.draft = "";
    this.set("");
    return line;
  }

  /** Up (-1) and down (+1) through the sent lines; past the newest is what was being typed. */
  private walk(step: -1 | 1): void {
    const to = this.historyAt + step;
    if (to < 0 || to > this.history.length) return;
    if (this.historyAt === this.history.length) this.draft = this.text;
    this.historyAt = to;
    this.set(to === this.history.length ? this.draft : this.history[to]!);
  }

  private wordStart(): number {
    let i = this.cursor;
    while (i > 0 && /^\s$/u.test(this.chars[i - 1]!)) i--;
    while (i > 0 && !/^\s$/u.test(this.chars[i - 1]!)) i--;
    return i;
  }

  private wordEnd(): number {
    let i = this.cursor;
    while (i < this.chars.length && /^\s$/u.test(this.chars[i]!)) i++;
    while (i < this.chars.length && !/^\s$/u.test(this.chars[i]!)) i++;
    return i;
  }
}
