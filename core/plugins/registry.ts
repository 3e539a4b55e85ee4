// The command registry: every loaded plugin's commands and hooks, and the
// lookups the router needs. Built-in and dropped-in plugins go through the
// same `add`, which is how we know a dropped-in plugin can do what a
// built-in does.

import type { Command, CommandInfo, Hooks, Plugin, UdpMode } from "./api.ts";
import { describeParams, parseParams, type Param } from "./params.ts";

export const BUILT_IN = "built-in";

export interface LoadedPlugin {
  plugin: Plugin;
  /** "built-in", or the file it was loaded from */
  source: string;
}

export interface Entry {
  command: Command;
  owner: LoadedPlugin;
  params: Param[];
}

/** A mode of `parley udp` and the plugin that brought it. */
export interface UdpModeEntry {
  mode: UdpMode;
  owner: LoadedPlugin;
}

export class Registry {
  readonly plugins: LoadedPlugin[] = [];
  private readonly modes = new Map<string, UdpModeEntry>();
  private readonly slash = new Map<string, Entry>();
  private readonly colon = new Map<string, Entry>();
  private readonly word = new Map<string, Entry>();
  private ordered: Entry[] = [];
  private reserved: Set<string> | undefined;
  private readonly hookLists = new Map<keyof Hooks, unknown[]>();

