/**
 * The gateway's OpenAPI document as the running gateway serves it at /docs-json, built without
 * listening and without reaching any service: the gateway is created (not initialised), its
 * document built, and the app closed. The configuration is the defaults (with a database URL that
 * is never dialled), never the caller's environment, so the document is the same on every machine.
 *
 * Bundled and run by tools/api-types/generate.ts, through the same compiler plugins as the apps.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { createGateway } from '../../apps/gateway/src/main';
import { buildOpenApiDocument } from '../../apps/gateway/src/swagger';

export async function gatewayOpenApiDocument(): Promise<OpenAPIObject> {
  // Nothing to report: the development-only warnings (an ephemeral JWT secret) do not apply.
  Logger.overrideLogger(false);
  const config = loadGatewayConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
  });
  const app = await createGateway(config);
  try {
    return buildOpenApiDocument(app, {
      minCheckIntervalMinutes: config.app.MIN_CHECK_INTERVAL_MINUTES,
    });
  } finally {
    await app.close();
  }
}
