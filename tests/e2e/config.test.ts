// parley.toml, PARLEY_* variables and flags, against dist/parley: a file
// alone runs a server with every setting applied (seen by connecting, not by
// reading the file back), flag > env > file, mistakes in one line with the
// file, the line and the nearest key, secrets from files kept out of logs,
// errors, ps and --print-config, and data kept by default.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { LineReader, PARLEY, run, runToEnd, startChat } from "../helpers/parley.ts";

const temp = (what: string) => mkdtempSync(join(tmpdir(), `parley-${what}-`));

/** A port free a moment ago: the config file names it (not 0), so the test sees the key was read. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `parley chat ARGS` in DIR, waiting for its listening line; the log is what it wrote to stderr. */
async function chatIn(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const proc = run(["chat", ...args], { cwd: dir, env });
  const log = new LineReader(proc.stderr);
  const stdout = new LineReader(proc.stdout);
  const listening = await log.waitFor(/listening on/, "the listening log line");
  const port = Number(/listening on [^ ]*:(\d+)/.exec(listening)?.[1]);
  return {
    proc,
    port,
    log,
    stdout,
    async stop() {
      proc.kill("SIGTERM");
      return proc.exited;
    },
  };
}

const oneLine = (text: string) => {
  const lines = text.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0]!;
};

describe("a config file alone", () => {
  test("starts a server with every setting applied: port, host, password, motd, limits, data, plugins and their options", async () => {
    const dir = temp("conf");
    const port = await freePort();
    mkdirSync(join(dir, "secrets"));
    writeFileSync(join(dir, "secrets", "password"), "open sesame\n");
    writeFileSync(join(dir, "motd.txt"), "Welcome to the lab.\nBe kind.\n");
    mkdirSync(join(dir, "my-plugins"));
    writeFileSync(
      join(dir, "my-plugins", "greet.ts"),
      `import { definePlugin } from "parley";
export default definePlugin({ name: "greet", commands: [{ name: "greet", summary: "greets", run(ctx) { ctx.reply("greet says " + ctx.config.word); } }] });
`,
    );
    mkdirSync(join(dir, "state"));
    writeFileSync(
      join(dir, "parley.toml"),
      `# the lab chat
port = ${port}
host = "127.0.0.1"
password_file = "secrets/password"
motd = "@motd.txt"
max_nick = 5
max_connections = 2
data = "state/chat.db"
plugins = "my-plugins"
flood_rate = 0
json_logs = true

[greet]
word = "howdy"
`,
    );
    const server = await chatIn(dir);
    expect(server.port).toBe(port);
    expect(server.log.lines.join("\n")).toContain(`listening on 127.0.0.1:${port}`);
    expect(JSON.parse(server.log.lines[0]!)).toHaveProperty("message"); // json_logs

    const amy = await Client.connect(port);
    await amy.waitFor("Password:");
    amy.send("open sesame");
    await amy.waitFor("choose a nickname");
    expect(amy.lines).toContain("Welcome to the lab.");
    expect(amy.lines).toContain("Be kind.");
    amy.send("toolong");
    expect(await amy.waitFor(/^! /)).toContain("at most 5");
    amy.send("amy");
    await amy.waitFor("* Hi amy!");
    amy.send("/greet");
    expect(await amy.waitFor("greet says")).toBe("greet says howdy");
    amy.send("/register hunter22");
    expect(await amy.waitFor("registered")).toBe("* amy is registered to you. Next time: /login amy PASSWORD");

    const second = await Client.connect(port);
    await second.waitFor("Password:");
    const third = await Client.connect(port);
    expect(await third.waitFor("server full")).toBe("! server full (2 users), try again later");
    for (const c of [amy, second, third]) c.close();
    expect(await server.stop()).toBe(0);

    // The data file is where the file said, private, and keeps the account over a restart.
    expect(statSync(join(dir, "state", "chat.db")).mode & 0o777).toBe(0o600);
    const again = await chatIn(dir);
    const guest = await Client.connect(port);
    await guest.waitFor("Password:");
    guest.send("open sesame");
    await guest.waitFor("choose a nickname");
    guest.send("amy");
    expect(await guest.waitFor(/^! /)).toBe("! amy is registered; pick another nickname, then /login amy PASSWORD");
    guest.close();
    await again.stop();
  });
});

