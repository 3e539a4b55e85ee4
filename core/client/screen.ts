// The terminal: incoming lines scroll above, the prompt with what is being
// typed stays on the bottom line. A line arriving while someone types is
// printed by clearing the prompt line, writing the line, and drawing the
// prompt again with the partial input and the cursor where they were, all in
// one write. Input wider than the terminal scrolls sideways so the prompt
// stays one line. Widths are terminal cells (Bun.stringWidth): a Chinese
// character or an emoji takes two.

import { LineEditor } from "./editor.ts";

const CLEAR_LINE = "\r\x1b[2K";

export interface View {
  /** the visible part of the input */
  text: string;
  /** the cursor's column, counted from 0, prompt included */
  column: number;
  /** index of the first visible character, kept between draws */
  offset: number;
}

/** Which part of the input fits beside the prompt, keeping the cursor in view. */
export function layout(promptWidth: number, chars: readonly string[], cursor: number, columns: number, offset = 0): View {
  // The last column stays free: writing into it makes some terminals wrap.
  const room = Math.max(1, columns - promptWidth - 1);
  const widths = chars.map((c) => Bun.stringWidth(c));
  const sum = (from: number, to: number) => widths.slice(from, to).reduce((a, b) => a + b, 0);
  let start = Math.min(offset, cursor);
  if (sum(0, chars.length) < room) start = 0;
  // The cursor needs one cell of its own after the characters before it.
  while (start < cursor && sum(start, cursor) + 1 > room) start++;
  let end = start;
  let width = 0;
  while (end < chars.length && width + widths[end]! <= room) width += widths[end++]!;
  return { text: chars.slice(start, end).join(""), column: promptWidth + sum(start, cursor), offset: start };
}

export class Screen {
  readonly editor = new LineEditor();
  private promptText = "> ";
  private promptStyled = "> ";
  private offset = 0;
  private visible = true;
  private readonly out: NodeJS.WriteStream;

  constructor(out: NodeJS.WriteStream) {
    this.out = out;
  }

  private get columns(): number {
    return this.out.columns || 80;
  }

  /** Sets the prompt (plain text, and the same with colours) and draws it. */
  setPrompt(text: string, styled = text): void {
    this.promptText = text;
    this.promptStyled = styled;
    this.draw();
  }

  /** Prints lines above the prompt; what is being typed stays as it was. */
  print(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const body = lines.map((l) => l.replaceAll("\n", "\r\n")).join("\r\n") + "\r\n";
    this.out.write(CLEAR_LINE + body + (this.visible ? this.promptLine() : ""));
  }

  /** Draws the prompt line again (after an edit, a resize, Ctrl-L). */
  draw(): void {
    if (this.visible) this.out.write(CLEAR_LINE + this.promptLine());
  }

  /** Takes the prompt off the screen (while connecting, and at the end). */
  hide(): void {
    if (this.visible) this.out.write(CLEAR_LINE);
    this.visible = false;
  }

  show(): void {
    this.visible = true;
    this.draw();
  }

  private promptLine(): string {
    const { cursor } = this.editor;
    // A password shows as one * per character.
    const chars = this.editor.secret ? this.editor.chars.map(() => "*") : this.editor.chars;
    const promptWidth = Bun.stringWidth(this.promptText);
    const view = layout(promptWidth, chars, cursor, this.columns, this.offset);
    this.offset = view.offset;
    return this.promptStyled + view.text + "\r" + (view.column > 0 ? `\x1b[${view.column}C` : "");
  }
}
