/**
 * The commit rule of one partition when batches finish out of order: a batch's offset is
 * committed only when it and every batch taken before it are done. When one fails, nothing
 * from it on is committed (later batches were built on its state and are delivered again) and
 * `rewind` is told once where delivery must start over.
 *
 * No Kafka here: `core/kafka.ts` supplies `commit` and `rewind`; the unit tests supply fakes.
 */
export interface CommitIo {
  /** Commits `next` (the offset after the batch). A failure is reported, not retried. */
  commit(next: string): Promise<void>;
  /** Delivery must restart at `first`, the first offset of the failed batch. */
  rewind(first: string, err: unknown): void;
  commitFailed?(err: unknown): void;
}

export class PartitionCommits {
  private tail: Promise<void> = Promise.resolve();
  /** Links not yet settled, oldest first; they settle in this order. */
  private readonly open: Promise<void>[] = [];
  /** Bumped by a failure: links made before it do not commit. */
  private epoch = 0;
  /** The partition went to another instance: nothing more is committed or rewound. */
  private revoked = false;

  /** `after`: the writes of a batch set this partition had before (revoked) must settle first. */
  constructor(
    private readonly io: CommitIo,
    after?: Promise<void>,
  ) {
    if (after) this.tail = after;
  }

  /** Batches taken and not yet settled. */
  get pending(): number {
    return this.open.length;
  }

  /** A batch taken: `done` settles when its work is durable (resolves) or lost (rejects). */
  add(first: string, next: string, done: Promise<unknown>): void {
    // Settled in order below; a rejection before its turn must not count as unhandled.
    done.catch(() => {});
    const epoch = this.epoch;
    const link = this.tail.then(async () => {
      try {
        await done;
      } catch (err) {
        if (epoch === this.epoch && !this.revoked) {
          this.epoch += 1;
          try {
            this.io.rewind(first, err);
          } catch {
            // Nothing from this batch on is committed: it is read again on the next start.
          }
        }
        return;
      }
      if (epoch !== this.epoch || this.revoked) return;
      try {
        await this.io.commit(next);
      } catch (err) {
        // Not committed means delivered again after a restart or rebalance; writes are idempotent.
        this.io.commitFailed?.(err);
      }
    });
    this.tail = link;
    this.open.push(link);
    void link.then(() => this.open.shift());
  }

  /** The partition is no longer this instance's: batches still pending neither commit nor rewind. */
  revoke(): void {
    this.revoked = true;
  }

  /** Resolves once fewer than `limit` batches are pending. */
  async below(limit: number): Promise<void> {
    while (this.open.length >= limit) await this.open[0];
  }

  /** Resolves when every batch taken so far is settled. */
  async settled(): Promise<void> {
    await this.tail;
  }
}
