import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { Agent, buildConnector } from 'undici';
import { isIpLiteral } from '@app/jobs-domain';
import { decodeBody } from './charset';
import { EgressBlockedError, EgressGuard } from './egress-guard';

export interface FetchedPage {
  status: number;
  /** Final URL after redirects. */
  url: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** Decoded (decompressed) body size in bytes. */
  bytes: number;
  elapsedMs: number;
}

export type FetchFailureKind =
  'timeout' | 'too_large' | 'egress_blocked' | 'network' | 'too_many_redirects' | 'bad_content';

/** A fetch that produced no usable page. The message is safe to store as a job's reason. */
export class FetchError extends Error {
  constructor(
    readonly kind: FetchFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FetchError';
  }
}

export interface HttpFetcherOptions {
  connectTimeoutMs: number;
  /** Longest wait for the response headers, and between two body chunks. */
  readTimeoutMs: number;
  /** Whole fetch, all redirects included. */
  totalTimeoutMs: number;
  /** Cap on the body, after decompression. */
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  acceptLanguage: string;
}

/**
 * What the worker's config decides (WorkerConfig: FETCH_TIMEOUT_MS, FETCH_MAX_BYTES, USER_AGENT,
 * ACCEPT_LANGUAGE, whose defaults are the only ones), plus transport tuning with defaults here.
 */
export type HttpFetcherSettings = Pick<
  HttpFetcherOptions,
  'totalTimeoutMs' | 'maxBytes' | 'userAgent' | 'acceptLanguage'
> &
  Partial<HttpFetcherOptions>;

const TRANSPORT_DEFAULTS = {
  connectTimeoutMs: 5_000,
  readTimeoutMs: 15_000,
  maxRedirects: 5,
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const TEXTUAL_TYPE =
  /^(?:text\/[\w.+-]+|application\/(?:xhtml\+xml|xml|json|ld\+json|[\w.-]+\+(?:xml|json)))$/;

function headerRecord(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Drops a body we will not read; undici emits an error on destroy, which nobody needs to hear. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

function errorChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let e: unknown = err;
  while (e && chain.length < 5) {
    chain.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

/** Raw deflate and zlib-wrapped deflate both travel as "deflate"; the first byte tells them apart. */
function inflateAuto(): Transform {
  let inner: Transform | null = null;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!inner) {
        inner = (chunk[0] & 0x0f) === 8 ? zlib.createInflate() : zlib.createInflateRaw();
        inner.on('data', (d: Buffer) => this.push(d));
        inner.on('error', (e) => this.destroy(e));
      }
      if (inner.write(chunk)) done();
      else inner.once('drain', () => done());
    },
    flush(done) {
      if (!inner) return done();
      inner.once('end', () => done());
      inner.end();
    },
  });
}

function decompressor(encoding: string): Transform | null | 'unsupported' {
  const codings = encoding
    .toLowerCase()
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'identity');
  if (codings.length === 0) return null;
  // Stacked codings are legal but no shop sends them; refusing keeps the cap logic simple.
  if (codings.length > 1) return 'unsupported';
  switch (codings[0]) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return inflateAuto();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return 'unsupported';
  }
}

/**
 * Plain HTTP(S) GET for product pages, on undici with a connector whose DNS lookup is the egress
 * guard's: every socket, redirects included, connects only to an address the guard accepted.
 */
export class HttpFetcher {
  private readonly options: HttpFetcherOptions;
  private readonly agent: Agent;
  private readonly connectors = new Map<string, buildConnector.connector>();

  constructor(
    private readonly guard: EgressGuard,
    options: HttpFetcherSettings,
  ) {
    this.options = { ...TRANSPORT_DEFAULTS, ...options };
    this.agent = new Agent({
      connect: (opts, cb) => this.connect(opts, cb),
      headersTimeout: this.options.readTimeoutMs,
      bodyTimeout: this.options.readTimeoutMs,
      keepAliveTimeout: 4_000,
      maxHeaderSize: 64 * 1024,
    });
  }

  /** GET url, following redirects; FetchError on failure, the caller's abort reason on abort. */
  async fetch(url: string, signal?: AbortSignal): Promise<FetchedPage> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(this.options.totalTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      return await this.follow(url, combined, started);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (deadline.aborted) {
        throw new FetchError(
          'timeout',
          `no complete response within ${this.options.totalTimeoutMs} ms`,
        );
      }
      throw this.toFetchError(err);
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }

