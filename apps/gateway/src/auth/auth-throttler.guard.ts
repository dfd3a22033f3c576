import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';

/**
 * The throttler sets one Retry-After header per named limit (Retry-After-ip, ...); clients and
 * proxies understand only the standard one, so it is set here from the limit that was hit.
 */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const reply = context.switchToHttp().getResponse<{ header: (k: string, v: string) => void }>();
    reply.header('Retry-After', String(Math.max(1, Math.ceil(detail.timeToBlockExpire))));
    throw new ThrottlerException('Too many attempts; retry later');
  }
}

/** Per-e-mail tracking for sign-in and sign-up; falls back to the client IP when no e-mail is given. */
export function emailTracker(req: Record<string, unknown>): string {
  const body = req.body as { email?: unknown } | undefined;
  const email =
    typeof body?.email === 'string' ? body.email.trim().toLowerCase().slice(0, 254) : '';
  return email ? `email:${email}` : `ip:${String(req.ip)}`;
}
