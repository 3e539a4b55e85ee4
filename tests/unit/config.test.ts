// The settings of `parley chat` (core/config): one table for flags, keys and
// variables; flag > environment > parley.toml > default; a mistake in the
// file is one line with the file, the line and the nearest key.
import { describe, expect, test } from "bun:test";
import { UserError } from "../../core/base/errors.ts";
import { flagsOf } from "../../core/config/argv.ts";
import { initFileText } from "../../core/config/init-file.ts";
import { nearest, editDistance } from "../../core/config/nearest.ts";
import { printConfig } from "../../core/config/print.ts";
import { resolveSettings, type Sources } from "../../core/config/resolve.ts";
import { allKeys, envOf, fileFormOf, keyOf, SETTINGS } from "../../core/config/settings.ts";
import { topLevelKeyLines } from "../../core/config/toml-lines.ts";

const BOOLEANS = new Set(SETTINGS.filter((s) => s.kind.type === "boolean").map((s) => s.flag));

function settings(options: { argv?: string[]; env?: Record<string, string>; file?: string; secrets?: Record<string, string> } = {}) {
  const sources: Sources = {
    flags: flagsOf(options.argv ?? [], BOOLEANS),
    env: options.env ?? {},
    ...(options.file !== undefined ? { file: { path: "/etc/parley/parley.toml", text: options.file } } : {}),
    readSecret: (path, name) => {
      const text = options.secrets?.[path];
      if (text === undefined) throw new UserError(`cannot read ${name} ${path}: ENOENT`, 2);
      return text;
    },
    computedDefaults: { data: "/state/parley/parley.db" },
  };
  return resolveSettings(sources);
}

/** The one-line message and exit code of what fn throws. */
function failure(fn: () => unknown): { message: string; code: number } {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { message: error.message, code: error.exitCode };
  }
  throw new Error("did not throw");
}

describe("one table gives every name", () => {
  test("a key is the flag with _, a variable is PARLEY_ and the key in capitals, kept names kept", () => {
    const port = SETTINGS.find((s) => s.flag === "max-line")!;
    expect([keyOf(port), envOf(port)]).toEqual(["max_line", "PARLEY_MAX_LINE"]);
    const redis = SETTINGS.find((s) => s.flag === "redis")!;
    expect([envOf(redis), fileFormOf(redis)]).toEqual(["PARLEY_REDIS_URL", { flag: "redis-file", key: "redis_file", env: "PARLEY_REDIS_URL_FILE" }]);
    const password = SETTINGS.find((s) => s.flag === "password")!;
    expect([envOf(password), fileFormOf(password).key]).toEqual(["PARLEY_PASSWORD", "password_file"]);
  });

  test("no two settings share a flag, a key or a variable; each has a default or an example; every secret is a secret", () => {
    const flags = SETTINGS.flatMap((s) => (s.secret ? [s.flag, fileFormOf(s).flag] : [s.flag]));
    const envs = SETTINGS.flatMap((s) => (s.secret ? [envOf(s), fileFormOf(s).env] : [envOf(s)]));
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(allKeys()).size).toBe(allKeys().length);
    expect(new Set(envs).size).toBe(envs.length);
    for (const s of SETTINGS) expect({ flag: s.flag, has: s.default !== undefined || s.example !== undefined }).toEqual({ flag: s.flag, has: true });
    expect(SETTINGS.filter((s) => s.secret).map((s) => s.flag)).toEqual(["password", "admin-password", "redis", "metrics-token"]);
  });
});

