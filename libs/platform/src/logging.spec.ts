import pino from 'pino';
import { REDACTED_PATHS } from './logging';

describe('log redaction', () => {
  it('never prints authorization headers, cookies or passwords', () => {
    const lines: string[] = [];
    const logger = pino(
      { redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
      { write: (s: string) => lines.push(s) },
    );
    logger.info(
      {
        req: {
          headers: {
            authorization: 'Bearer eyJhbGciOi.secret.token',
            cookie: 'pw_session=abc.def.ghi',
          },
        },
        res: { headers: { 'set-cookie': 'pw_session=abc.def.ghi; HttpOnly' } },
        body: { password: 'hunter2hunter2' },
        password: 'hunter2hunter2',
      },
      'request',
    );
    const out = lines.join('');
    expect(out).not.toMatch(/secret\.token|abc\.def\.ghi|hunter2/);
    expect(out).toMatch(/\[redacted\]/);
  });
});
