// `parley plugins`, `plugins types` and `plugins new`, as a user who has only
// the binary would use them: from a folder of their own.

import { describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "../helpers/client.ts";
import { runToEnd, startChat } from "../helpers/parley.ts";

const TSC = resolve(import.meta.dir, "../../node_modules/.bin/tsc");
const EXAMPLES = resolve(import.meta.dir, "../../examples/plugins");

function workspace(): string {
  return mkdtempSync(join(tmpdir(), "parley-user-"));
}

describe("parley plugins", () => {
  test("lists the built-in plugins and the ones in ./plugins, with their commands", async () => {
    const home = workspace();
    const { code } = await runToEnd(["plugins", "new", "wave"], { cwd: home });
    expect(code).toBe(0);
    const { stdout } = await runToEnd(["plugins"], { cwd: home });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^PLUGIN +SOURCE +COMMANDS$/);
    expect(lines).toContainEqual(expect.stringMatching(/^secret +built-in +c:NICK:TEXT \/msg NICK TEXT/));
    expect(lines).toContainEqual(expect.stringMatching(/^wave +plugins\/wave\.ts +\/wave \[TEXT\]$/));
  });
});

describe("parley plugins new", () => {
  test("writes a starter file that loads as written and answers its command", async () => {
    const home = workspace();
    const made = await runToEnd(["plugins", "new", "greet"], { cwd: home });
    expect(made.stdout).toContain("wrote plugins/greet.ts");
    const parley = await startChat([], { cwd: home });
    expect(await parley.waitForLog("plugins: 1 loaded")).toContain("plugins");
    const c = await Client.join(parley.port, "newbie");
    c.send("/greet how are you");
    expect(await c.waitFor("hello")).toBe("hello newbie, you said: how are you");
    c.close();
    await parley.stop();
  });

  test("refuses to overwrite a file, and a bad name, in one line", async () => {
    const home = workspace();
    await runToEnd(["plugins", "new", "dup"], { cwd: home });
    const again = await runToEnd(["plugins", "new", "dup"], { cwd: home });
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim()).toBe("parley: plugins/dup.ts already exists (use --force to overwrite)");
    const bad = await runToEnd(["plugins", "new", "no spaces"], { cwd: home });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("parley plugins types", () => {
  test("prints a .d.ts that tsc accepts together with the examples and a new plugin", async () => {
    const home = workspace();
    const plugins = join(home, "plugins");
    cpSync(EXAMPLES, plugins, { recursive: true });
    await runToEnd(["plugins", "new", "typed"], { cwd: home });
    const types = await runToEnd(["plugins", "types"], { cwd: home });
    expect(types.code).toBe(0);
    expect(types.stdout).toContain('declare module "parley"');
    writeFileSync(join(home, "parley.d.ts"), types.stdout);
    writeFileSync(
      join(home, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, target: "ESNext", module: "Preserve", moduleResolution: "bundler", types: [], lib: ["ESNext"], allowImportingTsExtensions: true },
        include: ["parley.d.ts", "plugins"],
      }),
    );
    expect(existsSync(join(plugins, "dice.ts"))).toBe(true);
    const tsc = Bun.spawnSync([TSC, "-p", home]);
    expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe("");
    expect(tsc.exitCode).toBe(0);
    // And a mistake against the API is caught: the types are real.
    writeFileSync(join(plugins, "wrong.ts"), 'import { definePlugin } from "parley";\nexport default definePlugin({ name: "w", commands: [{ name: "w", summary: "", run(ctx) { ctx.shout("x"); } }] });\n');
    const bad = Bun.spawnSync([TSC, "-p", home]);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stdout.toString()).toContain("shout");
    expect(readFileSync(join(plugins, "typed.ts"), "utf8")).toContain('from "parley"');
  });
});
