import { eventually, uniqueEmail } from '../../support/apps';

// Response bodies are read field by field; a loose type keeps the scenarios readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJson = any;

export interface Timed {
  status: number;
  body: AnyJson;
  headers: Headers;
  /** From just before the request was sent to the end of its body. */
  ms: number;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** One signed-in user of the gateway's public API, as a client would use it. */
export class Api {
  private constructor(
    readonly base: string,
    private readonly headers: Record<string, string>,
    readonly email: string,
    readonly password: string,
  ) {}

  static async signUp(gatewayUrl: string, tag: string): Promise<Api> {
    const base = `${gatewayUrl}/api/v1`;
    const email = uniqueEmail(tag);
    const password = 'long enough pw';
    const up = await Api.call(base, 'POST', '/signup', { email, password });
    if (up.status !== 201) throw new Error(`sign-up answered ${up.status}`);
    const session = await Api.call(base, 'POST', '/signin', { email, password });
    if (session.status !== 200) throw new Error(`sign-in answered ${session.status}`);
    return new Api(
      base,
      { ...JSON_HEADERS, authorization: `Bearer ${session.body.accessToken}` },
      email,
      password,
    );
  }

  /** A request timed from just before it is sent until its body has been read. */
  static async call(
    base: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = JSON_HEADERS,
  ): Promise<Timed> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const started = performance.now();
    const res = await fetch(`${base}${path}`, { method, headers, body: payload });
    const text = await res.text();
    const ms = performance.now() - started;
    let parsed: AnyJson = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: parsed, headers: res.headers, ms };
  }

  request(method: string, path: string, body?: unknown): Promise<Timed> {
    return Api.call(this.base, method, path, body, this.headers);
  }

  async createJob(url: string, targetPrice: string, checkIntervalMinutes = 60): Promise<AnyJson> {
    const res = await this.request('POST', '/jobs', { url, targetPrice, checkIntervalMinutes });
    if (res.status !== 202) throw new Error(`POST /jobs answered ${res.status}`);
    return res.body;
  }

  async job(id: string): Promise<AnyJson> {
    const res = await this.request('GET', `/jobs/${id}`);
    if (res.status !== 200) throw new Error(`GET /jobs/${id} answered ${res.status}`);
    return res.body;
  }

  async points(id: string): Promise<AnyJson[]> {
    return (await this.request('GET', `/jobs/${id}/history?limit=100`)).body.points;
  }

  async alerts(jobId: string): Promise<AnyJson[]> {
    const all = (await this.request('GET', '/notifications?limit=100')).body.notifications;
    return (all as AnyJson[]).filter((n) => n.jobId === jobId);
  }

  /** Waits until the job's status is one of `wanted`; returns the job. */
  status(id: string, wanted: string | string[], timeoutMs = 30_000): Promise<AnyJson> {
    const set = Array.isArray(wanted) ? wanted : [wanted];
    return eventually(
      async () => {
        const job = await this.job(id);
        return set.includes(job.status) ? job : undefined;
      },
      timeoutMs,
      `job ${id} to be ${set.join(' or ')}`,
    );
  }
}

/** A Prometheus counter's value from an app's /metrics (summed over the label sets that match). */
export async function metric(appUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name || !(m[2] ?? '').includes(labels)) continue;
    total += Number(m[3]);
  }
  return total;
}
