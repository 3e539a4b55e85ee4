// The .d.ts of the plugin API, for `parley plugins types`: core/plugins/api.ts as
// text (embedded in the binary), with function bodies turned into
// declarations, wrapped as the module "parley". Generated from the source,
// so it cannot drift from what plugins really get.

import pkg from "../../package.json" with { type: "json" };
import { apiSource } from "./_api-source.ts" with { type: "macro" };

export function apiDeclarations(): string {
  const body = apiSource()
    // A function with a body becomes a declaration: `export function f(...): T;`
    .replace(/^(export function [^{]+?)\s*\{\n[\s\S]*?^\}\n/gm, "$1;\n")
    .replace(/^/gm, "  ")
    .replace(/^  $/gm, "");
  return `// The parley plugin API, version ${pkg.version}.
// Written by \`parley plugins types\`. Save it as parley.d.ts beside your
// plugins and editors will check files that import "parley".
declare module "parley" {
${body}}
`;
}
