export * from './aws.config';
export * from './aws-clients.module';
export * from './node-sha256';
export * from './signed-query';
