// The server password check: compared in constant time (on digests, so the
// lengths match too), so timing tells a guesser nothing.

import { createHash, timingSafeEqual } from "node:crypto";

export function checkPassword(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
