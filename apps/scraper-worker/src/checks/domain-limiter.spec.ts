import { DomainLimiter } from './domain-limiter';

describe('DomainLimiter', () => {
  it('never runs more than the limit at once against one host, and serves waiters in order', async () => {
    const limiter = new DomainLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const release: (() => void)[] = [];
    const tasks = Array.from({ length: 5 }, (_, i) =>
      limiter.run('shop.example', async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await new Promise<void>((r) => release.push(r));
        running--;
      }),
    );
    for (let done = 0; done < 5; done++) {
      while (release.length === 0) await new Promise((r) => setImmediate(r));
      release.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(tasks);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.inFlight('shop.example')).toBe(0);
  });

  it('does not limit different hosts against each other', async () => {
    const limiter = new DomainLimiter(1);
    let running = 0;
    let peak = 0;
    const gate = new Promise<void>((r) => setTimeout(r, 10));
    await Promise.all(
      ['a.example', 'b.example', 'c.example'].map((h) =>
        limiter.run(h, async () => {
          running++;
          peak = Math.max(peak, running);
          await gate;
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });
});
