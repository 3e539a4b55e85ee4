// Accounts: /register PASSWORD claims your nickname, /login NICK PASSWORD
// takes it back on a later visit. A registered nickname cannot be taken by
// anyone else. Passwords are hashed with argon2id (Bun.password) and kept
// in this plugin's store, which outlives the server with --data.
import { defineCommand, definePlugin, nickKey, type PluginStore } from "parley";

interface Account {
  nick: string;
  hash: string;
  created: string;
}

const MIN_PASSWORD = 6;
// The hash of an account whose /register is still hashing: it matches no password.
const PENDING = "pending";
const FAILED_LOGIN_DELAY_MS = 1000;
// Which account each connection has proven it owns, by user id.
const owners = new Map<number, string>();

function account(store: PluginStore, nick: string): Account | undefined {
  return store.get<Account>(`account:${nickKey(nick)}`);
}

/**
 * Moves every account to the key nickKey gives its nick now (the key
 * changed when look-alikes became one nick: "Amy" was "account:amy" and is
 * "account:arny"). When look-alikes were registered apart, the first
 * created keeps the nick; the others are kept aside under
 * "account-conflict:OLDKEY", out of the way but not lost.
 */
function migrateKeys(store: PluginStore, log: { info(message: string): void; warn(message: string): void }): void {
  const groups = new Map<string, { key: string; record: Account }[]>();
  for (const key of store.keys()) {
    if (!key.startsWith("account:")) continue;
    const record = store.get<Account>(key);
    if (typeof record?.nick !== "string") continue;
    const wanted = `account:${nickKey(record.nick)}`;
    const group = groups.get(wanted) ?? [];
    group.push({ key, record });
    groups.set(wanted, group);
  }
  for (const [wanted, group] of groups) {
    if (group.length === 1 && group[0]!.key === wanted) continue;
    // Oldest first; ISO dates sort as text. A record without a date goes last.
    group.sort((a, b) => (a.record.created ?? "\uffff").localeCompare(b.record.created ?? "\uffff"));
    const [kept, ...others] = group;
    for (const { key } of group) store.delete(key);
    store.set(wanted, kept!.record);
    if (kept!.key !== wanted) log.info(`account ${kept!.record.nick} moved from ${kept!.key} to ${wanted}`);
    for (const other of others) {
      store.set(`account-conflict:${other.key.slice("account:".length)}`, other.record);
      log.warn(`accounts ${kept!.record.nick} and ${other.record.nick} look alike and are now one nick: ${kept!.record.nick} (registered first) keeps it; ${other.record.nick} is kept aside as account-conflict:${other.key.slice("account:".length)}`);
    }
  }
}

export default definePlugin({
  name: "account",
  description: "registered nicknames",
  commands: [
    defineCommand({
      name: "register",
      params: ["password"],
      // Typed alone, /register asks for the password with echo off.
      secret: ["password"],
      summary: "register your nickname with PASSWORD, so no one else can take it",
      async run(ctx, [password]) {
        const { nick, id } = ctx.user;
        const key = `account:${nickKey(nick)}`;
        if (ctx.store.get(key) !== undefined) return ctx.error(`${nick} is registered already; to use it: /login ${nick} PASSWORD`);
        if ([...password].length < MIN_PASSWORD) return ctx.error(`a password has at least ${MIN_PASSWORD} characters`);
        // Claimed before the slow hash, so two /register of one nick have one winner.
        const created = new Date().toISOString();
        ctx.store.set(key, { nick, hash: PENDING, created } satisfies Account);
        let hash: string | undefined;
        try {
          hash = await ctx.hashPassword(password);
        } finally {
          // Left first, or the hash failed: the claim goes, so the nick is not locked for ever.
          if (hash === undefined) ctx.store.delete(key);
        }
        if (hash === undefined) return;
        ctx.store.set(key, { nick, hash, created } satisfies Account);
        owners.set(id, nickKey(nick));
        ctx.log.info(`${nick} registered`);
        // What other plugins keep with an account starts now (the login hooks).
        await ctx.setAccount(nick);
        // Said plainly: "registered" alone would promise what a server that keeps nothing cannot hold.
        if (!ctx.store.kept) ctx.reply(`* ${nick} is registered to you until the server restarts: this server keeps no data (--data memory), so the account is then gone. Until then: /login ${nick} PASSWORD`);
        else ctx.reply(`* ${nick} is registered to you. Next time: /login ${nick} PASSWORD`);
      },
    }),
    defineCommand({
      name: "login",
      params: ["nick", "password"],
      secret: ["password"],
      summary: "prove NICK is yours with its PASSWORD, and take it",
      async run(ctx, [nick, password]) {
        const found = account(ctx.store, nick);
        // The same answer, and the same work, whether or not the account exists;
        // the guess waits its address's turn, so guessing is slow however it is done.
        const ok = await ctx.guess(async () => {
          if (found && found.hash !== PENDING) return Bun.password.verify(password, found.hash);
          await Bun.password.hash(password, { algorithm: "argon2id" });
          return false;
        });
        if (!found || !ok) {
          ctx.log.info(`failed login for ${nick} from ${ctx.user.address}`);
          // Guessing is slow: this connection's next line waits too.
          await Bun.sleep(FAILED_LOGIN_DELAY_MS);
          return ctx.error(`wrong nickname or password`);
        }
        owners.set(ctx.user.id, nickKey(found.nick));
        // Other plugins restore what they keep with the account (the login hooks).
        await ctx.setAccount(found.nick);
        if (nickKey(ctx.user.nick) === nickKey(found.nick)) return ctx.reply(`* you are logged in as ${found.nick}`);
        // Someone else holding it can only be the owner's own stale connection.
        const holder = ctx.findUser(found.nick);
        if (holder) ctx.kick(holder.nick, "logged in from elsewhere");
        const renamed = await ctx.rename(found.nick);
        if (!renamed.ok) return ctx.error(renamed.reason);
        ctx.reply(`* you are logged in as ${found.nick}`);
      },
    }),
  ],
  hooks: {
    start(ctx) {
      migrateKeys(ctx.store, ctx.log);
      // A /register cut off by a stop never finished: its claim must not lock the nick.
      for (const key of ctx.store.keys()) {
        if (key.startsWith("account:") && ctx.store.get<Account>(key)?.hash === PENDING) ctx.store.delete(key);
      }
    },
    nick(ctx, nick) {
      const found = account(ctx.store, nick);
      if (found && owners.get(ctx.user.id) !== nickKey(found.nick)) {
        return `${found.nick} is registered; pick another nickname, then /login ${found.nick} PASSWORD`;
      }
    },
    leave(ctx) {
      owners.delete(ctx.user.id);
    },
  },
});
