// Keyboard bytes from a terminal in raw mode, as keys: typed text, Enter,
// the arrows and the editing keys (xterm, VT100 and Linux console
// sequences). A sequence split across reads is kept until it is whole.
// Pure: bytes in, keys out.

export type KeyName =
  | "enter"
  | "backspace"
  | "delete"
  | "left"
  | "right"
  | "up"
  | "down"
  | "home"
  | "end"
  | "word-left"
  | "word-right"
  | "ctrl-c"
  | "ctrl-d"
  | "ctrl-u"
  | "ctrl-w"
  | "ctrl-k"
  | "ctrl-l"
  | "tab";

export type Key = { name: "text"; text: string } | { name: KeyName };

const CONTROL: Record<string, KeyName> = {
  "\r": "enter",
  "\n": "enter",
  "\x7f": "backspace",
  "\b": "backspace",
  "\x01": "home",
  "\x05": "end",
  "\x02": "left",
  "\x06": "right",
  "\x10": "up",
  "\x0e": "down",
  "\x03": "ctrl-c",
  "\x04": "ctrl-d",
  "\x15": "ctrl-u",
  "\x17": "ctrl-w",
  "\x0b": "ctrl-k",
  "\x0c": "ctrl-l",
};

// CSI sequences by parameters and final byte ("" for no parameters).
const CSI: Record<string, KeyName> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "3~": "delete",
  "1;5C": "word-right",
  "1;5D": "word-left",
  "1;3C": "word-right",
  "1;3D": "word-left",
};
const SS3: Record<string, KeyName> = { A: "up", B: "down", C: "right", D: "left", H: "home", F: "end" };
const META: Record<string, KeyName> = { b: "word-left", f: "word-right", "\x7f": "ctrl-w" };

export class KeyReader {
  private pending = "";
  private afterCR = false;
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });

  feed(bytes: Uint8Array | string): Key[] {
    const input = this.pending + (typeof bytes === "string" ? bytes : this.decoder.decode(bytes, { stream: true }));
    this.pending = "";
    const keys: Key[] = [];
    let i = 0;
    while (i < input.length) {
      const ch = input[i]!;
      if (this.afterCR && ch === "\n") {
        this.afterCR = false;
        i++;
        continue;
      }
      this.afterCR = ch === "\r";
      if (ch === "\x1b") {
        const used = escape(input, i, keys);
        if (used === 0) {
          this.pending = input.slice(i);
          break;
        }
        i += used;
      } else if (CONTROL[ch]) {
        keys.push({ name: CONTROL[ch] });
        i++;
      } else if (ch === "\t") {
        keys.push({ name: "tab" }); // switches to the next room (core/client/interactive.ts)
        i++;
      } else if (ch < " " || (ch >= "\x80" && ch <= "\x9f")) {
        i++; // other controls do nothing
      } else {
        let end = i + 1;
        while (end < input.length && input[end]! >= " " && input[end] !== "\x7f" && !(input[end]! >= "\x80" && input[end]! <= "\x9f")) end++;
        text(keys, input.slice(i, end));
        i = end;
      }
    }
    return keys;
  }
}

function text(keys: Key[], t: string): void {
  const last = keys[keys.length - 1];
  if (last?.name === "text") last.text += t;
  else keys.push({ name: "text", text: t });
}

/** Reads an escape sequence at `at`; how many characters it used, 0 when it is not whole yet. */
function escape(input: string, at: number, keys: Key[]): number {
  const next = input[at + 1];
  if (next === undefined) return 0;
  if (next === "[") {
    let end = at + 2;
    while (end < input.length && /[\x20-\x3f]/.test(input[end]!)) end++;
    if (end >= input.length) return 0;
    const name = CSI[input.slice(at + 2, end + 1)];
    if (name) keys.push({ name }); // others (focus, bracketed paste markers) are ignored
    return end + 1 - at;
  }
  if (next === "O") {
    const final = input[at + 2];
    if (final === undefined) return 0;
    const name = SS3[final];
    if (name) keys.push({ name });
    return 3;
  }
  const name = META[next];
  if (!name) return 1; // a lone Escape: dropped, the key after it counts
  keys.push({ name });
  return 2;
}
