// Pure domain: no I/O.
export * from './domain/job';
export * from './domain/money';
export * from './domain/currency';
export * from './domain/check-message';
export * from './domain/url-policy';
export * from './domain/errors';
export * from './domain/transitions';
export * from './domain/notification';
export * from './domain/alert-redrive';
// The table layout (pure) and the repositories over it (DynamoDB I/O), one per aggregate.
export * from './persistence/table-schema';
export * from './persistence/keys';
export * from './persistence/cursor';
export * from './persistence/jobs.repository';
export * from './persistence/price-history.repository';
export * from './persistence/outbox.repository';
export * from './persistence/profiles.repository';
// The checks queue (SQS I/O).
export * from './messaging/check-queue';
// Settings shared by the apps that schedule and check jobs.
export * from './jobs.config';
