// A Bun macro: runs when the binary is built and inlines the text of
// core/plugins/api.ts, so `parley plugins types` can print it without the
// source. A helper the API re-exports from core (`export { f } from "..."`)
// is inlined as its function, whose body api-declarations.ts then drops.
import { readFileSync } from "node:fs";

export function apiSource(): string {
  const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");
  return read("./api.ts").replace(/^export \{ (\w+) \} from "([^"]+)";$/gm, (line, name: string, path: string) => {
    const found = new RegExp(`^export function ${name}\\b[\\s\\S]*?^\\}$`, "m").exec(read(path));
    if (!found) throw new Error(`api.ts re-exports ${name} from ${path}, which has no "export function ${name}"`);
    return found[0];
  });
}
