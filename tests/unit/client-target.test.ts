// Where `parley connect` goes: [HOST:]PORT, with IPv6 in brackets, checked
// before anything is opened.
import { describe, expect, test } from "bun:test";
import { parseHostPort } from "../../cmd/_parse.ts";
import { addressOf, backoff, reasonOf } from "../../core/client/connection.ts";

describe("[HOST:]PORT", () => {
  test("a port alone goes to the default host", () => {
    expect(parseHostPort("8088", "127.0.0.1")).toEqual({ host: "127.0.0.1", port: 8088 });
    expect(parseHostPort(":8088", "127.0.0.1")).toEqual({ host: "127.0.0.1", port: 8088 });
  });

  test("names, IPv4 and bracketed IPv6", () => {
    expect(parseHostPort("chat.example.org:23", "x")).toEqual({ host: "chat.example.org", port: 23 });
    expect(parseHostPort("10.0.0.1:9", "x")).toEqual({ host: "10.0.0.1", port: 9 });
    expect(parseHostPort("[::1]:8088", "x")).toEqual({ host: "::1", port: 8088 });
    expect(addressOf({ host: "::1", port: 8088 })).toBe("[::1]:8088");
  });

  test("mistakes are one line naming what was given", () => {
    for (const bad of ["", "host", "host:", "0", "65536", "::1:80", "bad_host!:80", "a:b:80"]) {
      expect(() => parseHostPort(bad, "127.0.0.1")).toThrow(/PORT|not an IP address/);
    }
  });
});

describe("reconnecting and errors", () => {
  test("the wait doubles from half a second to at most ten", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoff)).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });

  test("socket errors read as a few words", () => {
    const error = (code: string, message = "x") => Object.assign(new Error(message), { code });
    expect(reasonOf(error("ECONNREFUSED"))).toBe("connection refused");
    expect(reasonOf(error("ENOTFOUND"))).toBe("host not found");
    expect(reasonOf(error("ECONNRESET"))).toBe("connection reset");
    expect(reasonOf(error("DEPTH_ZERO_SELF_SIGNED_CERT", "self signed certificate"), true)).toBe(
      "TLS failure: self signed certificate (--insecure skips the certificate check)",
    );
  });
});
