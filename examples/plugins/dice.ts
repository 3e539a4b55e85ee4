// Dice for the room: `r:2d6`, `/roll 2d6`, or `r` alone for one die. Everyone
// sees the throw, so nobody can claim a six they did not roll.
//
// Options (parley chat --plugin-opt dice.sides=20, or [dice] in parley.toml):
//   sides   sides of a die when the roll does not say (default 6)
import { definePlugin, type PluginContext } from "parley";

// Limits, so one roll cannot flood the room.
const MAX_DICE = 100;
const MAX_SIDES = 1000;
const DEFAULT_SIDES = 6;

// "2d6", "d20", "3" (three dice of the default sides), "" (one of them).
const SPEC = /^(\d*)(?:d(\d+))?$/i;
const USAGE = `usage: r:NdM or /roll NdM, as in 2d6 or d20 (N up to ${MAX_DICE}, M from 2 to ${MAX_SIDES})`;

export default definePlugin({
  name: "dice",
  version: "1.0.0",
  description: "roll dice for everyone to see",
  commands: [
    {
      name: "roll",
      aliases: ["r"],
      params: ["dice?"],
      usage: "roll [NdM]",
      summary: "roll N dice of M sides for the room to see: r:2d6, /roll d20, or r for one die",
      run(ctx, [spec = ""]) {
        const match = SPEC.exec(spec.trim());
        if (!match) return ctx.error(USAGE);
        const count = match[1] ? Number(match[1]) : 1;
        const sides = match[2] ? Number(match[2]) : defaultSides(ctx);
        if (count < 1 || count > MAX_DICE || sides < 2 || sides > MAX_SIDES) return ctx.error(USAGE);

        const throws = Array.from({ length: count }, () => 1 + Math.floor(Math.random() * sides));
        const total = throws.reduce((a, b) => a + b, 0);
        const shown = count === 1 ? String(total) : `${throws.join(" + ")} = ${total}`;
        ctx.broadcast(`${ctx.user.nick} rolled ${count}d${sides}: ${shown}`);
      },
    },
  ],
  hooks: {
    // Say at start-up when the option is wrong, rather than at the first roll.
    start(ctx) {
      if (ctx.config.sides !== undefined && parseSides(ctx.config.sides) === undefined) {
        ctx.log.warn(`dice.sides must be a whole number from 2 to ${MAX_SIDES} (got "${ctx.config.sides}"); using ${DEFAULT_SIDES}`);
      }
    },
  },
});

function defaultSides(ctx: PluginContext): number {
  return parseSides(ctx.config.sides) ?? DEFAULT_SIDES;
}

function parseSides(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  const n = Number(value);
  return n >= 2 && n <= MAX_SIDES ? n : undefined;
}
