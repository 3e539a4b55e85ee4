// What a user may type to a UDP mode, and how a datagram is shown: the pure
// parts of core/udp/checks.ts and core/udp/format.ts.

import { describe, expect, test } from "bun:test";
import { UserError } from "../../core/base/errors.ts";
import { familyOf, isMulticast, makeChecks, splitScope } from "../../core/udp/checks.ts";
import { datagramJson, datagramLine, decodeText, escapeControls, showEndpoint, summaryLine } from "../../core/udp/format.ts";
import { directedBroadcast } from "../../core/udp/interfaces.ts";

const warnings: string[] = [];
const check = makeChecks((w) => warnings.push(w));

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error("no error");
}

describe("ports", () => {
  test("1-65535 for a destination, 0-65535 to bind", () => {
    expect(check.port("port", "5000")).toBe(5000);
    expect(check.port("port", " 65535 ")).toBe(65535);
    expect(check.port("port", "0", { bind: true })).toBe(0);
    expect(error(() => check.port("port", "0"))).toBe('--port must be a port from 1 to 65535 (got "0")');
    expect(error(() => check.port("port", "65536", { bind: true }))).toBe('--port must be a port from 0 to 65535 (0 picks a free one) (got "65536")');
    expect(error(() => check.port("port", "-1"))).toContain('(got "-1")');
    expect(error(() => check.port("port", "1e3"))).toContain('(got "1e3")');
    expect(error(() => check.port("port", undefined))).toBe("--port needs a value");
    expect(error(() => check.port("port", true))).toBe("--port needs a value");
  });
});

describe("TTL, integers and seconds", () => {
  test("TTL 1-255: 0 is refused, since the Bun runtime refuses a multicast TTL of 0", () => {
    expect(check.ttl("ttl", "1")).toBe(1);
    expect(check.ttl("ttl", "255")).toBe(255);
    expect(error(() => check.ttl("ttl", "0"))).toBe('--ttl must be a TTL (hop count) from 1 to 255 (got "0")');
    expect(error(() => check.ttl("ttl", "256"))).toBe('--ttl must be a TTL (hop count) from 1 to 255 (got "256")');
    expect(error(() => check.ttl("ttl", "1.5"))).toContain("from 1 to 255");
  });

  test("seconds may have decimals", () => {
    expect(check.seconds("every", "0.25", 0.01, 10)).toBe(0.25);
    expect(check.seconds("every", ".5", 0.01, 10)).toBe(0.5);
    expect(error(() => check.seconds("every", "11", 0.01, 10))).toBe("--every must be from 0.01 to 10 seconds (got 11)");
    expect(error(() => check.seconds("every", "1s", 0.01, 10))).toBe('--every must be a number of seconds from 0.01 to 10 (got "1s")');
  });

  test("a label with capitals or symbols is shown as it is", () => {
    expect(error(() => check.integer("HOST:PORT", "x", 1, 2))).toBe('HOST:PORT must be a whole number from 1 to 2 (got "x")');
  });
});

describe("addresses", () => {
  test("net.isIP decides; IPv6 may carry a %scope, IPv4 may not", () => {
    expect(check.address("host", "127.0.0.1")).toBe("127.0.0.1");
    expect(check.address("host", "[::1]")).toBe("::1");
    expect(check.address("host", "fe80::1%eth0")).toBe("fe80::1%eth0");
    for (const bad of ["127.0.0.256", "localhost", "1.2.3", "127.0.0.1%lo", "::g"]) expect(error(() => check.address("host", bad))).toContain(`(got "${bad}")`);
    expect(familyOf("ff02::1%lo")).toBe(6);
    expect(splitScope("ff02::1%lo")).toEqual(["ff02::1", "lo"]);
  });

  test("HOST:PORT, [IPV6]:PORT, name:PORT", () => {
    expect(check.hostPort("HOST:PORT", "127.0.0.1:5000")).toEqual({ host: "127.0.0.1", port: 5000 });
    expect(check.hostPort("HOST:PORT", "[::1]:53")).toEqual({ host: "::1", port: 53 });
    expect(check.hostPort("HOST:PORT", "[ff02::1%lo]:53")).toEqual({ host: "ff02::1%lo", port: 53 });
    expect(check.hostPort("HOST:PORT", "localhost:7")).toEqual({ host: "localhost", port: 7 });
    expect(error(() => check.hostPort("HOST:PORT", "::1:53"))).toContain("must be HOST:PORT");
    expect(error(() => check.hostPort("HOST:PORT", "[127.0.0.1]:53"))).toBe("HOST:PORT: [127.0.0.1] is not an IPv6 address");
    expect(error(() => check.hostPort("HOST:PORT", "bad_host:53"))).toBe('HOST:PORT: "bad_host" is neither an IP address nor a host name');
    expect(error(() => check.hostPort("HOST:PORT", "h:99999"))).toBe('HOST:PORT must be a port from 1 to 65535 (got "99999")');
  });
});

