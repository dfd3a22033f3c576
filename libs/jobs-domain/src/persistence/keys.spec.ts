import {
  dueShardOf,
  historySk,
  historySkPrefix,
  HISTORY_SK_PREFIX,
  jobIdFromSk,
  jobSk,
  notificationKeyParts,
  notificationSk,
  userIdFromPk,
  userPk,
} from './keys';

describe('table keys', () => {
  it('reads back the ids it wrote', () => {
    expect(userIdFromPk(userPk('u-1'))).toBe('u-1');
    expect(jobIdFromSk(jobSk('j-1'))).toBe('j-1');
    expect(notificationKeyParts(notificationSk('2026-01-01T00:00:00.000Z', 'c1'))).toEqual({
      createdAt: '2026-01-01T00:00:00.000Z',
      notificationId: 'c1',
    });
    expect(notificationKeyParts('NOTIF#no-id-part')).toBeNull();
  });

  it("keeps one job's history apart from a job whose id extends it", () => {
    const sk = historySk('j1', '2026-01-01T00:00:00.000Z', 'p1');
    expect(sk.startsWith(HISTORY_SK_PREFIX)).toBe(true);
    expect(sk.startsWith(historySkPrefix('j1'))).toBe(true);
    expect(
      historySk('j10', '2026-01-01T00:00:00.000Z', 'p1').startsWith(historySkPrefix('j1')),
    ).toBe(false);
  });

  it('puts a job in the same shard every time', () => {
    expect(dueShardOf('job-a', 8)).toBe(dueShardOf('job-a', 8));
    expect(dueShardOf('job-a', 8)).toMatch(/^S[0-7]$/);
  });
});
