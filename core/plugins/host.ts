// The plugin host: built-in plugins plus the files of the plugins folder,
// turned into one Registry; their start and stop hooks; and, with
// --watch-plugins, hot reload. A reload builds a whole new registry and
// swaps it in, so a reload that fails (a syntax error, a clash) leaves the
// previous version running, and no connection is touched.

import { watch, type FSWatcher } from "node:fs";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { Plugin } from "./api.ts";
import type { ServerServices } from "./services.ts";
import { UserError, errorText } from "../base/errors.ts";
import { runPluginHook } from "./runner.ts";
import { importPlugin, listPluginFiles } from "./loader.ts";
import type { Logger } from "../base/log.ts";
import { BUILT_IN, Registry, type LoadedPlugin } from "./registry.ts";

export interface PluginHostOptions {
  folder?: string;
  /** any load problem stops start-up */
  strict: boolean;
  log: Logger;
}

interface FileState {
  plugin: Plugin;
  /** hash of the file (or its folder), to tell an edit from a touch */
  hash: string;
}

/** What a reload of the plugins folder did: "reloaded plugins/x.ts", and the lines of what failed. */
export interface PluginReload {
  changes: string[];
  failures: string[];
}

// Editors write a file in several steps; wait for them to settle.
const SETTLE_MS = 100;

export class PluginHost {
  registry: Registry;
  private readonly files = new Map<string, FileState>();
  private readonly builtins: readonly Plugin[];
  private readonly options: PluginHostOptions;
  private generation = 0;
  private server: ServerServices | undefined;
  private watcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private told = new Set<string>();

  constructor(builtins: readonly Plugin[], options: PluginHostOptions) {
    this.builtins = builtins;
    this.options = options;
    this.registry = this.build(new Map()).registry;
  }

  /** Loads every file of the folder. Problems are logged and skipped (thrown with --plugins-strict); clashes are fatal. */
  async load(): Promise<void> {
    const { folder, strict, log } = this.options;
    if (!folder) return;
    let files: string[];
    try {
      files = listPluginFiles(folder);
    } catch (error) {
      throw new UserError(`cannot read plugins folder ${folder}: ${(error as NodeJS.ErrnoException).code ?? errorText(error)}`);
    }
    for (const file of files) {
      try {
        this.files.set(file, { plugin: await importPlugin(file), hash: hashOf(file) });
      } catch (error) {
        if (strict) throw new UserError(`plugin ${this.show(file)}: ${errorText(error)} (--plugins-strict)`);
        log.error(`plugin skipped: ${this.show(file)}: ${errorText(error)}`);
      }
    }
    let built: ReturnType<PluginHost["build"]>;
    try {
      built = this.build(this.files);
    } catch (error) {
      throw new UserError(`plugins clash: ${errorText(error)}`);
    }
    this.tell(built.notes);
    this.registry = built.registry;
    log.info(`plugins: ${this.files.size} loaded from ${folder}${files.length > this.files.size ? `, ${files.length - this.files.size} skipped` : ""}`);
  }

  /** Connects the host to a running chat server and runs every start hook. */
  async start(server: ServerServices): Promise<void> {
    this.server = server;
    for (const owner of this.registry.plugins) await runPluginHook(server, owner, "start");
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    clearTimeout(this.timer);
    await this.reloading;
    if (!this.server) return;
    for (const owner of [...this.registry.plugins].reverse()) await runPluginHook(this.server, owner, "stop");
  }

