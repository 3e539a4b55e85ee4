// How lines reach you, your own settings for your connection: /quiet hides
// join and leave notices, /timestamps puts [HH:MM] (the server's local
// time) in front of live lines, /bell rings your terminal's bell when a
// line says your nick. Timestamps and the bell are for text clients
// (telnet, nc, PuTTY); a program (JSON) gets the data as it is, and a
// `mention` flag on lines that say its nick.
import { defineCommand, definePlugin, type Command, type CommandContext, type UserPreferences } from "parley";

type Switch = "quiet" | "timestamps" | "bell";

/** /NAME on|off; alone, it flips. */
function switchCommand(name: Switch, summary: string, said: (on: boolean) => string): Command {
  return defineCommand({
    name,
    params: ["state?"],
    usage: `${name} [on|off]`,
    summary,
    run(ctx: CommandContext, [state]) {
      const word = state?.trim().toLowerCase() || undefined;
      if (word !== undefined && word !== "on" && word !== "off") return ctx.error(`/${name} takes on or off`, "usage");
      const on = word === undefined ? !ctx.preferences()[name] : word === "on";
      ctx.setPreferences({ [name]: on } as Partial<UserPreferences>);
      ctx.reply(`* ${said(on)}`);
    },
  });
}

export default definePlugin({
  name: "display",
  description: "how lines reach you: quiet, timestamps, bell",
  commands: [
    switchCommand("quiet", "on: join and leave notices are hidden from you; off: shown", (on) =>
      on ? "quiet: join and leave notices are hidden (/quiet off shows them)" : "join and leave notices are shown again"),
    switchCommand("timestamps", "on: live lines start with [HH:MM], the server's time", (on) =>
      on ? "timestamps on: live lines start with [HH:MM], the server's local time" : "timestamps off"),
    switchCommand("bell", "on: your terminal beeps when a line says your nick", (on) =>
      on ? "bell on: your terminal beeps when a line says your nick" : "bell off"),
  ],
});
