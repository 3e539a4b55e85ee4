// /ignore NICK, /unignore NICK, /ignore alone lists. An ignored person's
// room lines and private messages do not reach you (the server drops them
// at delivery: ctx.setPreferences). An ignore names a nick and follows its
// person through the renames you see; a registered user's list is kept
// with their account in this plugin's store (durable with --data, shared
// by every node), restored on /login, saved on every change and when they
// leave (with the renames it followed).
import { defineCommand, definePlugin, nickKey, type CommandContext, type Ignored } from "parley";

/** As many as the server keeps for one user (core/chat/ignore-list.ts). */
const MAX_IGNORED = 100;

const storeKey = (account: string) => `ignore:${nickKey(account)}`;

/** Keeps the list with the user's account, when they logged in to one. */
function save(ctx: CommandContext): void {
  const account = ctx.user.account;
  if (account === undefined) return;
  const list = ctx.preferences().ignored;
  if (list.length === 0) ctx.store.delete(storeKey(account));
  else ctx.store.set(storeKey(account), list);
}

/** The entry that holds `nick`: by any nick key its person had, or the nick they have now. */
function findIn(list: readonly Ignored[], nick: string): Ignored | undefined {
  const key = nickKey(nick);
  return list.find((p) => p.keys.includes(key) || nickKey(p.nick) === key);
}

function show(ctx: CommandContext): void {
  ctx.answer({ type: "ignore", nicks: ctx.preferences().ignored.map((p) => p.nick) });
}

export default definePlugin({
  name: "ignore",
  description: "ignore someone",
  commands: [
    defineCommand({
      name: "ignore",
      params: ["nick?"],
      summary: "NICK's room lines and private messages stop reaching you; alone: whom you ignore",
      run(ctx, [nick]) {
        if (nick === undefined) return show(ctx);
        const list = ctx.preferences().ignored;
        if (nickKey(nick) === nickKey(ctx.user.nick)) return ctx.error("you cannot ignore yourself", "ignore_self");
        if (findIn(list, nick)) return ctx.error(`you ignore ${nick} already (/unignore ${nick} to stop)`, "already_ignored");
        if (list.length >= MAX_IGNORED) return ctx.error(`you ignore ${MAX_IGNORED} people already; /unignore someone first`, "ignore_full");
        // Shown as they spell it when they are online.
        const shown = ctx.findUser(nick)?.nick ?? nick;
        ctx.setPreferences({ ignored: [...list, { nick: shown, keys: [nickKey(shown)] }] });
        save(ctx);
        show(ctx);
      },
    }),
    defineCommand({
      name: "unignore",
      params: ["nick"],
      summary: "NICK's lines reach you again",
      run(ctx, [nick]) {
        const list = ctx.preferences().ignored;
        const found = findIn(list, nick);
        if (!found) return ctx.error(`you do not ignore ${nick}`, "not_ignored");
        ctx.setPreferences({ ignored: list.filter((p) => p !== found) });
        save(ctx);
        show(ctx);
      },
    }),
  ],
  hooks: {
    // Back from another visit: the kept list, with whoever was ignored before logging in.
    login(ctx, account) {
      const kept = ctx.store.get<Ignored[]>(storeKey(account));
      const now = ctx.preferences().ignored;
      const merged = [...(Array.isArray(kept) ? kept : [])];
      for (const p of now) if (!p.keys.some((k) => merged.some((m) => Array.isArray(m?.keys) && m.keys.includes(k)))) merged.push(p);
      ctx.setPreferences({ ignored: merged });
      if (now.length > 0) save(ctx);
    },
    leave(ctx) {
      // The renames it followed while the user was here are kept too.
      if (ctx.preferences().ignored.length > 0) save(ctx);
    },
  },
});
