import { Agent, request } from 'undici';
import { effectivePort } from '@app/jobs-domain';
import { EgressBlockedError, EgressGuard } from '../fetching';

/** Why a delivery failed, as a code that is safe to store and show (never the receiver's body). */
export type WebhookFailure = 'refused_address' | 'unreachable' | 'timeout' | 'http_status';

export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
  constructor(
    readonly failure: WebhookFailure,
    message: string,
    /** The receiver's status, when it answered outside 2xx. */
    readonly status?: number,
  ) {
    super(message);
  }
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Classifies what the request threw: the egress guard's refusal, a deadline, or no connection. */
function failureOf(err: unknown): WebhookFailure {
  for (
    let e = err as { name?: string; code?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (e instanceof EgressBlockedError || e.code === 'EGRESS_BLOCKED') return 'refused_address';
    if (e.name === 'TimeoutError' || (e.code && TIMEOUT_CODES.has(e.code))) return 'timeout';
  }
  return 'unreachable';
}

/**
 * POSTs JSON to a user's webhook through the egress guard (checked before sending and again at
 * connect time), without following redirects, within a deadline. The answer's body is read and
 * dropped, never kept.
 */
export class WebhookSender {
  /** One dispatcher per port, so allow-list entries written as host:port apply at connect time too. */
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly guard: EgressGuard,
    private readonly timeoutMs: number,
  ) {}

  private agentFor(url: URL): Agent {
    const port = effectivePort(url);
    let agent = this.agents.get(port);
    if (!agent) {
      agent = new Agent({
        connect: { lookup: this.guard.lookupForPort(port) as never, timeout: this.timeoutMs },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      this.agents.set(port, agent);
    }
    return agent;
  }

  /** Resolves with the receiver's 2xx status; throws WebhookDeliveryError otherwise. */
  async post(url: string, payload: unknown, idempotencyKey: string): Promise<number> {
    const target = new URL(url);
    try {
      await this.guard.assertAllowed(target);
    } catch (err) {
      if (err instanceof EgressBlockedError)
        throw new WebhookDeliveryError('refused_address', `webhook refused: ${err.message}`);
      throw new WebhookDeliveryError(failureOf(err), 'webhook unreachable: no address');
    }
    const res = await request(target, {
      method: 'POST',
      dispatcher: this.agentFor(target),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'pricewatch-webhook/1.0',
        'idempotency-key': idempotencyKey,
      },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.timeoutMs),
    }).catch((err: unknown) => {
      throw new WebhookDeliveryError(
        failureOf(err),
        `webhook unreachable: ${(err as Error)?.name ?? 'error'}`,
      );
    });
    await res.body.dump().catch(() => undefined);
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new WebhookDeliveryError(
        'http_status',
        `webhook answered ${res.statusCode}`,
        res.statusCode,
      );
    }
    return res.statusCode;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
  }
}
