// `parley backup FILE --data DATA`: a consistent copy of a running server's
// data file, taken while the server writes, that a server can start from.

import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { runToEnd, startChat } from "../helpers/parley.ts";

const dir = mkdtempSync(join(tmpdir(), "parley-backup-"));

describe("parley backup", () => {
  test("a backup taken while the server writes holds the history up to a moment, with no gap, and a server starts from it", async () => {
    const data = join(dir, "live.db");
    const copy = join(dir, "copy.db");
    const parley = await startChat(["--data", data]);
    const talker = await Client.join(parley.port, "talker");
    const reader = await Client.join(parley.port, "reader");
    for (let i = 1; i <= 200; i++) talker.send(`line ${i}`);
    await reader.waitFor("talker: line 200");
    // The server keeps writing while the backup runs.
    for (let i = 201; i <= 2000; i++) talker.send(`line ${i}`);
    const backup = await runToEnd(["backup", copy, "--data", data]);
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    const counted = Number(/^backed up .+ to .+ \(\d+ KiB, (\d+) room messages\)\n$/.exec(backup.stdout)?.[1]);
    await reader.waitFor("talker: line 2000");

    const db = new Database(copy, { readonly: true });
    const texts = (db.query("SELECT text FROM history ORDER BY id").all() as { text: string }[]).map((r) => r.text);
    db.close();
    // A snapshot: one run with no hole, cut at one moment, that reaches at
    // least what was said before the backup began (the server prunes to
    // about the last HISTORY_KEEP = 1000 messages, so the run may start past line 1).
    expect(texts.length).toBe(counted);
    const first = Number(texts[0]?.slice("line ".length));
    expect(texts).toEqual(Array.from({ length: texts.length }, (_, i) => `line ${first + i}`));
    expect(first + texts.length - 1).toBeGreaterThanOrEqual(200);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    expect(existsSync(`${copy}-wal`)).toBe(false);
    expect(await parley.stop()).toBe(0);

    // A server started from the copy replays its history.
    const restored = await startChat(["--data", copy, "--history", "2"]);
    const late = await Client.join(restored.port, "late");
    await late.waitFor("the last 2 messages:");
    const last = texts.at(-1)!;
    expect((await late.waitFor(`: ${last}`)).replace(/^\[\d\d:\d\d\] /, "")).toBe(`talker: ${last}`);
    await restored.stop();
  });

  test("an existing file is never overwritten, and the refusal is one line", async () => {
    const data = join(dir, "kept.db");
    const parley = await startChat(["--data", data]);
    await parley.stop();
    const target = join(dir, "already-there.db");
    writeFileSync(target, "precious\n");
    const { code, stdout, stderr } = await runToEnd(["backup", target, "--data", data]);
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toBe(`parley: ${target} already exists; parley backup never overwrites a file (remove it or pick another name)\n`);
    expect(readFileSync(target, "utf8")).toBe("precious\n");
  });

  test("a --data file that is missing or not parley's: one line, and no backup file left behind", async () => {
    const junk = join(dir, "notes.txt");
    writeFileSync(junk, "not a database at all, just some text that is long enough to have a header\n".repeat(4));
    const cases: [string, string][] = [
      [join(dir, "missing.db"), `parley: no such --data file: ${join(dir, "missing.db")}\n`],
      [junk, `parley: ${junk} is not a parley data file (file is not a database)\n`],
    ];
    for (const [data, message] of cases) {
      const target = join(dir, "never.db");
      const { code, stderr } = await runToEnd(["backup", target, "--data", data]);
      expect(code).not.toBe(0);
      expect(stderr).toBe(message);
      expect(existsSync(target)).toBe(false);
    }
    const same = join(dir, "same.db");
    const parley = await startChat(["--data", same]);
    await parley.stop();
    expect((await runToEnd(["backup", same, "--data", same])).stderr).toBe(`parley: the backup cannot be the --data file itself (${same})\n`);
  });
});
