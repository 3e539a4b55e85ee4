// Notices when the whole server was not running: a SIGSTOP, a paused VM, a
// long GC. Lines that piled up in the kernel meanwhile arrive all at once
// on wake; the users typed them over the whole pause, so flood control must
// not take them for a burst. A timer ticks; a gap between ticks longer than
// STALL_MS means a stall, and for GRACE_MS after it (while the piled-up
// lines are read) lines are not paced.

const TICK_MS = 100;
const STALL_MS = 1000;
const GRACE_MS = 1000;

export class StallWatch {
  private last = Date.now();
  private graceUntil = 0;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor() {
    this.timer = setInterval(() => {
      const now = Date.now();
      if (now - this.last > STALL_MS) this.graceUntil = now + GRACE_MS;
      this.last = now;
    }, TICK_MS);
    this.timer.unref();
  }

  /** True while lines that piled up during a stall may still be arriving (the ticker has not run, or ran just after one). */
  stalled(now = Date.now()): boolean {
    return now - this.last > STALL_MS || now < this.graceUntil;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
