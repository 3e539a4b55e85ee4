// Makes `import { definePlugin } from "parley"` work in dropped-in plugin
// files run by the compiled binary: a Bun runtime plugin registers a
// virtual module whose exports are core/plugins/api.ts. Built-in plugins get the
// same module at build time through tsconfig's "paths".

import { plugin } from "bun";
import * as api from "./api.ts";

let provided = false;

export function provideParleyModule(): void {
  if (provided) return;
  provided = true;
  plugin({
    name: "parley-api",
    setup(build) {
      build.module("parley", () => ({ exports: { ...api }, loader: "object" }));
    },
  });
}
