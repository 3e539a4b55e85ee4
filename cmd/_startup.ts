// The end of start-up. The binary is built with --compile-jit-policy=10
// (package.json, scripts/release.ts): while a command starts, code that runs
// once (parsing flags and settings, loading plugins, building tables) stays
// in the interpreter instead of being compiled, which saved about 3 MB of a
// resting chat server's memory and the CPU compiling it. Once the command
// is doing its real work, the JIT is back to its normal policy, so the hot
// paths (relaying lines, receiving datagrams) are compiled as usual.

/** Start-up is over: the JIT compiles at its normal thresholds from now on. */
export function startupDone(): void {
  Bun.unsafe.setJITPolicy(1);
}
