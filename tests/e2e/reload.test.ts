// Reloading a running server without dropping anyone: SIGHUP and /reload
// re-read the MOTD file, the TLS certificate and the plugins folder, against
// dist/parley over loopback sockets.

import { describe, expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

const dir = mkdtempSync(join(tmpdir(), "parley-reload-"));

/** A self-signed certificate and key of the test's own, made with openssl. */
function makeCert(name: string): { cert: string; key: string; fingerprint: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const made = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${name}`]);
  if (made.exitCode !== 0) throw new Error(`openssl: ${made.stderr}`);
  return { cert, key, fingerprint: new X509Certificate(readFileSync(cert)).fingerprint256 };
}

/** Sends SIGHUP and resolves with the log messages of that reload, up to its last line ("reload done...", or "reload failed..." alone). */
async function hup(parley: Parley): Promise<string[]> {
  const from = parley.log.lines.length;
  parley.proc.kill("SIGHUP");
  await parley.log.waitFor(/"message":"reload (done|failed)/, "the reload's last line", from);
  return parley.log.lines.slice(from).map((line) => (JSON.parse(line) as { message: string }).message);
}

/** The MOTD a new user is shown: the lines before the nickname prompt. */
async function motdSeenBy(port: number, nick: string): Promise<{ client: Client; motd: string }> {
  const client = await Client.connect(port);
  await client.waitFor("choose a nickname");
  const motd = client.lines.slice(0, -1).join("\n");
  client.send(nick);
  await client.waitFor(`* Hi ${nick}!`);
  return { client, motd };
}

/** A TLS user: the certificate the server showed, and the chat over it. */
async function tlsJoin(port: number, nick: string): Promise<{ client: Client; fingerprint: string }> {
  const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
  await new Promise((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("error", reject);
  });
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  const client = Client.adopt(socket);
  await client.waitFor("choose a nickname");
  client.send(nick);
  await client.waitFor(`* Hi ${nick}!`);
  return { client, fingerprint };
}

describe("SIGHUP re-reads the MOTD file", () => {
  test("a new user sees the new MOTD; a user connected before stays and keeps chatting", async () => {
    const motd = join(dir, "motd-1.txt");
    writeFileSync(motd, "first motd\n");
    const parley = await startChat(["--motd", `@${motd}`]);
    const before = await motdSeenBy(parley.port, "early");
    expect(before.motd).toContain("first motd");

    writeFileSync(motd, "second motd\nwith two lines\n");
    const said = await hup(parley);
    expect(said).toContain("reload: new message of the day");
    expect(said.at(-1)).toBe("reload done");

    const after = await motdSeenBy(parley.port, "late");
    expect(after.motd).toContain("second motd\nwith two lines");
    expect(after.motd).not.toContain("first motd");
    // The early user was not dropped: both ways, lines still flow.
    before.client.send("still here");
    expect(await after.client.waitFor("early:")).toBe("early: still here");
    after.client.send("hello early");
    expect(await before.client.waitFor("late:")).toBe("late: hello early");
    expect(before.client.closed).toBe(false);
    await parley.stop();
  });

  test("an MOTD file that cannot be read: the old MOTD stays, and one line says why", async () => {
    const motd = join(dir, "motd-2.txt");
    writeFileSync(motd, "kept motd\n");
    const parley = await startChat(["--motd", `@${motd}`]);
    rmSync(motd);
    const said = await hup(parley);
    const problems = said.filter((m) => m.startsWith("reload failed"));
    expect(problems).toEqual([`reload failed, nothing changed: cannot read --motd file ${motd}: ENOENT`]);
    const { client, motd: seen } = await motdSeenBy(parley.port, "newcomer");
    expect(seen).toContain("kept motd");
    client.close();
    expect(await parley.stop()).toBe(0);
  });

  test("a reload with nothing changed says so, and SIGHUP never stops the server", async () => {
    const parley = await startChat(["--motd", "plain text"]);
    const c = await Client.join(parley.port, "stayer");
    for (let i = 0; i < 3; i++) expect((await hup(parley)).at(-1)).toBe("reload done: nothing changed");
    c.send("after three reloads");
    await c.sync();
    expect(c.closed).toBe(false);
    expect(parley.proc.exitCode).toBeNull();
    await parley.stop();
  });
});

describe("SIGHUP re-reads the config file", () => {
  test("its MOTD takes effect; a setting that cannot change while running is named, and not applied", async () => {
    const config = join(dir, "reload-config.toml");
    writeFileSync(config, 'motd = "motd from the file"\nmax_nick = 24\n');
    const parley = await startChat(["--config", config]);
    const before = await motdSeenBy(parley.port, "early");
    expect(before.motd).toContain("motd from the file");

    writeFileSync(config, 'motd = "the edited motd"\nmax_nick = 8\n');
    const said = await hup(parley);
    expect(said).toContain("reload: new message of the day");
    expect(said.some((line) => line.includes("--max-nick") && line.includes("cannot change while the server runs"))).toBe(true);
    expect(said.at(-1)).toBe("reload done");

    const after = await motdSeenBy(parley.port, "a_nick_longer_than_eight");
    expect(after.motd).toContain("the edited motd");
    // The old limit still holds: the 24-character nickname above was taken.
    before.client.send("still here");
    expect(await after.client.waitFor("early:")).toBe("early: still here");
    await parley.stop();
  });

  test("new passwords: new connections are asked the new one, the next /op takes the new one, whoever is in stays", async () => {
    const config = join(dir, "passwords.toml");
    const secret = join(dir, "server-password");
    writeFileSync(secret, "first-password\n");
    writeFileSync(config, 'password_file = "server-password"\nadmin_password = "first-op"\n');
    const parley = await startChat(["--config", config]);
    const inside = await Client.connect(parley.port);
    await inside.waitFor("Password:");
    inside.send("first-password");
    await inside.waitFor("choose a nickname");
    inside.send("inside");
    await inside.waitFor("* Hi inside!");

    writeFileSync(secret, "second-password\n");
    writeFileSync(config, 'password_file = "server-password"\nadmin_password = "second-op"\n');
    const said = await hup(parley);
    expect(said).toContain("reload: a new server password, asked of new connections");
    expect(said).toContain("reload: a new admin password for /op (operators keep their rights)");
    expect(said.join("\n")).not.toContain("second");

    const late = await Client.connect(parley.port);
    await late.waitFor("Password:");
    late.send("first-password");
    expect(await late.waitFor(/^! /)).toBe("! wrong password");
    late.send("second-password");
    await late.waitFor("choose a nickname");
    late.send("late");
    await late.waitFor("* Hi late!");
    inside.send("/op first-op");
    expect(await inside.waitFor(/^! /)).toMatch(/^! wrong/);
    inside.send("/op second-op");
    expect(await inside.waitFor("operator")).toMatch(/^\* you are an operator now/);
    inside.send("still here");
    expect(await late.waitFor("inside:")).toBe("inside: still here");
    await parley.stop();
  });

  test("a config file that no longer loads: everything stays as it runs, and one line names the file and line", async () => {
    const config = join(dir, "broken-config.toml");
    writeFileSync(config, 'motd = "kept motd"\n');
    const parley = await startChat(["--config", config]);
    writeFileSync(config, 'motd = "kept motd"\nmax_lines = 3\n');
    const said = await hup(parley);
    expect(said).toHaveLength(2);
    expect(said[1]).toStartWith("reload failed, nothing changed: ");
    expect(said[1]).toContain(`${config}:2: unknown key "max_lines" (did you mean "max_line"?)`);
    const after = await motdSeenBy(parley.port, "late");
    expect(after.motd).toContain("kept motd");
    after.client.close();
    await parley.stop();
  });
});

describe("SIGHUP re-reads the TLS certificate", () => {
  test("a new TLS client gets the renewed certificate while a connected TLS user stays", async () => {
    const first = makeCert("first");
    const renewed = makeCert("renewed");
    const cert = join(dir, "live.crt");
    const key = join(dir, "live.key");
    copyFileSync(first.cert, cert);
    copyFileSync(first.key, key);
    const parley = await startChat(["--tls-cert", cert, "--tls-key", key]);
    const old = await tlsJoin(parley.port, "oldtls");
    expect(old.fingerprint).toBe(first.fingerprint);

    copyFileSync(renewed.cert, cert);
    copyFileSync(renewed.key, key);
    const said = await hup(parley);
    expect(said.some((m) => m.startsWith("reload: new TLS certificate for new connections (CN=renewed, valid until "))).toBe(true);

    const fresh = await tlsJoin(parley.port, "newtls");
    expect(fresh.fingerprint).toBe(renewed.fingerprint);
    old.client.send("over the old session");
    expect(await fresh.client.waitFor("oldtls:")).toBe("oldtls: over the old session");
    fresh.client.send("over the new one");
    expect(await old.client.waitFor("newtls:")).toBe("newtls: over the new one");
    await parley.stop();
  });

  test("with --http, the HTTPS listener keeps its certificate, and the reload says so rather than pretend", async () => {
    const first = makeCert("web-first");
    const renewed = makeCert("web-renewed");
    const cert = join(dir, "web-live.crt");
    const key = join(dir, "web-live.key");
    copyFileSync(first.cert, cert);
    copyFileSync(first.key, key);
    const parley = await startChat(["--tls-cert", cert, "--tls-key", key, "--http", "0"]);
    const web = Number(/listening on [^ ]*:(\d+) \(HTTPS\)/.exec(await parley.waitForLog("parley web listening"))?.[1]);
    copyFileSync(renewed.cert, cert);
    copyFileSync(renewed.key, key);
    const said = await hup(parley);
    expect(said).toContain(`reload: the HTTPS listener (--http ${web}) keeps the certificate it started with until a restart`);
    // The chat port has the new one; the HTTPS port, as said, the old one.
    expect((await tlsJoin(parley.port, "chattls")).fingerprint).toBe(renewed.fingerprint);
    const socket = tls.connect({ host: "127.0.0.1", port: web, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] });
    await new Promise((resolve, reject) => {
      socket.once("secureConnect", resolve);
      socket.once("error", reject);
    });
    expect(socket.getPeerCertificate().fingerprint256).toBe(first.fingerprint);
    socket.destroy();
    await parley.stop();
  });

  test("a broken certificate or a key that does not match: the running one stays, one line says why", async () => {
    const first = makeCert("steady");
    const other = makeCert("stranger");
    const cert = join(dir, "steady-live.crt");
    const key = join(dir, "steady-live.key");
    copyFileSync(first.cert, cert);
    copyFileSync(first.key, key);
    const parley = await startChat(["--tls-cert", cert, "--tls-key", key, "--tls-port", "0"]);
    const tlsPort = Number(/:(\d+);/.exec(await parley.waitForLog("listening for TLS"))![1]);
    const stayer = await tlsJoin(tlsPort, "stayer");

    writeFileSync(cert, "not a certificate\n");
    expect((await hup(parley)).filter((m) => m.startsWith("reload failed"))).toEqual([`reload failed, nothing changed: --tls-cert ${cert} is not a PEM certificate`]);
    copyFileSync(other.cert, cert); // the key is still steady's
    expect((await hup(parley)).filter((m) => m.startsWith("reload failed"))).toEqual([`reload failed, nothing changed: --tls-key ${key} does not belong to the certificate in ${cert}`]);

    const next = await tlsJoin(tlsPort, "next");
    expect(next.fingerprint).toBe(first.fingerprint);
    stayer.client.send("unbroken");
    expect(await next.client.waitFor("stayer:")).toBe("stayer: unbroken");
    await parley.stop();
  });
});

describe("/reload", () => {
  test("an operator reloads and is told what changed; a user who is not an operator is refused", async () => {
    const motd = join(dir, "motd-op.txt");
    writeFileSync(motd, "before /reload\n");
    const parley = await startChat(["--motd", `@${motd}`, "--admin-password", "letmein"]);
    const user = await Client.join(parley.port, "plainuser");
    user.send("/reload");
    expect(await user.waitFor(/^! /)).toBe("! only operators can do that (/op PASSWORD)");

    const op = await Client.join(parley.port, "boss");
    op.send("/op letmein");
    await op.waitFor("you are an operator now");
    writeFileSync(motd, "after /reload\n");
    op.send("/reload");
    expect(await op.waitFor("* reload")).toBe("* reload: new message of the day");
    expect(await op.waitFor("* reload done")).toBe("* reload done");
    await parley.waitForLog("boss asked for a reload");
    const { motd: seen } = await motdSeenBy(parley.port, "later");
    expect(seen).toContain("after /reload");
    // The refused user is still connected.
    user.send("still in");
    expect(await op.waitFor("plainuser:")).toBe("plainuser: still in");
    await parley.stop();
  });

  test("a reload that fails comes back to the operator as an error line", async () => {
    const motd = join(dir, "motd-gone.txt");
    writeFileSync(motd, "soon gone\n");
    const parley = await startChat(["--motd", `@${motd}`, "--admin-password", "letmein"]);
    const op = await Client.join(parley.port, "boss");
    op.send("/op letmein");
    await op.waitFor("you are an operator now");
    rmSync(motd);
    op.send("/reload");
    expect(await op.waitFor(/^! /)).toBe(`! reload failed, nothing changed: cannot read --motd file ${motd}: ENOENT`);
    await parley.stop();
  });
});

describe("SIGHUP re-reads the plugins folder", () => {
  test("an edited plugin takes effect without --watch-plugins; one that fails to load keeps its previous version", async () => {
    const plugins = mkdtempSync(join(dir, "plugins-"));
    const file = join(plugins, "greet.ts");
    const version = (word: string) =>
      `import { definePlugin } from "parley";\nexport default definePlugin({ name: "greet", commands: [{ name: "greet", summary: "says a word", run: (ctx) => ctx.reply("* ${word}") }] });\n`;
    writeFileSync(file, version("first version"));
    const parley = await startChat(["--plugins", plugins]);
    const c = await Client.join(parley.port, "tester");
    c.send("/greet");
    expect(await c.waitFor("version")).toBe("* first version");

    writeFileSync(file, version("second version"));
    expect((await hup(parley)).find((m) => m.startsWith("plugins:"))).toMatch(/^plugins: reloaded \S*\/plugins-\w+\/greet\.ts$/);
    c.send("/greet");
    expect(await c.waitFor("version")).toBe("* second version");

    writeFileSync(file, "this is not typescript {{{\n");
    const said = await hup(parley);
    expect(said.filter((m) => m.startsWith("plugin reload failed"))).toHaveLength(1);
    expect(said.at(-1)).toBe("reload done, with problems (above)");
    c.send("/greet");
    expect(await c.waitFor("version")).toBe("* second version");
    await parley.stop();
  });
});
