// What one user has set for themselves, or proved, during their connection:
// away, how lines reach them (quiet, timestamps, bell, whom they ignore),
// the account they logged in to, and whether they are an operator. Plugins
// set it through their ctx (core/plugins/api.ts); delivery.ts reads it for
// every line delivered to the user. Made on first use: most connections
// never set anything, and an idle connection's memory counts.

import type { UserPreferences } from "../plugins/api.ts";
import { sanitize } from "../wire/sanitize.ts";
import { IgnoreList } from "./ignore-list.ts";

/** The longest away text, like a leave reason: it is shown in lists. */
export const MAX_AWAY = 200;

export class Personal {
  /** undefined: here; "" away without a text */
  away: string | undefined;
  account: string | undefined;
  operator = false;
  quiet = false;
  timestamps = false;
  bell = false;
  readonly ignored = new IgnoreList();

  setAway(text: string | undefined): void {
    // Plugin text reaches other users' screens: cleaned like a user's line, and kept to one.
    this.away = text === undefined ? undefined : sanitize(String(text)).replaceAll("\n", " ").trim().slice(0, MAX_AWAY);
  }

  preferences(): UserPreferences {
    return { quiet: this.quiet, timestamps: this.timestamps, bell: this.bell, ignored: this.ignored.list() };
  }

  setPreferences(changes: Partial<UserPreferences>): void {
    if (typeof changes.quiet === "boolean") this.quiet = changes.quiet;
    if (typeof changes.timestamps === "boolean") this.timestamps = changes.timestamps;
    if (typeof changes.bell === "boolean") this.bell = changes.bell;
    if (changes.ignored !== undefined) this.ignored.replace(changes.ignored);
  }
}
