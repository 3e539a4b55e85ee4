// Reads the effective settings of `parley chat` from where they live: the
// words of the command line, the environment, and the config file found on
// the search path. Call it again (same argv, the environment of now) to
// re-read the file, as a reload does.

import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { UserError } from "../base/errors.ts";
import { defaultDataFile } from "../store/state-dir.ts";
import { allValues, flagsOf } from "./argv.ts";
import { CONFIG_ERROR, resolveSettings, type Settings } from "./resolve.ts";
import { SETTINGS } from "./settings.ts";
import { homeDirectory } from "../base/home.ts";

type Env = Readonly<Record<string, string | undefined>>;

export const CONFIG_FILE_NAME = "parley.toml";

/** The flags `parley chat` has beside the settings: they choose the file and what to do, and are not in it. */
export const CONFIG_FLAG = "config";
export const PRINT_CONFIG_FLAG = "print-config";

/** The files looked for, in order, when no --config is given. */
export function configSearchPath(env: Env, cwd: string): string[] {
  const home = homeDirectory(env);
  const xdg = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : home === undefined ? undefined : join(home, ".config");
  return [join(cwd, CONFIG_FILE_NAME), ...(xdg === undefined ? [] : [join(xdg, "parley", CONFIG_FILE_NAME)]), join("/etc/parley", CONFIG_FILE_NAME)];
}

/** The config file to read: --config, else $PARLEY_CONFIG, else the first of the search path that exists; undefined when none does. */
export function findConfigFile(flag: string | undefined, env: Env, cwd: string): string | undefined {
  const chosen = flag ?? (env.PARLEY_CONFIG || undefined);
  if (chosen !== undefined) return resolve(cwd, chosen);
  return configSearchPath(env, cwd).find((file) => existsSync(file) && statSync(file).isFile());
}

export interface LoadedSettings {
  settings: Settings;
  /** --plugin-opt NAME.KEY=VALUE, every one, in order */
  pluginOptions: string[];
  /** --print-config was given */
  printConfig: boolean;
}

const BOOLEANS = new Set([...SETTINGS.filter((s) => s.kind.type === "boolean").map((s) => s.flag), PRINT_CONFIG_FLAG]);
const LISTS = new Set(SETTINGS.filter((s) => s.repeats).map((s) => s.flag));

/**
 * The settings from the words of `parley chat` (argv), the environment and
 * the config file. With `secrets: false` the secrets' files are not read
 * (their values are empty): for a command that needs only, say, the data
 * file, and may run as a user who cannot read the server's secrets.
 */
export function loadSettings(argv: readonly string[], env: Env = process.env, cwd = process.cwd(), options: { secrets?: boolean } = {}): LoadedSettings {
  const flags = flagsOf(argv, BOOLEANS, LISTS);
  const configFlag = flags.get(CONFIG_FLAG);
  const path = findConfigFile(typeof configFlag === "string" ? configFlag : undefined, env, cwd);
  const named = configFlag !== undefined ? `--${CONFIG_FLAG}` : env.PARLEY_CONFIG ? "PARLEY_CONFIG" : "config file";
  const file = path === undefined ? undefined : { path, text: readText(path, named) };
  const settings = resolveSettings({
    flags,
    env,
    ...(file ? { file } : {}),
    readSecret: (secretPath, name) => (options.secrets === false ? "" : readText(resolve(cwd, secretPath), name)),
    // Only when no --data, PARLEY_DATA or file says: a user with no home needs none with --data memory.
    computedDefaults: { data: () => defaultDataFile(env) },
  });
  return { settings, pluginOptions: allValues(argv, "plugin-opt"), printConfig: flags.get(PRINT_CONFIG_FLAG) === true };
}

/** A file's text, or one line naming what named it and why it cannot be read (never its content). */
function readText(path: string, name: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UserError(`cannot read ${name} ${path}: ${code}`, CONFIG_ERROR);
  }
}