  private async follow(rawUrl: string, signal: AbortSignal, started: number): Promise<FetchedPage> {
    let current: URL;
    try {
      current = new URL(rawUrl);
    } catch {
      throw new FetchError('egress_blocked', 'url must be an absolute http or https URL');
    }
    for (let hop = 0; ; hop++) {
      await this.guard.assertAllowed(current);
      const res = await this.agent.request({
        origin: current.origin,
        path: current.pathname + current.search,
        method: 'GET',
        signal,
        headers: {
          'user-agent': this.options.userAgent,
          accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
          'accept-language': this.options.acceptLanguage,
          'accept-encoding': 'gzip, deflate, br',
          'upgrade-insecure-requests': '1',
        },
      });
      const headers = headerRecord(res.headers);
      if (REDIRECT_STATUSES.has(res.statusCode) && headers.location) {
        discard(res.body);
        if (hop >= this.options.maxRedirects) {
          throw new FetchError(
            'too_many_redirects',
            `more than ${this.options.maxRedirects} redirects`,
          );
        }
        try {
          current = new URL(headers.location, current);
        } catch {
          throw new FetchError('bad_content', 'redirect to an invalid URL');
        }
        continue;
      }
      const { text, bytes } = await this.readBody(res.statusCode, headers, res.body);
      return {
        status: res.statusCode,
        url: current.href,
        headers,
        body: text,
        bytes,
        elapsedMs: Math.round(performance.now() - started),
      };
    }
  }

  private async readBody(
    status: number,
    headers: Record<string, string>,
    body: Readable,
  ): Promise<{ text: string; bytes: number }> {
    const { maxBytes } = this.options;
    const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type && !TEXTUAL_TYPE.test(type)) {
      discard(body);
      // An error page in an odd type still has a status worth classifying.
      if (status < 200 || status >= 300) return { text: '', bytes: 0 };
      throw new FetchError('bad_content', `unexpected content type ${type.slice(0, 80)}`);
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      discard(body);
      throw new FetchError('too_large', `response larger than ${maxBytes} bytes`);
    }
    const decoder = decompressor(headers['content-encoding'] ?? '');
    if (decoder === 'unsupported') {
      discard(body);
      throw new FetchError('bad_content', 'unsupported content encoding');
    }
    let wire = 0;
    // A compressed body larger than the cap is not a product page either.
    const wireCap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        wire += chunk.length;
        if (wire > maxBytes)
          done(new FetchError('too_large', `response larger than ${maxBytes} bytes`));
        else done(null, chunk);
      },
    });
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of source) {
        size += chunk.length;
        // Thrown before the chunk is kept, so at most one chunk beyond the cap is ever held.
        if (size > maxBytes)
          throw new FetchError('too_large', `response larger than ${maxBytes} bytes`);
        chunks.push(chunk);
      }
    };
    try {
      if (decoder) await pipeline(body, wireCap, decoder, collect);
      else await pipeline(body, wireCap, collect);
    } catch (err) {
      if (err instanceof FetchError) throw err;
      const code = String((err as { code?: unknown }).code ?? '');
      if (code.startsWith('Z_') || code.startsWith('ERR__') || code.startsWith('ERR_BROTLI')) {
        throw new FetchError('bad_content', 'corrupt compressed body', { cause: err });
      }
      throw err;
    } finally {
      discard(body);
    }
    const buf = Buffer.concat(chunks, size);
    return { text: decodeBody(buf, headers['content-type']), bytes: size };
  }

  private connect(
    opts: buildConnector.Options,
    cb: buildConnector.Callback,
  ): ReturnType<buildConnector.connector> {
    const port = opts.port || (opts.protocol === 'https:' ? '443' : '80');
    // net.connect never calls lookup for a literal address, so judge literals here.
    if (isIpLiteral(opts.hostname) && !this.guard.allowsAddress(opts.hostname, String(port))) {
      cb(
        new EgressBlockedError(
          'url must not point to a private, loopback, link-local or reserved address',
        ),
        null,
      );
      return;
    }
    let connector = this.connectors.get(String(port));
    if (!connector) {
      connector = buildConnector({
        timeout: this.options.connectTimeoutMs,
        lookup: this.guard.lookupForPort(port),
      } as buildConnector.BuildOptions);
      this.connectors.set(String(port), connector);
    }
    return connector(opts, cb);
  }

  private toFetchError(err: unknown): FetchError {
    const chain = errorChain(err);
    const fetchError = chain.find((e) => e instanceof FetchError);
    if (fetchError) return fetchError as FetchError;
    const blocked = chain.find((e) => e instanceof EgressBlockedError);
    if (blocked)
      return new FetchError('egress_blocked', (blocked as Error).message, { cause: err });
    const codes = chain.map((e) => String((e as { code?: unknown }).code ?? ''));
    if (codes.some((c) => /TIMEOUT|ETIMEDOUT/.test(c))) {
      return new FetchError('timeout', 'the shop did not answer in time', { cause: err });
    }
    if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) {
      return new FetchError('network', 'host name not found', { cause: err });
    }
    if (codes.includes('ECONNREFUSED')) {
      return new FetchError('network', 'connection refused', { cause: err });
    }
    if (codes.some((c) => /CERT|SSL|TLS|ERR_TLS/.test(c))) {
      return new FetchError('network', 'TLS handshake failed', { cause: err });
    }
    return new FetchError('network', 'connection failed', { cause: err });
  }
}
