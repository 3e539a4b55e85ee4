// The web listener's access rules (core/web/access.ts) and the fixed set of
// disconnect reasons (core/base/counters.ts), as pure functions.

import { describe, expect, test } from "bun:test";
import { disconnectKind } from "../../core/base/counters.ts";
import { metricsRefusal, originAllowed, parseOrigins } from "../../core/web/access.ts";

const request = (headers: Record<string, string> = {}) => new Request("http://127.0.0.1:8080/ws", { headers: { host: "chat.local:8080", ...headers } });

describe("--http-origin values", () => {
  test("comma lists and repeats become URL origins", () => {
    expect(parseOrigins(["https://a.example, http://b.example:8080", "HTTPS://C.Example:443/"])).toEqual({ origins: ["https://a.example", "http://b.example:8080", "https://c.example"] });
  });
  test("anything but scheme, host and port is refused with the value named", () => {
    for (const bad of ["ftp://a.example", "a.example", "https://a.example/chat", "https://a.example?x", "https://u@a.example"]) {
      const parsed = parseOrigins([bad]);
      expect("error" in parsed && parsed.error, bad).toContain(`"${bad}"`);
    }
  });
});

describe("which pages may open /ws", () => {
  test("programs without an Origin, the page's own origin, and listed origins", () => {
    expect(originAllowed(null, request(), [])).toBe(true);
    expect(originAllowed("http://chat.local:8080", request(), [])).toBe(true);
    expect(originAllowed("https://a.example", request(), ["https://a.example"])).toBe(true);
  });
  test("not another site, another port or scheme of a listed one, or garbage", () => {
    expect(originAllowed("https://evil.example", request(), ["https://a.example"])).toBe(false);
    expect(originAllowed("https://a.example:8443", request(), ["https://a.example"])).toBe(false);
    expect(originAllowed("http://a.example", request(), ["https://a.example"])).toBe(false);
    expect(originAllowed("null", request(), ["https://a.example"])).toBe(false);
  });
});

describe("who may read /metrics", () => {
  test("without a token: loopback only, with one line for the others", () => {
    expect(metricsRefusal(request(), "127.0.0.1", undefined)).toBeUndefined();
    expect(metricsRefusal(request(), "::1", undefined)).toBeUndefined();
    expect(metricsRefusal(request(), "10.1.2.3", undefined)?.status).toBe(403);
  });
  test("with a token: the bearer token from anywhere, nothing else", () => {
    const token = "0123456789abcdef-token";
    expect(metricsRefusal(request({ authorization: `Bearer ${token}` }), "10.1.2.3", token)).toBeUndefined();
    expect(metricsRefusal(request({ authorization: `bearer ${token}` }), "10.1.2.3", token)).toBeUndefined();
    for (const auth of ["", token, `Bearer ${token}x`, `Basic ${btoa(`u:${token}`)}`, `Bearer ${token} extra`]) {
      const refused = metricsRefusal(request(auth ? { authorization: auth } : {}), "127.0.0.1", token);
      expect(refused?.status, auth).toBe(401);
      expect(refused?.line).not.toContain(token);
    }
  });
});

describe("disconnect reasons are a fixed set", () => {
  test("the server's own reasons have labels; free text (a /quit reason, a kick's) is other", () => {
    expect(disconnectKind("connection closed")).toBe("closed");
    expect(disconnectKind("not reading: too much waiting")).toBe("not_reading");
    expect(disconnectKind("server shutting down")).toBe("shutdown");
    expect(disconnectKind('"} evil{label="x')).toBe("other");
  });
});
