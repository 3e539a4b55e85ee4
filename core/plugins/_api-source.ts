// A Bun macro: runs when the binary is built and inlines the text of
// core/plugins/api.ts, so `parley plugins types` can print it without the source.
import { readFileSync } from "node:fs";

export function apiSource(): string {
  return readFileSync(new URL("./api.ts", import.meta.url), "utf8");
}
