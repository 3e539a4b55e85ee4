// The prompt's line editor: what the keys of a terminal do to the line being
// typed, with Chinese and emoji moving and deleting as whole characters.
import { describe, expect, test } from "bun:test";
import { LineEditor } from "../../core/client/editor.ts";
import { KeyReader, type Key } from "../../core/client/keys.ts";

const LEFT = "\x1b[D";
const RIGHT = "\x1b[C";
const UP = "\x1b[A";
const DOWN = "\x1b[B";

/** Types raw terminal bytes into a fresh editor; returns it and what the keys asked for. */
function typed(...chunks: string[]) {
  const editor = new LineEditor();
  const reader = new KeyReader();
  const actions: string[] = [];
  for (const chunk of chunks) {
    for (const key of reader.feed(new TextEncoder().encode(chunk))) {
      const result = editor.apply(key);
      if (result.action === "submit") actions.push(`submit:${result.line}`);
      else if (result.action !== "none") actions.push(result.action);
    }
  }
  return { editor, actions, line: editor.text, cursor: editor.cursor };
}

describe("terminal bytes as keys", () => {
  const keys = (...chunks: string[]) => {
    const reader = new KeyReader();
    return chunks.flatMap((c) => reader.feed(c));
  };

  test("typed text comes as one run; Enter as CR, LF or CR LF is one Enter", () => {
    expect(keys("hi 你好")).toEqual([{ name: "text", text: "hi 你好" }]);
    expect(keys("a\r\nb\rc\n")).toEqual([
      { name: "text", text: "a" },
      { name: "enter" },
      { name: "text", text: "b" },
      { name: "enter" },
      { name: "text", text: "c" },
      { name: "enter" },
    ]);
    expect(keys("a\r", "\nb")).toEqual([{ name: "text", text: "a" }, { name: "enter" }, { name: "text", text: "b" }]);
  });

  test("arrows, Home/End and Delete in xterm, VT100 and console forms", () => {
    const names = (s: string) => keys(s).map((k: Key) => k.name);
    expect(names("\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA\x1bOD")).toEqual(["up", "down", "right", "left", "up", "left"]);
    expect(names("\x1b[H\x1b[F\x1bOH\x1bOF\x1b[1~\x1b[4~\x1b[7~\x1b[8~")).toEqual(["home", "end", "home", "end", "home", "end", "home", "end"]);
    expect(names("\x1b[3~\x7f\b")).toEqual(["delete", "backspace", "backspace"]);
    expect(names("\x01\x05\x03\x04\x15\x17\x0b\x0c")).toEqual(["home", "end", "ctrl-c", "ctrl-d", "ctrl-u", "ctrl-w", "ctrl-k", "ctrl-l"]);
  });

  test("a sequence split across reads is one key; a UTF-8 character split across reads is whole", () => {
    expect(keys("\x1b", "[", "D")).toEqual([{ name: "left" }]);
    expect(keys("\x1b[3", "~")).toEqual([{ name: "delete" }]);
    const reader = new KeyReader();
    const bytes = new TextEncoder().encode("👋");
    expect([...reader.feed(bytes.subarray(0, 2)), ...reader.feed(bytes.subarray(2))]).toEqual([{ name: "text", text: "👋" }]);
  });

  test("unknown sequences, bracketed paste markers and other controls type nothing", () => {
    expect(keys("\x1b[200~hi\x1b[201~\x1b[I\x1b[15~\x00\x1f")).toEqual([{ name: "text", text: "hi" }]);
    expect(keys("\x1bx")).toEqual([{ name: "text", text: "x" }]);
  });
});

describe("editing the line", () => {
  test("typing, then Enter sends the line and clears it", () => {
    const { actions, line, cursor } = typed("hello\r");
    expect(actions).toEqual(["submit:hello"]);
    expect(line).toBe("");
    expect(cursor).toBe(0);
  });

  test("left and right move; typing inserts at the cursor", () => {
    expect(typed(`helo${LEFT}l`).line).toBe("hello");
    expect(typed(`ac${LEFT}b${RIGHT}d`).line).toBe("abcd");
    expect(typed(`ab${LEFT}${LEFT}${LEFT}${LEFT}x`).line).toBe("xab");
  });

  test("Backspace and Delete, Home and End, Ctrl-A and Ctrl-E", () => {
    expect(typed("abc\x7f").line).toBe("ab");
    expect(typed(`abc${LEFT}${LEFT}\x1b[3~`).line).toBe("ac");
    expect(typed("bc\x01a\x05d").line).toBe("abcd");
    expect(typed("bc\x1b[Ha\x1b[Fd").line).toBe("abcd");
  });

  test("Ctrl-U deletes to the start, Ctrl-W the word before the cursor, Ctrl-K to the end", () => {
    expect(typed(`hello world${LEFT}${LEFT}\x15`).line).toBe("ld");
    expect(typed("hello big world  \x17").line).toBe("hello big ");
    expect(typed(`hello world\x01${RIGHT}${RIGHT}\x0b`).line).toBe("he");
  });

  test("Chinese, emoji and combined emoji move and delete as one character each", () => {
    expect(typed("你好👋\x7f").line).toBe("你好");
    expect(typed(`你好${LEFT}\x7f`).line).toBe("好");
    expect(typed("👨‍👩‍👧 ok\x01\x1b[3~").line).toBe(" ok");
    expect(typed("e\u0301x\x7f\x7f").line).toBe("");
    expect(typed("e", "\u0301").editor.chars).toEqual(["e\u0301"]);
  });

  test("Ctrl-C clears a line being typed; Ctrl-C or Ctrl-D on an empty line quits", () => {
    expect(typed("draft\x03").line).toBe("");
    expect(typed("draft\x03").actions).toEqual([]);
    expect(typed("\x03").actions).toEqual(["quit"]);
    expect(typed("\x04").actions).toEqual(["quit"]);
    expect(typed(`ab${LEFT}\x04`).line).toBe("a");
  });

  test("Ctrl-L asks for a redraw", () => {
    expect(typed("\x0c").actions).toEqual(["redraw"]);
  });
});

describe("history of sent lines", () => {
  test("up walks back through sent lines, down comes forward to what was being typed", () => {
    const { editor } = typed("one\r", "two\r", "dra");
    const reader = new KeyReader();
    const press = (s: string) => reader.feed(s).forEach((k) => editor.apply(k));
    press(UP);
    expect(editor.text).toBe("two");
    press(UP);
    expect(editor.text).toBe("one");
    press(UP);
    expect(editor.text).toBe("one");
    press(DOWN);
    expect(editor.text).toBe("two");
    press(DOWN);
    expect(editor.text).toBe("dra");
    expect(editor.cursor).toBe(3);
  });

  test("a recalled line can be edited and sent; blank lines and repeats are not kept", () => {
    const { editor, actions } = typed("hello\r", "\r", "hello\r", `${UP}!\r`, `${UP}${UP}`);
    expect(actions).toEqual(["submit:hello", "submit:", "submit:hello", "submit:hello!"]);
    expect(editor.text).toBe("hello");
  });
});

describe("a password being typed", () => {
  test("is not kept in the history", () => {
    const editor = new LineEditor();
    const reader = new KeyReader();
    const press = (s: string) => reader.feed(s).map((k) => editor.apply(k));
    press("hello\r");
    editor.secret = true;
    expect(press("sesame\r")).toContainEqual({ action: "submit", line: "sesame" });
    editor.secret = false;
    press(UP);
    expect(editor.text).toBe("hello");
    press(UP);
    expect(editor.text).toBe("hello");
  });
});
