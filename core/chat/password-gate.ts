// The server password (--password): asked before the nickname, compared in
// constant time (on digests, so the lengths match too), a wrong one
// answered after a delay, and after a few the connection closed: guessing
// is slow. Never logged.

import { createHash, timingSafeEqual } from "node:crypto";
import type { Session } from "./session.ts";
import { askPassword, prompt } from "./text-framing.ts";

const WRONG_PASSWORD_DELAY_MS = 1000;
const PASSWORD_TRIES = 3;

export function checkPassword(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Checks a password line (text) or frame (JSON); resolves once answered, so later lines wait. */
export function tryPassword(session: Session, given: string): Promise<void> | void {
  if (checkPassword(given, session.chat.password ?? "")) {
    session.hideTyping(false);
    session.state = "nick";
    if (session.json) return session.system("password accepted");
    session.system(""); // the user's Enter was not echoed
    return prompt(session);
  }
  session.passwordTries++;
  session.chat.log.info(`${session.conn.address}:${session.conn.port}: wrong password (${session.passwordTries} of ${PASSWORD_TRIES})`);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (session.passwordTries >= PASSWORD_TRIES) {
        session.error("wrong password; too many tries, bye", "bad_password");
        session.close("wrong password");
      } else {
        session.error("wrong password", "bad_password");
        if (!session.json) askPassword(session);
      }
      resolve();
    }, WRONG_PASSWORD_DELAY_MS);
    timer.unref();
  });
}
