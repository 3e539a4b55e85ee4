// The parley binary under test: a private copy, so a rebuild of dist/
// during a run (another engineer, a watch script) cannot swap it halfway,
// and a warning when the sources are newer than it (the bench never builds).

import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TargetPaths } from "./targets.ts";

const ROOT = resolve(import.meta.dir, "..");

/** Copies `path` to a temp folder; `note` says which build it was. */
export function snapshotParley(path: string): { paths: TargetPaths; cleanup: () => void; note: string } {
  const dir = mkdtempSync(join(tmpdir(), "bench-bin-"));
  const copy = join(dir, "parley");
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    copyFileSync(path, copy);
    chmodSync(copy, 0o755);
  } catch {
    cleanup();
    return { paths: { parley: path }, cleanup: () => {}, note: `${path} (missing)` };
  }
  const hash = new Bun.CryptoHasher("sha256").update(readFileSync(copy)).digest("hex").slice(0, 16);
  const built = statSync(path).mtime.toISOString();
  return { paths: { parley: copy }, cleanup, note: `${path}, built ${built}, sha256 ${hash}…` };
}

/** A warning when a source file is newer than the binary (the bench does not build). */
export function staleness(binary: string): string | null {
  let built: number;
  try {
    built = statSync(binary).mtimeMs;
  } catch {
    return null;
  }
  const newer = [...new Bun.Glob("{core,cmd,plugins}/**/*.ts").scanSync({ cwd: ROOT })].filter((f) => statSync(join(ROOT, f)).mtimeMs > built);
  return newer.length ? `${binary} is older than ${newer.length} source file(s) (${newer.slice(0, 3).join(", ")}${newer.length > 3 ? ", …" : ""}); run npm run build to bench the current code` : null;
}
