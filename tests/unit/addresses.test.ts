// Ban addresses in one form: canonicalAddress (core/base/address.ts, given to
// plugins by the API and used by `parley bans` and /ban alike) matches what
// node:net accepts as an IP address.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import net from "node:net";
import { canonicalAddress, ipFamily } from "../../core/base/address.ts";

const cases: [string, string | undefined][] = [
  ["1.2.3.4", "1.2.3.4"],
  [" 127.0.0.1 ", "127.0.0.1"],
  ["::ffff:1.2.3.4", "1.2.3.4"],
  ["::FFFF:102:304", "1.2.3.4"],
  ["0:0:0:0:0:ffff:7f00:1", "127.0.0.1"],
  ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
  ["2001:0db8::0001", "2001:db8::1"],
  ["2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"],
  ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
  ["2001:db8:1:1:1:1:0:1", "2001:db8:1:1:1:1:0:1"],
  ["::", "::"],
  ["::1", "::1"],
  ["0:0:0:0:0:0:0:1", "::1"],
  ["1::", "1::"],
  ["::1.2.3.4", "::102:304"],
  ["FE80::1%eth0", "fe80::1%eth0"],
  ["dead", undefined],
  ["bob", undefined],
  ["", undefined],
  ["1.2.3", undefined],
  ["256.1.1.1", undefined],
  ["01.2.3.4", undefined],
  ["1::2::3", undefined],
  ["12345::", undefined],
  [":::", undefined],
  [":1:2:3:4:5:6:7", undefined],
  ["1:2:3:4:5:6:7:8:9", undefined],
  ["1:2:3:4:5:6:7::8", undefined],
  ["1.2.3.4%eth0", undefined],
  ["::1%", undefined],
];

describe("canonicalAddress", () => {
  test.each(cases)("%p is %p", (text, want) => {
    expect(canonicalAddress(text)).toBe(want);
  });

  test("any eight groups, written long or short, give one form that node:net reads as the same address", () => {
    const groups = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, fc.boolean(), (g, upper) => {
        const long = g.map((n) => n.toString(16).padStart(4, "0")).join(":");
        const text = upper ? long.toUpperCase() : long;
        const form = canonicalAddress(text)!;
        expect(form).toBeDefined();
        expect(net.isIP(form)).not.toBe(0);
        expect(canonicalAddress(form)).toBe(form);
        // node's own short form (URL host parsing follows RFC 5952 too)
        if (net.isIP(form) === 6) expect(new URL(`http://[${long}]/`).hostname).toBe(`[${form}]`);
      }),
    );
  });

});

describe("ipFamily", () => {
  test("says what node:net's isIP says, for the table above and for strings made of address characters", () => {
    for (const [text] of cases) expect(`${text} ${ipFamily(text.trim())}`).toBe(`${text} ${net.isIP(text.trim())}`);
    for (const zoned of ["fe80::1%a b", "fe80::1%/", "fe80::1%eth0.5", "fe80::1%a-b:c", "::1%%"]) expect(`${zoned} ${ipFamily(zoned)}`).toBe(`${zoned} ${net.isIP(zoned)}`);
    const unit = fc.constantFrom(..."0123456789abcdefABCDEF:.%x /-_");
    fc.assert(fc.property(fc.string({ unit, maxLength: 45 }), (text) => ipFamily(text) === net.isIP(text)), { numRuns: 20_000 });
    const groups = fc.array(fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)), { minLength: 1, maxLength: 9 });
    fc.assert(fc.property(groups, fc.boolean(), (g, zone) => {
      const text = g.join(":").replace(/(^|:)0:0(:|$)/, "$1:$2") + (zone ? "%eth0" : "");
      return ipFamily(text) === net.isIP(text);
    }), { numRuns: 20_000 });
  });
});
