// How a `parley connect` run ends: an exit code, and for a failure the one
// line that says why. The process is cmd/connect.ts's: it prints the line,
// flushes and exits; core only says how the run ended.

export interface ClientEnd {
  code: number;
  /** printed by cmd/connect.ts as `parley: error` on stderr */
  error?: string;
}

/**
 * One run's ending. `end` settles `done` (only the first call counts) and
 * returns a promise that never settles, so the flow that ended stops where
 * it is, as it did when ending was exiting: cmd/ ends the process under it.
 */
export function ending(): { done: Promise<ClientEnd>; end(code: number, error?: string): Promise<never> } {
  let settle!: (end: ClientEnd) => void;
  const done = new Promise<ClientEnd>((resolve) => (settle = resolve));
  return {
    done,
    end(code, error) {
      settle(error === undefined ? { code } : { code, error });
      return new Promise<never>(() => {});
    },
  };
}
