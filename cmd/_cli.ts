// Runs the citty command tree with the behaviour users judge in the first
// minute: --help and --version anywhere, an unknown flag or command named
// in one line, and no stack trace for a mistake the user can fix.

import { renderUsage, runCommand, type ArgDef, type ArgsDef, type CommandDef, type SubCommandsDef } from "citty";
import { errorText, UserError } from "../core/base/errors.ts";
import { flushLog } from "../core/base/log-batch.ts";

type AnyCommand = CommandDef<ArgsDef>;

/**
 * What a command's subCommands function is called with: the words given to
 * it (after its own name), so a command whose list depends on a flag
 * (`parley udp --plugins DIR`) reads runCli's argv, not process.argv.
 */
export interface SubCommandsContext {
  readonly rawArgs: readonly string[];
}

async function resolve<T>(value: T | Promise<T> | (() => T | Promise<T>), context?: SubCommandsContext): Promise<T> {
  return typeof value === "function" ? await (value as (context?: SubCommandsContext) => T | Promise<T>)(context) : await value;
}

/** Follows the sub-command names in argv; returns the chain, the last command's sub-commands and the args left over. */
async function walk(root: AnyCommand, argv: string[]): Promise<{ chain: AnyCommand[]; names: string[]; rest: string[]; subs?: SubCommandsDef }> {
  const chain = [root];
  const names: string[] = [];
  let rest = argv;
  for (;;) {
    const current = chain[chain.length - 1]!;
    const subs: SubCommandsDef | undefined = current.subCommands ? await resolve(current.subCommands, { rawArgs: rest }) : undefined;
    // Flags this command declares may come before the sub-command's name
    // (`parley udp --plugins DIR time`); they go on to the sub-command.
    const skip = subs ? leadingFlags(current.args ? await resolve(current.args) : {}, rest) : 0;
    const index = rest.findIndex((a, i) => i >= skip && !a.startsWith("-"));
    if (!subs || index !== skip) return { chain, names, rest, subs };
    const name = rest[skip]!;
    const next = subs[name];
    if (!next) {
      if (skip > 0) return { chain, names, rest, subs };
      throw new UserError(`unknown command "${name}"; the commands are: ${Object.keys(subs).join(", ")} (see ${commandName(names)} --help)`, 2);
    }
    chain.push(await resolve(next));
    names.push(name);
    rest = [...rest.slice(0, skip), ...rest.slice(skip + 1)];
  }
}

/** How many leading words of rest are flags of args (with their values). */
function leadingFlags(args: ArgsDef, rest: string[]): number {
  let i = 0;
  while (i < rest.length && rest[i]!.startsWith("--") && rest[i] !== "--") {
    const [flag, value] = rest[i]!.slice(2).split(/=(.*)/s);
    const def = args[flag!] ?? (flag!.startsWith("no-") ? args[flag!.slice(3)] : undefined);
    if (!def || def.type === "positional") break;
    i += def.type === "boolean" || value !== undefined ? 1 : 2;
  }
  return Math.min(i, rest.length);
}

function commandName(names: string[]): string {
  return ["parley", ...names].join(" ");
}

function aliasesOf(def: ArgDef): string[] {
  return "alias" in def && def.alias ? [def.alias].flat() : [];
}

/** Rejects flags the command does not declare: citty would silently ignore them. */
function checkFlags(args: ArgsDef, rest: string[], name: string): void {
  const known = new Set<string>();
  for (const [key, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    for (const n of [key, ...aliasesOf(def)]) {
      known.add(n);
      known.add(n.replace(/[A-Z]/g, (c: string) => "-" + c.toLowerCase()));
      if (def.type === "boolean") known.add("no-" + n);
    }
  }
  const positionals = Object.values(args).filter((d) => d.type === "positional").length;
  let seenPositionals = 0;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") {
      seenPositionals++;
      continue;
    }
    const flag = arg.replace(/^-+/, "").split("=")[0]!;
    if (!known.has(flag)) throw new UserError(`unknown flag ${arg.split("=")[0]} for ${name} (see ${name} --help)`, 2);
    const def = args[flag] ?? Object.values(args).find((d) => aliasesOf(d).includes(flag));
    // A string flag takes the next word as its value, so it is not a positional.
    if (def && def.type !== "boolean" && !arg.includes("=")) i++;
  }
  // citty's own "Missing required positional argument: X" would exit 1, worded unlike every other usage error.
  // As citty reads them: a positional is required unless it says required: false.
  const required = Object.entries(args).filter(([, d]) => d.type === "positional" && d.required !== false);
  if (seenPositionals < required.length) {
    const [key, def] = required[seenPositionals]!;
    throw new UserError(`${name} needs ${def.valueHint ?? key.toUpperCase()} (see ${name} --help)`, 2);
  }
  const variadic = Object.values(args).some((d) => d.type === "positional" && d.valueHint?.endsWith("..."));
  if (seenPositionals > positionals && !variadic) {
    throw new UserError(`${name} takes ${positionals === 0 ? "no" : `at most ${positionals}`} argument${positionals === 1 ? "" : "s"} besides flags (see ${name} --help)`, 2);
  }
}

export async function runCli(root: AnyCommand, argv: string[], version: string): Promise<void> {
  try {
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
      process.stdout.write(version + "\n");
      return;
    }
    const { chain, names, rest, subs } = await walk(root, argv);
    const cmd = chain[chain.length - 1]!;
    const parent = chain.length > 1 ? chain[chain.length - 2] : undefined;
    if (rest.includes("--help") || rest.includes("-h") || (!cmd.run && rest.length === 0)) {
      // citty names only one parent level; give it the whole path ("parley udp").
      const parentMeta = parent?.meta ? await resolve(parent.meta) : undefined;
      const named = parent && { ...parent, meta: { ...parentMeta, name: commandName(names.slice(0, -1)) } };
      // The sub-commands as resolved with this argv (citty would call the function without it).
      const usage = await renderUsage(subs ? { ...cmd, subCommands: subs } : cmd, named);
      // citty colours help even when piped; keep it plain for pipes and files.
      process.stdout.write((process.stdout.isTTY ? usage : usage.replace(/\x1b\[[0-9;]*m/g, "")) + "\n");
      return;
    }
    checkFlags(cmd.args ? await resolve(cmd.args) : {}, rest, commandName(names));
    // The chain is resolved already; without this citty would take a
    // positional argument for a sub-command name.
    await runCommand({ ...cmd, subCommands: undefined }, { rawArgs: rest });
  } catch (error) {
    flushLog(); // the log lines of this turn go before the error
    if (process.env.PARLEY_DEBUG && error instanceof Error) console.error(error.stack);
    process.stderr.write(`parley: ${errorText(error)}\n`);
    process.exit(error instanceof UserError ? error.exitCode : 1);
  }
}
