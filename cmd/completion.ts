// `parley completion bash|zsh|fish`: a completion script for every
// sub-command and flag, read from the same command tree as --help (the
// udp modes from the plugins, built-in and in ./plugins or $PARLEY_PLUGINS).

import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import { UserError } from "../core/base/errors.ts";
import { completionScript, SHELLS, type CompletionFlag, type CompletionNode, type Shell } from "../core/base/completion.ts";

type AnyCommand = CommandDef<ArgsDef>;

async function resolved<T>(value: T | Promise<T> | ((context?: { rawArgs: readonly string[] }) => T | Promise<T>)): Promise<T> {
  return typeof value === "function" ? await (value as (context?: { rawArgs: readonly string[] }) => T | Promise<T>)({ rawArgs: [] }) : await value;
}

/** Every command of the tree, parents first, with its flags and sub-commands' names. */
export async function completionNodes(root: AnyCommand, path = ""): Promise<CompletionNode[]> {
  const meta = root.meta ? await resolved(root.meta) : undefined;
  const args = (root.args ? await resolved(root.args) : {}) as ArgsDef;
  const subs = root.subCommands ? await resolved(root.subCommands) : {};
  const flags: CompletionFlag[] = Object.entries(args)
    .filter(([, def]) => def.type !== "positional")
    .map(([name, def]) => {
      const hint = "valueHint" in def ? def.valueHint : undefined;
      const choices = hint && /^[a-z0-9]+(\|[a-z0-9]+)+$/.test(hint) ? hint.split("|") : undefined;
      return { name, value: def.type !== "boolean", ...(choices ? { choices } : {}), description: def.description ?? "" };
    });
  const node: CompletionNode = { path, description: meta?.description ?? "", flags, subs: Object.keys(subs) };
  const nodes = [node];
  for (const [name, sub] of Object.entries(subs)) nodes.push(...(await completionNodes(await resolved(sub as AnyCommand), path ? `${path} ${name}` : name)));
  return nodes;
}

/** The command, given the root of the tree it completes (cmd/main.ts passes its own, so this file imports no parent). */
export function completionCommand(root: AnyCommand): AnyCommand {
  return defineCommand({
    meta: { name: "completion", description: "Print a shell completion script: bash, zsh or fish (e.g. source <(parley completion bash))" },
    args: {
      shell: { type: "positional", valueHint: "bash|zsh|fish", required: true, description: "the shell to complete in" },
    },
    async run({ args }) {
      const shell = args.shell as Shell;
      if (!SHELLS.includes(shell)) throw new UserError(`completion is for ${SHELLS.join(", ")} (got "${args.shell}")`, 2);
      process.stdout.write(completionScript(shell, "parley", await completionNodes(root)));
    },
  }) as AnyCommand;
}
