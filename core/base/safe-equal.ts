// Comparing secrets (the server password, the admin password) without
// telling an attacker, through the time it takes, how much of a guess was
// right: both sides are hashed first, so their lengths match too.

import { createHash, timingSafeEqual } from "node:crypto";

/** True when the two strings are equal; takes the same time whatever they hold. */
export function safeEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
