import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AuthenticatedUser } from './access-tokens';

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthenticatedUser => ctx.switchToHttp().getRequest().user,
);
