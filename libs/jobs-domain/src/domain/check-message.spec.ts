import {
  buildCheckMessage,
  buildDeliverMessage,
  buildWebhookTestMessage,
  MalformedCheckMessageError,
  parseCheckMessage,
  parseQueueMessage,
} from './check-message';

const USER = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const JOB = '5d0f4f0e-8f1b-4a5e-a0a4-3f5b7d2c9e10';
const CREATED = '2026-11-30T07:00:00.000Z';
const NOTIFICATION = '0123456789abcdef0123456789abcdef';
const deliver = (fields: object) =>
  JSON.stringify({ ...buildDeliverMessage(USER, CREATED, NOTIFICATION), ...fields });

describe('the queue message contract', () => {
  it('reads a v1 check written before kinds existed as a check', () => {
    expect(parseQueueMessage(JSON.stringify({ v: 1, userId: USER, jobId: JOB }))).toEqual({
      v: 1,
      kind: 'check',
      userId: USER,
      jobId: JOB,
    });
  });

  it('round-trips every kind it builds', () => {
    for (const message of [
      buildCheckMessage(USER, JOB),
      buildWebhookTestMessage(USER, JOB),
      buildDeliverMessage(USER, CREATED, NOTIFICATION),
    ]) {
      expect(parseQueueMessage(JSON.stringify(message))).toEqual(message);
    }
  });

  it('parseCheckMessage refuses another kind', () => {
    expect(() => parseCheckMessage(JSON.stringify(buildWebhookTestMessage(USER, JOB)))).toThrow(
      MalformedCheckMessageError,
    );
    expect(parseCheckMessage(JSON.stringify(buildCheckMessage(USER, JOB)))).toEqual(
      buildCheckMessage(USER, JOB),
    );
  });

  it.each([
    ['no body', undefined],
    ['an empty body', ''],
    [
      'a body over 4 KiB',
      JSON.stringify({ v: 1, userId: USER, jobId: JOB, pad: 'x'.repeat(5000) }),
    ],
    ['not JSON', '{v:1'],
    ['JSON null', 'null'],
    ['an array', JSON.stringify([1, USER, JOB])],
    ['a string', JSON.stringify('check')],
    ['no version', JSON.stringify({ userId: USER, jobId: JOB })],
    ['version 2', JSON.stringify({ v: 2, kind: 'check', userId: USER, jobId: JOB })],
    ['version as a string', JSON.stringify({ v: '1', userId: USER, jobId: JOB })],
    ['an unknown kind', JSON.stringify({ v: 1, kind: 'exec', userId: USER, jobId: JOB })],
    ['kind null', JSON.stringify({ v: 1, kind: null, userId: USER, jobId: JOB })],
    ['an inherited kind name', JSON.stringify({ v: 1, kind: 'toString', userId: USER })],
    ['kind as an array', JSON.stringify({ v: 1, kind: ['check'], userId: USER, jobId: JOB })],
    ['a check without a jobId', JSON.stringify({ v: 1, kind: 'check', userId: USER })],
    ['a test without a testId', JSON.stringify({ v: 1, kind: 'webhook_test', userId: USER })],
    [
      'a test carrying a URL',
      JSON.stringify({
        v: 1,
        kind: 'webhook_test',
        userId: USER,
        testId: JOB,
        url: 'http://169.254.169.254/',
      }),
    ],
    [
      'a check carrying another kind’s field',
      JSON.stringify({ v: 1, kind: 'check', userId: USER, jobId: JOB, testId: JOB }),
    ],
    ['a __proto__ key', `{"v":1,"userId":"${USER}","jobId":"${JOB}","__proto__":{"x":1}}`],
    ['an id with a key separator', JSON.stringify({ v: 1, userId: `${USER}#JOB#x`, jobId: JOB })],
    ['an id over 64 characters', JSON.stringify({ v: 1, userId: 'a'.repeat(65), jobId: JOB })],
    ['an empty id', JSON.stringify({ v: 1, userId: '', jobId: JOB })],
    ['a numeric id', JSON.stringify({ v: 1, userId: 42, jobId: JOB })],
    ['an id as an object', JSON.stringify({ v: 1, userId: { $ne: null }, jobId: JOB })],
    ['an id with a newline', JSON.stringify({ v: 1, userId: `${USER}\n`, jobId: JOB })],
    ['a deliver without its notificationId', deliver({ notificationId: undefined })],
    ['a deliver carrying a jobId', deliver({ jobId: JOB })],
    ['a deliver whose date is not an ISO instant', deliver({ createdAt: '30/11/2026' })],
    ['a deliver with an impossible date', deliver({ createdAt: '2026-13-45T99:99:99.999Z' })],
    ['a deliver with a key separator in its date', deliver({ createdAt: `${CREATED}#x` })],
    ['a deliver with a date as a number', deliver({ createdAt: Date.parse(CREATED) })],
    ['a deliver with a key separator in its id', deliver({ notificationId: 'a#NOTIF#b' })],
  ])('refuses %s', (_, body) => {
    expect(() => parseQueueMessage(body)).toThrow(MalformedCheckMessageError);
  });

  it('never echoes a long hostile value in its error', () => {
    const hostile = JSON.stringify({ v: 'x'.repeat(1000), userId: USER, jobId: JOB });
    expect(() => parseQueueMessage(hostile)).toThrow(/^unsupported version x{1,20}$/);
  });
});
