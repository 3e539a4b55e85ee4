// The tutorial's `l`: who is online, how long each has been idle, the count.
import { definePlugin } from "parley";

export default definePlugin({
  name: "list",
  description: "who is online",
  commands: [
    {
      name: "list",
      aliases: ["l", "who"],
      summary: "everyone online, with how long each has been idle",
      run(ctx) {
        const users = ctx.users();
        // Column width on screen, not length: a Chinese character is two cells wide.
        const width = Math.max(...users.map((u) => Bun.stringWidth(u.nick)));
        const lines = users.map((u) => {
          const pad = " ".repeat(width - Bun.stringWidth(u.nick));
          const you = u.nick === ctx.user.nick ? "  (you)" : "";
          return `*   ${u.nick}${pad}  idle ${formatIdle(u.idle)}${you}`;
        });
        ctx.reply([`* ${users.length} online:`, ...lines].join("\n"));
      },
    },
  ],
});

function formatIdle(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}
