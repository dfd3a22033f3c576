import { createHmac } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createTestQueue, drain, sqsClient } from '../support/queues';
// Response bodies are asserted field by field; a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;
import { eventually, RunningApp, startGateway, uniqueEmail } from '../support/apps';

/**
 * The gateway through HTTP, against real PostgreSQL, dynalite and local-aws-sqs: the user journey,
 * then the attacks that must fail.
 */
describe('gateway API (e2e)', () => {
  let gw: RunningApp;
  let sqs: SQSClient;
  let queue: Awaited<ReturnType<typeof createTestQueue>>;
  const api = (path: string) => `${gw.baseUrl}/api/v1${path}`;

  beforeAll(async () => {
    sqs = sqsClient();
    queue = await createTestQueue(sqs, 'gateway-e2e');
    // Many users sign up from this one client: the per-IP budget is tested on its own gateway.
    gw = await startGateway({
      CHECKS_QUEUE_URL: queue.queueUrl,
      EGRESS_ALLOW_HOSTS: '',
      THROTTLE_AUTH_PER_IP_PER_MINUTE: '10000',
    });
  });

  afterAll(async () => {
    await gw?.close();
    await queue?.dispose();
    sqs?.destroy();
  });

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    return fetch(api(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** Every error is RFC 9457 problem details with a code, and never a stack or internals. */
  function expectProblem(res: Response, body: AnyJson, status: number, code?: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(body).toMatchObject({
      type: expect.stringMatching(/^urn:pricewatch:problem:/),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code: code ?? expect.any(String),
    });
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.[jt]s:\d+|node_modules/);
    if (status >= 500 && status !== 503) expect(body.errorId).toEqual(expect.any(String));
  }

  async function signUpAndIn(email = uniqueEmail()) {
    const password = 'correct horse battery';
    expect((await post('/signup', { email, password })).status).toBe(201);
    const res = await post('/signin', { email, password });
    expect(res.status).toBe(200);
    const body = (await res.json()) as AnyJson as { accessToken: string; expiresAt: string };
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    return {
      email,
      password,
      token: body.accessToken,
      cookie,
      auth: { authorization: `Bearer ${body.accessToken}` },
    };
  }

  it('runs the whole journey: sign up, sign in, create, list, get, patch, delete, sign out', async () => {
    const email = uniqueEmail('Journey').toUpperCase().replace('@EXAMPLE.COM', '@Example.com');
    const password = 'correct horse battery';
    const signup = await post('/signup', { email: `  ${email} `, password });
    expect(signup.status).toBe(201);
    const user = (await signup.json()) as AnyJson as { id: string; email: string };
    expect(user.email).toBe(email.toLowerCase());
    expect(user).not.toHaveProperty('passwordHash');

    expect((await post('/signup', { email: email.toLowerCase(), password })).status).toBe(409);

    const signin = await post('/signin', { email, password });
    expect(signin.status).toBe(200);
    const session = (await signin.json()) as AnyJson as { accessToken: string; expiresAt: string };
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now() + 3600_000);
    const setCookie = signin.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/pw_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/i); // plain http on localhost
    const cookie = setCookie.split(';')[0];
    const bearer = { authorization: `Bearer ${session.accessToken}` };

    // validate with the cookie and with the bearer token
    for (const headers of [{ cookie }, bearer]) {
      const v = await fetch(api('/validate'), { headers });
      expect(v.status).toBe(200);
      expect((await v.json()) as AnyJson).toEqual({
        user: { id: user.id, email: email.toLowerCase() },
      });
    }

    // create three jobs; one with the cookie from the same origin
    const created = [] as {
      id: string;
      status: string;
      targetPrice: string;
      currency: string;
      nextCheckAt: string;
    }[];
    for (const [i, headers] of [
      bearer,
      bearer,
      { cookie, origin: gw.baseUrl, 'sec-fetch-site': 'same-origin' },
    ].entries()) {
      const res = await post(
        '/jobs',
        { url: `https://shop.example.com/p/${i}`, targetPrice: '19.9', currency: 'EUR' },
        headers,
      );
      expect(res.status).toBe(202);
      created.push((await res.json()) as AnyJson);
    }
    expect(created[0].targetPrice).toBe('19.90');
    // Money may also come as a JSON number, read exactly from its shortest form; out: a string.
    const asNumber = await post(
      '/jobs',
      { url: 'https://shop.example.com/p/n', targetPrice: 19.99, currency: 'EUR' },
      bearer,
    );
    expect(asNumber.status).toBe(202);
    const numberJob = (await asNumber.json()) as AnyJson;
    expect(numberJob.targetPrice).toBe('19.99');
    await fetch(api(`/jobs/${numberJob.id}`), { method: 'DELETE', headers: bearer });
    expect(created[0].currency).toBe('EUR');
    expect(['pending', 'queued']).toContain(created[0].status);
    // The first check is under way, not 15 minutes ahead (the lease is not a schedule).
    for (const job of created) expect(Date.parse(job.nextCheckAt)).toBeLessThanOrEqual(Date.now());

    // the first checks are on the queue, carrying ids only
    const messages = await drain(sqs, queue.queueUrl);
    const bodies = messages.map((m) => JSON.parse(m.Body!));
    for (const job of created)
      expect(bodies).toContainEqual({ v: 1, kind: 'check', userId: user.id, jobId: job.id });

    // list with pagination
    const page1 = await fetch(api('/jobs?limit=2'), { headers: bearer });
    expect(page1.status).toBe(200);
    const p1 = (await page1.json()) as AnyJson as {
      jobs: { id: string }[];
      nextCursor: string | null;
    };
    expect(p1.jobs).toHaveLength(2);
    expect(p1.nextCursor).toEqual(expect.any(String));
    const page2 = await fetch(api(`/jobs?limit=2&cursor=${p1.nextCursor}`), { headers: bearer });
    const p2 = (await page2.json()) as AnyJson as {
      jobs: { id: string }[];
      nextCursor: string | null;
    };
    expect(p2.jobs).toHaveLength(1);
    expect(new Set([...p1.jobs, ...p2.jobs].map((j) => j.id))).toEqual(
      new Set(created.map((j) => j.id)),
    );

    // get, patch (pause), filter by status, history
    const one = await fetch(api(`/jobs/${created[0].id}`), { headers: bearer });
    expect(one.status).toBe(200);
    const patched = await fetch(api(`/jobs/${created[0].id}`), {
      method: 'PATCH',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ paused: true, targetPrice: '15', checkIntervalMinutes: 30 }),
    });
    expect(patched.status).toBe(200);
    const pj = (await patched.json()) as AnyJson;
    expect(pj).toMatchObject({ status: 'paused', targetPrice: '15.00', checkIntervalMinutes: 30 });
    expect(pj.nextCheckAt).toBeUndefined();
    const pausedList = (await (
      await fetch(api('/jobs?status=paused'), { headers: bearer })
    ).json()) as AnyJson;
    expect(pausedList.jobs.map((j: { id: string }) => j.id)).toEqual([created[0].id]);
    const resumed = await fetch(api(`/jobs/${created[0].id}`), {
      method: 'PATCH',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ paused: false }),
    });
    expect(((await resumed.json()) as AnyJson).status).toBe('active');
    const history = await fetch(api(`/jobs/${created[0].id}/history`), { headers: bearer });
    expect((await history.json()) as AnyJson).toEqual({ points: [], nextCursor: null });
    const checks = await fetch(api(`/jobs/${created[0].id}/checks?limit=100`), { headers: bearer });
    expect((await checks.json()) as AnyJson).toEqual({ checks: [], nextCursor: null });
    // The page size is bounded like every listing.
    const tooMany = await fetch(api(`/jobs/${created[0].id}/checks?limit=101`), {
      headers: bearer,
    });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as AnyJson).code).toBe('VALIDATION_FAILED');
    const notifications = await fetch(api('/notifications'), { headers: bearer });
    expect((await notifications.json()) as AnyJson).toEqual({
      notifications: [],
      nextCursor: null,
    });

    // delete one, then all
    expect(
      (await fetch(api(`/jobs/${created[0].id}`), { method: 'DELETE', headers: bearer })).status,
    ).toBe(204);
    expect((await fetch(api(`/jobs/${created[0].id}`), { headers: bearer })).status).toBe(404);
    expect(
      (await fetch(api(`/jobs/${created[0].id}`), { method: 'DELETE', headers: bearer })).status,
    ).toBe(404);
    expect((await fetch(api('/jobs'), { method: 'DELETE', headers: bearer })).status).toBe(204);
    const empty = (await (await fetch(api('/jobs'), { headers: bearer })).json()) as AnyJson;
    expect(empty).toEqual({ jobs: [], nextCursor: null });

    // sign out revokes every token, bearer and cookie alike
    const out = await fetch(api('/signout'), { method: 'POST', headers: bearer });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/pw_session=;/);
    expect((await fetch(api('/validate'), { headers: bearer })).status).toBe(401);
    expect((await fetch(api('/validate'), { headers: { cookie } })).status).toBe(401);
  });

  it('gives the same 401 body for an unknown e-mail and a wrong password', async () => {
    const { email } = await signUpAndIn();
    const wrong = await post('/signin', { email, password: 'not the password' });
    const unknown = await post('/signin', {
      email: uniqueEmail('nobody'),
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await wrong.json()) as AnyJson).toEqual((await unknown.json()) as AnyJson);
  });

  describe('refuses forged and stale tokens', () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const sign = (header: object, payload: object, secret: string) => {
      const head = `${b64(header)}.${b64(payload)}`;
      return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
    };
    let userId: string;
    let token: string;
    beforeAll(async () => {
      const s = await signUpAndIn();
      token = s.token;
      userId = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub;
    });
    const claims = () => ({
      sub: userId,
      ver: 0,
      iss: 'pricewatch',
      aud: 'pricewatch-api',
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const validateWith = (t: string) =>
      fetch(api('/validate'), { headers: { authorization: `Bearer ${t}` } });

    it('accepts the genuine token (control)', async () => {
      expect((await validateWith(token)).status).toBe(200);
    });
    it('rejects a token with alg none', async () => {
      expect(
        (await validateWith(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`)).status,
      ).toBe(401);
    });
    it('rejects a token signed with another secret', async () => {
      expect(
        (await validateWith(sign({ alg: 'HS256', typ: 'JWT' }, claims(), 'x'.repeat(48)))).status,
      ).toBe(401);
    });
    it('rejects an expired token', async () => {
      const c = { ...claims(), iat: 1000, exp: 2000 };
      expect(
        (await validateWith(sign({ alg: 'HS256', typ: 'JWT' }, c, process.env.JWT_SECRET!))).status,
      ).toBe(401);
    });
    it('rejects a token for another audience or issuer', async () => {
      expect(
        (
          await validateWith(
            sign(
              { alg: 'HS256', typ: 'JWT' },
              { ...claims(), aud: 'other' },
              process.env.JWT_SECRET!,
            ),
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await validateWith(
            sign(
              { alg: 'HS256', typ: 'JWT' },
              { ...claims(), iss: 'other' },
              process.env.JWT_SECRET!,
            ),
          )
        ).status,
      ).toBe(401);
    });
    it('rejects a token whose payload was tampered with', async () => {
      const [h, , s] = token.split('.');
      const forged = `${h}.${b64({ ...claims(), sub: '00000000-0000-4000-8000-000000000000' })}.${s}`;
      expect((await validateWith(forged)).status).toBe(401);
    });
    it('rejects a genuinely signed token whose claims are not what the server issues', async () => {
      const secret = process.env.JWT_SECRET!;
      const header = { alg: 'HS256', typ: 'JWT' };
      const { exp: _exp, ...noExp } = claims();
      for (const bad of [
        { ...claims(), sub: 'not-a-uuid' },
        { ...claims(), sub: "x' OR '1'='1" },
        noExp,
        { ...claims(), ver: '0' },
        { ...claims(), role: 'admin' },
      ]) {
        const res = await validateWith(sign(header, bad, secret));
        expectProblem(res, (await res.json()) as AnyJson, 401, 'UNAUTHENTICATED');
      }
    });
  });

  it("answers 404 for another user's job, for reads and writes alike", async () => {
    const alice = await signUpAndIn();
    const bob = await signUpAndIn();
    const job = (await (
      await post('/jobs', { url: 'https://shop.example.com/x', targetPrice: '10' }, alice.auth)
    ).json()) as AnyJson;
    for (const [method, path] of [
      ['GET', `/jobs/${job.id}`],
      ['PATCH', `/jobs/${job.id}`],
      ['DELETE', `/jobs/${job.id}`],
      ['GET', `/jobs/${job.id}/history`],
      ['GET', `/jobs/${job.id}/checks`],
    ] as const) {
      const res = await fetch(api(path), {
        method,
        headers:
          method === 'PATCH' ? { ...bob.auth, 'content-type': 'application/json' } : bob.auth,
        body: method === 'PATCH' ? JSON.stringify({ paused: true }) : undefined,
      });
      expect(res.status).toBe(404);
    }
    expect((await fetch(api(`/jobs/${job.id}`), { headers: alice.auth })).status).toBe(200);
    // a cursor forged to point into Alice's partition is refused
    const forged = Buffer.from(
      JSON.stringify({ pk: `USER#${job.userId ?? 'x'}`, sk: 'JOB#0' }),
    ).toString('base64url');
    expect((await fetch(api(`/jobs?cursor=${forged}`), { headers: bob.auth })).status).toBe(400);
  });

  it('refuses a cross-site POST authenticated by the cookie, and allows the same request with a bearer token', async () => {
    const s = await signUpAndIn();
    const body = { url: 'https://shop.example.com/csrf', targetPrice: '10' };
    const crossSite = await post('/jobs', body, {
      cookie: s.cookie,
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    const otherOrigin = await post('/jobs', body, {
      cookie: s.cookie,
      origin: 'https://evil.example',
    });
    expect(otherOrigin.status).toBe(403);
    const list = (await (await fetch(api('/jobs'), { headers: s.auth })).json()) as AnyJson;
    expect(list.jobs).toHaveLength(0);
    expect((await post('/jobs', body, { ...s.auth, origin: 'https://evil.example' })).status).toBe(
      202,
    );
  });

  describe('refuses bad input with a clear 4xx and changes nothing', () => {
    let s: Awaited<ReturnType<typeof signUpAndIn>>;
    beforeAll(async () => {
      s = await signUpAndIn();
    });
    afterEach(async () => {
      const list = (await (await fetch(api('/jobs'), { headers: s.auth })).json()) as AnyJson;
      expect(list.jobs).toHaveLength(0);
    });

    it.each([
      [
        'an unknown field',
        { url: 'https://shop.example.com/a', targetPrice: '10', admin: true },
        /admin is not a known field/,
      ],
      [
        'a JSON number that is not an exact decimal',
        { url: 'https://shop.example.com/a', targetPrice: 0.1 + 0.2 },
        /send it as a string/,
      ],
      [
        'a JSON number in exponent form',
        { url: 'https://shop.example.com/a', targetPrice: 1e-7 },
        /send it as a string/,
      ],
      ['a zero target', { url: 'https://shop.example.com/a', targetPrice: '0' }, /greater than 0/],
      [
        'a negative target',
        { url: 'https://shop.example.com/a', targetPrice: '-1' },
        /targetPrice/,
      ],
      [
        'a bad currency',
        { url: 'https://shop.example.com/a', targetPrice: '10', currency: 'EURO' },
        /currency/,
      ],
      [
        'an unknown currency code',
        { url: 'https://shop.example.com/a', targetPrice: '10', currency: 'ZZZ' },
        /currency/,
      ],
      [
        'a too short interval',
        { url: 'https://shop.example.com/a', targetPrice: '10', checkIntervalMinutes: 1 },
        /checkIntervalMinutes/,
      ],
      ['a missing url', { targetPrice: '10' }, /url/],
      [
        'an interval in exponent form (class-validator used to throw on it: a 500)',
        { url: 'https://shop.example.com/a', targetPrice: '10', checkIntervalMinutes: -5e-324 },
        /checkIntervalMinutes/,
      ],
    ])('rejects %s', async (_, body, message) => {
      const res = await post('/jobs', body, s.auth);
      expect(res.status).toBe(400);
      const err = (await res.json()) as AnyJson;
      expectProblem(res, err, 400);
      expect(['VALIDATION_FAILED', 'INVALID_JOB']).toContain(err.code);
      expect(err.detail).toMatch(message);
      expect(err.errors.length).toBeGreaterThan(0);
      for (const e of err.errors) {
        expect(e).toEqual({
          field: expect.any(String),
          code: expect.any(String),
          message: expect.any(String),
        });
        expect(e.message).toMatch(new RegExp(`^${e.field}`));
      }
    });

    it.each([
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:127.0.0.1]/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://127.0.0.1:8080/',
      'http://10.0.0.5/',
      'http://[::1]/',
      'http://[64:ff9b::7f00:1]/',
      'http://[2002:7f00:1::]/',
      'http://localhost/',
      'http://metadata.google.internal/',
      'file:///etc/passwd',
      'ftp://shop.example.com/',
      'http://user:pass@example.com/',
      `https://shop.example.com/${'a'.repeat(2100)}`.slice(0, 2100),
    ])('rejects the job URL %s', async (url) => {
      const res = await post('/jobs', { url, targetPrice: '10' }, s.auth);
      const err = (await res.json()) as AnyJson;
      expectProblem(res, err, 400);
      expect(err.errors).toEqual([expect.objectContaining({ field: 'url' })]);
    });

    it('rejects malformed JSON', async () => {
      const res = await post('/jobs', '{"url": "https://shop.example.com",', s.auth);
      expectProblem(res, (await res.json()) as AnyJson, 400, 'MALFORMED_REQUEST');
    });

    it('rejects a body over 16 KiB with 413', async () => {
      const res = await post(
        '/jobs',
        { url: 'https://shop.example.com/a', targetPrice: '10', selector: 'x'.repeat(17 * 1024) },
        s.auth,
      );
      expectProblem(res, (await res.json()) as AnyJson, 413, 'BODY_TOO_LARGE');
    });

    it('rejects a bad page size and a malformed cursor', async () => {
      expect((await fetch(api('/jobs?limit=0'), { headers: s.auth })).status).toBe(400);
      expect((await fetch(api('/jobs?limit=abc'), { headers: s.auth })).status).toBe(400);
      expect((await fetch(api('/jobs?cursor=***'), { headers: s.auth })).status).toBe(400);
      expect((await fetch(api('/jobs?status=bogus'), { headers: s.auth })).status).toBe(400);
    });

    it('rejects a webhook URL the egress policy refuses, with its own code, and keeps the stored one', async () => {
      const patchMe = (body: unknown) =>
        fetch(api('/me'), {
          method: 'PATCH',
          headers: { ...s.auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await patchMe({ webhookUrl: 'https://hooks.example.com/x' })).status).toBe(200);
      for (const webhookUrl of [
        'http://169.254.169.254/latest/',
        'http://localhost:9/',
        'ftp://a.example/',
      ]) {
        const res = await patchMe({ webhookUrl });
        expect(res.status).toBe(400);
        const err = (await res.json()) as AnyJson;
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(err).toMatchObject({ status: 400, code: 'INVALID_WEBHOOK_URL' });
        expect(err.detail).toMatch(/^webhookUrl must/);
        expect(err.errors).toEqual([
          { field: 'webhookUrl', code: 'FIELD_NOT_ALLOWED_VALUE', message: err.detail },
        ]);
      }
      const me = (await (await fetch(api('/me'), { headers: s.auth })).json()) as AnyJson;
      expect(me.webhookUrl).toBe('https://hooks.example.com/x');
    });
  });

  describe('answers every error as problem details', () => {
    it('404 for an unknown path, 405 with Allow for a known path and another method', async () => {
      const s = await signUpAndIn();
      const missing = await fetch(api('/nowhere'), { headers: s.auth });
      expectProblem(missing, (await missing.json()) as AnyJson, 404, 'ROUTE_NOT_FOUND');
      const put = await fetch(api('/me'), { method: 'PUT', headers: s.auth });
      expectProblem(put, (await put.json()) as AnyJson, 405, 'METHOD_NOT_ALLOWED');
      expect(put.headers.get('allow')).toBe('GET, HEAD, PATCH');
      const delSignup = await fetch(api('/signup'), { method: 'DELETE' });
      expectProblem(delSignup, (await delSignup.json()) as AnyJson, 405);
      expect(delSignup.headers.get('allow')).toBe('POST');
      const putJob = await fetch(api('/jobs/5d0f4f0e-8f1b-4a5e-a0a4-3f5b7d2c9e10'), {
        method: 'PUT',
        headers: s.auth,
      });
      expect(putJob.status).toBe(405);
      expect(putJob.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');
    });

    it('401 without a token, 415 for another media type, 400 for a body nested 1,500 deep', async () => {
      const anon = await fetch(api('/jobs'));
      expectProblem(anon, (await anon.json()) as AnyJson, 401, 'UNAUTHENTICATED');
      const xml = await post('/signup', '<signup/>', { 'content-type': 'application/xml' });
      expectProblem(xml, (await xml.json()) as AnyJson, 415, 'UNSUPPORTED_MEDIA_TYPE');
      const nested = '{"email":' + '['.repeat(1500) + ']'.repeat(1500) + ',"password":"x"}';
      const deep = await post('/signup', nested);
      expectProblem(deep, (await deep.json()) as AnyJson, 400, 'BODY_TOO_COMPLEX');
      const wide = await post(
        '/signup',
        JSON.stringify(Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`k${i}`, 0]))),
      );
      expectProblem(wide, (await wide.json()) as AnyJson, 400, 'BODY_TOO_COMPLEX');
    });

    it('409 EMAIL_TAKEN and 401 INVALID_CREDENTIALS carry their codes', async () => {
      const s = await signUpAndIn();
      const again = await post('/signup', { email: s.email, password: s.password });
      expectProblem(again, (await again.json()) as AnyJson, 409, 'EMAIL_TAKEN');
      const wrong = await post('/signin', { email: s.email, password: 'not the password' });
      expectProblem(wrong, (await wrong.json()) as AnyJson, 401, 'INVALID_CREDENTIALS');
    });
  });

  it('normalises e-mails to one account per address and refuses disguised ones', async () => {
    const local = `jos\u00e9-${Date.now().toString(36)}`;
    const password = 'correct horse battery';
    const composed = await post('/signup', { email: `${local}@Example.com`, password });
    expect(composed.status).toBe(201);
    expect(((await composed.json()) as AnyJson).email).toBe(`${local}@example.com`);
    const decomposed = `${local.normalize('NFD')}@EXAMPLE.com`;
    expect(decomposed).not.toBe(`${local}@example.com`);
    const twin = await post('/signup', { email: decomposed, password });
    expectProblem(twin, (await twin.json()) as AnyJson, 409, 'EMAIL_TAKEN');
    expect((await post('/signin', { email: decomposed, password })).status).toBe(200);
    for (const email of [
      `evil\u202Egro@example.com`,
      `a\u200Bb@example.com`,
      `\uFF41dmin@example.com`,
      `ada@ex\uFF41mple.com`,
      `a\u0007b@example.com`,
    ]) {
      const res = await post('/signup', { email, password });
      const err = (await res.json()) as AnyJson;
      expectProblem(res, err, 400, 'VALIDATION_FAILED');
      expect(err.errors.map((e: AnyJson) => e.field)).toContain('email');
    }
  });

  it('refuses null for optional fields instead of storing it', async () => {
    const s = await signUpAndIn();
    for (const field of ['selector', 'currency', 'checkIntervalMinutes']) {
      const res = await post(
        '/jobs',
        { url: 'https://shop.example.com/n', targetPrice: '10', [field]: null },
        s.auth,
      );
      const err = (await res.json()) as AnyJson;
      expectProblem(res, err, 400, 'VALIDATION_FAILED');
      expect(new Set(err.errors.map((e: AnyJson) => e.field))).toEqual(new Set([field]));
    }
    const list = (await (await fetch(api('/jobs'), { headers: s.auth })).json()) as AnyJson;
    expect(list.jobs).toHaveLength(0);
  });

  it('validates sign-up input and never echoes the password', async () => {
    for (const body of [
      { email: 'not-an-email', password: 'long enough pw' },
      { email: uniqueEmail(), password: 'short' },
      { email: uniqueEmail(), password: 'x'.repeat(129) },
    ]) {
      const res = await post('/signup', body);
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).not.toContain(body.password);
    }
  });

  it('stores the job and answers 202 even when the queue is down; the job stays due', async () => {
    const down = await startGateway({
      // A refused port fails at once; the AWS deadline stays at its default, because it now
      // bounds every call (DynamoDB's too), and a loaded runner may take more than a fraction of
      // a second to answer a write.
      CHECKS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/nowhere',
    });
    try {
      const s = await signUpAndIn();
      const res = await fetch(`${down.baseUrl}/api/v1/jobs`, {
        method: 'POST',
        headers: { ...s.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'https://shop.example.com/q', targetPrice: '10' }),
      });
      expect(res.status).toBe(202);
      const job = (await res.json()) as AnyJson;
      // Deterministic: nothing else claims it. Every test file that runs a rescheduler does so on a
      // table of its own (createTestTable); on the shared table one used to turn this job queued.
      expect(job.status).toBe('pending');
      expect(Date.parse(job.nextCheckAt)).toBeLessThanOrEqual(Date.now());
      const stored = (await (
        await fetch(api(`/jobs/${job.id}`), { headers: s.auth })
      ).json()) as AnyJson;
      expect(stored.status).toBe('pending');
      // Still serving, so still ready: a queue outage is reported, not a reason to leave rotation.
      expect((await fetch(`${down.baseUrl}/health/ready`)).status).toBe(200);
      const dependencies = await fetch(`${down.baseUrl}/health/dependencies`);
      expect(dependencies.status).toBe(503);
      expect(((await dependencies.json()) as AnyJson).error).toMatchObject({
        sqs: { status: 'down' },
      });
    } finally {
      await down.close();
    }
  });

  describe('throttling without lockout', () => {
    let proxied: RunningApp;
    beforeAll(async () => {
      // Behind a trusted proxy (the test itself, on loopback), X-Forwarded-For names the client.
      proxied = await startGateway({
        CHECKS_QUEUE_URL: queue.queueUrl,
        TRUST_PROXY: '127.0.0.1',
        SIGNIN_FREE_FAILURES: '1',
        THROTTLE_AUTH_PER_IP_PER_MINUTE: '1000',
      });
    });
    afterAll(() => proxied?.close());
    // Passport keeps one 'jwt' strategy per process: the last gateway created serves every
    // gateway's token checks here, so the tests that authenticate run before `tight` comes and goes.
    const signin = (email: string, password: string, ip: string) =>
      fetch(`${proxied.baseUrl}/api/v1/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ email, password }),
      });

    it('trusts X-Forwarded-Host for the same-site check only from a trusted proxy', async () => {
      const direct = await signUpAndIn();
      const body = { url: 'https://shop.example.com/xfh', targetPrice: '10' };
      const forged = await post('/jobs', body, {
        cookie: direct.cookie,
        origin: 'https://evil.example',
        'x-forwarded-host': 'evil.example',
      });
      expectProblem(forged, (await forged.json()) as AnyJson, 403, 'CROSS_SITE_REQUEST');
      const viaProxy = await fetch(`${proxied.baseUrl}/api/v1/jobs`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: direct.cookie,
          origin: 'https://pricewatch.example',
          'x-forwarded-host': 'pricewatch.example',
        },
        body: JSON.stringify(body),
      });
      expect(viaProxy.status).toBe(202);
      await fetch(api('/jobs'), { method: 'DELETE', headers: direct.auth });
    });

    it('slows wrong passwords for an e-mail with a rising delay, and the owner still gets in from elsewhere', async () => {
      const s = await signUpAndIn();
      let limited: Response | undefined;
      for (let i = 0; i < 8 && !limited; i++) {
        const res = await signin(s.email, 'not the password', '203.0.113.9');
        if (res.status === 429) limited = res;
        else expect(res.status).toBe(401);
      }
      expect(limited).toBeDefined();
      expectProblem(limited!, (await limited!.json()) as AnyJson, 429, 'RATE_LIMITED');
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
      const owner = await signin(s.email, s.password, '198.51.100.7');
      expect(owner.status).toBe(200);
    });

    it('counts sign-up and sign-in against one per-IP budget', async () => {
      const tight = await startGateway({
        CHECKS_QUEUE_URL: queue.queueUrl,
        THROTTLE_AUTH_PER_IP_PER_MINUTE: '3',
      });
      try {
        const call = (path: string, body: object) =>
          fetch(`${tight.baseUrl}/api/v1${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        const email = uniqueEmail('budget');
        const password = 'correct horse battery';
        expect((await call('/signup', { email, password })).status).toBe(201);
        expect((await call('/signin', { email, password })).status).toBe(200);
        expect((await call('/signup', { email: uniqueEmail(), password })).status).toBe(201);
        const over = await call('/signin', { email, password });
        expectProblem(over, (await over.json()) as AnyJson, 429, 'RATE_LIMITED');
        expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      } finally {
        await tight.close();
      }
    });
  });

  it('serves health, metrics and a complete OpenAPI document', async () => {
    expect((await fetch(`${gw.baseUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${gw.baseUrl}/health/ready`)).status).toBe(200);
    const ready = await fetch(`${gw.baseUrl}/health/dependencies`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as AnyJson).info).toMatchObject({
      postgres: { status: 'up' },
      dynamodb: { status: 'up' },
      sqs: { status: 'up' },
    });
    const metrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/jobs",status_code="202"\}/,
    );
    expect(metrics).toMatch(/process_cpu_user_seconds_total/);
    const doc = (await (await fetch(`${gw.baseUrl}/docs-json`)).json()) as AnyJson;
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/v1/signup',
      '/api/v1/signin',
      '/api/v1/signout',
      '/api/v1/validate',
      '/api/v1/jobs',
      '/api/v1/jobs/{id}',
      '/api/v1/jobs/{id}/history',
      '/api/v1/jobs/{id}/checks',
      '/api/v1/notifications',
      '/api/v1/me',
    ]) {
      expect(paths).toContain(p);
    }
    expect(Object.keys(doc.components.securitySchemes)).toEqual(
      expect.arrayContaining(['bearer', 'cookie']),
    );
    const targetPrice = doc.components.schemas.CreateJobDto.properties.targetPrice;
    expect(targetPrice.type).toBeUndefined();
    expect(targetPrice.oneOf).toEqual([
      expect.objectContaining({ type: 'string' }),
      expect.objectContaining({ type: 'number', exclusiveMinimum: true }),
    ]);
    // Every signed-in route documents both ways in and what the guard answers (@Authenticated());
    // the unsafe ones also the 403 for a cross-site cookie request.
    for (const [path, method] of [
      ['/api/v1/jobs', 'post'],
      ['/api/v1/jobs', 'get'],
      ['/api/v1/jobs/{id}/history', 'get'],
      ['/api/v1/jobs/{id}/checks', 'get'],
      ['/api/v1/notifications', 'get'],
      ['/api/v1/me', 'get'],
      ['/api/v1/me', 'patch'],
      ['/api/v1/me/webhook/test', 'post'],
      ['/api/v1/signout', 'post'],
      ['/api/v1/validate', 'get'],
    ]) {
      const op = doc.paths[path][method];
      const expected = method === 'get' ? ['401', '503'] : ['401', '403', '503'];
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(expected));
      expect(op.security).toEqual(expect.arrayContaining([{ bearer: [] }, { cookie: [] }]));
    }
    expect(doc.paths['/api/v1/signin'].post.security).toBeUndefined();
    expect(doc.paths['/api/v1/jobs'].post.responses).toHaveProperty('202');
    expect(doc.paths['/api/v1/jobs'].post.responses).toHaveProperty('400');
    // The document states what the server enforces.
    const schemas = doc.components.schemas;
    expect(schemas.CreateJobDto.additionalProperties).toBe(false);
    expect(schemas.SignUpDto.additionalProperties).toBe(false);
    expect(schemas.CreateJobDto.properties.checkIntervalMinutes.minimum).toBe(5);
    expect(schemas.CreateJobDto.properties.url.format).toBe('uri');
    expect(schemas.JobDto.properties.id.format).toBe('uuid');
    expect(schemas.JobDto.properties.createdAt.format).toBe('date-time');
    const limit = doc.paths['/api/v1/jobs'].get.parameters.find((p: AnyJson) => p.name === 'limit');
    expect(limit).toMatchObject({ required: false, schema: { type: 'integer', minimum: 1 } });
    expect(doc.paths['/api/v1/jobs/{id}'].patch.requestBody.required).toBe(false);
    for (const status of ['400', '401', '413', '415', '503']) {
      expect(
        doc.paths['/api/v1/jobs'].post.responses[status].content['application/problem+json'],
      ).toBeDefined();
    }
    expect(doc.paths['/api/v1/signin'].post.responses).toHaveProperty('429');
    const ui = await fetch(`${gw.baseUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
  });
});

describe('gateway shutdown (e2e)', () => {
  it('fails readiness first, keeps serving during the drain, then closes', async () => {
    const previous = process.env.SHUTDOWN_DRAIN_MS;
    process.env.SHUTDOWN_DRAIN_MS = '1500';
    const gw = await startGateway();
    try {
      expect((await fetch(`${gw.baseUrl}/health/live`)).status).toBe(200);
      const closing = gw.close();
      await eventually(
        async () => ((await fetch(`${gw.baseUrl}/health/ready`)).status === 503 ? true : undefined),
        1400,
        'readiness to fail',
      );
      // Still serving while load balancers take it out of rotation.
      expect((await fetch(`${gw.baseUrl}/health/live`)).status).toBe(200);
      await closing;
      await expect(fetch(`${gw.baseUrl}/health/live`)).rejects.toThrow();
    } finally {
      if (previous === undefined) delete process.env.SHUTDOWN_DRAIN_MS;
      else process.env.SHUTDOWN_DRAIN_MS = previous;
    }
  });
});

describe('gateway without its database (e2e)', () => {
  it('starts, stays live and ready, reports PostgreSQL down and answers 503 (not 401) until it is back', async () => {
    const gw = await startGateway({
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      CHECKS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/q',
    });
    try {
      expect((await fetch(`${gw.baseUrl}/health/live`)).status).toBe(200);
      // Readiness is "can serve": every pod staying in rotation answers a clear 503 below,
      // instead of all of them leaving it at once.
      expect((await fetch(`${gw.baseUrl}/health/ready`)).status).toBe(200);
      const dependencies = await fetch(`${gw.baseUrl}/health/dependencies`);
      expect(dependencies.status).toBe(503);
      const report = (await dependencies.json()) as AnyJson;
      expect(report.error).toMatchObject({ postgres: { status: 'down' } });
      expect(JSON.stringify(report)).not.toMatch(/127\.0\.0\.1|nobody/);
      const signin = await fetch(`${gw.baseUrl}/api/v1/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'a@example.com', password: 'long enough pw' }),
      });
      expect(signin.status).toBe(503);
      const body = await signin.text();
      expect(body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|postgres/i);
    } finally {
      await gw.close();
    }
  });
});
