import { Semaphore } from '../fetching';

/**
 * Politeness: at most `limit` checks at once against one shop host from this worker. Waiters are
 * served in order; idle hosts are forgotten so the map does not grow without bound.
 */
export class DomainLimiter {
  private readonly hosts = new Map<string, Semaphore>();

  constructor(private readonly limit: number) {}

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    let semaphore = this.hosts.get(host);
    if (!semaphore) {
      semaphore = new Semaphore(this.limit);
      this.hosts.set(host, semaphore);
    }
    try {
      return await semaphore.run(task);
    } finally {
      if (semaphore.idle && this.hosts.get(host) === semaphore) this.hosts.delete(host);
    }
  }

  inFlight(host: string): number {
    return this.hosts.get(host)?.inUse ?? 0;
  }
}
