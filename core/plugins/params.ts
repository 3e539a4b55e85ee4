// Command parameters: declared as strings in the plugin API ("nick",
// "reason?", "text...", "text...?") and applied here to what a user typed.
// Pure, so the unit tests can drive it.

export interface Param {
  name: string;
  optional: boolean;
  rest: boolean;
}

export function parseParams(specs: readonly string[] = []): Param[] {
  return specs.map((spec, i) => {
    const optional = spec.endsWith("?");
    const bare = optional ? spec.slice(0, -1) : spec;
    const rest = bare.endsWith("...");
    if (rest && i !== specs.length - 1) throw new Error(`parameter "${spec}" takes the rest of the line, so it must be last`);
    return { name: rest ? bare.slice(0, -3) : bare, optional, rest };
  });
}

/**
 * Splits `raw` into the declared parameters on `separator` (" " for the
 * slash form, ":" for the colon form). Returns null when a required one is
 * missing. Without params, the words of the line.
 */
export function splitArgs(raw: string, params: readonly Param[], separator: " " | ":"): string[] | null {
  const text = raw.trim();
  if (params.length === 0) return text === "" ? [] : text.split(/\s+/);
  const args: string[] = [];
  let rest = text;
  for (const param of params) {
    if (param.rest) {
      args.push(rest.trimStart()); // "c:bob: hi" says "hi", as "/msg bob hi" does
      rest = "";
    } else {
      const at = separator === " " ? rest.search(/\s/) : rest.indexOf(":");
      const piece = at === -1 ? rest : rest.slice(0, at);
      rest = at === -1 ? "" : separator === " " ? rest.slice(at).trimStart() : rest.slice(at + 1);
      args.push(piece.trim());
    }
    if (args[args.length - 1] === "" && !param.optional) return null;
  }
  // Words left over with no parameter to take them: "/nick a b" is a mistake.
  return rest === "" ? args : null;
}

/** How a command is written with these params: `NICK TEXT`, `[REASON]`. */
export function describeParams(params: readonly Param[], separator: " " | ":"): string {
  return params.map((p) => (p.optional ? `[${p.name.toUpperCase()}]` : p.name.toUpperCase())).join(separator);
}
