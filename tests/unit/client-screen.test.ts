// The prompt line: what fits beside the prompt, and where the cursor goes,
// counted in terminal cells (a Chinese character or an emoji takes two).
import { describe, expect, test } from "bun:test";
import { layout } from "../../core/client/screen.ts";

const chars = (text: string) => [...new Intl.Segmenter().segment(text)].map((s) => s.segment);

describe("the prompt line", () => {
  test("short input is shown whole; the cursor column counts the prompt", () => {
    expect(layout(5, chars("hello"), 5, 80)).toEqual({ text: "hello", column: 10, offset: 0 });
    expect(layout(5, chars("hello"), 2, 80)).toEqual({ text: "hello", column: 7, offset: 0 });
  });

  test("wide characters take two cells", () => {
    expect(layout(5, chars("你好👋"), 3, 80).column).toBe(11);
    expect(layout(5, chars("你好👋"), 1, 80).column).toBe(7);
  });

  test("input wider than the terminal scrolls so the cursor stays in view, on one line", () => {
    const long = chars("abcdefghijklmnopqrstuvwxyz");
    const view = layout(5, long, long.length, 20);
    expect(view.column).toBeLessThan(20);
    expect(5 + Bun.stringWidth(view.text)).toBeLessThan(20);
    expect(view.text.endsWith("z")).toBe(true);
    // Moving back to the start scrolls back.
    const start = layout(5, long, 0, 20, view.offset);
    expect(start.offset).toBe(0);
    expect(start.column).toBe(5);
    expect(start.text.startsWith("abc")).toBe(true);
  });

  test("scrolling keeps its place while the cursor stays in view", () => {
    const long = chars("abcdefghijklmnopqrstuvwxyz");
    const end = layout(5, long, long.length, 20);
    const back = layout(5, long, long.length - 3, 20, end.offset);
    expect(back.offset).toBe(end.offset);
  });

  test("wide characters never straddle the edge", () => {
    const wide = chars("你好世界你好世界你好世界");
    const view = layout(4, wide, wide.length, 15);
    expect(4 + Bun.stringWidth(view.text)).toBeLessThanOrEqual(14);
    expect(view.column).toBeLessThanOrEqual(14);
  });
});
