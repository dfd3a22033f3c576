export interface SignInDelayPolicy {
  /** Failed sign-ins for one e-mail from one client IP before any delay. */
  freeFailures: number;
  /** The longest delay the doubling reaches for one e-mail from one client IP. */
  maxDelaySeconds: number;
}

/** Across all IPs, one e-mail gets more free failures and a short cap: see the class comment. */
const EMAIL_FREE_FAILURES = 10;
const EMAIL_MAX_DELAY_SECONDS = 30;
/** Memory bound: the oldest entries go first (in-process, per pod, like the throttler). */
const MAX_ENTRIES = 100_000;

interface Failures {
  count: number;
  /** Epoch ms before which another attempt is refused. */
  until: number;
}

/**
 * Per-e-mail sign-in throttling with a rising delay instead of a lockout. After `freeFailures`
 * wrong passwords for one e-mail from one client IP, each further failure doubles the wait before
 * the next attempt from that IP (1 s, 2 s, 4 s ... up to `maxDelaySeconds`). Across all IPs the
 * same e-mail waits at most 30 s, so guessing from many addresses stays slow while an attacker
 * can never keep the owner out for long: the owner's own IP has its own count, and a correct
 * password clears both. Per-IP throttling (the throttler) still bounds each client overall.
 */
export class SignInDelays {
  private readonly entries = new Map<string, Failures>();

  constructor(
    private readonly policy: SignInDelayPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before this attempt is allowed; 0 when it may go ahead. */
  waitSeconds(email: string, ip: string): number {
    const t = this.now();
    const until = Math.max(
      this.entries.get(emailKey(email))?.until ?? 0,
      this.entries.get(pairKey(email, ip))?.until ?? 0,
    );
    return until > t ? Math.ceil((until - t) / 1000) : 0;
  }

  recordFailure(email: string, ip: string): void {
    this.bump(pairKey(email, ip), this.policy.freeFailures, this.policy.maxDelaySeconds);
    this.bump(emailKey(email), EMAIL_FREE_FAILURES, EMAIL_MAX_DELAY_SECONDS);
  }

  recordSuccess(email: string, ip: string): void {
    this.entries.delete(pairKey(email, ip));
    this.entries.delete(emailKey(email));
  }

  private bump(key: string, free: number, maxSeconds: number): void {
    const previous = this.entries.get(key);
    const count = (previous?.count ?? 0) + 1;
    const over = count - free;
    const delayMs = over > 0 ? Math.min(2 ** (over - 1), maxSeconds) * 1000 : 0;
    this.entries.delete(key); // re-insert: Map order is then least recently failed first
    this.entries.set(key, { count, until: this.now() + delayMs });
    while (this.entries.size > MAX_ENTRIES) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }
}

const emailKey = (email: string) => `e:${email}`;
const pairKey = (email: string, ip: string) => `p:${ip}|${email}`;