  /** Reloads plugins when files in the folder are added, edited or removed. */
  watch(): void {
    const { folder, log } = this.options;
    if (!folder) return;
    try {
      this.watcher = watch(folder, { recursive: true }, () => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          this.reloading = this.reloading.then(() => this.rescan()).then(
            () => {},
            () => {},
          );
        }, SETTLE_MS);
      });
    } catch (error) {
      log.error(`cannot watch ${folder}: ${errorText(error)}; plugins will not be reloaded`);
    }
  }

  /**
   * Reads the plugins folder again now (SIGHUP, /reload), as the watcher
   * does on a change: edited, added and removed files take effect; a file
   * that fails keeps its previous version. Resolves to what changed and
   * what failed, each already logged in one line.
   */
  reload(): Promise<PluginReload> {
    const done = this.reloading.then(() => this.rescan());
    this.reloading = done.then(
      () => {},
      () => {},
    );
    return done;
  }

  private async rescan(): Promise<PluginReload> {
    const { folder, log } = this.options;
    const result: PluginReload = { changes: [], failures: [] };
    if (!folder || !this.server) return result;
    const fail = (line: string) => {
      log.error(line);
      result.failures.push(line);
    };
    let present: string[];
    try {
      present = listPluginFiles(folder);
    } catch (error) {
      fail(`cannot read plugins folder ${folder}: ${errorText(error)}`);
      return result;
    }
    const next = new Map(this.files);
    const changes: string[] = [];
    for (const file of this.files.keys()) {
      if (!present.includes(file)) {
        next.delete(file);
        changes.push(`removed ${this.show(file)}`);
      }
    }
    for (const file of present) {
      const hash = hashOf(file);
      const known = this.files.get(file);
      if (known?.hash === hash) continue;
      try {
        next.set(file, { plugin: await importPlugin(file, ++this.generation), hash });
        changes.push(`${known ? "reloaded" : "added"} ${this.show(file)}`);
      } catch (error) {
        fail(`plugin reload failed, keeping the previous version: ${this.show(file)}: ${errorText(error)}`);
      }
    }
    if (changes.length === 0) return result;
    let built: ReturnType<PluginHost["build"]>;
    try {
      built = this.build(next);
    } catch (error) {
      fail(`plugin reload failed, keeping the previous version: ${errorText(error)}`);
      return result;
    }
    const before = this.registry.plugins;
    const after = built.registry.plugins;
    for (const owner of before) if (!after.some((o) => o.plugin === owner.plugin)) await runPluginHook(this.server, owner, "stop");
    this.files.clear();
    for (const [file, state] of next) this.files.set(file, state);
    this.registry = built.registry;
    this.tell(built.notes);
    for (const owner of after) if (!before.some((o) => o.plugin === owner.plugin)) await runPluginHook(this.server, owner, "start");
    log.info(`plugins: ${changes.join(", ")}`);
    result.changes.push(...changes);
    return result;
  }

  private build(files: ReadonlyMap<string, FileState>): { registry: Registry; notes: string[] } {
    const registry = new Registry();
    const notes: string[] = [];
    // A file whose plugin has a built-in's name replaces that whole plugin.
    const named = new Map([...files].map(([file, { plugin }]) => [plugin.name, file]));
    for (const plugin of this.builtins) {
      const file = named.get(plugin.name);
      if (file) notes.push(`built-in plugin ${plugin.name} is replaced by ${this.show(file)}`);
      else registry.add(plugin, BUILT_IN);
    }
    for (const [file, { plugin }] of files) notes.push(...registry.add(plugin, this.show(file)));
    return { registry, notes };
  }

  /** Logs the notes of a build that were not already said for the previous one. */
  private tell(notes: readonly string[]): void {
    for (const note of notes) if (!this.told.has(note)) this.options.log.warn(note);
    this.told = new Set(notes);
  }

  private show(file: string): string {
    return this.options.folder ? join(relative(process.cwd(), this.options.folder) || ".", relative(this.options.folder, file)) : file;
  }

  /**
   * The plugin an error came from, when its stack passes through a plugin
   * file: how a throw in a plugin's timer or a promise it never awaited is
   * told with the plugin's name instead of ending the server.
   */
  blame(error: unknown): LoadedPlugin | undefined {
    const stack = error instanceof Error ? (error.stack ?? "") : "";
    if (!stack) return undefined;
    for (const [file, { plugin }] of this.files) {
      const dir = /\/index\.(ts|js|mjs)$/.test(file) ? dirname(file) + "/" : file;
      if (stack.includes(dir)) return this.registry.plugins.find((o) => o.plugin === plugin);
    }
    // Built-in plugins are bundled into the binary; its source map names their files.
    return this.registry.plugins.find((o) => o.source === BUILT_IN && new RegExp(`[/\\\\]plugins[/\\\\]${o.plugin.name}\\.ts:`).test(stack));
  }

  /** Every plugin, built-in or from a file, for `parley plugins`. */
  list(): readonly LoadedPlugin[] {
    return this.registry.plugins;
  }
}

/** A file's content hash; for a folder plugin, of every file under its folder. */
function hashOf(file: string): string {
  const base = file.split("/").pop()!;
  if (!/^index\.(ts|js|mjs)$/.test(base)) return String(Bun.hash(readFileSync(file)));
  const dir = dirname(file);
  const parts: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else parts.push(name, String(Bun.hash(readFileSync(p))));
    }
  };
  walk(dir);
  return parts.join(":");
}
