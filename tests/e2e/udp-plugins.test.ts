// A UDP mode dropped into the plugins folder appears beside the built-in
// ones and runs like them: the example time.ts (the tutorial's multicast
// time announcer), and a starter written by `parley plugins new NAME --udp`.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Netns, nthLine, portIn, runLocal, runLocalToEnd } from "../helpers/netns.ts";

const TIME_EXAMPLE = resolve(import.meta.dir, "../../examples/plugins/time.ts");

/** A user's folder with plugins/time.ts in it. */
function home(): { dir: string; plugins: string } {
  const dir = mkdtempSync(join(tmpdir(), "parley-udp-user-"));
  const plugins = join(dir, "plugins");
  mkdirSync(plugins);
  copyFileSync(TIME_EXAMPLE, join(plugins, "time.ts"));
  return { dir, plugins };
}

let ns: Netns;
beforeAll(async () => {
  ns = await Netns.create("multicast");
});
afterAll(() => ns.close());

describe("a dropped-in mode is listed beside the built-in ones", () => {
  const TIME_LINE = /^ +time +announce the time to a multicast group every second \(the tutorial's 2\.8\.1 server\) \(plugins\/time\.ts\)/m;

  test("from ./plugins", async () => {
    const h = home();
    const { code, stdout } = await runLocalToEnd(["udp", "--help"], { cwd: h.dir });
    expect(code).toBe(0);
    expect(stdout).toContain("echo|send|listen|broadcast|multicast|chat|probe|time");
    expect(stdout).toMatch(TIME_LINE);
  });

  test("with --plugins DIR before or after the mode's name, or $PARLEY_PLUGINS", async () => {
    const h = home();
    const elsewhere = mkdtempSync(join(tmpdir(), "parley-elsewhere-"));
    const runs = [
      runLocalToEnd(["udp", "--plugins", h.plugins, "--help"], { cwd: elsewhere }),
      runLocalToEnd(["udp", "--plugins", h.plugins, "time", "--help"], { cwd: elsewhere }),
      runLocalToEnd(["udp", "time", "--plugins", h.plugins, "--help"], { cwd: elsewhere }),
      runLocalToEnd(["udp", `--plugins=${h.plugins}`, "time", "--help"], { cwd: elsewhere }),
      runLocalToEnd(["udp", "time", "--help"], { cwd: elsewhere, env: { PARLEY_PLUGINS: h.plugins } }),
    ];
    const [list, ...helps] = await Promise.all(runs);
    expect(list!.stdout).toContain("|time");
    for (const help of helps) {
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("announce the time to a multicast group");
      for (const flag of ["--group", "--port", "--every", "--count", "--ttl", "--interface", "--json"]) expect(help.stdout).toContain(flag);
    }
    const without = await runLocalToEnd(["udp", "time", "--help"], { cwd: elsewhere });
    expect(without.code).toBe(2);
    expect(without.stderr).toStartWith('parley: unknown command "time"');
  });

  test("`parley plugins` lists its mode", async () => {
    const h = home();
    const { stdout } = await runLocalToEnd(["plugins"], { cwd: h.dir });
    expect(stdout).toMatch(/^time +plugins\/time\.ts +parley udp time$/m);
    expect(stdout).toMatch(/^udp-multicast +built-in +parley udp multicast$/m);
  });

  test("a broken mode file is skipped with its reason; the built-in modes still run", async () => {
    const h = home();
    writeFileSync(join(h.plugins, "broken.ts"), 'export default { name: "broken", udpModes: [{ name: "Broken!", summary: "x", run() {} }] };\n');
    const { code, stdout, stderr } = await runLocalToEnd(["udp", "--help"], { cwd: h.dir });
    expect(code).toBe(0);
    expect(stdout).toContain("|time");
    expect(stderr).toContain('plugin skipped: plugins/broken.ts: udp mode "Broken!": "name" must be a lower-case word (letters, digits, -)');
  });
});

describe("the time example runs as a UDP mode", () => {
  test("announces the time to its group; a multicast member hears it from 127.0.0.1", async () => {
    const h = home();
    const member = ns.run(["udp", "multicast", "--group", "239.255.0.42", "--port", "8080", "--json"]);
    await member.stderr.waitFor("joined");
    const time = ns.run(["udp", "time", "--every", "0.05", "--count", "2"], { cwd: h.dir });
    expect(await time.exited).toBe(0);
    expect(time.stderr.lines[0]).toBe("[info] announcing the time to 239.255.0.42:8080 every 0.05s");
    expect(time.stderr.lines.at(-1)).toMatch(/^\[info\] sent 2 datagrams \(\d+ bytes\), received 0 \(0 bytes\)$/);
    expect(time.stdout.lines).toHaveLength(2);
    expect(time.stdout.lines[0]).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4}, .* -> 239\.255\.0\.42:8080$/);
    await nthLine(member.stdout, 2);
    for (const line of member.stdout.lines) {
      expect(JSON.parse(line)).toMatchObject({ address: "127.0.0.1", text: expect.stringMatching(/^\d{1,2}\/\d{1,2}\/\d{4}, /) });
    }
    await member.stop();
  });

  test("its own flags are checked like a built-in's", async () => {
    const h = home();
    const r = await ns.runToEnd(["udp", "time", "--group", "10.0.0.1"], { cwd: h.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('parley: --group must be a multicast group: 224.0.0.0 to 239.255.255.255, or ff00::/8 for IPv6 (got "10.0.0.1")');
  });
});

describe("parley plugins new NAME --udp", () => {
  test("writes a starter UDP mode that runs as written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-udp-new-"));
    const made = await runLocalToEnd(["plugins", "new", "shout", "--udp"], { cwd: dir });
    expect(made.code).toBe(0);
    expect(made.stdout).toBe("wrote plugins/shout.ts\nrun it: parley udp shout --port 5000 --plugins plugins");
    const server = runLocal(["udp", "shout", "--port", "0"], { cwd: dir });
    const port = portIn(await server.stderr.waitFor("listening on"));
    const reply = await runLocalToEnd(["udp", "send", `127.0.0.1:${port}`, "quiet please", "--replies", "1", "--wait", "10000"]);
    expect(reply.stdout).toEndWith("  12 bytes  QUIET PLEASE");
    expect(await server.stdout.waitFor("quiet please")).toContain("  12 bytes  quiet please");
    expect(await server.stop()).toBe(0);
  });
});