  /**
   * Adds a plugin. A command named like a built-in one replaces it (the
   * returned notes say which); a clash with another dropped-in plugin throws
   * an error naming both files.
   */
  add(plugin: Plugin, source: string): string[] {
    const owner = { plugin, source };
    const entries = (plugin.commands ?? []).map((command) => ({ command, owner, params: parseParams(command.params) }));
    const twin = this.plugins.find((p) => p.plugin.name === plugin.name);
    if (twin) throw new Error(`two plugins are named "${plugin.name}": ${twin.source} and ${source}`);
    const replaced: string[] = [];
    const modes = this.checkModes(plugin, owner, replaced);
    for (const entry of entries) {
      const { command } = entry;
      const claims: [string, Map<string, Entry>][] = [
        ...[command.name, ...(command.aliases ?? [])].map((n): [string, Map<string, Entry>] => [`/${n.toLowerCase()}`, this.slash]),
        ...(command.words ?? []).map((w): [string, Map<string, Entry>] => [w.toLowerCase(), this.word]),
      ];
      for (const [shown, map] of claims) {
        const previous = map.get(shown.replace(/^\//, ""));
        if (!previous || previous.owner === owner) continue;
        if (previous.owner.source !== BUILT_IN) {
          throw new Error(`command ${shown} is defined twice: by ${previous.owner.source} and ${source}`);
        }
        replaced.push(`${shown} of built-in plugin ${previous.owner.plugin.name} (${formsOf(previous).join(" ")}) is replaced by plugin ${plugin.name} (${source})`);
        this.drop(previous);
      }
    }
    for (const entry of entries) {
      const { command } = entry;
      for (const name of [command.name, ...(command.aliases ?? [])]) {
        const key = name.toLowerCase();
        this.slash.set(key, entry);
        if ([...key].length === 1) {
          this.colon.set(key, entry);
          this.word.set(key, entry);
          this.longestWord = null;
        }
      }
      for (const w of command.words ?? []) this.word.set(w.toLowerCase(), entry);
      this.longestWord = null;
      this.ordered.push(entry);
    }
    for (const entry of modes) {
      this.modes.delete(entry.mode.name);
      this.modes.set(entry.mode.name, entry);
    }
    this.plugins.push(owner);
    this.reserved = undefined;
    this.hookLists.clear();
    return replaced;
  }

  /** Every mode of `parley udp`, in the order plugins were added (built-in ones first). */
  udpModes(): UdpModeEntry[] {
    return [...this.modes.values()];
  }

  /** The same rule as commands: a built-in mode may be replaced, a dropped-in one not. Changes nothing. */
  private checkModes(plugin: Plugin, owner: LoadedPlugin, notes: string[]): UdpModeEntry[] {
    const entries = (plugin.udpModes ?? []).map((mode) => ({ mode, owner }));
    const seen = new Set<string>();
    for (const { mode } of entries) {
      if (seen.has(mode.name)) throw new Error(`udp mode "${mode.name}" is defined twice in ${owner.source}`);
      seen.add(mode.name);
      const previous = this.modes.get(mode.name);
      if (!previous) continue;
      if (previous.owner.source !== BUILT_IN) throw new Error(`udp mode "${mode.name}" is defined twice: by ${previous.owner.source} and ${owner.source}`);
      notes.push(`udp mode "${mode.name}" of built-in plugin ${previous.owner.plugin.name} is replaced by ${plugin.name} (${owner.source})`);
    }
    return entries;
  }

  /** `/name` and its aliases */
  bySlash(name: string): Entry | undefined {
    return this.slash.get(name.toLowerCase());
  }

  /** `x:args`, for one-letter aliases */
  byColon(letter: string): Entry | undefined {
    return this.colon.get(letter.toLowerCase());
  }

  /** a word alone on a line */
  byWord(word: string): Entry | undefined {
    // Asked of every line said (is the whole line a command word?): a line
    // longer than any word could be, lower-cased, is none, and is not
    // lower-cased to find out (no lower-case mapping triples a length).
    this.longestWord ??= Math.max(0, ...[...this.word.keys()].map((k) => k.length));
    if (word.length > 3 * this.longestWord) return undefined;
    return this.word.get(word.toLowerCase());
  }
  /** the longest command word, in UTF-16 units; worked out again after any change */
  private longestWord: number | null = null;

  /** Every command word, lower-cased: none of them can be a nickname. */
  reservedWords(): ReadonlySet<string> {
    this.reserved ??= new Set([...this.slash.keys(), ...this.word.keys()]);
    return this.reserved;
  }

  /** The plugins' hooks of one kind, in load order (asked for on every line: kept once built). */
  hooks<K extends keyof Hooks>(name: K): { hook: NonNullable<Hooks[K]>; owner: LoadedPlugin }[] {
    const cached = this.hookLists.get(name);
    if (cached) return cached as { hook: NonNullable<Hooks[K]>; owner: LoadedPlugin }[];
    const found: { hook: NonNullable<Hooks[K]>; owner: LoadedPlugin }[] = [];
    for (const owner of this.plugins) {
      const hook = owner.plugin.hooks?.[name];
      if (hook) found.push({ hook: hook as NonNullable<Hooks[K]>, owner });
    }
    this.hookLists.set(name, found);
    return found;
  }

  infos(): CommandInfo[] {
    return this.ordered.map((entry) => ({
      name: entry.command.name,
      plugin: entry.owner.plugin.name,
      summary: entry.command.summary ?? "",
      forms: formsOf(entry),
    }));
  }

  private drop(entry: Entry): void {
    this.ordered = this.ordered.filter((e) => e !== entry);
    for (const map of [this.slash, this.colon, this.word]) {
      for (const [key, value] of map) if (value === entry) map.delete(key);
    }
    this.longestWord = null;
  }
}

/** All the ways to type a command: `c:NICK:TEXT`, `/msg NICK TEXT`, `quit`. */
function formsOf({ command, params }: Entry): string[] {
  const forms: string[] = [];
  const letters = (command.aliases ?? []).filter((a) => [...a].length === 1);
  const required = params.some((p) => !p.optional);
  for (const letter of letters) {
    forms.push(required ? `${letter}:${describeParams(params, ":")}` : letter);
  }
  const usage = command.usage ?? [command.name, describeParams(params, " ")].filter(Boolean).join(" ");
  forms.push(`/${usage}`);
  for (const alias of command.aliases ?? []) if ([...alias].length > 1) forms.push(`/${alias}`);
  for (const w of command.words ?? []) forms.push(w);
  return forms;
}
