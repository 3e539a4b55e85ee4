// /history [N]: the last N messages said to the room (private ones are
// never kept), with the time each was said.
import { defineCommand, definePlugin, nickKey } from "parley";

const DEFAULT = 20;
const MOST = 1000;

export default definePlugin({
  name: "history",
  description: "recent room messages",
  commands: [
    defineCommand({
      name: "history",
      params: ["count?"],
      summary: "the last COUNT messages said to the room (default 20)",
      run(ctx, [count]) {
        const n = count ? Number(count) : DEFAULT;
        if (!Number.isInteger(n) || n < 1 || n > MOST) return ctx.error(`usage: /history [COUNT], COUNT from 1 to ${MOST}`);
        // Whom the user ignores is left out of what they are shown, as on the live lines.
        const ignored = new Set(ctx.preferences().ignored.flatMap((p) => p.keys));
        const messages = ignored.size === 0 ? ctx.history(n) : ctx.history(n).filter((m) => !ignored.has(nickKey(m.from)));
        if (messages.length === 0) return ctx.reply("* nothing has been said yet");
        ctx.reply(
          [
            `* the last ${messages.length} message${messages.length === 1 ? "" : "s"}:`,
            ...messages.map((m) => `[${clock(m.time)}] ${m.action ? `* ${m.from} ${m.text}` : `${m.from}: ${m.text}`}`),
          ].join("\n"),
        );
      },
    }),
  ],
});

function clock(time: Date): string {
  return time.toTimeString().slice(0, 5);
}
