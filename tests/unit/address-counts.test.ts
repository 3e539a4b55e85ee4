import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { AddressCounts } from "../../core/base/address-counts.ts";

describe("AddressCounts", () => {
  test("counts each address's connections, and holds no address that has none", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("10.0.0.1", "::1", "10.0.0.2"), fc.boolean()), { maxLength: 200 }), (steps) => {
        const counts = new AddressCounts();
        const open = new Map<string, number>();
        for (const [address, connect] of steps) {
          const now = open.get(address) ?? 0;
          if (connect) {
            counts.add(address);
            open.set(address, now + 1);
          } else if (now > 0) {
            // A connection goes only after it came: as the listeners call it.
            counts.remove(address);
            open.set(address, now - 1);
          }
          for (const a of ["10.0.0.1", "::1", "10.0.0.2"]) expect(counts.of(a)).toBe(open.get(a) ?? 0);
        }
        expect((counts as unknown as { counts: Map<string, number> }).counts.size).toBe([...open.values()].filter((n) => n > 0).length);
      }),
    );
  });
});
