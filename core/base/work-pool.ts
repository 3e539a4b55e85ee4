// Expensive work (argon2 hashing and checking) runs a few at a time, in the
// order asked, so a burst of /login lines cannot keep every core busy, and
// work whose asker is gone is not started at all.

export class WorkPool {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  /** Runs `work` when a slot is free; if `wanted()` is false by then, skips it and resolves undefined. */
  async run<T>(work: () => Promise<T>, wanted: () => boolean = () => true): Promise<T | undefined> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running++;
    try {
      return wanted() ? await work() : undefined;
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}
