// Running plugin code in isolation: a command or hook that throws, rejects
// or hangs is reported with its plugin's name and file, its user gets an
// answer, and the server and everyone else go on. Users and the server are
// reached through core/plugins/services.ts only.

import { counters } from "../base/counters.ts";
import { errorText } from "../base/errors.ts";
import type { Hooks } from "./api.ts";
import { makeContext, makePluginContext } from "./context.ts";
import type { Entry, LoadedPlugin } from "./registry.ts";
import type { ServerServices, UserSession } from "./services.ts";

/** Runs a command; resolves (never rejects) when it is done, failed, or timed out. */
export function runCommand(user: UserSession, server: ServerServices, entry: Entry, args: string[], raw: string): Promise<void> | void {
  const label = `command /${entry.command.name}`;
  return guard(user, server, entry.owner, label, () => entry.command.run(makeContext(user, server, entry.owner), args, raw), true);
}

type LifecycleHook = "join" | "login" | "leave";

/** Runs every plugin's join, login or leave hook, in load order; `reason` is the leave's reason, or the login's account. */
export function runHooks(user: UserSession, server: ServerServices, name: LifecycleHook, reason = ""): Promise<void> | void {
  const hooks = server.registry.hooks(name);
  let chain: Promise<void> | undefined;
  for (const { hook, owner } of hooks) {
    const call = () => guard(user, server, owner, `${name} hook`, () => (hook as NonNullable<Hooks[LifecycleHook]>)(makeContext(user, server, owner, false), reason), false);
    chain = chain ? chain.then(call) : (call() ?? undefined);
  }
  return chain;
}

/**
 * Passes a line through every `message` hook in load order. Each may rewrite
 * it (a string) or drop it (null). A failing hook leaves the line as it was.
 */
export function runMessageHooks(user: UserSession, server: ServerServices, text: string, skip?: LoadedPlugin): Promise<string | null> | string | null {
  const all = server.registry.hooks("message");
  const hooks = skip ? all.filter((h) => h.owner !== skip) : all;
  let current: string | null = text;
  for (let i = 0; i < hooks.length; i++) {
    if (current === null) return null;
    const { hook, owner } = hooks[i]!;
    let result: ReturnType<NonNullable<Hooks["message"]>>;
    try {
      result = hook(makeContext(user, server, owner), current);
    } catch (error) {
      report(user, server, owner, "message hook", error);
      continue;
    }
    if (result instanceof Promise) return finishAsync(user, server, hooks.slice(i), current, result);
    if (result !== undefined) current = result;
  }
  return current;
}

async function finishAsync(
  user: UserSession,
  server: ServerServices,
  hooks: { hook: NonNullable<Hooks["message"]>; owner: LoadedPlugin }[],
  text: string,
  first: Promise<string | null | undefined | void>,
): Promise<string | null> {
  let current: string | null = text;
  for (let i = 0; i < hooks.length; i++) {
    const { hook, owner } = hooks[i]!;
    const pending = i === 0 ? first : Promise.resolve().then(() => hook(makeContext(user, server, owner), current!));
    const result = await withTimeout(pending, server.handlerTimeout).catch((error) => {
      report(user, server, owner, "message hook", error);
      return undefined;
    });
    if (result === TIMED_OUT) report(user, server, owner, "message hook", new Error("timed out"));
    else if (result !== undefined) current = result;
    if (current === null) return null;
  }
  return current;
}

const TIMED_OUT = Symbol("timed out");

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => {
      counters.handlerTimeouts++;
      resolve(TIMED_OUT);
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function guard(user: UserSession, server: ServerServices, owner: LoadedPlugin, label: string, fn: () => unknown, answerUser: boolean): Promise<void> | void {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    report(user, server, owner, label, error);
    if (answerUser) user.error(`${label} failed`, "command_failed");
    return;
  }
  if (!(result instanceof Promise)) return;
  return withTimeout(result, server.handlerTimeout).then(
    (outcome) => {
      if (outcome !== TIMED_OUT) return;
      report(user, server, owner, label, new Error(`still running after ${server.handlerTimeout} ms`));
      if (answerUser) user.error(`${label} is taking too long; moving on`, "command_failed");
    },
    (error) => {
      report(user, server, owner, label, error);
      if (answerUser) user.error(`${label} failed`, "command_failed");
    },
  );
}

function report(user: UserSession, server: ServerServices, owner: LoadedPlugin, label: string, error: unknown): void {
  counters.pluginErrors++;
  server.log.error(`plugin ${owner.plugin.name} (${owner.source}): ${label} failed for ${user.nick || "a new user"}: ${errorText(error)}`);
}

/** Runs one plugin's start or stop hook; a failure or a hang is logged and the server goes on. */
export async function runPluginHook(server: ServerServices, owner: LoadedPlugin, name: "start" | "stop"): Promise<void> {
  const hook = owner.plugin.hooks?.[name];
  if (!hook) return;
  const where = `plugin ${owner.plugin.name} (${owner.source}): ${name} hook`;
  try {
    const outcome = await withTimeout(Promise.resolve(hook(makePluginContext(server, owner))), server.handlerTimeout);
    if (outcome === TIMED_OUT) {
      counters.pluginErrors++;
      server.log.error(`${where} still running after ${server.handlerTimeout} ms; going on without it`);
    }
  } catch (error) {
    counters.pluginErrors++;
    server.log.error(`${where} failed: ${errorText(error)}`);
  }
}

/** Asks every plugin's `nick` hook; the first reason to refuse wins. A hook that throws is reported and ignored. */
export function runNickHooks(user: UserSession, server: ServerServices, nick: string): string | undefined {
  for (const { hook, owner } of server.registry.hooks("nick")) {
    try {
      const reason = hook(makeContext(user, server, owner, false), nick);
      if (typeof reason === "string" && reason) return reason;
    } catch (error) {
      report(user, server, owner, "nick hook", error);
    }
  }
  return undefined;
}

/** Asks every plugin's `room` hook before a user makes a new room; the first reason to refuse wins. */
export function runRoomHooks(user: UserSession, server: ServerServices, room: string): string | undefined {
  for (const { hook, owner } of server.registry.hooks("room")) {
    try {
      const reason = hook(makeContext(user, server, owner, false), room);
      if (typeof reason === "string" && reason) return reason;
    } catch (error) {
      report(user, server, owner, "room hook", error);
    }
  }
  return undefined;
}

/** Asks every plugin's `connect` hook about a new connection; a reason refuses it. */
export function runConnectHooks(server: ServerServices, peer: { address: string; port: number }): string | undefined {
  for (const { hook, owner } of server.registry.hooks("connect")) {
    try {
      const reason = hook(makePluginContext(server, owner), peer);
      if (typeof reason === "string" && reason) return reason;
    } catch (error) {
      counters.pluginErrors++;
      server.log.error(`plugin ${owner.plugin.name} (${owner.source}): connect hook failed: ${errorText(error)}`);
    }
  }
  return undefined;
}
