import pino from 'pino';
import { REDACTED_PATHS, SUCCESS_LINES_PER_SECOND, loggerParams, logRequest } from './logging';

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

describe('request log lines', () => {
  const lines: Record<string, unknown>[] = [];
  const entry = (statusCode: number, url = '/api/v1/jobs') => ({
    reqId: 'r1',
    method: 'GET',
    url,
    statusCode,
    ms: 1.5,
  });

  beforeEach(() => {
    lines.length = 0;
    loggerParams('test', 'info', { write: (s: string) => lines.push(JSON.parse(s)) });
  });

  it('writes one line per request, never for probes or scrapes', () => {
    logRequest(entry(200));
    logRequest(entry(200, '/health/live'));
    logRequest(entry(200, '/metrics'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request completed', statusCode: 200, service: 'test' });
  });

  it('samples successes past the per-second budget and reports how many it skipped', () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00.100Z') });
    try {
      for (let i = 0; i < SUCCESS_LINES_PER_SECOND + 50; i++) logRequest(entry(200));
      expect(lines).toHaveLength(SUCCESS_LINES_PER_SECOND);
      // A server fault is always written, and carries the count skipped meanwhile.
      logRequest(entry(500));
      expect(lines.at(-1)).toMatchObject({ msg: 'request failed', successLinesSkipped: 50 });
      jest.setSystemTime(new Date('2026-01-01T00:00:01.100Z'));
      logRequest(entry(200));
      expect(lines.at(-1)).toMatchObject({ msg: 'request completed' });
      expect(lines.at(-1)).not.toHaveProperty('successLinesSkipped');
    } finally {
      jest.useRealTimers();
    }
  });

  it('redacts secrets on the shared logger too', () => {
    const params = loggerParams('test', 'info', {
      write: (s: string) => lines.push(JSON.parse(s)),
    });
    const logger = (params.pinoHttp as { logger: { info(o: object): void } }).logger;
    logger.info({ password: 'hunter2hunter2', nested: { accessToken: 'abc' } });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('"abc"');
  });
});
