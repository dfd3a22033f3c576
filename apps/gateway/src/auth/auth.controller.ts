import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_CONFIG, AuthConfig, AuthenticatedUser, CurrentUser, SESSION_COOKIE } from '@app/auth';
import { ApiProblems, BODY_PROBLEMS } from '../problem-details.dto';
import { Authenticated } from './authenticated.decorator';
import { AuthThrottlerGuard } from './auth-throttler.guard';
import { SessionDto, SignInDto, SignUpDto, UserDto, ValidateDto } from './auth.dto';
import { AuthService } from './auth.service';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  @Post('signup')
  @UseGuards(AuthThrottlerGuard)
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems(...BODY_PROBLEMS, [409, 'The e-mail is already registered (EMAIL_TAKEN)'], 429, 503)
  signUp(@Body() dto: SignUpDto): Promise<UserDto> {
    return this.auth.signUp(dto.email, dto.password);
  }

  @Post('signin')
  @HttpCode(200)
  @UseGuards(AuthThrottlerGuard)
  @ApiOkResponse({ type: SessionDto, description: 'Also sets the HttpOnly session cookie' })
  @ApiProblems(
    ...BODY_PROBLEMS,
    [401, 'Unknown e-mail or wrong password, the same answer (INVALID_CREDENTIALS)'],
    429,
    503,
  )
  async signIn(
    @Body() dto: SignInDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto> {
    const session = await this.auth.signIn(dto.email, dto.password, req.ip);
    reply.setCookie(SESSION_COOKIE, session.accessToken, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: this.secureCookie(req),
      maxAge: this.config.JWT_TTL_SECONDS,
    });
    return session;
  }

  @Post('signout')
  @HttpCode(204)
  @Authenticated()
  @ApiNoContentResponse({
    description: 'Every token of the user is revoked and the cookie cleared',
  })
  @ApiProblems(403)
  async signOut(
    @CurrentUser() user: AuthenticatedUser,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.signOut(user.id);
    reply.clearCookie(SESSION_COOKIE, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secureCookie(req),
    });
  }

  @Get('validate')
  @Authenticated()
  @ApiOkResponse({ type: ValidateDto })
  validate(@CurrentUser() user: AuthenticatedUser): ValidateDto {
    return { user: { id: user.id, email: user.email } };
  }

  private secureCookie(req: FastifyRequest): boolean {
    if (this.config.COOKIE_SECURE !== 'auto') return this.config.COOKIE_SECURE === 'true';
    return !(req.protocol === 'http' && LOCAL_HOSTS.has(req.hostname.replace(/:\d+$/, '')));
  }
}
