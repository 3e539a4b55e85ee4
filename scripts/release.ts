// `npm run release`: cross-compiles parley for every platform we ship,
// checks the Linux binaries by running them (the arm64 one under QEMU:
// release-check.ts), and writes a SHA-256 checksum file beside them. Not
// part of CI: it needs Bun's runtime for each target, which Bun fetches on
// first use, and QEMU with an arm64 C library (installed when missing, as root).

import { $ } from "bun";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { checkChat, checkVersion, runnerFor } from "./release-check.ts";

const targets = [
  ["linux", "x64"],
  ["linux", "arm64"],
  ["darwin", "x64"],
  ["darwin", "arm64"],
  ["windows", "x64"],
] as const;

function fail(line: string): never {
  console.error(`release: ${line}`);
  process.exit(1);
}

const built: string[] = [];
for (const [os, arch] of targets) {
  const out = `dist/parley-${os}-${arch}${os === "windows" ? ".exe" : ""}`;
  console.log(`building ${out}`);
  const result = await $`bun build --compile --minify --bytecode --format=esm --compile-jit-policy=10 --target=bun-${os}-${arch} cmd/main.ts --outfile ${out}`.quiet().nothrow();
  if (result.exitCode !== 0) fail(`building ${out} failed: ${result.stderr.toString().trim().split("\n").pop() ?? `exit ${result.exitCode}`}`);
  built.push(out);
}

// The binaries this machine can run, natively or emulated: each must start and chat.
for (const arch of ["x64", "arm64"] as const) {
  const file = `dist/parley-linux-${arch}`;
  try {
    const runner = await runnerFor(arch);
    const how = runner.length ? `under ${[basename(runner[0]!), ...runner.slice(1)].join(" ")}` : "natively";
    const started = performance.now();
    await checkVersion({ file, runner }, pkg.version);
    await checkChat({ file, runner });
    console.log(`checked ${file} ${how}: --version says ${pkg.version}, and a chat line went from one user to another on 127.0.0.1 (${((performance.now() - started) / 1000).toFixed(1)}s)`);
  } catch (error) {
    fail(`checking ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const sums = built.map((file) => `${createHash("sha256").update(readFileSync(file)).digest("hex")}  ${basename(file)}`);
writeFileSync("dist/SHA256SUMS", sums.join("\n") + "\n");
console.log(sums.join("\n"));