describe("precedence: flag > environment > file > default", () => {
  test("the motd and the history length come from the first that gives them", async () => {
    const dir = temp("prec");
    writeFileSync(join(dir, "parley.toml"), 'motd = "from the file"\nhost = "127.0.0.1"\nport = 0\ndata = "memory"\nmax_nick = 7\n');
    const motdOf = async (args: string[], env: Record<string, string>) => {
      const server = await chatIn(dir, args, env);
      const c = await Client.connect(server.port);
      await c.waitFor("choose a nickname");
      const motd = c.lines[1];
      c.send("x".repeat(30));
      const limit = /at most (\d+)/.exec(await c.waitFor(/^! /))?.[1];
      c.close();
      await server.stop();
      return [motd, limit];
    };
    expect(await motdOf(["--motd", "from the flag", "--max-nick", "9"], { PARLEY_MOTD: "from env", PARLEY_MAX_NICK: "8" })).toEqual(["from the flag", "9"]);
    expect(await motdOf([], { PARLEY_MOTD: "from env", PARLEY_MAX_NICK: "8" })).toEqual(["from env", "8"]);
    expect(await motdOf([], {})).toEqual(["from the file", "7"]);
    writeFileSync(join(dir, "parley.toml"), 'host = "127.0.0.1"\nport = 0\ndata = "memory"\n');
    expect(await motdOf([], {})).toEqual(["Please choose a nickname:", "24"]);
  });

  test("--print-config says where each setting came from", async () => {
    const dir = temp("print");
    writeFileSync(join(dir, "parley.toml"), "\nhistory = 12\n");
    const { code, stdout } = await runToEnd(["chat", "--print-config", "--port", "9001"], { cwd: dir, env: { PARLEY_MAX_LINE: "8k" } });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^port = 9001 +# flag --port$/m);
    expect(stdout).toMatch(/^max_line = 8192 +# env PARLEY_MAX_LINE$/m);
    expect(stdout).toMatch(new RegExp(`^history = 12 +# file ${join(dir, "parley.toml")}:2$`, "m"));
    expect(stdout).toMatch(/^backlog = 511 +# default$/m);
  });
});

describe("a mistake in the file: one line with the file, the line and the nearest key; exit 2", () => {
  const cases: [string, string, (file: string) => string][] = [
    ["an unknown key", 'host = "127.0.0.1"\nprot = 80\n', (f) => `parley: ${f}:2: unknown key "prot" (did you mean "port"?)`],
    ["a misspelt secret's file", '\n\npasword_file = "/x"\n', (f) => `parley: ${f}:3: unknown key "pasword_file" (did you mean "password_file"?)`],
    ["a bad value", 'port = 0\n# sizes\nmax_line = "lots"\n', (f) => `parley: ${f}:3: max_line must be a size in bytes such as 4096, 64k or 1m (got "lots")`],
    ["a port out of range", "port = 70000\n", (f) => `parley: ${f}:1: port must be from 0 to 65535 (got 70000)`],
    ["a secret's file that is not there", 'admin_password_file = "nope"\n', (f) => `parley: cannot read ${f}:1: admin_password_file ${join(f, "..", "nope")}: ENOENT`],
  ];
  for (const [what, text, expected] of cases) {
    test(what, async () => {
      const dir = temp("bad");
      const file = join(dir, "parley.toml");
      writeFileSync(file, text);
      const { code, stdout, stderr } = await runToEnd(["chat"], { cwd: dir });
      expect({ code, stdout, stderr: oneLine(stderr) }).toEqual({ code: 2, stdout: "", stderr: expected(file) });
    });
  }

  test("a setting put under a [table] no plugin owns is not silently lost: the start-up says so", async () => {
    const file = join(temp("table"), "parley.toml");
    writeFileSync(file, "[server]\nport = 18102\n");
    const parley = await startChat(["--config", file]);
    expect(await parley.waitForLog("is the table of no plugin")).toBe(`${file}: [server] (port) is the table of no plugin loaded, so it is ignored; parley chat's own settings go at the top of the file, before any [table]`);
    await parley.stop();
  });

  test("found on the search path: ~/.config/parley/parley.toml ($XDG_CONFIG_HOME), and --config over it", async () => {
    const config = temp("xdg");
    mkdirSync(join(config, "parley"));
    const file = join(config, "parley", "parley.toml");
    writeFileSync(file, "max_outbx = 1\n");
    const found = await runToEnd(["chat"], { cwd: temp("cwd"), env: { XDG_CONFIG_HOME: config } });
    expect([found.code, oneLine(found.stderr)]).toEqual([2, `parley: ${file}:1: unknown key "max_outbx" (did you mean "max_outbox"?)`]);
    const chosen = join(temp("chosen"), "mine.toml");
    writeFileSync(chosen, "history = 3\n");
    const printed = await runToEnd(["chat", "--config", chosen, "--print-config"], { cwd: temp("cwd"), env: { XDG_CONFIG_HOME: config } });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`history = 3`);
    const missing = await runToEnd(["chat", "--config", "/nonexistent/parley.toml"]);
    expect([missing.code, oneLine(missing.stderr)]).toEqual([2, "parley: cannot read --config /nonexistent/parley.toml: ENOENT"]);
  });
});

describe("secrets from files", () => {
  test("never reach the log, stdout, ps (/proc/PID/cmdline) or --print-config", async () => {
    const dir = temp("secret");
    writeFileSync(join(dir, "pw"), "server-secret-1\n");
    writeFileSync(join(dir, "admin"), "admin-secret-2\n");
    writeFileSync(join(dir, "redis-url"), "redis://:redis-secret-3@127.0.0.1:6379\n");
    writeFileSync(join(dir, "parley.toml"), 'admin_password_file = "admin"\ndata = "memory"\n');
    const secrets = ["server-secret-1", "admin-secret-2", "redis-secret-3"];
    const server = await chatIn(dir, ["--password-file", "pw", "--host", "127.0.0.1", "--port", "0", "--log-level", "trace"]);
    const cmdline = readFileSync(`/proc/${server.proc.pid}/cmdline`, "utf8");
    const c = await Client.connect(server.port);
    await c.waitFor("Password:");
    c.send("server-secret-1");
    await c.waitFor("choose a nickname");
    c.send("root");
    await c.waitFor("* Hi root!");
    c.send("/op admin-secret-2");
    expect(await c.waitFor(/operator/)).toContain("operator");
    c.close();
    expect(await server.stop()).toBe(0);
    const printed = await runToEnd(["chat", "--print-config", "--password-file", "pw"], { cwd: dir, env: { PARLEY_REDIS_URL_FILE: join(dir, "redis-url") } });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^# password = \*\*\* +# set: flag --password-file, read from pw$/m);
    expect(printed.stdout).toMatch(/^# admin_password = \*\*\* +# set: file .*parley.toml:1, read from .*\/admin$/m);
    expect(printed.stdout).toMatch(/^# redis = \*\*\* +# set: env PARLEY_REDIS_URL_FILE, read from .*\/redis-url$/m);
    // A secret that fails its check: the error names where it came from, not what it is.
    writeFileSync(join(dir, "bad-url"), "http://:redis-secret-3@nowhere\n");
    const refused = await runToEnd(["chat", "--redis-file", "bad-url"], { cwd: dir });
    expect(refused.code).not.toBe(0);
    expect(oneLine(refused.stderr)).toBe("parley: --redis-file must be a redis:// or rediss:// URL (redis://[USER:PASSWORD@]HOST:PORT[/DB])");
    const everything = [cmdline, ...server.log.lines, ...server.stdout.lines, printed.stdout, printed.stderr, refused.stderr].join("\n");
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});

describe("data is kept by default", () => {
  test("in $XDG_STATE_HOME/parley/parley.db (0700, 0600), said at start, found again after a restart and by parley accounts", async () => {
    const state = temp("state");
    const env = { XDG_STATE_HOME: state };
    const dir = temp("cwd");
    const file = join(state, "parley", "parley.db");
    const first = await chatIn(dir, ["--host", "127.0.0.1", "--port", "0"], env);
    expect(first.log.lines.join("\n")).toContain(`data kept in ${file}`);
    expect(statSync(join(state, "parley")).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const amy = await Client.join(first.port, "amy");
    amy.send("/register hunter22");
    expect(await amy.waitFor("registered")).toBe("* amy is registered to you. Next time: /login amy PASSWORD");
    amy.close();
    await first.stop();

    const second = await chatIn(dir, ["--host", "127.0.0.1", "--port", "0"], env);
    const guest = await Client.connect(second.port);
    await guest.waitFor("choose a nickname");
    guest.send("amy");
    expect(await guest.waitFor(/^! /)).toBe("! amy is registered; pick another nickname, then /login amy PASSWORD");
    guest.close();
    const listed = await runToEnd(["accounts"], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^amy\b/m);
    await second.stop();
  });

  test("--data memory keeps nothing, says so at start, and /register says the account lasts until the server restarts", async () => {
    const state = temp("state");
    const server = await chatIn(temp("cwd"), ["--host", "127.0.0.1", "--port", "0", "--data", "memory"], { XDG_STATE_HOME: state });
    expect(server.log.lines.join("\n")).toContain("--data memory: history, accounts, bans and plugin stores live in memory and are lost at exit");
    const amy = await Client.join(server.port, "amy");
    amy.send("/register hunter22");
    expect(await amy.waitFor("registered")).toBe(
      "* amy is registered to you until the server restarts: this server keeps no data (--data memory), so the account is then gone. Until then: /login amy PASSWORD",
    );
    amy.close();
    await server.stop();
    expect(existsSync(join(state, "parley"))).toBe(false);
  });
});

describe("parley config init", () => {
  test("writes every key commented out with its default; refuses to overwrite; the file loads back, uncommented too", async () => {
    const dir = temp("init");
    const file = join(dir, "parley.toml");
    const wrote = await runToEnd(["config", "init"], { cwd: dir });
    expect(wrote).toEqual({ code: 0, stdout: `wrote ${file}: every setting of parley chat, commented out with its default\n`, stderr: "" });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    const again = await runToEnd(["config", "init", file]);
    expect([again.code, oneLine(again.stderr)]).toEqual([1, `parley: ${file} already exists; it is left as it is (move it away, or name another file)`]);
    expect(readFileSync(file, "utf8")).toBe(text);

    const asIs = await runToEnd(["chat", "--print-config"], { cwd: dir });
    expect(asIs.code).toBe(0);
    expect(asIs.stdout).not.toMatch(/# file /);
    // Every key uncommented (a secret's value, not also its file): each setting now comes from the file, with the same value.
    writeFileSync(file, text.replace(/^#(?!\w+_file = )([a-z_]+ = )/gm, "$1"));
    const uncommented = await runToEnd(["chat", "--print-config"], { cwd: dir });
    expect(uncommented.code).toBe(0);
    expect(uncommented.stdout).toMatch(new RegExp(`^port = 8088 +# file ${file}:\\d+$`, "m"));
    expect(uncommented.stdout).toMatch(new RegExp(`^max_outbox = 1048576 +# file ${file}:\\d+$`, "m"));
    expect(uncommented.stdout).not.toMatch(/# default$/m);
  });
});

describe("shell completion", () => {
  test("the bash script is valid bash, registers itself, and completes sub-commands, udp modes, flags and choices", async () => {
    const { code, stdout: script } = await runToEnd(["completion", "bash"]);
    expect(code).toBe(0);
    const dir = temp("completion");
    const path = join(dir, "parley.bash");
    writeFileSync(path, script);
    const syntax = Bun.spawnSync(["bash", "-n", path]);
    expect([syntax.exitCode, syntax.stderr.toString()]).toEqual([0, ""]);
    const complete = (words: string[]) =>
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _parley; echo "\${COMPREPLY[*]}"`;
    const probe = [
      `source ${path}`,
      "complete -p parley",
      complete(["parley", "c"]),
      complete(["parley", "udp", "mu"]),
      complete(["parley", "chat", "--print-c"]),
      complete(["parley", "chat", "--transport", ""]),
      complete(["parley", "chat", "--port", "80", "--max-o"]),
      complete(["parley", "udp", "multicast", "--gr"]),
    ].join("\n");
    const out = Bun.spawnSync(["bash", "-c", probe], { cwd: dir });
    expect(out.stderr.toString()).toBe("");
    expect(out.stdout.toString().split("\n")).toEqual(["complete -F _parley parley", "chat connect config completion", "multicast", "--print-config", "bun net", "--max-outbox", "--group", ""]);
  });

  test("the zsh script is valid zsh and registers parley with compinit", async () => {
    const { code, stdout: script } = await runToEnd(["completion", "zsh"]);
    expect(code).toBe(0);
    const dir = temp("completion-zsh");
    const path = join(dir, "_parley");
    writeFileSync(path, script);
    const syntax = Bun.spawnSync(["zsh", "-n", path]);
    expect([syntax.exitCode, syntax.stderr.toString()]).toEqual([0, ""]);
    // -f: none of the machine's zsh startup files; compinit's dump goes in the test's own folder.
    const out = Bun.spawnSync(["zsh", "-f", "-c", `autoload -U compinit && compinit -u -d ${dir}/zcompdump; source ${path}; print -r -- "\${_comps[parley]}"`], { cwd: dir, env: { PATH: process.env.PATH!, HOME: dir } });
    expect([out.stdout.toString(), out.stderr.toString()]).toEqual(["_bash_complete -F _parley\n", ""]);
  });

  test("the fish script is valid fish and completes sub-commands, udp modes, flags and choices", async () => {
    const { code, stdout: script } = await runToEnd(["completion", "fish"]);
    expect(code).toBe(0);
    const dir = temp("completion-fish");
    const path = join(dir, "parley.fish");
    writeFileSync(path, script);
    const syntax = Bun.spawnSync(["fish", "--no-config", "-n", path]);
    expect([syntax.exitCode, syntax.stderr.toString()]).toEqual([0, ""]);
    // fish asks `parley` for nothing: the script holds the tree. The binary's folder is on PATH only so that `complete -C` treats parley as a command.
    mkdirSync(join(dir, "bin"));
    symlinkSync(PARLEY, join(dir, "bin", "parley"));
    const asked = ["parley c", "parley udp mu", "parley chat --print-c", "parley chat --transport "];
    const probe = [`source ${path}`, ...asked.map((line) => `complete -C '${line}' | string replace -r '\\t.*' ''; echo ---`)].join("; ");
    const out = Bun.spawnSync(["fish", "--no-config", "-c", probe], { cwd: dir, env: { PATH: `${join(dir, "bin")}:${process.env.PATH}`, HOME: dir } });
    expect(out.stderr.toString()).toBe("");
    expect(out.stdout.toString().split("---\n").map((block) => block.trim().split("\n"))).toEqual([["chat", "completion", "config", "connect"], ["multicast"], ["--print-config"], ["bun", "net"], [""]]);
  });

  test("zsh and fish scripts come from the same tree; an unknown shell is one line, exit 2", async () => {
    const zsh = await runToEnd(["completion", "zsh"]);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toStartWith("#compdef parley\n");
    expect(zsh.stdout).toContain("--print-config");
    const fish = await runToEnd(["completion", "fish"]);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain("complete -c parley -n \"__parley_path_at 'chat'\" -l 'print-config'");
    expect(fish.stdout).toContain("complete -c parley -n \"__parley_path_at 'udp'\" -a 'multicast'");
    const bad = await runToEnd(["completion", "tcsh"]);
    expect([bad.code, oneLine(bad.stderr)]).toEqual([2, 'parley: completion is for bash, zsh, fish (got "tcsh")']);
  });
});
