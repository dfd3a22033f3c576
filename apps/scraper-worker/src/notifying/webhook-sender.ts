import { Agent, request } from 'undici';
import { effectivePort } from '@app/jobs-domain';
import { EgressGuard } from '../fetching';

export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
}

/**
 * POSTs JSON to a user's webhook through the egress guard (checked before sending and again at
 * connect time), without following redirects, within a deadline.
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

  async post(url: string, payload: unknown, idempotencyKey: string): Promise<void> {
    const target = new URL(url);
    await this.guard.assertAllowed(target);
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
      throw new WebhookDeliveryError(`webhook unreachable: ${(err as Error)?.name ?? 'error'}`);
    });
    await res.body.dump().catch(() => undefined);
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new WebhookDeliveryError(`webhook answered ${res.statusCode}`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
  }
}
