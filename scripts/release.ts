// `npm run release`: cross-compiles parley for every platform we ship and
// writes a SHA-256 checksum file beside the binaries. Not part of CI: it
// needs Bun's runtime for each target, which Bun fetches on first use.

import { $ } from "bun";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

const targets = [
  ["linux", "x64"],
  ["linux", "arm64"],
  ["darwin", "x64"],
  ["darwin", "arm64"],
  ["windows", "x64"],
] as const;

const built: string[] = [];
for (const [os, arch] of targets) {
  const out = `dist/parley-${os}-${arch}${os === "windows" ? ".exe" : ""}`;
  console.log(`building ${out}`);
  await $`bun build --compile --minify --bytecode --format=esm --target=bun-${os}-${arch} cmd/main.ts --outfile ${out}`.quiet();
  built.push(out);
}

const sums = built.map((file) => `${createHash("sha256").update(readFileSync(file)).digest("hex")}  ${basename(file)}`);
writeFileSync("dist/SHA256SUMS", sums.join("\n") + "\n");
console.log(sums.join("\n"));
