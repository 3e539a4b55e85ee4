// What runs once, when the whole `bun test` run ends: the preload file
// (tests/helpers/preload.ts) calls `runEnded` from an afterAll of its own,
// which bun runs after the last test file. A helper module is loaded once
// per run, so its own afterAll belongs to the first file that imports it;
// what a later file left behind (a test that failed before its stop) is
// cleaned up here. (bun test does not emit process "exit".)

const tasks: (() => void)[] = [];

/** Runs `task` when the test run ends. */
export function atRunEnd(task: () => void): void {
  tasks.push(task);
}

/** Called by the preload file's afterAll. */
export function runEnded(): void {
  for (const task of tasks.splice(0)) {
    try {
      task();
    } catch (error) {
      console.error(`cleaning up after the test run: ${(error as Error).message}`);
    }
  }
}