describe("multicast groups", () => {
  test("224.0.0.0/4 and ff00::/8, with a %scope for IPv6", () => {
    for (const g of ["224.0.1.1", "239.255.255.255", "ff02::1", "ff15::1234", "ff02::fb%eth0"]) expect(check.group("group", g)).toBe(g);
    for (const g of ["223.255.255.255", "240.0.0.1", "fe80::1", "10.0.0.1", "239.1.2.3%lo"]) {
      expect(error(() => check.group("group", g))).toContain("must be a multicast group");
    }
    expect(isMulticast("ff02::")).toBe(true);
    expect(isMulticast("fe02::1")).toBe(false);
  });

  test("224.0.0.0/24 is allowed with a warning", () => {
    warnings.length = 0;
    expect(check.group("group", "239.1.2.3")).toBe("239.1.2.3");
    expect(warnings).toEqual([]);
    expect(check.group("group", "224.0.0.251")).toBe("224.0.0.251");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toStartWith("224.0.0.251 is in 224.0.0.0/24, the local network control block");
  });
});

describe("payload sizes", () => {
  test("65507 bytes over IPv4, 65527 over IPv6, counted in UTF-8 bytes", () => {
    expect(check.payload("x".repeat(65507), 4)).toHaveLength(65507);
    expect(check.payload("x".repeat(65527), 6)).toHaveLength(65527);
    expect(error(() => check.payload("x".repeat(65508), 4))).toBe("the message is 65508 bytes; one UDP datagram over IPv4 carries at most 65507");
    expect(error(() => check.payload("é".repeat(32764), 6))).toBe("the message is 65528 bytes; one UDP datagram over IPv6 carries at most 65527");
  });
});

describe("how a datagram is shown", () => {
  const time = new Date(2026, 0, 2, 3, 4, 5, 6);
  const bytes = (s: string) => new TextEncoder().encode(s);

  test("text on one line: time, sender, size, text", () => {
    const d = { data: bytes("hi"), address: "127.0.0.1", port: 5000, family: 4 as const, time, text: "hi" };
    expect(datagramLine(d)).toBe("03:04:05.006  127.0.0.1:5000  2 bytes  hi");
    expect(datagramLine({ ...d, data: bytes("h"), text: "h" })).toBe("03:04:05.006  127.0.0.1:5000  1 byte  h");
  });

  test("IPv6 senders in brackets, bytes that are not UTF-8 as hex", () => {
    const data = new Uint8Array([0xff, 0x00]);
    const d = { data, address: "fe80::1%v0", port: 53, family: 6 as const, time, text: decodeText(data) };
    expect(d.text).toBeUndefined();
    expect(datagramLine(d)).toBe("03:04:05.006  [fe80::1%v0]:53  2 bytes  hex ff00");
    expect(JSON.parse(datagramJson(d))).toEqual({ time: time.toISOString(), from: "[fe80::1%v0]:53", address: "fe80::1%v0", port: 53, family: "IPv6", size: 2, hex: "ff00" });
  });

  test("control characters cannot act on the terminal", () => {
    expect(escapeControls("a\nb\r\x1b[2Jc\x07\u202e")).toBe("a\\nb\\r\\e[2Jc\\u0007\\u202e");
    expect(escapeControls("tab\tstays, 中文 too")).toBe("tab\tstays, 中文 too");
  });

  test("the exit summary", () => {
    expect(summaryLine({ sent: 1, received: 0, bytesSent: 1, bytesReceived: 0 })).toBe("sent 1 datagram (1 byte), received 0 (0 bytes)");
    expect(summaryLine({ sent: 2, received: 3, bytesSent: 10, bytesReceived: 30 })).toBe("sent 2 datagrams (10 bytes), received 3 (30 bytes)");
  });

  test("endpoints and directed broadcast addresses", () => {
    expect(showEndpoint("::1", 9)).toBe("[::1]:9");
    expect(directedBroadcast("192.168.1.7", "255.255.255.0")).toBe("192.168.1.255");
    expect(directedBroadcast("127.0.0.1", "255.0.0.0")).toBe("127.255.255.255");
    expect(directedBroadcast("10.1.2.3", "255.255.240.0")).toBe("10.1.15.255");
  });
});
