/**
 * Flow control between the report's two threads, whichever sends the lines: at most `max`
 * batches sent and not yet answered, so memory stays bounded when the receiving thread falls
 * behind.
 */
export class InFlight {
  private count = 0;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(private readonly max: number) {}

  /** Waits for room for one more batch; throws the error the other side failed with, if it did. */
  async reserve(): Promise<void> {
    while (this.count >= this.max && this.failure === undefined)
      await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure !== undefined) throw this.failure;
    this.count += 1;
  }

  /** A batch was answered. */
  answered(): void {
    this.count -= 1;
    this.wakeUp();
  }

  /** The other side failed: `reserve` throws `err` from now on, the one waiting too. */
  fail(err: Error): void {
    this.failure = err;
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
