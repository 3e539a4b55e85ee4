// The effective settings of `parley chat` from its four sources, in order
// of precedence: a flag, then a PARLEY_* variable, then parley.toml, then
// the default. Pure but for reading secrets' files, which the caller
// passes in. Every value is checked here with the name the user wrote, so
// a mistake in the file is one line naming the file, the line and, for an
// unknown key, the nearest valid one.

import { dirname, resolve } from "node:path";
import { UserError } from "../base/errors.ts";
import { nearest } from "./nearest.ts";
import { allKeys, envOf, fileFormOf, keyOf, SETTINGS, type Setting } from "./settings.ts";
import { topLevelKeyLines } from "./toml-lines.ts";
import { checkBoolean, checkBytes, checkChoice, checkHost, checkInteger } from "./values.ts";

export type Value = string | number | boolean;

export type Source =
  | { from: "flag"; name: string }
  | { from: "env"; name: string }
  | { from: "file"; file: string; line: number; name: string }
  | { from: "default" };

export interface Resolved {
  value: Value | undefined;
  source: Source;
  /** a secret read from this file (its path is not secret; its content is) */
  secretFile?: string;
}

export interface Sources {
  /** the flags given, by name without dashes: the last of each, true/false for `--x`/`--no-x` */
  flags: ReadonlyMap<string, string | boolean>;
  env: Readonly<Record<string, string | undefined>>;
  /** the config file found, and its text */
  file?: { path: string; text: string };
  /** the content of a secret's file; throws a UserError when it cannot be read */
  readSecret(path: string, name: string): string;
  /** defaults that depend on the machine (the data file in the state directory) */
  /** defaults known only at run time; a function is called only when its setting falls back to it */
  computedDefaults?: Readonly<Record<string, string | (() => string)>>;
}

/** Exit code of a config mistake: the usage error of sysexits-minded tools, as for an unknown flag. */
export const CONFIG_ERROR = 2;

export class Settings {
  readonly values: ReadonlyMap<string, Resolved>;
  /** the config file read, if any */
  readonly file: string | undefined;
  /** the file's [NAME] tables: plugin options, as strings */
  readonly pluginTables: Readonly<Record<string, Readonly<Record<string, string>>>>;

  constructor(values: ReadonlyMap<string, Resolved>, file: string | undefined, pluginTables: Readonly<Record<string, Readonly<Record<string, string>>>>) {
    this.values = values;
    this.file = file;
    this.pluginTables = pluginTables;
  }

  private get(flag: string): Resolved {
    const found = this.values.get(flag);
    if (!found) throw new Error(`no setting --${flag} in core/config/settings.ts`);
    return found;
  }
  text(flag: string): string | undefined {
    const v = this.get(flag).value;
    return v === undefined ? undefined : String(v);
  }
  number(flag: string): number {
    const v = this.get(flag).value;
    if (typeof v !== "number") throw new Error(`--${flag} has no number value`);
    return v;
  }
  optionalNumber(flag: string): number | undefined {
    const v = this.get(flag).value;
    return typeof v === "number" ? v : undefined;
  }
  flag(flag: string): boolean {
    return this.get(flag).value === true;
  }
  /** How a setting was given, for messages: "--port", "PARLEY_PORT", "/etc/parley/parley.toml:3: port". */
  nameOf(flag: string): string {
    return sourceName(this.get(flag).source, flag);
  }
}

function sourceName(source: Source, flag: string): string {
  return source.from === "default" ? `--${flag}` : source.name;
}

interface FileEntry {
  raw: unknown;
  line: number;
}

interface FileLayer {
  path: string;
  entries: Map<string, FileEntry>;
  tables: Record<string, Record<string, string>>;
}

export function resolveSettings(sources: Sources): Settings {
  const layer = sources.file ? readFileLayer(sources.file.path, sources.file.text) : undefined;
  const values = new Map<string, Resolved>();
  for (const s of SETTINGS) values.set(s.flag, resolveOne(s, sources, layer));
  return new Settings(values, sources.file?.path, layer?.tables ?? {});
}

/**
 * Bun's TOML error without the text it quotes: that text is the file's
 * own, maybe an unquoted password (`password = hunter2` is "Strings must
 * be quoted: "hunter2""), and this line goes to the log, to stderr and,
 * from /reload, to an operator. (Bun gives no line: the error's `line` is
 * where in the JavaScript it was thrown.)
 */
export function tomlError(path: string, error: unknown): string {
  const text = error instanceof Error ? error.message : "";
  const message = text.replace(/^TOML Parse error: /, "").replace(/"(?:[^"\\]|\\.)*"/g, "…").replace(/:\s*…$/, "") || "unreadable";
  return `${path}: not valid TOML: ${message}`;
}

function readFileLayer(path: string, text: string): FileLayer {
  let parsed: Record<string, unknown>;
  try {
    parsed = Bun.TOML.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(tomlError(path, error), CONFIG_ERROR);
  }
  const lines = topLevelKeyLines(text);
  const known = allKeys();
  const entries = new Map<string, FileEntry>();
  const tables: Record<string, Record<string, string>> = {};
  for (const [key, raw] of Object.entries(parsed)) {
    const line = lines.get(key) ?? 0;
    const at = line ? `${path}:${line}` : path;
    const isTable = typeof raw === "object" && raw !== null && !Array.isArray(raw) && !(raw instanceof Date);
    if (known.includes(key)) {
      if (isTable) throw new UserError(`${at}: ${key} is a setting, so it takes a value (${key} = ...), not a table`, CONFIG_ERROR);
      entries.set(key, { raw, line });
    } else if (isTable) {
      // [NAME]: a plugin's options, as before the file held settings.
      tables[key] = Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    } else {
      const near = nearest(key, known);
      const hint = near ? `did you mean "${near}"?` : "`parley config init` writes a file with every key";
      throw new UserError(`${at}: unknown key "${key}" (${hint})`, CONFIG_ERROR);
    }
  }
  return { path, entries, tables };
}

