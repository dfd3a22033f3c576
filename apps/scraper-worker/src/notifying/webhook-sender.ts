import { Agent, request } from 'undici';
import { EgressGuard } from '../fetching';

export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
}

/**
 * POSTs JSON to a user's webhook through the egress guard (checked before sending and again at
 * connect time), without following redirects, within a deadline.
 */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(
    private readonly guard: EgressGuard,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({
      connect: { lookup: guard.lookup as never, timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  async post(url: string, payload: unknown, idempotencyKey: string): Promise<void> {
    const target = new URL(url);
    await this.guard.assertAllowed(target);
    const res = await request(target, {
      method: 'POST',
      dispatcher: this.agent,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'pricewatch-webhook/1.0',
        'idempotency-key': idempotencyKey,
      },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.timeoutMs),
    }).catch((err: unknown) => {
      throw new WebhookDeliveryError(`webhook unreachable: ${(err as Error)?.name ?? 'error'}`);
    });
    await res.body.dump().catch(() => undefined);
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new WebhookDeliveryError(`webhook answered ${res.statusCode}`);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
