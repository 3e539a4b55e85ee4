// How one client talks: a framing turns the client's lines into session
// operations and knows how its answers are tagged. Two framings exist:
// text (people on telnet, nc, PuTTY: text-framing.ts) and JSON lines
// (programs and `parley connect`: json-framing.ts). Both drive the session
// through SessionCore, so neither knows the Session class.

import type { Maybe } from "../base/maybe.ts";
import type { Frame } from "../wire/frame.ts";
import type { FrameId, ServerFrame } from "../wire/protocol.ts";
import type { ChatContext } from "./shared.ts";

/** The session's life: the password (when the server has one), a nickname, the room, the end. */
export type SessionState = "password" | "nick" | "chatting" | "closed";

/** The outcome of asking for a nickname. */
export type NickResult<T extends object = object> = ({ ok: true } & T) | { ok: false; code: "nick_invalid" | "nick_taken" | "cluster_unreachable"; reason: string };

/** What a framing may ask of its session. */
export interface SessionCore {
  readonly state: SessionState;
  readonly nick: string;
  readonly chat: ChatContext;
  /** an event to this user alone */
  send(event: ServerFrame): void;
  /** a frame already built (its bytes shared with other sessions) to this user alone */
  deliver(frame: Frame): void;
  system(text: string): void;
  error(text: string, code?: string): void;
  /** the server password: on "ok" the session moves on to the nickname */
  password(given: string): Maybe<"ok" | "wrong" | "too_many">;
  /** takes a first nickname and enters the room: the greeting, history and join hooks */
  enter(wanted: string): Maybe<NickResult>;
  /** a line as a person typed it: said, or a command; resolves to what the room saw, or null */
  typed(text: string): Maybe<string | null>;
  /** says a line to the current room; resolves to what the room saw, or null */
  say(text: string): Maybe<string | null>;
  /** says a line to `room`, one of the user's rooms, without switching to it */
  sayIn(text: string, room: string): Maybe<string | null>;
  /** runs the command `name` (a slash name or alias) with arguments given as data */
  command(name: string, args: string | readonly string[]): Maybe<void>;
  /** asks a telnet client to stop (true) or go back to (false) echoing what is typed */
  hideTyping(hide: boolean): void;
  /** the telnet options asked for at connect (BINARY both ways; ECHO when a password comes first) */
  negotiate(hideTyping: boolean): void;
  /** the welcome frame: with `room`, the online count and the motd */
  welcomeFrame(room: boolean): ServerFrame;
  close(reason: string): void;
}

export interface Framing {
  /** JSON lines both ways */
  readonly json: boolean;
  /** the id of the frame being answered, when it has one */
  readonly replyId: FrameId | undefined;
  /** a line from the client, for `session` (a framing may serve many sessions) */
  line(session: SessionCore, text: string): Maybe<void>;
}
