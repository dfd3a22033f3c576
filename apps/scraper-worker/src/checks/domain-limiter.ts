/**
 * Politeness: at most `limit` checks at once against one shop host from this worker. Waiters are
 * served in order; idle hosts are forgotten so the map does not grow without bound.
 */
export class DomainLimiter {
  private readonly active = new Map<string, { running: number; waiters: (() => void)[] }>();

  constructor(private readonly limit: number) {}

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    let slot = this.active.get(host);
    if (!slot) {
      slot = { running: 0, waiters: [] };
      this.active.set(host, slot);
    }
    if (slot.running >= this.limit) {
      // Woken by a finishing task, which hands its slot over: `running` stays as it is.
      await new Promise<void>((resolve) => slot!.waiters.push(resolve));
    } else {
      slot.running++;
    }
    try {
      return await task();
    } finally {
      const next = slot.waiters.shift();
      if (next) {
        next();
      } else {
        slot.running--;
        if (slot.running === 0) this.active.delete(host);
      }
    }
  }

  inFlight(host: string): number {
    return this.active.get(host)?.running ?? 0;
  }
}