describe("flag > environment > file > default", () => {
  const file = 'port = 7000\nmotd = "from the file"\nhistory = 5\n';
  test("each setting comes from the first source that gives it, and says which", () => {
    const s = settings({ argv: ["--port", "9000"], env: { PARLEY_PORT: "8000", PARLEY_MOTD: "from env" }, file });
    expect([s.number("port"), s.values.get("port")!.source]).toEqual([9000, { from: "flag", name: "--port" }]);
    expect([s.text("motd"), s.values.get("motd")!.source]).toEqual(["from env", { from: "env", name: "PARLEY_MOTD" }]);
    expect([s.number("history"), s.values.get("history")!.source]).toEqual([5, { from: "file", file: "/etc/parley/parley.toml", line: 3, name: "/etc/parley/parley.toml:3: history" }]);
    expect([s.number("backlog"), s.values.get("backlog")!.source]).toEqual([511, { from: "default" }]);
    expect([s.text("data"), s.values.get("data")!.source]).toEqual(["/state/parley/parley.db", { from: "default" }]);
  });

  test("the last of a repeated flag wins, --no-X turns a boolean off, an empty variable is unset", () => {
    const s = settings({ argv: ["--port", "1", "--port=2", "--json-logs", "--no-json-logs"], env: { PARLEY_HISTORY: "" }, file: "json_logs = true\nhistory = 7\n" });
    expect([s.number("port"), s.flag("json-logs"), s.number("history")]).toEqual([2, false, 7]);
  });

  test("sizes, booleans and numbers are read alike from every source", () => {
    const s = settings({ env: { PARLEY_MAX_OUTBOX: "2m", PARLEY_WATCH_PLUGINS: "yes" }, file: 'max_line = "8k"\nplugins_strict = true\n' });
    expect([s.number("max-outbox"), s.number("max-line"), s.flag("watch-plugins"), s.flag("plugins-strict")]).toEqual([2 * 1024 * 1024, 8192, true, true]);
  });

  test("paths in the file are beside the file; [NAME] tables are plugin options", () => {
    const s = settings({ file: 'plugins = "plugins"\ndata = "memory"\nmotd = "@motd.txt"\n[dice]\nsides = 20\n' });
    expect([s.text("plugins"), s.text("data"), s.text("motd")]).toEqual(["/etc/parley/plugins", "memory", "@/etc/parley/motd.txt"]);
    expect(s.pluginTables).toEqual({ dice: { sides: "20" } });
  });
});

describe("a mistake is one line: where, what, and the nearest key; exit 2", () => {
  test("an unknown key names the file, its line and the key meant", () => {
    expect(failure(() => settings({ file: '# a comment\nport = 1\n\nmax_lin = 10\n' }))).toEqual({ message: '/etc/parley/parley.toml:4: unknown key "max_lin" (did you mean "max_line"?)', code: 2 });
    expect(failure(() => settings({ file: "prot = 80\n" })).message).toBe('/etc/parley/parley.toml:1: unknown key "prot" (did you mean "port"?)');
    expect(failure(() => settings({ file: "zzzzzzzz = 1\n" })).message).toBe('/etc/parley/parley.toml:1: unknown key "zzzzzzzz" (`parley config init` writes a file with every key)');
  });

  test("a bad value names the file, the line and what is allowed", () => {
    expect(failure(() => settings({ file: "\n\nport = 70000\n" }))).toEqual({ message: "/etc/parley/parley.toml:3: port must be from 0 to 65535 (got 70000)", code: 2 });
    expect(failure(() => settings({ file: 'transport = "udp"\n' })).message).toBe('/etc/parley/parley.toml:1: transport must be one of bun, net (got "udp")');
    expect(failure(() => settings({ file: "json_logs = 3\n" })).message).toBe("/etc/parley/parley.toml:1: json_logs must be true or false (got 3)");
    expect(failure(() => settings({ file: "port = [1]\n" })).message).toBe("/etc/parley/parley.toml:1: port must be a number (got an array)");
    expect(failure(() => settings({ file: "[port]\nx = 1\n" })).message).toContain("port is a setting, so it takes a value");
    expect(failure(() => settings({ file: "port = \n" })).message).toMatch(/^\/etc\/parley\/parley.toml: not valid TOML: /);
  });

  test("a file that is not TOML is named, but what it quotes of the file is not shown: it may be a password", () => {
    // Bun's own message is 'Strings must be quoted: "hunter2secret"'.
    expect(failure(() => settings({ file: "port = 8088\npassword = hunter2secret\n" }))).toEqual({ message: "/etc/parley/parley.toml: not valid TOML: Strings must be quoted", code: 2 });
    expect(failure(() => settings({ file: 'admin_password = "x\\"y" trailing-secret\n' })).message).not.toContain("trailing-secret");
  });

  test("a bad flag or variable keeps the name it was given by", () => {
    expect(failure(() => settings({ argv: ["--port", "70000"] }))).toEqual({ message: "--port must be from 0 to 65535 (got 70000)", code: 2 });
    expect(failure(() => settings({ env: { PARLEY_MAX_LINE: "lots" } })).message).toBe('PARLEY_MAX_LINE must be a size in bytes such as 4096, 64k or 1m (got "lots")');
  });

  test("a secret and its file at one level: say which", () => {
    expect(failure(() => settings({ file: 'password = "a"\npassword_file = "/p"\n' })).message).toBe("/etc/parley/parley.toml:2: give password or password_file, not both");
    expect(failure(() => settings({ env: { PARLEY_PASSWORD: "a", PARLEY_PASSWORD_FILE: "/p" } })).message).toBe("set PARLEY_PASSWORD or PARLEY_PASSWORD_FILE, not both");
  });
});

