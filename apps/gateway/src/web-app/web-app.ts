import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The people-facing web app (apps/web), built by `apps/web/build.ts` into dist/apps/web beside the
 * gateway's bundle, served at `/`. Only the files the build wrote get a route (no wildcard), so
 * every other path keeps the API's own 404.
 */
export function findWebRoot(): string | undefined {
  const candidates = [
    // The bundle: dist/apps/gateway/main.js → dist/apps/web
    path.resolve(__dirname, '..', 'web'),
    // The sources under ts-jest/tsx: apps/gateway/src/web-app → dist/apps/web
    path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'apps', 'web'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

const COMMON_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/**
 * The web app and every API answer: scripts only from this origin (no inline, no eval), styles
 * only from files (the app sets styles through CSSOM, which CSP allows), and Trusted Types, so a
 * string can never reach an HTML sink such as innerHTML.
 */
export const APP_CSP = [
  ...COMMON_CSP,
  "style-src 'self'",
  "manifest-src 'self'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Swagger UI's page carries an inline <style> block and style attributes; its scripts are files. */
export const DOCS_CSP = [...COMMON_CSP, "style-src 'self' 'unsafe-inline'"].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

function isDocs(url: string): boolean {
  return url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');
}

/** Security headers on every response; the strict policy everywhere but Swagger UI. */
export function addSecurityHeaders(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', isDocs(req.url) ? DOCS_CSP : APP_CSP);
    }
  });
}

/** Serves the built web app at `/`; false (and a warning) when it has not been built. */
export async function registerWebApp(
  app: NestFastifyApplication,
  root: string | undefined = findWebRoot(),
): Promise<boolean> {
  if (!root) {
    new Logger('WebApp').warn('web app not built (npm run build:web); / is not served');
    return false;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    decorateReply: false,
    // Hashed asset names never change content: cache them for good; index.html is revalidated.
    setHeaders: (reply, file) => {
      reply.header(
        'cache-control',
        file.includes(`${path.sep}assets${path.sep}`)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      );
    },
  });
  return true;
}
