// The reload's order of work, on in-memory targets: what a failed read
// leaves alone, a refused certificate, the one warning line, and a burst
// of requests answered by one reload.
import { describe, expect, test } from "bun:test";
import { createConsola, type LogObject } from "consola";
import { Reloader, type ReloadableSettings } from "../../core/chat/reload.ts";

interface Settings extends ReloadableSettings {
  listen: { port: number; tls?: { cert: string; key: string } };
}

function harness(read: () => Settings) {
  const logged: string[] = [];
  const log = createConsola({ level: 5, reporters: [{ log: (e: LogObject) => logged.push(`${e.type}: ${e.args.join(" ")}`) }] });
  const applied: { motd: string; tls: string; pluginReloads: number; logReopens: number; passwords?: { password?: string; adminPassword?: string } } = { motd: "old motd", tls: "C1", pluginReloads: 0, logReopens: 0 };
  const start: Settings = { motd: "old motd", listen: { port: 8088, tls: { cert: "C1", key: "K1" } } };
  const reloader = new Reloader(start, read, {
    log,
    setMotd: (text) => void (applied.motd = text),
    setPasswords: (next) => void (applied.passwords = next),
    setTls: (tls) => {
      if (tls.cert === "BAD") throw new Error("the key does not match");
      applied.tls = tls.cert;
    },
    plugins: { reload: async () => (applied.pluginReloads++, { changes: [], failures: [] }) },
    reopenLog: () => void applied.logReopens++,
  });
  return { reloader, applied, logged };
}

describe("a reload", () => {
  test("applies new passwords, set or removed, and never shows them", async () => {
    let read: Settings = { motd: "old motd", password: "one", adminPassword: "op-one", listen: { port: 8088, tls: { cert: "C1", key: "K1" } } };
    const { reloader, applied } = harness(() => read);
    expect((await reloader.reload("SIGHUP")).lines).toEqual(["reload: a new server password, asked of new connections", "reload: a new admin password for /op (operators keep their rights)", "reload done"]);
    expect(applied.passwords).toEqual({ password: "one", adminPassword: "op-one" });
    read = { ...read, password: undefined };
    const removed = await reloader.reload("SIGHUP");
    expect(removed.lines).toEqual(["reload: no server password from now on", "reload done"]);
    expect(applied.passwords).toEqual({ password: undefined, adminPassword: "op-one" });
    expect(JSON.stringify(removed)).not.toContain("op-one");
    expect((await reloader.reload("SIGHUP")).lines).toEqual(["reload done: nothing changed"]);
  });

  test("applies a new MOTD and certificate, reloads plugins, reopens the log, and says so", async () => {
    const { reloader, applied, logged } = harness(() => ({ motd: "new motd", listen: { port: 8088, tls: { cert: "C2", key: "K2" } } }));
    const result = await reloader.reload("SIGHUP");
    expect(result.ok).toBe(true);
    expect(applied).toEqual({ motd: "new motd", tls: "C2", pluginReloads: 1, logReopens: 1 });
    expect(result.lines).toEqual(["reload: new TLS certificate for new connections (unreadable certificate); connected users keep theirs", "reload: new message of the day", "reload done"]);
    expect(logged[0]).toBe("info: SIGHUP: reloading");
  });

  test("whose settings cannot be read changes nothing at all", async () => {
    const { reloader, applied } = harness(() => {
      throw new Error("cannot read --motd file /x: ENOENT");
    });
    expect(await reloader.reload("SIGHUP")).toEqual({ ok: false, lines: ["reload failed, nothing changed: cannot read --motd file /x: ENOENT"] });
    expect(applied).toEqual({ motd: "old motd", tls: "C1", pluginReloads: 0, logReopens: 0 });
  });

  test("with a refused certificate keeps the old one, applies the rest, and reports a problem", async () => {
    const { reloader, applied } = harness(() => ({ motd: "new motd", listen: { port: 8088, tls: { cert: "BAD", key: "K2" } } }));
    const result = await reloader.reload("SIGHUP");
    expect(result.ok).toBe(false);
    expect(result.lines[0]).toBe("reload: TLS certificate kept, the new one was refused: the key does not match");
    expect(applied.tls).toBe("C1");
    expect(applied.motd).toBe("new motd");
  });

  test("names a moved port in one warning, every time until a restart", async () => {
    const { reloader, logged } = harness(() => ({ motd: "old motd", listen: { port: 9999, tls: { cert: "C1", key: "K1" } } }));
    for (let i = 0; i < 2; i++) await reloader.reload("SIGHUP");
    expect(logged.filter((l) => l.startsWith("warn:"))).toEqual([
      "warn: reload: --port cannot change while the server runs; restart to apply",
      "warn: reload: --port cannot change while the server runs; restart to apply",
    ]);
  });

  test("asked for many times while one waits to begin runs once for all of them", async () => {
    let reads = 0;
    const { reloader } = harness(() => (reads++, { motd: "old motd", listen: { port: 8088, tls: { cert: "C1", key: "K1" } } }));
    const first = reloader.reload("SIGHUP"); // begins on the next turn of the event loop
    const burst = Array.from({ length: 100 }, () => reloader.reload("SIGHUP"));
    await Promise.all([first, ...burst]);
    expect(reads).toBe(1);
    expect(new Set([first, ...burst]).size).toBe(1);
    // Once it has begun, the next request is a reload of its own.
    await reloader.reload("SIGHUP");
    expect(reads).toBe(2);
  });

  test("after close does nothing", async () => {
    const { reloader, applied } = harness(() => ({ motd: "new", listen: { port: 8088 } }));
    await reloader.close();
    expect((await reloader.reload("SIGHUP")).ok).toBe(false);
    expect(applied.motd).toBe("old motd");
  });
});
