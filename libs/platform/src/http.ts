/**
 * The HTTP side of the platform (Fastify bootstrap, the /metrics endpoint), kept out of the main
 * barrel so that code without an HTTP server, such as the rescheduler's Lambda bundle, does not
 * load Fastify and Swagger.
 */
export * from './bootstrap';
export * from './metrics.module';
export * from './health-endpoints';
export * from './validation';
export * from './load-shedding';
