/**
 * A sleep that can be cut short, for the spooled-output runner: a wait ends when its time is up,
 * when `wakeUp()` is called (stop(), a destination's probe), or on a spool commit if it asked to.
 */
export class WakeSignal {
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wakeOnCommit = false;

  /** Sleeps until `ms` passed (undefined: no timeout), `wakeUp()`, or (wakeOnCommit) `committed()`. */
  wait(ms: number | undefined, wakeOnCommit: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.wakeOnCommit = wakeOnCommit;
      if (ms !== undefined) this.timer = setTimeout(() => this.wakeUp(), Math.max(1, ms));
    });
  }

  /** The spool committed: ends the wait if it asked for that. */
  committed(): void {
    if (this.wakeOnCommit) this.wakeUp();
  }

  wakeUp(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeOnCommit = false;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
