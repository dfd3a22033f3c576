import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  OperationObject,
  ReferenceObject,
  RequestBodyObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SESSION_COOKIE } from '@app/auth';

export interface OpenApiSettings {
  /** MIN_CHECK_INTERVAL_MINUTES: the document states the minimum this server enforces. */
  minCheckIntervalMinutes: number;
}

export function buildOpenApiDocument(
  app: INestApplication,
  settings: OpenApiSettings,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('pricewatch API')
    .setDescription(
      'Track product prices and get notified when a price falls to your target. ' +
        'Sign up, sign in (bearer token or session cookie), then register product URLs as jobs. ' +
        'Every error is RFC 9457 problem details (application/problem+json): type, title, status, ' +
        'detail, a stable code from the ErrorCode enum, errors[] ({field, code, message}) when ' +
        'fields are invalid, and errorId on a 500. No stack traces, no internal messages.',
    )
    .setVersion('1.0.0')
    .addServer('/')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addCookieAuth(SESSION_COOKIE, { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  return tighten(document, settings);
}

/** Swagger UI at /docs and the document at /docs-json. */
export function setupSwagger(app: INestApplication, settings: OpenApiSettings): OpenAPIObject {
  const document = buildOpenApiDocument(app, settings);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'pricewatch API',
  });
  return document;
}

type Schema = SchemaObject & { properties?: Record<string, SchemaObject> };

/**
 * What the generated document cannot say by itself, stated from the same rules the server
 * enforces: request bodies refuse unknown members (the validation pipe's forbidNonWhitelisted),
 * a body whose members are all optional may be omitted (an empty PATCH changes nothing), the
 * check-interval minimum is the configured one, and the wire formats of ids (uuid), instants
 * (date-time) and URLs (uri), named alike in every DTO.
 */
function tighten(document: OpenAPIObject, settings: OpenApiSettings): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const bodySchemas = new Set<string>();
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as OperationObject[]) {
      const body = op?.requestBody as RequestBodyObject | undefined;
      const ref = (body?.content?.['application/json']?.schema as ReferenceObject)?.$ref;
      if (!body || !ref) continue;
      const name = ref.split('/').pop()!;
      bodySchemas.add(name);
      if (!(schemas[name]?.required?.length ?? 0)) body.required = false;
    }
  }
  for (const name of bodySchemas) schemas[name].additionalProperties = false;
  for (const [name, schema] of Object.entries(schemas)) {
    for (const [prop, p] of Object.entries(schema.properties ?? {})) {
      // A property given as oneOf (money: string or number) keeps no type of its own from the
      // plugin's reading of the TypeScript type.
      if (p.oneOf) delete p.type;
      if (p.type !== 'string' || p.format || p.enum) continue;
      if (prop === 'id' || prop === 'jobId') p.format = 'uuid';
      else if (/At$/.test(prop)) p.format = 'date-time';
      else if (/^(url|webhookUrl)$/.test(prop)) p.format = 'uri';
    }
    const interval = schema.properties?.checkIntervalMinutes;
    if (interval && bodySchemas.has(name)) {
      delete interval.exclusiveMinimum;
      interval.minimum = settings.minCheckIntervalMinutes;
    }
  }
  return document;
}