/** One setting: the first source that gives it, checked. */
function resolveOne(s: Setting, sources: Sources, layer: FileLayer | undefined): Resolved {
  const form = fileFormOf(s);
  const env = (name: string) => (sources.env[name] === "" ? undefined : sources.env[name]);

  // 1. flags
  const flag = sources.flags.get(s.flag);
  const flagFile = s.secret ? sources.flags.get(form.flag) : undefined;
  if (flag !== undefined && flagFile !== undefined) throw new UserError(`give --${s.flag} or --${form.flag}, not both`, CONFIG_ERROR);
  if (flag !== undefined) return checked(s, flag, { from: "flag", name: `--${s.flag}` });
  if (flagFile !== undefined) return fromSecretFile(s, String(flagFile), { from: "flag", name: `--${form.flag}` }, sources);

  // 2. the environment
  const variable = env(envOf(s));
  const variableFile = s.secret ? env(form.env) : undefined;
  if (variable !== undefined && variableFile !== undefined) throw new UserError(`set ${envOf(s)} or ${form.env}, not both`, CONFIG_ERROR);
  if (variable !== undefined) return checked(s, variable, { from: "env", name: envOf(s) });
  if (variableFile !== undefined) return fromSecretFile(s, variableFile, { from: "env", name: form.env }, sources);

  // 3. the config file
  if (layer) {
    const entry = layer.entries.get(keyOf(s));
    const fileEntry = s.secret ? layer.entries.get(form.key) : undefined;
    const at = (key: string, e: FileEntry) => ({ from: "file" as const, file: layer.path, line: e.line, name: `${e.line ? `${layer.path}:${e.line}` : layer.path}: ${key}` });
    if (entry && fileEntry) throw new UserError(`${layer.path}:${fileEntry.line}: give ${keyOf(s)} or ${form.key}, not both`, CONFIG_ERROR);
    if (entry) return checked(s, fromToml(s, entry.raw, at(keyOf(s), entry).name), at(keyOf(s), entry), dirname(layer.path));
    if (fileEntry) {
      const source = at(form.key, fileEntry);
      const path = fromToml({ ...s, kind: { type: "path" } }, fileEntry.raw, source.name);
      return fromSecretFile(s, resolve(dirname(layer.path), String(path)), source, sources);
    }
  }

  // 4. the default
  const given = sources.computedDefaults?.[s.flag];
  const computed = typeof given === "function" ? given() : given;
  const fallback = computed ?? s.default;
  return fallback === undefined ? { value: undefined, source: { from: "default" } } : checked(s, fallback, { from: "default" });
}

/** A TOML value as the text (or boolean) a flag would have given. */
function fromToml(s: Setting, raw: unknown, name: string): string | boolean {
  if (s.kind.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (typeof raw === "string") return raw;
    throw new UserError(`${name} must be true or false (got ${describe(raw)})`, CONFIG_ERROR);
  }
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
  throw new UserError(`${name} must be ${s.kind.type === "integer" || s.kind.type === "bytes" ? "a number" : "a string"} (got ${describe(raw)})`, CONFIG_ERROR);
}

function describe(raw: unknown): string {
  if (Array.isArray(raw)) return "an array";
  if (raw instanceof Date) return "a date";
  return typeof raw === "string" ? JSON.stringify(raw) : String(raw);
}

function fromSecretFile(s: Setting, path: string, source: Source, sources: Sources): Resolved {
  const text = sources.readSecret(path, sourceName(source, s.flag)).replace(/\r?\n$/, "");
  return { ...checked(s, text, source), secretFile: path };
}

/** The value checked against its kind; a path from the config file is made absolute beside it. */
function checked(s: Setting, given: string | boolean, source: Source, fileDir?: string): Resolved {
  const name = sourceName(source, s.flag);
  const fail = <T>(check: () => T): T => {
    try {
      return check();
    } catch (error) {
      // Whatever the checker says, a config mistake exits 2.
      if (error instanceof UserError) throw new UserError(error.message, CONFIG_ERROR);
      throw error;
    }
  };
  if (s.kind.type === "boolean") return { value: typeof given === "boolean" ? given : fail(() => checkBoolean(name, given)), source };
  // `--port` alone, as a boolean would be written: citty would take it as "", and so do we.
  const text = typeof given === "boolean" ? "" : given;
  const kind = s.kind;
  switch (kind.type) {
    case "integer":
      return { value: fail(() => checkInteger(name, text, kind.min, kind.max)), source };
    case "bytes":
      return { value: fail(() => checkBytes(name, text, kind.min, kind.max)), source };
    case "host":
      return { value: fail(() => checkHost(name, text)), source };
    case "choice":
      return { value: fail(() => checkChoice(name, text, kind.choices)), source };
    case "path":
      if (kind.words?.includes(text)) return { value: text, source };
      return { value: fileDir && text ? resolve(fileDir, text) : text, source };
    case "text":
      if (kind.atFile && fileDir && text.startsWith("@")) return { value: "@" + resolve(fileDir, text.slice(1)), source };
      return { value: text, source };
  }
}
