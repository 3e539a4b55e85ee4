// What a reload may change while the server runs, and how the rest is named.
import { describe, expect, test } from "bun:test";
import { fixedChanges } from "../../core/chat/reload-plan.ts";

const base = () => ({
  listen: { port: 8088, host: "127.0.0.1", backlog: 511, tls: { cert: "C1", key: "K1" } },
  limits: { maxLine: 4096, history: 20 },
  motd: "hello",
  password: "s3cret",
  redis: { url: "redis://a", prefix: "parley", node: "n1" },
  reread: () => ({}),
});

describe("a reload names what it cannot change", () => {
  test("the same settings read again: nothing to say", () => {
    expect(fixedChanges(base(), base())).toEqual([]);
  });

  test("a new MOTD and a renewed certificate are applied, so not named", () => {
    const next = { ...base(), motd: "new", listen: { ...base().listen, tls: { cert: "C2", key: "K2" } } };
    expect(fixedChanges(base(), next)).toEqual([]);
  });

  test("a moved port or host is named by its flag", () => {
    const next = { ...base(), listen: { ...base().listen, port: 9000, host: "::1" } };
    expect(fixedChanges(base(), next)).toEqual(["--port", "--host"]);
  });

  test("a limit is named by its own flag, a secret by its flag and never by its value", () => {
    const next = { ...base(), limits: { ...base().limits, history: 50 }, redis: { url: "redis://:other@127.0.0.1" } };
    const named = fixedChanges(base(), next);
    expect(named).toEqual(["--history", "--redis"]);
    expect(named.join(" ")).not.toContain("other");
  });

  test("every setting is named by its flag: the web's, the default room, the config file's plugin tables", () => {
    const web = { port: 8080, origins: [], trustProxy: false };
    expect(fixedChanges({ ...base(), http: web }, { ...base(), http: { ...web, metricsToken: "t0ken-t0ken-t0ken" } })).toEqual(["--metrics-token"]);
    expect(fixedChanges({ ...base(), http: web }, { ...base(), http: { ...web, origins: ["https://a.example"], trustProxy: true } })).toEqual(["--http-origin", "--trust-proxy"]);
    expect(fixedChanges(base(), { ...base(), http: web })).toEqual(["--http"]);
    expect(fixedChanges({ ...base(), defaultRoom: "#lobby" }, { ...base(), defaultRoom: "#hall" })).toEqual(["--default-room"]);
    const tables = (sides: string) => ({ file: "/etc/parley/parley.toml", tables: { dice: { sides } } });
    expect(fixedChanges({ ...base(), configFile: tables("6") }, { ...base(), configFile: tables("20") })).toEqual(["the config file's plugin tables"]);
  });

  test("the passwords are live, changed, set or removed", () => {
    expect(fixedChanges(base(), { ...base(), password: "other", adminPassword: "op" })).toEqual([]);
    expect(fixedChanges({ ...base(), password: "one" }, base())).toEqual([]);
  });

  test("TLS turned on or off is not a renewal: it is named", () => {
    const off = { ...base(), listen: { port: 8088, host: "127.0.0.1", backlog: 511 } };
    expect(fixedChanges(base(), off)).toEqual(["--tls-cert/--tls-key"]);
    expect(fixedChanges(off, base())).toEqual(["--tls-cert/--tls-key"]);
  });

  test("a Redis URL is one setting, named once however many of its parts changed", () => {
    const next = { ...base(), redis: { url: "redis://b", prefix: "other", node: "n2" } };
    expect(fixedChanges(base(), next)).toEqual(["--redis"]);
  });

  test("a setting that appears is named by its path when it has no flag", () => {
    expect(fixedChanges(base(), { ...base(), brandNew: 1 })).toEqual(["brandNew"]);
  });
});