describe("secrets", () => {
  test("from a file, one trailing newline dropped; the path is beside the config file", () => {
    const s = settings({ file: 'password_file = "secrets/pw"\n', secrets: { "/etc/parley/secrets/pw": "hunter2 two\n" } });
    expect(s.text("password")).toBe("hunter2 two");
    expect(s.values.get("password")!.secretFile).toBe("/etc/parley/secrets/pw");
    const crlf = settings({ argv: ["--admin-password-file", "/a"], secrets: { "/a": "x\r\n\n" } });
    expect(crlf.text("admin-password")).toBe("x\r\n");
  });

  test("--print-config shows *** for each, never the value, and where it came from", () => {
    const s = settings({ argv: ["--port", "9"], env: { PARLEY_REDIS_URL_FILE: "/r" }, file: 'password = "hunter2"\nmotd = "hi"\n', secrets: { "/r": "redis://:pw-in-url@127.0.0.1:6379" } });
    const text = printConfig(s, ["dice.secret=sesame"]);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("pw-in-url");
    expect(text).not.toContain("sesame");
    // A comment: the output saved as a config file must not set a password of "***".
    expect(text).toMatch(/^# password = \*\*\* +# set: file \/etc\/parley\/parley.toml:1$/m);
    expect(text).toMatch(/^# redis = \*\*\* +# set: env PARLEY_REDIS_URL_FILE, read from \/r$/m);
    expect(Bun.TOML.parse(text)).not.toHaveProperty("password");
    expect(text).toMatch(/^port = 9 +# flag --port$/m);
    expect(text).toMatch(/^motd = "hi" +# file \/etc\/parley\/parley.toml:2$/m);
    expect(text).toMatch(/^# admin_password +# not set$/m);
  });
});

describe("parley config init", () => {
  const text = initFileText();
  test("names every key, and loads back as all defaults", () => {
    for (const key of allKeys()) expect(text).toMatch(new RegExp(`^#${key} = `, "m"));
    const s = settings({ file: text });
    for (const setting of SETTINGS) expect({ flag: setting.flag, source: s.values.get(setting.flag)!.source.from }).toEqual({ flag: setting.flag, source: "default" });
  });

  test("every line uncommented (a secret or its file, not both) loads too, its defaults unchanged", () => {
    const uncommented = text.replace(/^#(?!\w+_file = )([a-z_]+ = )/gm, "$1");
    const s = settings({ file: uncommented });
    for (const setting of SETTINGS.filter((x) => x.default !== undefined)) {
      const r = s.values.get(setting.flag)!;
      expect({ flag: setting.flag, from: r.source.from }).toEqual({ flag: setting.flag, from: "file" });
      expect(r.value).toEqual(settings().values.get(setting.flag)!.value);
    }
  });
});

describe("where keys are written", () => {
  test("top-level keys by line; tables, dotted keys and multi-line values skipped", () => {
    const text = 'a = 1\n# b = 2\nmotd = """\nport = 3\n"""\n"quoted" = 4\nlist = [\n  "x = 1",\n]\nafter = 5\ndice.sides = 6\n[t]\ninner = 7\n';
    expect([...topLevelKeyLines(text)]).toEqual([["a", 1], ["motd", 3], ["quoted", 6], ["list", 7], ["after", 10]]);
  });

  test("the nearest key is by edit distance, a swap counting once; none when far", () => {
    expect(editDistance("prot", "port")).toBe(1);
    expect(nearest("max_outbx", allKeys())).toBe("max_outbox");
    expect(nearest("pasword_file", allKeys())).toBe("password_file");
    expect(nearest("colour", allKeys())).toBeUndefined();
  });
});

describe("the docs and --help list what the table holds", () => {
  test("docs/configuration.md names every key and variable", async () => {
    const page = await Bun.file(new URL("../../docs/configuration.md", import.meta.url)).text();
    for (const s of SETTINGS) {
      const names = [keyOf(s), envOf(s), `--${s.flag}`, ...(s.secret ? Object.values(fileFormOf(s)).map((n, i) => (i === 0 ? `--${n}` : n)) : [])];
      for (const name of names) expect({ name, listed: page.includes(`\`${name}\``) }).toEqual({ name, listed: true });
    }
  });

  test("parley chat's flags are the table's, the secrets' files, --config, --print-config and --plugin-opt", async () => {
    const { chatArgs } = await import("../../cmd/chat.ts");
    const expected = [
      "config",
      "print-config",
      ...SETTINGS.flatMap((s) => (s.secret ? [s.flag, fileFormOf(s).flag] : [s.flag])),
      "plugin-opt",
    ];
    expect(Object.keys(chatArgs())).toEqual(expected);
  });
});