describe("a dropped-in folder and the process", () => {
  /** A folder whose one plugin says on stderr each time it is imported, with a mode that never stops by itself. */
  function stubborn(): string {
    const dir = mkdtempSync(join(tmpdir(), "parley-udp-stubborn-"));
    const plugins = join(dir, "plugins");
    mkdirSync(plugins);
    writeFileSync(
      join(plugins, "stubborn.ts"),
      [
        'process.stderr.write("stubborn imported\\n");',
        "export default {",
        '  name: "stubborn",',
        '  udpModes: [{ name: "stubborn", summary: "ignores the stop signal", async run(ctx) {',
        '    ctx.log.info("stubborn running");',
        "    await new Promise(() => {});",
        "  } }],",
        "};",
        "",
      ].join("\n"),
    );
    return dir;
  }

  test("help imports the folder once, whichever help it is", async () => {
    const dir = stubborn();
    for (const args of [["udp", "--help"], ["udp"], ["udp", "stubborn", "--help"], ["udp", "--plugins", "plugins", "stubborn", "--help"]]) {
      const r = await runLocalToEnd(args, { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("stubborn");
      expect(r.stderr.split("\n").filter((l) => l === "stubborn imported")).toHaveLength(1);
    }
  });

  test("a second SIGINT exits at once with 130 while the mode has not stopped", async () => {
    const p = runLocal(["udp", "stubborn"], { cwd: stubborn() });
    await p.stderr.waitFor("stubborn running");
    p.proc.kill("SIGINT");
    await Bun.sleep(100);
    expect(await p.stop("SIGINT")).toBe(130);
    await p.stderr.whenEnded();
    expect(p.stderr.lines.at(-1)).toBe("[warn] SIGINT again: exiting at once");
  });
});
