// Running plugin code in isolation: a command or hook that throws, rejects
// or hangs is reported with its plugin's name and file, its user gets an
// answer, and the server and everyone else go on.

import type { Hooks } from "./api.ts";
import type { ChatContext } from "../chat/shared.ts";
import { makeContext, makePluginContext } from "./context.ts";
import { errorText } from "../base/errors.ts";
import type { Entry, LoadedPlugin } from "./registry.ts";
import type { Session } from "../chat/session.ts";

/** Runs a command; resolves (never rejects) when it is done, failed, or timed out. */
export function runCommand(session: Session, entry: Entry, args: string[], raw: string): Promise<void> | void {
  const label = `command /${entry.command.name}`;
  return guard(session, entry.owner, label, () => entry.command.run(makeContext(session, entry.owner), args, raw), true);
}

type LifecycleHook = "join" | "leave";

/** Runs every plugin's join or leave hook, in load order. */
export function runHooks(session: Session, name: LifecycleHook, reason = ""): Promise<void> | void {
  const hooks = session.chat.registry.hooks(name);
  let chain: Promise<void> | undefined;
  for (const { hook, owner } of hooks) {
    const call = () => guard(session, owner, `${name} hook`, () => (hook as NonNullable<Hooks[LifecycleHook]>)(makeContext(session, owner), reason), false);
    chain = chain ? chain.then(call) : (call() ?? undefined);
  }
  return chain;
}

/**
 * Passes a line through every `message` hook in load order. Each may rewrite
 * it (a string) or drop it (null). A failing hook leaves the line as it was.
 */
export function runMessageHooks(session: Session, text: string): Promise<string | null> | string | null {
  const hooks = session.chat.registry.hooks("message");
  let current: string | null = text;
  for (let i = 0; i < hooks.length; i++) {
    if (current === null) return null;
    const { hook, owner } = hooks[i]!;
    let result: ReturnType<NonNullable<Hooks["message"]>>;
    try {
      result = hook(makeContext(session, owner), current);
    } catch (error) {
      report(session, owner, "message hook", error);
      continue;
    }
    if (result instanceof Promise) return finishAsync(session, hooks.slice(i), current, result);
    if (result !== undefined) current = result;
  }
  return current;
}

async function finishAsync(
  session: Session,
  hooks: { hook: NonNullable<Hooks["message"]>; owner: LoadedPlugin }[],
  text: string,
  first: Promise<string | null | undefined | void>,
): Promise<string | null> {
  let current: string | null = text;
  for (let i = 0; i < hooks.length; i++) {
    const { hook, owner } = hooks[i]!;
    const pending = i === 0 ? first : Promise.resolve().then(() => hook(makeContext(session, owner), current!));
    const result = await withTimeout(pending, session.chat.limits.handlerTimeout).catch((error) => {
      report(session, owner, "message hook", error);
      return undefined;
    });
    if (result === TIMED_OUT) report(session, owner, "message hook", new Error("timed out"));
    else if (result !== undefined) current = result;
    if (current === null) return null;
  }
  return current;
}

const TIMED_OUT = Symbol("timed out");

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function guard(session: Session, owner: LoadedPlugin, label: string, fn: () => unknown, answerUser: boolean): Promise<void> | void {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    report(session, owner, label, error);
    if (answerUser) session.error(`${label} failed`, "command_failed");
    return;
  }
  if (!(result instanceof Promise)) return;
  return withTimeout(result, session.chat.limits.handlerTimeout).then(
    (outcome) => {
      if (outcome !== TIMED_OUT) return;
      report(session, owner, label, new Error(`still running after ${session.chat.limits.handlerTimeout} ms`));
      if (answerUser) session.error(`${label} is taking too long; moving on`, "command_failed");
    },
    (error) => {
      report(session, owner, label, error);
      if (answerUser) session.error(`${label} failed`, "command_failed");
    },
  );
}

function report(session: Session, owner: LoadedPlugin, label: string, error: unknown): void {
  session.chat.log.error(`plugin ${owner.plugin.name} (${owner.source}): ${label} failed for ${session.nick || "a new user"}: ${errorText(error)}`);
}

/** Runs one plugin's start or stop hook; a failure or a hang is logged and the server goes on. */
export async function runPluginHook(chat: ChatContext, owner: LoadedPlugin, name: "start" | "stop"): Promise<void> {
  const hook = owner.plugin.hooks?.[name];
  if (!hook) return;
  const where = `plugin ${owner.plugin.name} (${owner.source}): ${name} hook`;
  try {
    const outcome = await withTimeout(Promise.resolve(hook(makePluginContext(chat, owner))), chat.limits.handlerTimeout);
    if (outcome === TIMED_OUT) chat.log.error(`${where} still running after ${chat.limits.handlerTimeout} ms; going on without it`);
  } catch (error) {
    chat.log.error(`${where} failed: ${errorText(error)}`);
  }
}

/** Asks every plugin's `nick` hook; the first reason to refuse wins. A hook that throws is reported and ignored. */
export function runNickHooks(session: Session, nick: string): string | undefined {
  for (const { hook, owner } of session.chat.registry.hooks("nick")) {
    try {
      const reason = hook(makeContext(session, owner), nick);
      if (typeof reason === "string" && reason) return reason;
    } catch (error) {
      report(session, owner, "nick hook", error);
    }
  }
  return undefined;
}

/** Asks every plugin's `connect` hook about a new connection; a reason refuses it. */
export function runConnectHooks(chat: ChatContext, peer: { address: string; port: number }): string | undefined {
  for (const { hook, owner } of chat.registry.hooks("connect")) {
    try {
      const reason = hook(makePluginContext(chat, owner), peer);
      if (typeof reason === "string" && reason) return reason;
    } catch (error) {
      chat.log.error(`plugin ${owner.plugin.name} (${owner.source}): connect hook failed: ${errorText(error)}`);
    }
  }
  return undefined;
}
