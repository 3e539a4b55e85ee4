// Reloading a running server (SIGHUP, /reload): the settings are read again
// as a whole, by the function cmd/ gave (today: the MOTD file and the TLS
// files the flags name; a config file can plug in the same way), then the
// live ones are applied: the MOTD, the TLS certificate, the plugins folder,
// and the chat log file is reopened (logrotate). No one is disconnected.
//
// A reload that cannot read its settings (an unreadable MOTD file, a bad
// certificate) changes nothing and says why in one line; a plugin that
// fails to load keeps its previous version; what cannot change while
// running (reload-plan.ts) is named in one warning line. Reloads run one
// at a time, in the order asked; requests that come while one waits to
// begin are answered by it.

import { errorText } from "../base/errors.ts";
import type { Logger } from "../base/log.ts";
import type { ReloadResult } from "../plugins/api.ts";
import type { PluginReload } from "../plugins/host.ts";
import { fixedChanges } from "./reload-plan.ts";
import { nodeCrypto } from "./tls.ts";

/** The part of the settings a reload applies. */
export interface ReloadableSettings {
  motd: string;
  password?: string;
  adminPassword?: string;
  listen: { tls?: { cert: string; key: string } };
}

/** What a reload acts on, in the running server. */
export interface ReloadTargets {
  log: Logger;
  setMotd(text: string): void;
  /** the server password asked of new connections, and the password of /op */
  setPasswords(next: { password?: string; adminPassword?: string }): void;
  /** a listener that also serves the certificate but cannot take a new one while it runs, to name (the HTTPS port) */
  tlsNotRenewed?: string;
  /** throws when the certificate is refused; the previous one stays */
  setTls(tls: { cert: string; key: string }): void;
  plugins: { reload(): Promise<PluginReload> };
  /** reopens --log-file, resolving once the old file has all its lines; throws the one-line reason when it cannot */
  reopenLog?(): void | Promise<void>;
}

export class Reloader<S extends ReloadableSettings> {
  private current: S;
  private readonly read: (() => S) | undefined;
  private readonly targets: ReloadTargets;
  private queue: Promise<unknown> = Promise.resolve();
  /** a reload asked for and not begun yet: later requests join it (a burst of SIGHUPs is one reload, not a queue) */
  private waiting: Promise<ReloadResult> | undefined;
  private closed = false;

  constructor(current: S, read: (() => S) | undefined, targets: ReloadTargets) {
    this.current = current;
    this.read = read;
    this.targets = targets;
  }

  /** Reloads with `next`, or with the settings read again; `why` names who asked, for the log. */
  reload(why: string, next?: S): Promise<ReloadResult> {
    if (next === undefined && this.waiting) return this.waiting;
    const done: Promise<ReloadResult> = this.queue.then(() => {
      if (this.waiting === done) this.waiting = undefined;
      if (this.closed) return { ok: false, lines: ["the server is shutting down; nothing was reloaded"] };
      return this.apply(why, next);
    });
    if (next === undefined) this.waiting = done;
    this.queue = done.catch(() => {});
    return done;
  }

  /** The server is stopping: reloads from now on do nothing. Resolves once a reload under way is done. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  private async apply(why: string, given: S | undefined): Promise<ReloadResult> {
    const { log } = this.targets;
    const lines: string[] = [];
    let ok = true;
    const say = (level: "info" | "warn" | "error", line: string) => {
      log[level](line);
      lines.push(line);
      if (level === "error") ok = false;
    };
    log.info(`${why}: reloading`);
    let next: S;
    try {
      next = given ?? this.read?.() ?? this.current;
    } catch (error) {
      say("error", `reload failed, nothing changed: ${errorText(error)}`);
      return { ok, lines };
    }
    const fixed = fixedChanges(this.current, next);
    if (fixed.length > 0) say("warn", `reload: ${fixed.join(", ")} cannot change while the server runs; restart to apply`);

    const tls = next.listen.tls;
    const oldTls = this.current.listen.tls;
    let appliedTls = oldTls;
    if (tls && oldTls && (tls.cert !== oldTls.cert || tls.key !== oldTls.key)) {
      try {
        this.targets.setTls(tls);
        appliedTls = tls;
        say("info", `reload: new TLS certificate for new connections (${describe(tls.cert)}); connected users keep theirs`);
        if (this.targets.tlsNotRenewed) say("warn", `reload: ${this.targets.tlsNotRenewed} keeps the certificate it started with until a restart`);
      } catch (error) {
        say("error", `reload: TLS certificate kept, the new one was refused: ${errorText(error)}`);
      }
    }
    if (next.motd !== this.current.motd) {
      this.targets.setMotd(next.motd);
      say("info", "reload: new message of the day");
    }
    // Compared, never shown. Users already in stay in; a connection at the password prompt is asked the new one.
    const passwordChanged = (next.password || undefined) !== (this.current.password || undefined);
    const adminChanged = (next.adminPassword || undefined) !== (this.current.adminPassword || undefined);
    if (passwordChanged || adminChanged) {
      this.targets.setPasswords({ password: next.password, adminPassword: next.adminPassword });
      if (passwordChanged) say("info", next.password ? "reload: a new server password, asked of new connections" : "reload: no server password from now on");
      if (adminChanged) say("info", next.adminPassword ? "reload: a new admin password for /op (operators keep their rights)" : "reload: no admin password from now on (operators keep their rights)");
    }
    const plugins = await this.targets.plugins.reload();
    if (plugins.changes.length > 0) lines.push(`plugins: ${plugins.changes.join(", ")}`);
    for (const failure of plugins.failures) {
      lines.push(failure);
      ok = false;
    }
    if (this.targets.reopenLog) {
      try {
        await this.targets.reopenLog();
      } catch (error) {
        say("error", `reload: kept writing the old log file: ${errorText(error)}`);
      }
    }
    // What runs now: the live settings applied, the fixed ones as they were (so they are named again until a restart).
    this.current = { ...this.current, motd: next.motd, password: next.password, adminPassword: next.adminPassword, listen: { ...this.current.listen, tls: appliedTls } };
    const summary = ok ? (lines.length > 0 ? "reload done" : "reload done: nothing changed") : "reload done, with problems (above)";
    log.info(summary);
    lines.push(summary);
    return { ok, lines };
  }
}

/** "CN=chat.example.org, valid until Jan  1 00:00:00 2027 GMT", never the key. */
function describe(cert: string): string {
  try {
    const x509 = new (nodeCrypto().X509Certificate)(cert);
    return `${x509.subject.replaceAll("\n", ", ")}, valid until ${x509.validTo}`;
  } catch {
    return "unreadable certificate";
  }
}
