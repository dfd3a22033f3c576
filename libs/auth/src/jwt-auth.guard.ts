import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import {
  DependencyUnavailableError,
  DomainError,
  ErrorCode,
  parseList,
  UnauthenticatedError,
} from '@app/platform';
import { AUTH_CONFIG, AuthConfig } from './auth.config';
import { AccessTokenVerifier, AuthenticatedUser, RequestLike } from './access-tokens';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class CrossSiteRequestError extends DomainError {
  readonly status = 403;
  readonly code = ErrorCode.CROSS_SITE_REQUEST;
  constructor() {
    super('Cross-site request refused: use the bearer token, or call from this site');
  }
}

interface HttpRequestLike extends RequestLike {
  method: string;
  protocol?: string;
  /** Fastify's host: from X-Forwarded-Host only when TRUST_PROXY trusts the peer, else Host. */
  host?: string;
  user?: AuthenticatedUser;
}

/**
 * Requires a valid token (bearer or session cookie). A cookie-authenticated unsafe request must
 * come from the same site: Sec-Fetch-Site, when the browser sends it, must be same-origin or none,
 * and Origin, when present, must be this server or a configured public origin. Bearer requests
 * are not exposed to CSRF (browsers never attach the header on their own).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly extraOrigins: Set<string>;

  constructor(
    @Inject(AUTH_CONFIG) config: AuthConfig,
    private readonly tokens: AccessTokenVerifier,
  ) {
    this.extraOrigins = new Set(parseList(config.PUBLIC_ORIGINS));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<HttpRequestLike>();
    let user: AuthenticatedUser | undefined;
    try {
      user = await this.tokens.authenticate(req);
    } catch (err) {
      // A database outage is not an authentication failure: it surfaces as 503, not 401.
      if (err instanceof DependencyUnavailableError) throw err;
      throw new UnauthenticatedError();
    }
    if (!user) throw new UnauthenticatedError();
    req.user = user;
    if (user.authSource === 'cookie' && !SAFE_METHODS.has(req.method.toUpperCase())) {
      if (!this.isSameSite(req)) throw new CrossSiteRequestError();
    }
    return true;
  }

  private isSameSite(req: HttpRequestLike): boolean {
    const site = header(req, 'sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
    const origin = header(req, 'origin');
    if (origin === undefined) return true;
    if (origin === 'null') return false;
    const lowered = origin.toLowerCase();
    if (this.extraOrigins.has(lowered)) return true;
    // Never X-Forwarded-Host read directly: any client can send it. Fastify's `host` honours it
    // only from a proxy that TRUST_PROXY trusts.
    const host = req.host ?? header(req, 'host');
    try {
      return host !== undefined && new URL(lowered).host === host.toLowerCase();
    } catch {
      return false;
    }
  }
}

function header(req: HttpRequestLike, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
