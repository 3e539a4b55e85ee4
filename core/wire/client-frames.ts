// Client frames of the JSON-lines framing (docs/protocol.md): parsing and
// checking one line into a typed frame, or a reason it is not one. Pure.

import { PROTOCOL_VERSION, type ClientFrame, type FrameId } from "./protocol.ts";

export type { ClientFrame };

export type Parsed = { ok: true; frame: ClientFrame } | { ok: false; code: "bad_json" | "bad_frame"; message: string; id?: FrameId };

// Required string fields per type; optional ones are checked below.
const FIELDS: Record<ClientFrame["type"], readonly string[]> = {
  hello: [],
  nick: ["nick"],
  say: ["text"],
  line: ["text"],
  msg: ["to", "text"],
  rename: ["nick"],
  list: [],
  help: [],
  command: ["name"],
  quit: [],
  ping: [],
  password: ["password"],
  join: ["room"],
  part: [],
  rooms: [],
  topic: [],
  switch: ["room"],
};

// Optional string fields per type.
const OPTIONAL: Partial<Record<ClientFrame["type"], readonly string[]>> = {
  say: ["room"],
  join: ["key"],
  part: ["room", "reason"],
  topic: ["text"],
};

export function parseClientFrame(line: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, code: "bad_json", message: "that line is not JSON (one JSON object per line)" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, code: "bad_json", message: "a frame is a JSON object with a type" };
  }
  const frame = value as Record<string, unknown>;
  const id = typeof frame.id === "string" || (typeof frame.id === "number" && Number.isFinite(frame.id)) ? (frame.id as FrameId) : undefined;
  const fail = (message: string): Parsed => ({ ok: false, code: "bad_frame", message, ...(id !== undefined ? { id } : {}) });
  if (frame.id !== undefined && id === undefined) return fail('"id" must be a string or a number');
  if (typeof frame.type !== "string") return fail('a frame needs a "type" (a string)');
  const required = FIELDS[frame.type as ClientFrame["type"]];
  if (!required || !Object.hasOwn(FIELDS, frame.type)) return fail(`unknown frame type "${frame.type}" (known: ${Object.keys(FIELDS).join(", ")})`);
  for (const field of required) {
    if (typeof frame[field] !== "string") return fail(`a ${frame.type} frame needs "${field}" (a string)`);
  }
  for (const field of OPTIONAL[frame.type as ClientFrame["type"]] ?? []) {
    if (frame[field] !== undefined && typeof frame[field] !== "string") return fail(`"${field}" must be a string`);
  }
  if (frame.type === "command" && frame.args !== undefined) {
    const ok = typeof frame.args === "string" || (Array.isArray(frame.args) && frame.args.every((a) => typeof a === "string"));
    if (!ok) return fail('"args" must be a string or an array of strings');
  }
  if (frame.type === "help" && frame.command !== undefined && typeof frame.command !== "string") return fail('"command" must be a string');
  if (frame.type === "quit" && frame.reason !== undefined && typeof frame.reason !== "string") return fail('"reason" must be a string');
  if (frame.type === "hello" && frame.client !== undefined && typeof frame.client !== "string") return fail('"client" must be a string');
  if (frame.type === "hello" && frame.version !== undefined && frame.version !== PROTOCOL_VERSION) {
    // Shown as JSON: String() of an object whose toString is not a function throws ({"toString":""}).
    return fail(`protocol version ${JSON.stringify(frame.version)} is not supported (this server speaks ${PROTOCOL_VERSION})`);
  }
  return { ok: true, frame: frame as ClientFrame };
}
