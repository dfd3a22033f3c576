/**
 * Capped exponential backoff with full jitter for the receive loop: after n failed receives in a
 * row the next one waits a random time in [0, min(cap, base * 2^(n-1))]. A dead queue then costs a
 * few attempts a minute per poller instead of dozens a second, and pollers do not retry in step.
 */
export class ReceiveBackoff {
  private failures = 0;

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** How long to wait before the next receive (0 while receives succeed). */
  delayMs(): number {
    if (this.failures === 0) return 0;
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.failures - 1, 30));
    return Math.floor(this.random() * ceiling);
  }

  failed(): void {
    this.failures++;
  }

  /** Returns how many receives had failed in a row before this success. */
  succeeded(): number {
    const before = this.failures;
    this.failures = 0;
    return before;
  }
}

/**
 * Whether the queue is reachable, as every poller of a worker sees it, so the log says when it went
 * and when it came back, once each. A receive is judged by when it was sent: one sent before the
 * last successful receive (a straggler of the outage that only failed now, e.g. at its deadline)
 * says nothing new and does not mark the queue down again.
 */
export class QueueReachability {
  private successes = 0;
  private down = false;

  /** Call as a receive is sent; hand the result to `failed` if that receive fails. */
  receiveSent(): number {
    return this.successes;
  }

  /** True when this failure is news: the queue was up, and no receive succeeded since it was sent. */
  failed(sentAt: number): boolean {
    if (this.down || sentAt !== this.successes) return false;
    this.down = true;
    return true;
  }

  /** True when this success is news: the queue was down. */
  succeeded(): boolean {
    this.successes++;
    const wasDown = this.down;
    this.down = false;
    return wasDown;
  }
}
