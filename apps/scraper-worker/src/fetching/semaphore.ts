export interface AcquireOptions {
  /** Stop waiting when this aborts; the wait rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Longest wait for a permit; the wait rejects with onTimeout() (or a plain Error). */
  timeoutMs?: number;
  onTimeout?: () => Error;
}

interface Waiter {
  grant: () => void;
  fail: (err: unknown) => void;
}

/**
 * At most `limit` holders at once; waiters are served first come, first served. A release hands
 * its permit straight to the next waiter, so a newcomer cannot overtake the queue.
 */
export class Semaphore {
  private held = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer ≥ 1');
  }

  get inUse(): number {
    return this.held;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Neither held nor waited for: a keyed owner may forget it. */
  get idle(): boolean {
    return this.held === 0 && this.waiters.length === 0;
  }

  acquire(options: AcquireOptions = {}): Promise<void> {
    const { signal, timeoutMs, onTimeout } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.held < this.limit) {
      this.held++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const waiter: Waiter = {
        // release() hands its permit over, so `held` is not touched here.
        grant: () => {
          cleanup();
          resolve();
        },
        fail: (err) => {
          cleanup();
          reject(err);
        },
      };
      const onAbort = () => waiter.fail(signal?.reason);
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => waiter.fail(onTimeout?.() ?? new Error('no permit in time')),
          timeoutMs,
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters[0];
    if (next) next.grant();
    else if (this.held > 0) this.held--;
  }

  async run<T>(task: () => Promise<T>, options?: AcquireOptions): Promise<T> {
    await this.acquire(options);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Fails every waiter (e.g. on shutdown); holders keep their permits until they release. */
  rejectWaiters(err: unknown): void {
    for (const w of [...this.waiters]) w.fail(err);
  }
}
