// Waiting, at shutdown, for the last connections to take their goodbye and
// close, at most a grace period: what the TCP server and the web server
// both do with their connections.

export class DrainWait {
  private resolve: (() => void) | null = null;

  /** Resolves once `left(0)` is called, or after `graceMs`; at once when `open` is 0. */
  wait(open: number, graceMs: number): Promise<void> {
    if (open === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(), graceMs);
      this.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** A connection closed; `open` are left. */
  left(open: number): void {
    if (open === 0) this.finish();
  }

  private finish(): void {
    const resolve = this.resolve;
    this.resolve = null;
    resolve?.();
  }
}
