import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth } from '@nestjs/swagger';
import { JwtAuthGuard } from '@app/auth';
import { ApiProblems } from '../problem-details.dto';

/**
 * A route (or every route of a controller) for signed-in callers: the JWT guard and the OpenAPI
 * description of both ways in (bearer token, session cookie) and of what the guard answers
 * (401 UNAUTHENTICATED; 503 while the user store is unreachable). Composed once, as Immich's
 * `@Authenticated()`. Unsafe methods add 403 themselves: the guard refuses a cross-site request
 * carrying the cookie only for those.
 */
export function Authenticated(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    UseGuards(JwtAuthGuard),
    ApiBearerAuth(),
    ApiCookieAuth(),
    ApiProblems(401, 503),
  );
}
