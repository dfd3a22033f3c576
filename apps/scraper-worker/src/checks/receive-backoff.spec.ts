import { QueueReachability, ReceiveBackoff } from './receive-backoff';

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

describe('QueueReachability', () => {
  it('reports the queue down once and back once, however many receives fail', () => {
    const q = new QueueReachability();
    const sent = [q.receiveSent(), q.receiveSent(), q.receiveSent()];
    expect(sent.map((s) => q.failed(s))).toEqual([true, false, false]);
    expect(q.failed(q.receiveSent())).toBe(false);
    expect(q.succeeded()).toBe(true);
    expect(q.succeeded()).toBe(false);
  });

  it('does not mark the queue down again for a receive sent before it was seen back', () => {
    const q = new QueueReachability();
    expect(q.failed(q.receiveSent())).toBe(true);
    const straggler = q.receiveSent(); // sent during the outage, fails only after recovery
    expect(q.succeeded()).toBe(true);
    expect(q.failed(straggler)).toBe(false);
    expect(q.succeeded()).toBe(false);
    // A receive sent after the recovery that fails is news: the queue went away again.
    expect(q.failed(q.receiveSent())).toBe(true);
  });
});
