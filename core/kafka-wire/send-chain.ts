/**
 * Keeps produce requests in the order they were handed over while letting the caller hand over
 * the next one before the previous is acknowledged (so encoding and compressing batch n+1
 * overlaps the round trip of batch n). A failure fails every call queued behind it without
 * running it: nothing after a lost batch is written ahead of that batch's retry.
 */
export class SendChain {
  private tail: Promise<void> = Promise.resolve();

  run(fn: () => Promise<void>): Promise<void> {
    const run = this.tail.then(fn);
    this.tail = run;
    // Once the last queued call has failed, the next call starts a fresh chain.
    run.catch(() => {
      if (this.tail === run) this.tail = Promise.resolve();
    });
    return run;
  }

  /** Resolves when every call handed over so far has settled. */
  settled(): Promise<void> {
    return this.tail.catch(() => {});
  }
}
