// Finding and importing dropped-in plugin files. A file that fails (syntax
// error, throws at import, no default export, wrong shape) yields one line
// naming it and the reason; the caller decides whether that is fatal.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Plugin } from "./api.ts";
import { provideParleyModule } from "./parley-module.ts";
import { validatePlugin } from "./validate.ts";

const EXTENSIONS = [".ts", ".js", ".mjs"];
const INDEX_FILES = ["index.ts", "index.js", "index.mjs"];

/** --plugins DIR, else $PARLEY_PLUGINS, else ./plugins when it exists. */
export function pluginFolder(flag: string | undefined, cwd = process.cwd()): string | undefined {
  if (flag) return resolve(cwd, flag);
  if (process.env.PARLEY_PLUGINS) return resolve(cwd, process.env.PARLEY_PLUGINS);
  const local = resolve(cwd, "plugins");
  if (!existsSync(local) || !statSync(local).isDirectory()) return undefined;
  // parley's own source tree has a plugins/ folder too: the built-in
  // plugins, compiled into the binary. Run from there, it is not a drop-in folder.
  return existsSync(join(local, BUILTIN_MARKER)) ? undefined : local;
}

/** A file in the repository's plugins/ folder saying it holds the built-in sources. */
export const BUILTIN_MARKER = ".parley-builtins";

/** The plugin files of a folder, in name order: *.ts, *.js, *.mjs, and sub-folders with an index file. */
export function listPluginFiles(dir: string): string[] {
  const files: string[] = [];
  const names = readdirSync(dir).filter((n) => !n.startsWith(".") && !n.endsWith(".d.ts")).sort();
  for (const name of names) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isFile() && EXTENSIONS.some((e) => name.endsWith(e))) files.push(path);
    else if (stat.isDirectory()) {
      const index = INDEX_FILES.map((i) => join(path, i)).find((p) => existsSync(p));
      if (index) files.push(index);
    }
  }
  return files;
}

/** Why a file could not be loaded, in one line (the caller names the file). */
export class LoadError extends Error {
  override readonly name = "LoadError";
}

/**
 * Imports one plugin file. `generation` > 0 busts Bun's module cache so an
 * edited file is read again (hot reload).
 */
export async function importPlugin(file: string, generation = 0): Promise<Plugin> {
  provideParleyModule();
  let module: Record<string, unknown>;
  try {
    module = await import(generation > 0 ? `${file}?v=${generation}` : file);
  } catch (error) {
    throw new LoadError(describeImportError(error));
  }
  const value = module.default ?? module.plugin;
  if (value === undefined) throw new LoadError("no default export (write: export default definePlugin({ ... }))");
  try {
    return validatePlugin(value);
  } catch (error) {
    throw new LoadError((error as Error).message);
  }
}

function describeImportError(error: unknown): string {
  if (!(error instanceof Error)) return `threw ${String(error)} while loading`;
  const first = error.message.split("\n")[0] || error.name;
  // Bun's syntax errors carry a position; say where.
  const position = (error as { position?: { line?: number; column?: number } }).position;
  const where = position?.line ? ` (line ${position.line}${position.column ? `, column ${position.column}` : ""})` : "";
  const kind = error.name === "BuildMessage" || error.name === "SyntaxError" ? "syntax error: " : error.name === "ResolveMessage" ? "" : "threw while loading: ";
  return `${kind}${first}${where}`;
}
