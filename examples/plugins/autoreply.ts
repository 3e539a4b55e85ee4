// An auto-reply for mentions: `/autoreply lunch` and whoever mentions you in
// the room is told privately `alice is away: lunch`. `/autoreply` alone, or
// saying anything, ends it. (The built-in /away marks you in lists and
// answers private messages; this one answers the room's mentions.)
//
// The state is a Map in memory: an auto-reply means nothing once you leave,
// so the leave hook forgets you, and a restart or a reload forgets everyone.
import { definePlugin, nickKey } from "parley";

interface Away {
  nick: string;
  reason: string;
  since: number;
}

/** Who is away, by nick key: compared as the server compares nicknames. */
const away = new Map<string, Away>();

const key = nickKey;

export default definePlugin({
  name: "autoreply",
  version: "1.0.0",
  description: "an auto-reply to whoever mentions you",
  commands: [
    {
      name: "autoreply",
      params: ["reason...?"],
      summary: "anyone who mentions you is told you are away: REASON; alone, it ends",
      run(ctx, [reason]) {
        const { nick } = ctx.user;
        if (!reason) {
          if (!comeBack(nick)) return ctx.error("you have no auto-reply; /autoreply REASON sets one");
          ctx.reply("* auto-reply off: welcome back");
          return ctx.broadcast(`${nick} is back`, { except: [nick] });
        }
        away.set(key(nick), { nick, reason, since: Date.now() });
        ctx.reply(`* auto-reply on: ${reason} (type /autoreply alone, or just talk, to end it)`);
        ctx.broadcast(`${nick} is away: ${reason}`, { except: [nick] });
      },
    },
  ],
  hooks: {
    // Sees every line said to the room (and every /me) before the room does.
    message(ctx, text) {
      const sender = ctx.user.nick;
      const was = comeBack(sender);
      if (was) ctx.reply(`* welcome back (you were away ${minutes(Date.now() - was.since)})`);

      const online = new Set(ctx.users().map((u) => key(u.nick)));
      for (const [k, who] of away) {
        // Renamed since they went away: the old name is nobody now.
        if (!online.has(k)) {
          away.delete(k);
          continue;
        }
        if (mentions(text, who.nick)) ctx.reply(`${who.nick} is away: ${who.reason}`);
      }
      // Returning nothing lets the line through unchanged.
    },
    leave(ctx) {
      away.delete(key(ctx.user.nick));
    },
  },
});

/** Ends `nick`'s absence; what it was, or undefined when they were not away. */
function comeBack(nick: string): Away | undefined {
  const was = away.get(key(nick));
  away.delete(key(nick));
  return was;
}

/** True when `text` holds `nick` as a word of its own: "alice?" yes, "malice" no. */
function mentions(text: string, nick: string): boolean {
  const escaped = nick.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`(?<![\\p{L}\\p{M}\\p{N}_-])${escaped}(?![\\p{L}\\p{M}\\p{N}_-])`, "iu").test(text);
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m < 1 ? "under a minute" : m === 1 ? "1 minute" : `${m} minutes`;
}
