import { Semaphore } from './semaphore';

const tick = () => new Promise((r) => setImmediate(r));

describe('Semaphore', () => {
  it('hands a released permit to the first waiter, not to a newcomer', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const order: string[] = [];
    const first = s.acquire().then(() => order.push('first'));
    const second = s.acquire().then(() => order.push('second'));
    expect(s.waiting).toBe(2);
    s.release();
    await first;
    expect(s.inUse).toBe(1);
    // A newcomer queues behind `second`, although a permit was just released.
    const third = s.acquire().then(() => order.push('third'));
    s.release();
    await second;
    s.release();
    await third;
    s.release();
    expect(order).toEqual(['first', 'second', 'third']);
    expect(s.idle).toBe(true);
  });

  it('rejects a wait on timeout and on abort, and forgets the waiter', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const timedOut = s.acquire({ timeoutMs: 5, onTimeout: () => new Error('too slow') });
    await expect(timedOut).rejects.toThrow('too slow');
    const controller = new AbortController();
    const aborted = s.acquire({ signal: controller.signal });
    await tick();
    controller.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
    expect(s.waiting).toBe(0);
    s.release();
    expect(s.idle).toBe(true);
  });

  it('rejects every waiter on rejectWaiters while holders keep their permits', async () => {
    const s = new Semaphore(2);
    await s.run(async () => {
      await s.acquire();
      const w = s.acquire();
      s.rejectWaiters(new Error('closed'));
      await expect(w).rejects.toThrow('closed');
      expect(s.inUse).toBe(2);
      s.release();
    });
    expect(s.idle).toBe(true);
  });

  it('refuses a limit below one', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
