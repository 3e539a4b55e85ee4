// The server renders a said line without building display lines (the hot
// path); it must read exactly as core/wire/render.ts's lines do, for any
// nick and any text the server could relay.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Frame, renderText } from "../../core/wire/frame.ts";
import { linesOf, plain } from "../../core/wire/render.ts";
import { sanitize } from "../../core/wire/sanitize.ts";

const clean = fc.string({ unit: "binary", minLength: 1, maxLength: 60 }).map(sanitize);

describe("a said line, rendered on the fan-out path", () => {
  test("reads exactly as the display lines, for actions too", () => {
    fc.assert(
      fc.property(clean, clean, fc.boolean(), (from, text, action) => {
        const frame = { type: "said", from, text, ...(action ? { action: true } : {}) } as const;
        expect(renderText(frame)).toBe(linesOf(frame).map(plain).join("\n"));
      }),
      { numRuns: 3000 },
    );
  });

  test("its bytes are the text and CR LF, built once and shared", () => {
    const frame = new Frame({ type: "said", from: "amy", text: "hi 你好" });
    expect(frame.text().toString()).toBe("amy: hi 你好\r\n");
    expect(frame.text()).toBe(frame.text());
  });
});
