// Logs as a service has them: --log-file reopened on SIGHUP (logrotate's
// rename, then HUP; by hand and by logrotate itself), and on systemd's journal (JOURNAL_STREAM) process log
// lines without a time of their own, led by their syslog priority.

import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "../helpers/client.ts";
import { LineReader, PARLEY, startChat } from "../helpers/parley.ts";

const dir = mkdtempSync(join(tmpdir(), "parley-logs-"));

/** The texts said in a chat log file, in order. */
function saidIn(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; text?: string })
    .filter((e) => e.type === "said")
    .map((e) => e.text!);
}

describe("--log-file and logrotate", () => {
  test("after a rename and SIGHUP, new lines go to a new file; no line is lost or doubled across the rotation", async () => {
    const log = join(dir, "chat.log");
    const parley = await startChat(["--log-file", log]);
    const talker = await Client.join(parley.port, "talker");
    const reader = await Client.join(parley.port, "reader");
    const N = 300;
    // Lines keep coming while the file is renamed and the server told: the rotation happens mid-stream.
    for (let i = 1; i <= N / 2; i++) talker.send(`line ${i}`);
    renameSync(log, `${log}.1`);
    const from = parley.log.lines.length;
    parley.proc.kill("SIGHUP");
    for (let i = N / 2 + 1; i <= N; i++) talker.send(`line ${i}`);
    await parley.log.waitFor(/"message":"reload done/, "the reload's last line", from);
    expect(await reader.waitFor(`talker: line ${N}`)).toBe(`talker: line ${N}`);
    // Lines said after the reload finished land in the new file.
    talker.send("after the rotation");
    await reader.waitFor("talker: after the rotation");
    expect(await parley.stop()).toBe(0);

    const rotated = saidIn(`${log}.1`);
    const fresh = saidIn(log);
    expect(rotated.length).toBeGreaterThan(0);
    expect(fresh.at(-1)).toBe("after the rotation");
    const expected = [...Array.from({ length: N }, (_, i) => `line ${i + 1}`), "after the rotation"];
    // Every line exactly once, in order, the rotated file first.
    expect([...rotated, ...fresh]).toEqual(expected);
  });

  test("when the path cannot be opened again, the old file is kept and one line says why", async () => {
    const sub = mkdtempSync(join(dir, "gone-"));
    const log = join(sub, "chat.log");
    const parley = await startChat(["--log-file", log]);
    const c = await Client.join(parley.port, "writer");
    c.send("before");
    await c.sync();
    // The folder goes away (renamed), so the path cannot be opened; the open file still can be written.
    renameSync(sub, `${sub}-moved`);
    const from = parley.log.lines.length;
    parley.proc.kill("SIGHUP");
    await parley.log.waitFor(/"message":"reload done/, "the reload's last line", from);
    const messages = parley.log.lines.slice(from).map((l) => (JSON.parse(l) as { message: string }).message);
    expect(messages.filter((m) => m.includes("log file"))).toEqual([`reload: kept writing the old log file: cannot open log file ${log}: ENOENT`]);
    c.send("after");
    await c.sync();
    expect(await parley.stop()).toBe(0);
    expect(saidIn(join(`${sub}-moved`, "chat.log"))).toEqual(["before", "after"]);
  });
});

describe("logrotate, as docs/operations.md sets it up", () => {
  test("the documented snippet rotates the chat log twice while the server runs: every line once, in order, across three files", async () => {
    const logs = mkdtempSync(join(dir, "logrotate-"));
    const log = join(logs, "chat.log");
    const parley = await startChat(["--log-file", log]);
    // The snippet itself, from the docs, with this test's path and this server's PID in place of systemctl.
    const docs = readFileSync(resolve(import.meta.dir, "../../docs/operations.md"), "utf8");
    const snippet = /^\/var\/log\/parley\/chat\.log \{\n[\s\S]*?^\}$/m.exec(docs)?.[0];
    expect(snippet).toContain("systemctl reload parley");
    const config = join(logs, "logrotate.conf");
    writeFileSync(config, snippet!.replace("/var/log/parley/chat.log", log).replace(/systemctl reload parley.*/, `kill -HUP ${parley.proc.pid}`) + "\n", { mode: 0o644 });
    const rotate = async () => {
      const from = parley.log.lines.length;
      const run = Bun.spawnSync(["logrotate", "--force", "--state", join(logs, "state"), config], { stderr: "pipe" });
      expect(run.stderr.toString()).toBe("");
      expect(run.exitCode).toBe(0);
      await parley.log.waitFor(/"message":"reload done/, "the reload logrotate asked for", from);
    };
    const talker = await Client.join(parley.port, "talker");
    const reader = await Client.join(parley.port, "reader");
    const say = async (first: number, last: number) => {
      for (let i = first; i <= last; i++) talker.send(`line ${i}`);
      await reader.waitFor(`talker: line ${last}`);
    };
    await say(1, 100);
    await rotate();
    await say(101, 200);
    await rotate();
    await say(201, 300);
    expect(await parley.stop()).toBe(0);

    // delaycompress: the newest rotated file stays plain, the one before is compressed.
    const older = Bun.gunzipSync(readFileSync(`${log}.2.gz`));
    writeFileSync(join(logs, "older"), older);
    const all = [...saidIn(join(logs, "older")), ...saidIn(`${log}.1`), ...saidIn(log)];
    expect(all).toEqual(Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
    expect(saidIn(log)[0]).toBe("line 201");
  });
});

/**
 * Starts parley with stderr a pipe and JOURNAL_STREAM naming that very pipe,
 * as systemd names its journal socket: a shell reads the pipe's device and
 * inode (stat -L on /proc/self/fd/2), then becomes parley.
 */
function startOnJournal(args: string[], journal: "this stream" | "another stream") {
  const env = journal === "this stream" ? 'JOURNAL_STREAM="$(stat -L -c %d:%i /proc/self/fd/2)"' : "JOURNAL_STREAM=1:1";
  const proc = Bun.spawn(["sh", "-c", `export ${env}; exec "$0" "$@"`, PARLEY, "chat", "--host", "127.0.0.1", "--port", "0", ...args], {
    cwd: dir,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  return { proc, log: new LineReader(proc.stderr) };
}

describe("on systemd's journal", () => {
  test("JOURNAL_STREAM naming stderr: lines carry a syslog priority and no time of their own", async () => {
    const { proc, log } = startOnJournal(["--log-level", "debug", "--admin-password", "x"], "this stream");
    const listening = await log.waitFor("listening on");
    expect(listening).toMatch(/^<6>parley chat listening on 127\.0\.0\.1:\d+; try: telnet localhost \d+$/);
    const port = Number(/:(\d+);/.exec(listening)![1]);
    const c = await Client.join(port, "someone");
    c.send("/op wrong");
    await c.waitFor("wrong admin password");
    expect(await log.waitFor("failed /op")).toBe("<4>[ops] failed /op by someone from 127.0.0.1");
    expect(await log.waitFor("connection from")).toStartWith("<7>connection from 127.0.0.1:");
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    for (const line of log.lines) {
      expect(line).toMatch(/^<[3467]>/);
      expect(line).not.toMatch(/\d\d:\d\d:\d\d/);
    }
  });

  test("with --json-logs on the journal, the objects have no time field", async () => {
    const { proc, log } = startOnJournal(["--json-logs"], "this stream");
    const listening = JSON.parse(await log.waitFor("listening on")) as Record<string, unknown>;
    expect(Object.keys(listening)).toEqual(["level", "message"]);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });

  test("a JOURNAL_STREAM inherited from elsewhere (stderr is not that stream) changes nothing", async () => {
    const { proc, log } = startOnJournal(["--json-logs"], "another stream");
    const listening = JSON.parse(await log.waitFor("listening on")) as Record<string, unknown>;
    expect(listening.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });
});
