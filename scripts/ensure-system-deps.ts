// `npm test`'s first step: make sure the system tools in system-deps.ts are on
// PATH before any test runs, so a fresh machine gets one clear line instead of
// hundreds of "Executable not found" failures. As root with apt-get it
// installs what is missing; otherwise it names what is missing and how to get
// it, and exits non-zero. Prints nothing when everything is there.
//
// apt-get is looked up on PATH like the tools themselves, so the tests can
// take it away.

import { SYSTEM_DEPS, type SystemDep } from "./system-deps.ts";

const PATH = process.env.PATH ?? "";
const onPath = (command: string): string | null => Bun.which(command, { PATH });

const missingDeps = () => SYSTEM_DEPS.filter((dep) => onPath(dep.command) === null);
const packagesOf = (deps: readonly SystemDep[]) => [...new Set(deps.map((dep) => dep.pkg))].sort();
const named = (deps: readonly SystemDep[]) => deps.map((dep) => `${dep.command} (package ${dep.pkg})`).join(", ");

function fail(line: string): never {
  console.error(line);
  process.exit(1);
}

/** The one line for a user who has to install the packages themselves. */
function missingLine(deps: readonly SystemDep[], aptGet: string | null): string {
  const sudo = process.getuid?.() === 0 ? "" : "sudo ";
  const install = `${sudo}apt-get install -y ${packagesOf(deps).join(" ")}`;
  const note = aptGet ? "" : " (Debian package names: there is no apt-get on PATH)";
  return `missing for the tests: ${named(deps)}; install them with: ${install}${note}`;
}

/** Runs apt-get quietly; on failure, the last line it wrote says why. */
async function apt(aptGet: string, args: string[]): Promise<string | null> {
  const proc = Bun.spawn([aptGet, ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code === 0) return null;
  const last = (err.trim() || out.trim()).split("\n").pop() ?? "";
  return `apt-get ${args[0]} exited with ${code}${last ? `: ${last.trim()}` : ""}`;
}

async function main(): Promise<void> {
  const missing = missingDeps();
  if (missing.length === 0) return;
  const aptGet = onPath("apt-get");
  if (process.getuid?.() !== 0 || aptGet === null) fail(missingLine(missing, aptGet));

  const packages = packagesOf(missing);
  console.log(`installing system packages the tests need: ${packages.join(" ")}`);
  const error = (await apt(aptGet, ["update", "-qq"])) ?? (await apt(aptGet, ["install", "-y", "-qq", ...packages]));
  if (error) fail(`could not install ${packages.join(" ")}: ${error}`);

  // A package can install and still leave its command off this PATH.
  const still = missingDeps();
  if (still.length > 0) {
    fail(`installed ${packages.join(" ")}, but still not on PATH: ${named(still)}`);
  }
}

main().catch((error: unknown) => fail(`ensure-system-deps: ${error instanceof Error ? error.message : String(error)}`));
