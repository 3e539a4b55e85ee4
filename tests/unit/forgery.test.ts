// No user can produce a line that a telnet user reads as the server's: every
// line a person causes starts with their nick and a colon ("amy: hi") or two
// stars ("** amy waves"); every server line starts otherwise ("* ", "! ",
// "[private] ", "[plugin] ", or a fixed prompt). Driven with arbitrary nicks
// and text, through the same sanitizer and renderer the server uses.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { renderText } from "../../core/wire/frame.ts";
import { checkNick } from "../../core/wire/nick.ts";
import type { ServerFrame } from "../../core/wire/protocol.ts";
import { sanitize } from "../../core/wire/sanitize.ts";

/** The forms of what the server itself writes to a text user. */
const SERVER_FORMS: readonly RegExp[] = [
  /^\* /, // joins, leaves, renames, greetings, lists, the history header, answers
  /^! /, // errors
  /^\[[^\]]*\] /, // [private] messages, [plugin] notices, [12:03] replayed lines
  /^Welcome to parley!/,
  /^Please choose a nickname:/,
  /^This server has a password\./,
];

const nick = fc
  .string({ unit: fc.constantFrom(..."abcxyzAMY_-019丽Łąğ"), minLength: 1, maxLength: 24 })
  .filter((n) => checkNick(n, new Set()).ok);
// Anything a client can send, sanitized as the server sanitizes it.
const text = fc.string({ unit: "binary", minLength: 1, maxLength: 80 }).map(sanitize).filter((t) => t.trim() !== "");
const forms = ["* amy left (quit)", "* amy is now admin", "* Hi amy! Online (3): a, b", "! wrong password", "[private] bob: hi", "[ops] you have been muted"];

describe("a person's line never reads as a server line", () => {
  test("said and /me lines, for any nick and any text", () => {
    fc.assert(
      fc.property(nick, fc.oneof(text, fc.constantFrom(...forms, ...forms.map((f) => f.slice(2)))), fc.boolean(), (from, said, action) => {
        const event: ServerFrame = { type: "said", from, text: said, ...(action ? { action: true } : {}) };
        const lines = renderText(event).split("\n");
        expect(lines).toHaveLength(1);
        const line = lines[0]!;
        for (const form of SERVER_FORMS) expect(form.test(line)).toBe(false);
        expect(line.startsWith(action ? `** ${from} ` : `${from}: `)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test("the forgeries that once worked now read as what they are", () => {
    expect(renderText({ type: "said", from: "amy", text: "left (quit)", action: true })).toBe("** amy left (quit)");
    expect(renderText({ type: "left", nick: "amy", reason: "quit", online: 1 })).toBe("* amy left (quit)");
    expect(renderText({ type: "said", from: "amy", text: "is now admin", action: true })).toBe("** amy is now admin");
  });
});
