import { SignInDelays } from './sign-in-delays';

describe('SignInDelays', () => {
  let t = 0;
  const delays = () => new SignInDelays({ freeFailures: 3, maxDelaySeconds: 900 }, () => t);
  beforeEach(() => {
    t = 1_000_000;
  });

  it('lets the free failures through, then doubles the wait per failure up to the cap', () => {
    const d = delays();
    const waits: number[] = [];
    for (let i = 0; i < 15; i++) {
      d.recordFailure('a@example.com', '10.0.0.1');
      waits.push(d.waitSeconds('a@example.com', '10.0.0.1'));
    }
    expect(waits).toEqual([0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
    t += 900_000;
    expect(d.waitSeconds('a@example.com', '10.0.0.1')).toBe(0);
  });

  it('never keeps the owner out for long: another IP waits at most 30 s, and success clears', () => {
    const d = delays();
    for (let i = 0; i < 50; i++) d.recordFailure('owner@example.com', '203.0.113.9');
    expect(d.waitSeconds('owner@example.com', '203.0.113.9')).toBe(900);
    const ownerWait = d.waitSeconds('owner@example.com', '198.51.100.7');
    expect(ownerWait).toBeGreaterThan(0);
    expect(ownerWait).toBeLessThanOrEqual(30);
    t += ownerWait * 1000;
    expect(d.waitSeconds('owner@example.com', '198.51.100.7')).toBe(0);
    d.recordSuccess('owner@example.com', '198.51.100.7');
    expect(d.waitSeconds('owner@example.com', '198.51.100.7')).toBe(0);
  });

  it('keeps e-mails apart', () => {
    const d = delays();
    for (let i = 0; i < 10; i++) d.recordFailure('a@example.com', 'ip');
    expect(d.waitSeconds('a@example.com', 'ip')).toBeGreaterThan(0);
    expect(d.waitSeconds('b@example.com', 'ip')).toBe(0);
  });
});
