/**
 * When to poll next. Fast while things change (a check is in flight), slower while nothing does,
 * and backing off harder after errors so a struggling server is not hammered. Any change, or the
 * user doing something, resets it.
 */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** Growth per quiet poll. */
  idleFactor: number;
  /** Growth per failed poll. */
  errorFactor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  minMs: 2_000,
  maxMs: 60_000,
  idleFactor: 1.5,
  errorFactor: 2,
};

export class Backoff {
  private delay: number;

  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF) {
    this.delay = opts.minMs;
  }

  /** The delay before the next poll, given how the last one went. */
  next(result: 'changed' | 'same' | 'error'): number {
    if (result === 'changed') this.delay = this.opts.minMs;
    else {
      const factor = result === 'error' ? this.opts.errorFactor : this.opts.idleFactor;
      this.delay = Math.min(this.opts.maxMs, Math.round(this.delay * factor));
    }
    return this.delay;
  }

  reset(): void {
    this.delay = this.opts.minMs;
  }
}
