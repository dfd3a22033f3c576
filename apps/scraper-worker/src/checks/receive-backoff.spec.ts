import { ReceiveBackoff } from './receive-backoff';

describe('ReceiveBackoff', () => {
  it('waits nothing while receives succeed', () => {
    expect(new ReceiveBackoff(250, 20_000, () => 0.999).delayMs()).toBe(0);
  });

  it('doubles the ceiling per failure up to the cap, with the jitter drawn below it', () => {
    const b = new ReceiveBackoff(250, 20_000, () => 0.999999);
    const ceilings: number[] = [];
    for (let i = 0; i < 10; i++) {
      b.failed();
      ceilings.push(b.delayMs());
    }
    expect(ceilings).toEqual([249, 499, 999, 1999, 3999, 7999, 15999, 19999, 19999, 19999]);
    const low = new ReceiveBackoff(250, 20_000, () => 0);
    low.failed();
    expect(low.delayMs()).toBe(0);
  });

  it('never overflows after a very long outage', () => {
    const b = new ReceiveBackoff(250, 20_000, () => 0.5);
    for (let i = 0; i < 5000; i++) b.failed();
    expect(b.delayMs()).toBe(10_000);
  });

  it('reports how long the outage was and starts over on success', () => {
    const b = new ReceiveBackoff(250, 20_000, () => 0.5);
    b.failed();
    b.failed();
    expect(b.succeeded()).toBe(2);
    expect(b.succeeded()).toBe(0);
    expect(b.delayMs()).toBe(0);
  });
});
